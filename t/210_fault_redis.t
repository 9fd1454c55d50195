#!/usr/bin/perl

# Redis killed, then restarted, under a steady load from two other
# processes: no worker crashes, requests during the outage get 503 JSON,
# service is back within 2 s of Redis, no Redis connection leaks.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Test;
use MissedCall::Flow;
use MissedCall::Load;

my $t = stack(WORKERS => 2, REDIS_TIMEOUT => '500ms', LOG_LEVEL => 'notice');

request_call($t, sprintf '+1202555%04d', $_) for 1 .. 6;
my $pids = $t->worker_pids;
my $clients = $t->redis_clients;

# two loads of 7 s: requests, and the gateway-free status endpoint
my @loads = (load_start($t, seconds => 7, kind => 'request', pause => 0.01),
    load_start($t, seconds => 7, kind => 'status', pause => 0.01, tag => 1));

sleep 1.5;
my $killed = time;
kill 'KILL', $t->{procs}{redis};
delete $t->{procs}{redis};
sleep 2;
$t->start_redis();
my $back = time;

my ($req, $status) = map { load_finish($_) } @loads;
diag "requests: $req->{sent} sent: $req->{summary}";
diag "status: $status->{sent} sent: $status->{summary}";

for my $l ($req, $status) {
    ok($l->{sent} > 50, "$l->{sent} requests sent");
    is($l->{non_json}, 0, 'every error answer is JSON: no reset, no HTML');
    my @bad = grep { $_ >= 500 && $_ != 503 } keys %{ $l->{counts} };
    is("@bad", '', 'no 5xx but 503');
}

my @outage = grep { $_->{at} > $killed + 0.6 && $_->{at} + $_->{took} < $back }
    @{ $req->{seen} };
ok(@outage > 5, scalar(@outage) . ' requests during the outage');
is(scalar(grep { $_->{status} != 503 } @outage), 0, 'all of them 503');
is(scalar(grep { ($_->{error} // '') ne 'service_unavailable' } @outage), 0,
    'all service_unavailable');
my $slowest = 0;
$slowest < $_->{took} and $slowest = $_->{took} for @outage;
cmp_ok($slowest, '<', 1.5, sprintf 'answered at once or at the Redis '
    . 'timeout: the slowest took %.3f s', $slowest);

my ($first) = grep { $_->{at} > $back && $_->{status} == 202 }
    @{ $req->{seen} };
ok($first, 'calls are placed again');
my $recovery = $first ? $first->{at} + $first->{took} - $back : 99;
diag sprintf 'Redis killed at 0, back at %.2f s, first 202 %.3f s later',
    $back - $killed, $recovery;
cmp_ok($recovery, '<=', 2, 'back within 2 s of Redis');

is($t->worker_pids, $pids, 'no worker crashed or was replaced');
unlike($t->error_log, qr/exited on signal|\[alert\]/, 'no crash, no alert');
sleep 0.5;
my $after = $t->redis_clients;
cmp_ok($after, '<=', 2, "Redis clients: $clients before, $after after: "
    . 'one a worker at most, none leaked');

done_testing();
