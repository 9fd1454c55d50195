#!/usr/bin/perl

# Redis down: a fast 503 JSON, the worker serves the rest; Redis back: the
# next requests succeed.  Sessions expire after their TTL.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Flow;

my $t = stack(SESSION_TTL => '2s', REDIS_TIMEOUT => '500ms');

# expiry with a short TTL

my $r = request_call($t, '+12025550143');
is($r->{status}, 202, 'request');
my $sid = $r->{json}{session_id};
my $caller = last_call($t)->{json}{from};
sleep 2.3;
$r = verify_call($t, session_id => $sid, received_caller_id => $caller);
is($r->{status}, 400, 'expired session refused');
is($r->{json}{error}, 'invalid_session', 'uniform error for expired');
$r = $t->get("/otp/status/$sid");
is($r->{json}{status}, 'expired', 'status: expired');
ok($r->{json}{is_expired}, 'is_expired');
is($r->{json}{time_remaining_seconds}, 0, 'no time remaining');

# Redis frozen: connected, but no reply comes; the reply timeout (500 ms
# here) answers 503, and nothing else waits

kill 'STOP', $t->{procs}{redis};
my $start = time;
my @frozen = $t->parallel(3, sub {
    my $r = request_call($t, '+1202555014' . $_[0]);
    return join ' ', $r->{status}, $r->{json}{error} // '', time - $start;
});
my $ping = $t->get('/ping');
kill 'CONT', $t->{procs}{redis};
note explain \@frozen;
is(scalar(grep { /^503 service_unavailable / } @frozen), 3,
    'redis frozen: 503 service_unavailable');
ok(!(grep { (split / /)[2] > 1.5 } @frozen),
    'within the reply timeout, not hanging');
is($ping->{status}, 200, 'everything else is served meanwhile');
like($t->error_log, qr/missedcall redis: reply timed out/,
    'the timeout is logged');
sleep 1.1;
is(request_call($t, '+12025550149')->{status}, 202,
    'redis thawed: the next request succeeds');

# Redis stopped

$t->stop_redis();

for my $i (1 .. 4) {
    my $start = time;
    $r = request_call($t, '+12025550143');
    my $took = time - $start;
    is($r->{status}, 503, "redis down, request $i: 503");
    is($r->{json}{error}, 'service_unavailable', 'service_unavailable');
    ok($took < 0.6, sprintf 'answered fast (%.3fs)', $took);
}

$r = verify_call($t, session_id => $sid, received_caller_id => $caller);
is($r->{status}, 503, 'verify while redis is down: 503');
$r = $t->get("/otp/status/$sid");
is($r->{status}, 503, 'status while redis is down: 503');
is($t->get('/ping')->{status}, 200, 'everything else is served');

# Redis back: after the reconnect backoff (at most 1 s) requests succeed

$t->start_redis();
sleep 1.1;
my @ok = map { request_call($t, '+12025550143')->{status} } 1 .. 4;
is_deeply(\@ok, [ (202) x 4 ], 'redis restarted: requests succeed');

unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal \d+/,
    'no alert or crash in the error log');
like($t->error_log, qr/missedcall redis: connect to "127.0.0.1" failed/,
    'the outage is logged');

done_testing();
