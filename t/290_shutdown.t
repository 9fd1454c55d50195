#!/usr/bin/perl

# Reload while requests wait on the gateway or on Redis: the old worker
# answers what it holds, or gives up at worker_shutdown_timeout, and exits;
# no Redis connection is left behind, and the figures of the calls it
# placed meanwhile are written before it goes.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Test;
use MissedCall::Flow;

# waits for pid to exit; the seconds it took, or undef
sub gone_after {
    my ($pid, $limit) = @_;
    my $t0 = time;
    while (time - $t0 < $limit) {
        return time - $t0 unless kill 0, $pid;
        sleep 0.05;
    }
    return undef;
}

# n clients in the background, each one request; their statuses later
sub background {
    my ($t, $n, $tag) = @_;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        my @s = $t->parallel($n, sub {
            my ($i) = @_;
            return request_call($t, sprintf('+1202%03d%04d', $tag, $i),
                timeout => 15)->{status};
        });
        $t->write_file("bg-$tag", join ' ', @s);
        POSIX::_exit(0);
    }
    return $pid;
}

sub statuses {
    my ($t, $pid, $tag) = @_;
    waitpid $pid, 0;
    open my $fh, '<', $t->dir . "/bg-$tag" or return ();
    return split ' ', scalar <$fh>;
}

sub count { my %c; $c{$_}++ for @_; join ' ', map { "$_=$c{$_}" } sort keys %c }

require POSIX;

# 1. waiting on a hanging gateway: answered at the gateway timeout (504),
#    sessions deleted, then the old worker exits
{
    my $t = stack(WORKERS => 1, GATEWAY_TIMEOUT => '2s');
    request_call($t, '+12025550001');
    my ($old) = $t->worker_pids;
    $t->gateway_mode('hang');
    my $bg = background($t, 4, 1);
    sleep 0.5;
    my $t0 = time;
    $t->reload_nginx();
    my $took = gone_after($old, 10);
    ok(defined $took, sprintf 'gateway: old worker exited after %.2f s',
        $took // -1);
    cmp_ok($took // 99, '>=', 1, 'not before its calls were answered');
    my @s = statuses($t, $bg, 1);
    diag 'gateway, reload: ' . count(@s);
    is(count(@s), '504=4', 'all 4 waiting requests answered 504');
    is(scalar(() = session_keys($t)), 1, 'their sessions deleted');
    $t->gateway_mode('ok');
    is(request_call($t, '+12025550002')->{status}, 202,
        'the new worker serves');
    cmp_ok($t->redis_clients, '<=', 1, 'one Redis client: the new worker');
}

# 2. worker_shutdown_timeout cuts a gateway that hangs longer
{
    my $t = stack(WORKERS => 1, GATEWAY_TIMEOUT => '20s',
        MAIN_EXTRA => 'worker_shutdown_timeout 1s;');
    request_call($t, '+12025550001');
    my ($old) = $t->worker_pids;
    $t->gateway_mode('hang');
    my $bg = background($t, 3, 2);
    sleep 0.5;
    $t->reload_nginx();
    my $took = gone_after($old, 15);
    ok(defined $took, sprintf 'shutdown timeout: old worker exited after '
        . '%.2f s', $took // -1);
    cmp_ok($took // 99, '<', 3, 'within worker_shutdown_timeout 1s, '
        . 'not the 20 s gateway timeout');
    my @s = statuses($t, $bg, 2);
    diag 'gateway, shutdown timeout: ' . count(@s);
    is(scalar(grep { $_ == 202 || $_ == 500 } @s), 0,
        'none told it succeeded, none a 500');
    $t->gateway_mode('ok');
    is(request_call($t, '+12025550002')->{status}, 202,
        'the new worker serves');
    sleep 0.5;
    cmp_ok($t->redis_clients, '<=', 1, 'no Redis connection left behind');
    unlike($t->error_log, qr/\[alert\]|signal (11|6)/, 'no alert, no crash');
}

# 3. waiting on a frozen Redis: 503 at the reply timeout, then exit
{
    my $t = stack(WORKERS => 1, REDIS_TIMEOUT => '1s');
    request_call($t, '+12025550001');
    my ($old) = $t->worker_pids;
    kill 'STOP', $t->{procs}{redis};
    my $bg = background($t, 4, 3);
    sleep 0.3;
    $t->reload_nginx();
    my $took = gone_after($old, 10);
    kill 'CONT', $t->{procs}{redis};
    ok(defined $took, sprintf 'Redis: old worker exited after %.2f s',
        $took // -1);
    my @s = statuses($t, $bg, 3);
    diag 'frozen Redis, reload: ' . count(@s);
    is(count(@s), '503=4', 'all 4 answered 503');
    is(request_call($t, '+12025550002')->{status}, 202,
        'the new worker serves');
    sleep 0.5;
    cmp_ok($t->redis_clients, '<=', 1, 'no Redis connection left behind');
}

# 4. calls placed while the worker exits: their figures, which a worker
#    writes at most every 10 ms (tally.c), are written before it goes
{
    my $t = stack(WORKERS => 1);
    request_call($t, '+12025550001');
    my ($old) = $t->worker_pids;
    $t->gateway_mode('slow 800');
    my $bg = background($t, 12, 4);
    sleep 0.4;
    $t->reload_nginx();
    my $took = gone_after($old, 10);
    ok(defined $took, sprintf 'slow gateway: old worker exited after %.2f s',
        $took // -1);
    my @s = statuses($t, $bg, 4);
    diag 'slow gateway, reload: ' . count(@s);
    is(count(@s), '202=12', 'all 12 calls placed');
    my $p = '{missedcall}:';
    is($t->redis('GET', "${p}placed"), 13, 'every call placed counted');
    my $numbers = 0;
    $numbers += $t->redis('HGET', "${p}number:$_", 'placed') // 0
        for @MissedCall::Flow::POOL;
    is($numbers, 13, 'and counted for its number');
}

done_testing();
