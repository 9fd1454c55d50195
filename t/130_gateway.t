#!/usr/bin/perl

# Gateway faults: no session without a placed call, and a hanging gateway
# holds only the requests that wait for it.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Flow;

my $t = stack(GATEWAY_TIMEOUT => '1s', WORKERS => 1);

# HTTP 500 from the gateway: 502, and the reserved session is gone

$t->gateway_mode('status 500');
my $r = request_call($t, '+12025550143');
is($r->{status}, 502, 'gateway 500: 502');
is($r->{json}{error}, 'gateway_error', 'gateway_error');
is(scalar @{ $t->gateway_calls() }, 1, 'the call was tried');
is_deeply([ session_keys($t) ], [], 'gateway 500: no session left');
is_deeply([ $t->redis_keys('{missedcall}:phone:*') ], [],
    'gateway 500: no phone pointer');

for my $mode ('garbage', 'close', 'reset', 'status 404') {
    $t->gateway_mode($mode);
    $r = request_call($t, '+12025550143');
    is($r->{status}, 502, "gateway $mode: 502");
    is_deeply([ session_keys($t) ], [], "gateway $mode: no session left");
}

# a gateway that does not answer: 504 after the configured timeout

$t->gateway_mode('hang');
my $start = time;
$r = request_call($t, '+12025550143');
my $took = time - $start;
is($r->{status}, 504, 'gateway timeout: 504');
is($r->{json}{error}, 'gateway_timeout', 'gateway_timeout');
ok($took >= 0.9 && $took < 2.5, sprintf 'answered after the timeout (%.2fs)',
    $took);
is_deeply([ session_keys($t) ], [], 'gateway timeout: no session left');

# while calls hang, the one worker serves everything else at once

$t->gateway_mode('slow 800');
my @res = $t->parallel(6, sub {
    my ($i) = @_;
    # pings leave once the calls are waiting on the gateway
    select(undef, undef, undef, 0.2) if $i >= 3;
    my $s = time;
    my $r = $i < 3
        ? request_call($t, sprintf('+1202555%04d', $i))
        : $t->get('/ping');
    return sprintf '%s %d %.3f', $i < 3 ? 'call' : 'ping', $r->{status},
        time - $s;
});

my @calls = grep { /^call/ } @res;
my @pings = grep { /^ping/ } @res;
is(scalar(grep { / 202 / } @calls), 3, 'slow calls all placed: 202')
    or diag explain \@res;
ok(!(grep { (split / /)[2] < 0.75 } @calls), 'calls waited for the gateway');
is(scalar(grep { / 200 / } @pings), 3, 'pings answered');
ok(!(grep { (split / /)[2] > 0.3 } @pings),
    'pings answered at once while calls wait: the worker is not blocked')
    or diag explain \@res;

# a client that hangs up while its call is being placed: the op goes on
# alone, and since the phone did ring, its session stays verifiable

$r = request_call($t, '+12025550199', timeout => 0.3);
isnt($r->{status}, 202, 'the client gave up before the answer');
sleep 1;
my $gone = last_call($t);
is($gone->{json}{to}, '+12025550199', 'the call was placed anyway');
$r = verify_call($t, phone_number => '+12025550199',
    received_caller_id => $gone->{json}{from});
is($r->{status}, 200, 'and its session verifies');

# the gateway back to normal: calls go through again

$t->gateway_mode('ok');
$r = request_call($t, '+12025550143');
is($r->{status}, 202, 'gateway back: 202');
my @sessions = session_keys($t);
is(scalar @sessions, 5, 'sessions only for placed calls');

unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal \d+/,
    'no alert or crash in the error log');
like($t->error_log, qr/missedcall gateway "http": call \S+ refused with HTTP 500/,
    'the failure is logged');
unlike($t->error_log, qr/gw-secret-token/, 'the token is never logged');

done_testing();
