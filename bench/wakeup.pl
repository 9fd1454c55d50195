#!/usr/bin/perl

# What a wakeup costs on this machine: two processes pass a byte back and
# forth through pipes, both on the first core, then one on each of the
# first two.  A call placed wakes wrk, a worker, Redis (twice) and the
# gateway in turn; on a virtual machine whose idle cores halt, a wakeup
# across cores waits for the host (issue 19).
#
#   perl bench/wakeup.pl [round trips]   # 20000 unless told

use strict;
use warnings;

use POSIX ();
use Time::HiRes qw(time);

my $n = shift // 20000;

die "taskset is not installed\n" unless `which taskset`;

printf "a pipe round trip between two processes: %.1f us on one core, "
    . "%.1f us across two\n", round_trip(0, 0), round_trip(0, 1);

# µs a round trip, the measuring process on core $here, the echoing one
# on $there
sub round_trip {
    my ($here, $there) = @_;
    my $x;

    pipe(my $ping_r, my $ping_w) or die "pipe: $!\n";
    pipe(my $pong_r, my $pong_w) or die "pipe: $!\n";

    my $pid = fork() // die "fork: $!\n";
    if ($pid == 0) {
        close $ping_w;
        pin($there);
        syswrite($pong_w, 'x') while sysread($ping_r, $x, 1);
        POSIX::_exit(0);
    }
    close $ping_r;
    close $pong_w;
    pin($here);

    # the first trip after both are pinned, then the measured ones
    syswrite($ping_w, 'x');
    sysread($pong_r, $x, 1);
    my $t0 = time;
    for (1 .. $n) {
        syswrite($ping_w, 'x');
        sysread($pong_r, $x, 1);
    }
    my $us = (time - $t0) / $n * 1e6;

    close $ping_w;
    waitpid($pid, 0);
    return $us;
}

sub pin {
    my ($core) = @_;
    system("taskset -pc $core $$ >/dev/null") == 0
        or die "taskset -pc $core: $?\n";
}
