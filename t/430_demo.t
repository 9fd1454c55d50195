#!/usr/bin/perl

# "make run" stops everything it started whatever stops it: SIGTERM or
# SIGHUP to make alone (as a service manager or kill sends them), and
# SIGHUP to its whole process group (the terminal closing).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use IO::Socket::INET;
use POSIX qw(WNOHANG setpgid);
use Test::More;
use Time::HiRes qw(sleep time);

my $root = "$FindBin::Bin/..";

# make run in a process group of its own; its pid, its output, the ports
sub start_demo {
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        close $r;
        setpgid(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>&', $w;
        open STDERR, '>&', $w;
        exec 'make', '-s', '-C', $root, 'run' or die "exec make: $!";
    }
    close $w;
    my ($out, %port) = ('');
    my $until = time + 60;
    while (time < $until) {
        my $line = <$r>;
        last unless defined $line;
        $out .= $line;
        $port{nginx} = $1 if $line =~ m{nginx at http://127\.0\.0\.1:(\d+)};
        $port{redis} = $1 if $line =~ /Redis on port (\d+)/;
        $port{gateway} = $1 if $line =~ /gateway on port (\d+)/;
        last if $line =~ /Press Ctrl-C/;
    }
    return ($pid, $r, $out, \%port);
}

sub listening {
    my ($port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
        Timeout => 1);
    close $s if $s;
    return !!$s;
}

# the harness gives each of the three up to 5 s before SIGKILL
sub all_closed {
    my ($ports) = @_;
    my $until = time + 20;
    while (time < $until) {
        return 1 unless grep { listening($_) } values %$ports;
        sleep 0.1;
    }
    return 0;
}

for my $case (['TERM', 'make'], ['HUP', 'make'], ['HUP', 'group']) {
    my ($signal, $whom) = @$case;
    my ($pid, $r, $out, $port) = start_demo();
    is(scalar keys %$port, 3, "$signal to $whom: the demo started")
        or diag $out;
    ok(listening($port->{$_}), "$signal to $whom: $_ answers")
        for sort keys %$port;

    kill $signal, $whom eq 'make' ? $pid : -$pid;
    my $until = time + 25;
    sleep 0.1 while waitpid($pid, WNOHANG) == 0 && time < $until;
    ok(time < $until, "$signal to $whom: make is gone");
    ok(all_closed($port), "$signal to $whom: Redis, the gateway and nginx "
        . 'stopped');

    # anything left in make's group (the demo itself) is a failure
    $until = time + 10;
    sleep 0.1 while kill(0, -$pid) && time < $until;
    ok(!kill(0, -$pid), "$signal to $whom: no process of the run is left");
    kill 'KILL', -$pid;
    close $r;
}

done_testing();
