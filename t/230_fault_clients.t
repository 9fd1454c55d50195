#!/usr/bin/perl

# Clients that hang up while their request waits on the gateway or on
# Redis: no crash, no leak, and the operation ends as it would have (a
# call placed keeps a verifiable session, one that failed leaves none).
# make test-asan runs this against the ASan build too.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use IO::Socket::INET;
use JSON::PP;
use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Test;
use MissedCall::Flow;

my $t = stack(WORKERS => 2, GATEWAY_TIMEOUT => '1s', REDIS_TIMEOUT => '1s');

# n requests sent on raw sockets, all closed after $wait seconds unread
sub hang_up {
    my ($n, $wait, $tag) = @_;
    my @s;
    for my $i (1 .. $n) {
        my $body = encode_json({ phone_number => sprintf('+1%03d555%04d',
            300 + $tag, $i) });
        my $s = IO::Socket::INET->new(
            PeerAddr => '127.0.0.1:' . $t->port('nginx')) or next;
        print $s "POST /otp/request/ HTTP/1.1\r\nHost: x\r\n"
            . "Content-Type: application/json\r\n"
            . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
        push @s, $s;
    }
    sleep $wait;
    close $_ for @s;
    return scalar @s;
}

request_call($t, sprintf '+1202555%04d', $_) for 1 .. 6;
my $pids = $t->worker_pids;
my $before = scalar @{ $t->gateway_calls };

# 1. on a hanging gateway: the calls fail at the gateway timeout, undone
$t->gateway_mode('hang');
my $n = hang_up(50, 0.3, 1);
sleep 1.5;
my @sessions = session_keys($t);
diag "gateway hanging: $n clients hung up after 0.3 s";
is(scalar @sessions, 6, 'their calls failed later and left no session');

# 2. on a slow gateway: the calls are placed, the sessions verifiable
$t->gateway_mode('slow 600');
$n = hang_up(30, 0.2, 2);
sleep 1.5;
my @calls = @{ $t->gateway_calls };
my @placed = grep { ($_->{json}{to} // '') =~ /^\+1302555/ } @calls;
diag "gateway slow: $n clients hung up after 0.2 s, "
    . scalar(@placed) . ' calls reached the gateway';
is(scalar @placed, $n, 'each call reached the gateway');
@sessions = session_keys($t);
is(scalar @sessions, 6 + $n, 'each call placed kept its session');
$t->gateway_mode('ok');
my $p = $placed[0]{json};
my $r = verify_call($t, phone_number => $p->{to},
    received_caller_id => $p->{from});
is($r->{status}, 200, 'the phone rang: its user can verify');

# 3. on a frozen Redis
kill 'STOP', $t->{procs}{redis};
$n = hang_up(50, 0.3, 3);
sleep 1.5;
kill 'CONT', $t->{procs}{redis};
sleep 0.3;
diag "Redis frozen: $n clients hung up after 0.3 s";
is(request_call($t, '+12025559999')->{status}, 202, 'Redis back: served');

# 4. while the body is still coming
my @s;
for (1 .. 20) {
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1:' . $t->port('nginx')) or next;
    print $s "POST /otp/request/ HTTP/1.1\r\nHost: x\r\n"
        . "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ph";
    push @s, $s;
}
sleep 0.2;
close $_ for @s;
diag scalar(@s) . ' clients hung up halfway through their body';

sleep 0.5;
is(request_call($t, '+12025559998')->{status}, 202, 'still serving');
is($t->worker_pids, $pids, 'no worker crashed or was replaced');
unlike($t->error_log, qr/exited on signal|\[alert\]/, 'no crash, no alert');
cmp_ok($t->redis_clients, '<=', 2, 'one Redis connection a worker at most');

done_testing();
