#!/usr/bin/perl

# Two nginx nodes on one Redis: a session requested on one verifies on the
# other; limits and the gateway's call rate hold across both; metrics
# stay per node.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Test;
use MissedCall::Flow;

my %vars = (
    HTTP_EXTRA => 'missedcall_metrics_zone zone=missedcall:1m;',
    LIMITS => 'missedcall_resend off;',
    EXTRA => 'missedcall_limit global 10/1h;
        missedcall_gateway_rate 4r/s;
        missedcall_gateway_max_delay 1s;
        location = /metrics { missedcall_metrics; }',
);

my $na = stack(%vars);
my $nb = node($na, %vars);
isnt($na->port('nginx'), $nb->port('nginx'), 'two nodes, two ports');

# requested on A, verified on B; and the other way
for my $pair ([ $na, $nb, 'A to B' ], [ $nb, $na, 'B to A' ]) {
    my ($from, $to, $name) = @$pair;
    my $r = request_call($from, '+12025550143');
    is($r->{status}, 202, "$name: requested");
    my $v = verify_call($to, session_id => $r->{json}{session_id},
        received_caller_id => last_call($na)->{json}{from});
    is($v->{status}, 200, "$name: verified on the other node");
    is(verify_call($from, session_id => $r->{json}{session_id},
        received_caller_id => last_call($na)->{json}{from})->{status}, 400,
        "$name: and not again on the first");
}

# 24 requests at once, half on each node: the global budget of 10 (2 used)
# and 4 calls a second with 1 s of delay allowed hold across both
my $calls_before = scalar @{ $na->gateway_calls };
my @s = $na->parallel(24, sub {
    my ($i) = @_;
    my $node = $i % 2 ? $nb : $na;
    return request_call($node, sprintf('+1303555%04d', $i),
        timeout => 10)->{status};
});
my %count;
$count{$_}++ for @s;
diag 'two nodes, 24 requests at once: '
    . join ' ', map { "$_=$count{$_}" } sort keys %count;
my @calls = @{ $na->gateway_calls }[ $calls_before .. $#{ $na->gateway_calls } ];
ok(@calls <= 8, scalar(@calls) . ' calls placed: within the budget of 8 left');
is($count{202} // 0, scalar @calls, 'each 202 is a call placed');
is(($count{202} // 0) + ($count{429} // 0) + ($count{503} // 0), 24,
    'the rest refused: 429 (budget) or 503 (call rate)');
my @times = sort { $a <=> $b } map { $_->{time} } @calls;
my $span = @times > 1 ? $times[-1] - $times[0] : 0;
my $rate = @times > 1 ? (@times - 1) / $span : 0;
cmp_ok($rate, '<=', 4.4, sprintf '%d calls over %.2f s: %.1f a second, '
    . 'the rate of one account across both nodes', scalar @times, $span,
    $rate);

# fill the budget: it is one budget
for my $i (1 .. 10) {
    request_call($i % 2 ? $na : $nb, sprintf '+1404555%04d', $i);
    select undef, undef, undef, 0.3;
}
is(request_call($na, '+14045559999')->{json}{error}, 'limit_global',
    'node A: the budget is spent');
is(request_call($nb, '+14045559998')->{json}{error}, 'limit_global',
    'node B: the same budget');

# metrics are per node
my ($ma) = $na->get('/metrics')->{content}
    =~ /^missedcall_requests_total\{endpoint="verify",outcome="ok"\} (\d+)/m;
my ($mb) = $nb->get('/metrics')->{content}
    =~ /^missedcall_requests_total\{endpoint="verify",outcome="ok"\} (\d+)/m;
is($ma, 1, 'node A counts its own verification');
is($mb, 1, 'node B counts its own verification');

done_testing();
