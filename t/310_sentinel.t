#!/usr/bin/perl

# Redis Sentinel: a master, two replicas and three sentinels on loopback.
# The master is killed under load: service returns within the failover
# time plus 2 s, no worker crashes, and with missedcall_redis_wait a
# session accepted just before the kill verifies after it.  Without a
# replica, the wait makes a request fail cleanly instead.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use POSIX ();
use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Test;
use MissedCall::Flow;

# no replica: the wait fails, the request gets 503 and leaves no session
{
    my $t = stack(HTTP_EXTRA => 'missedcall_redis_wait 1 200ms;');
    my $r = request_call($t, '+12025550143');
    is($r->{status}, 503, 'no replica: 503');
    is($r->{json}{error}, 'service_unavailable', 'no replica: JSON error');
    is(scalar(() = session_keys($t)), 0, 'no replica: no session left');
    is(scalar(() = $t->redis_keys('{missedcall}:phone:*')), 0,
        'no replica: no pointer left');
    like($t->error_log, qr/reached 0 of 1 replicas in time, withdrawn/,
        'no replica: logged');
}

my $t = MissedCall::Test->new();
$t->write_file('pool.txt', join("\n", @MissedCall::Flow::POOL) . "\n");
$t->write_file('jwt1.key', ('k' x 40) . "\n");
$t->write_file('jwt2.key', ('s' x 48) . "\n");
$t->write_file('gateway.token', "gw-secret-token-1234\n");

my $mport = $t->start_redis();
$t->start_redis(name => $_, args => [ '--replicaof', '127.0.0.1', $mport ])
    for 'replica1', 'replica2';
my @sentinels = map { $t->start_sentinel("sentinel$_", $mport, 2) } 1 .. 3;
$t->start_gateway();

sub master_of {
    my ($port) = @_;
    my $r = eval { $t->redis_at($port, 'SENTINEL',
        'get-master-addr-by-name', 'mymaster') };
    return ref $r eq 'ARRAY' ? $r->[1] : '';
}

# the sentinels know the replicas and each other before anything fails
my $ready = 0;
for (1 .. 100) {
    my $r = eval { $t->redis_at($sentinels[0], 'SENTINEL', 'master',
        'mymaster') } || [];
    my %m = @$r;
    $ready = ($m{'num-slaves'} // 0) >= 2
        && ($m{'num-other-sentinels'} // 0) >= 2;
    last if $ready;
    sleep 0.1;
}
ok($ready, 'sentinels see the replicas and each other');

$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    WORKERS => 2, REDIS_TIMEOUT => '1s',
    REDIS => 'missedcall_redis_sentinel mymaster '
        . join(' ', map { "127.0.0.1:$_" } @sentinels) . ';',
    HTTP_EXTRA => 'missedcall_redis_wait 1 200ms;' });

# the first requests of each worker ask a sentinel; then calls go through
my $ok = 0;
for (1 .. 20) {
    $ok++ if request_call($t, '+12025550100')->{status} == 202;
    last if $ok >= 3;
}
ok($ok >= 3, 'through the master the sentinels name');
like($t->error_log, qr/sentinel 127\.0\.0\.1:\d+ names 127\.0\.0\.1:$mport the master "mymaster"/,
    'the sentinels were asked');
my $pids = $t->worker_pids;

# a session accepted (WAIT: it reached the replica), then the master dies
my $r = request_call($t, '+12025550143');
is($r->{status}, 202, 'a session accepted just before the failover');
my $sid = $r->{json}{session_id};
my $caller = last_call($t)->{json}{from};

# steady load from another process during the failover, 12 s at most
my $load = fork() // die;
if ($load == 0) {
    my (%c, @ok_at);
    my $until = time + 12;
    for (my $i = 0; time < $until && $i < 2000; $i++) {
        my $s = request_call($t, sprintf('+1303555%04d', $i),
            timeout => 5)->{status};
        $c{$s}++;
        push @ok_at, time if $s == 202;
        sleep 0.05;
    }
    $t->write_file('load', join(' ', map { "$_=$c{$_}" } sort keys %c)
        . "\n" . join(' ', @ok_at) . "\n");
    POSIX::_exit(0);
}

sleep 1;
my $killed = time;
kill 'KILL', $t->{procs}{redis};
delete $t->{procs}{redis};

# the failover: when a sentinel names a replica
my ($promoted, $new);
while (time - $killed < 20) {
    $new = master_of($sentinels[0]);
    if ($new && $new ne $mport) {
        $promoted = time;
        last;
    }
    sleep 0.05;
}
ok($promoted, sprintf 'failover done in %.2f s',
    ($promoted // time) - $killed);

waitpid $load, 0;
open my $fh, '<', $t->dir . '/load' or die;
my ($counts, $oks) = <$fh>;
chomp($counts, $oks);
my @ok_at = split ' ', $oks;
my ($back) = grep { $_ > ($promoted // 1e12) } @ok_at;
diag "during the failover: $counts";
ok(defined $back, 'calls are placed again after the failover');
my $recovery = ($back // 1e12) - ($promoted // 0);
diag sprintf 'master killed at 0; promoted at %.2f s; first 202 after it at '
    . '%.2f s (%.2f s after the promotion)', ($promoted // 0) - $killed,
    ($back // 0) - $killed, $recovery;
cmp_ok($recovery, '<=', 2, 'service back within 2 s of the failover');
my ($last_ok_before) = grep { $_ < $killed } reverse @ok_at;
ok(defined $last_ok_before, 'calls were placed before the kill');

# nothing accepted was lost
$r = verify_call($t, session_id => $sid, received_caller_id => $caller);
is($r->{status}, 200, 'the session accepted before the failover verifies '
    . 'on the new master') or diag explain $r->{json};

is($t->worker_pids, $pids, 'no worker restarted');
unlike($t->error_log, qr/exited on signal|\[alert\]/, 'no crash, no alert');
like($t->error_log, qr/names 127\.0\.0\.1:\Q$new\E the master/,
    'the new master found through the sentinels');

done_testing();
