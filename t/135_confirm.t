#!/usr/bin/perl

# Confirm, the transaction that writes a session, pending, once its call
# is placed (no script since issue 19): what it leaves in Redis; no session
# while the gateway places the call; a session that expired meanwhile,
# which is not written and cannot be verified; and the figures of calls
# placed, which a worker writes for many calls at once (tally.c).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Digest::SHA qw(sha1_hex);
use Test::More;
use Time::HiRes qw(sleep);
use MissedCall::Test;
use MissedCall::Flow;
use MissedCall::Load;

my $t = stack(SESSION_TTL => '1s', GATEWAY_TIMEOUT => '3s');
my $p = '{missedcall}:';

my $phone = '+12025550180';
my $r = request_call($t, $phone);
is($r->{status}, 202, 'a call placed: 202');
my $sid = $r->{json}{session_id};
my $caller = last_call($t)->{json}{from};
is($t->redis('TYPE', "${p}session:$sid"), 'string',
    'the session is one string');
my %s = %{ $t->session("${p}session:$sid") };
is($s{state}, 'pending', 'the session is pending');
is_deeply([ @s{qw(phone caller attempts max gateway)} ],
    [ $phone, $caller, 0, 3, 'http' ], 'its phone, caller and attempts');
(my $digits = $caller) =~ s/^\+//;
my $n = length($digits) > 9 ? length($digits) - 3 : 6;
is_deeply([ @s{qw(tail secret)} ],
    [ $n, sha1_hex($s{salt} . substr $digits, -$n) ],
    "its secret: the salted hash of the caller's last $n digits");
is($s{channel}, 'outbound', 'its channel');
is($t->redis('GET', "${p}phone:$phone"), $sid, 'the phone points to it');
my $left = $t->redis('PTTL', "${p}phone:$phone");
ok($left > 0 && $left <= 1000, "the pointer ends with the session ($left ms)");
is($t->redis('GET', "${p}placed"), 1, 'one call placed, counted');
is($t->redis('HGET', "${p}number:$caller", 'placed'), 1,
    'and counted for its number');
my $ev = $t->redis('XREVRANGE', "${p}events", '+', '-', 'COUNT', 1)->[0][1];
my %e = @$ev;
is_deeply([ @e{qw(event session_id caller gateway channel)} ],
    [ 'call_placed', $sid, $caller, 'http', 'outbound' ],
    'a call_placed event');

# the gateway takes longer than the session lives: placed, but useless
$t->gateway_mode('slow 1500');
$phone = '+12025550181';
my @before = session_keys($t);
$r = request_call($t, $phone);
is($r->{status}, 503, 'a session expired while its call was placed: 503');
ok(!$t->redis('EXISTS', "${p}phone:$phone"), 'no pointer to it');
is(scalar(() = session_keys($t)), scalar @before, 'nor a session');
is($t->redis('GET', "${p}placed"), 2, 'the call counted, as it was placed');
is(verify_call($t, phone_number => $phone,
    received_caller_id => last_call($t)->{json}{from})->{status}, 400,
    'it cannot be verified');

# no session exists while the gateway places the call: reserve drew the
# caller, confirm writes the session once the call is placed
$t->gateway_mode('slow 500');
$phone = '+12025550182';
my $before = () = session_keys($t);
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    sleep 0.25;
    my $during = () = session_keys($t);
    exit($during == $before ? 0 : 1);
}
$r = request_call($t, $phone);
waitpid $pid, 0;
is($? >> 8, 0, 'no session while its call was being placed');
is($r->{status}, 202, 'the call placed: 202');
$left = $t->redis('PTTL', "${p}session:$r->{json}{session_id}");
ok($left > 0, "then its session, which expires ($left ms)");
my $from = last_call($t)->{json}{from};
my $verified = $t->redis('HGET', "${p}number:$from", 'verified') // 0;
is(verify_call($t, phone_number => $phone,
    received_caller_id => $from)->{status}, 200, 'and verifies');
# a worker writes figures at most every 10 ms: the last call's were just
is(settled(sub { $t->redis('HGET', "${p}number:$from", 'verified') },
    $verified + 1), $verified + 1, 'counted for its caller');

# many calls at once: their figures add up, written in fewer commands than
# calls, and none is lost
$t->gateway_mode('ok');
my $placed0 = $t->redis('GET', "${p}placed");
my %stats0 = $t->redis('INFO', 'commandstats') =~ /^cmdstat_(\w+):calls=(\d+)/mg;
my @loads = map { load_start($t, seconds => 5, max => 40, tag => 50 + $_) }
    1 .. 4;
my $ok = 0;
$ok += load_finish($_)->{counts}{202} // 0 for @loads;
ok($ok >= 100, "$ok of 160 concurrent calls placed");
my $placed = settled(sub { $t->redis('GET', "${p}placed") - $placed0 }, $ok);
is($placed, $ok, 'every call placed counted');
my $numbers = 0;
$numbers += $t->redis('HGET', "${p}number:$_", 'placed') // 0
    for @MissedCall::Flow::POOL;
is($numbers, $placed0 + $ok, "and counted for its number ($numbers)");
my %stats = $t->redis('INFO', 'commandstats') =~ /^cmdstat_(\w+):calls=(\d+)/mg;
my $writes = $stats{incrby} - ($stats0{incrby} // 0);
ok($writes > 0 && $writes < $ok,
    "the figures written $writes times for $ok calls");
my $used = $t->redis('HGET', "${p}number:$caller", 'last_used');
ok(abs($used / 1000 - time) < 30, "a number's last use: now ($used)");

done_testing();
