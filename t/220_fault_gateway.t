#!/usr/bin/perl

# The gateway hanging, slow, closing mid-answer, answering garbage, under
# a steady load: only the requests waiting for it fail, each with the right
# JSON error; the rest of the service does not notice; no session is left
# behind for a call that failed.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Test;
use MissedCall::Flow;
use MissedCall::Load;

my $t = stack(WORKERS => 2, GATEWAY_TIMEOUT => '1s', LOG_LEVEL => 'warn',
    SESSION_TTL => '5m');

my %expect = (
    'hang'     => [ 504, 'gateway_timeout' ],
    'slow 1500' => [ 504, 'gateway_timeout' ],
    'slow 200' => [ 202, undef ],
    'close'    => [ 502, 'gateway_error' ],
    'garbage'  => [ 502, 'gateway_error' ],
    'reset'    => [ 502, 'gateway_error' ],
);

my $tag = 0;
for my $mode ('hang', 'slow 1500', 'slow 200', 'close', 'garbage', 'reset') {
    my ($status, $error) = @{ $expect{$mode} };
    $t->redis('FLUSHALL');
    $t->reload_nginx();    # a fresh pool in Redis
    sleep 0.5;
    $t->gateway_mode($mode);
    $tag++;

    # calls from 4 processes at once, and the gateway-free endpoints beside
    my @calls = map { load_start($t, seconds => 3, max => 40,
        tag => 10 * $tag + $_) } 1 .. 4;
    my $other = load_start($t, seconds => 3, kind => 'status',
        tag => 10 * $tag, pause => 0.01);

    my @c = map { load_finish($_) } @calls;
    my $o = load_finish($other);

    my (%counts, $sent, $non_json, %errors);
    for my $l (@c) {
        $sent += $l->{sent};
        $non_json += $l->{non_json};
        $counts{$_} += $l->{counts}{$_} for keys %{ $l->{counts} };
        $errors{$_} += $l->{errors}{$_} for keys %{ $l->{errors} };
    }
    my $summary = join ' ', map { "$_=$counts{$_}" } sort keys %counts;
    diag "gateway $mode: $sent calls: $summary; beside them "
        . "$o->{sent} status requests: $o->{summary}";

    is($summary, "$status=$sent", "$mode: every call $status");
    is($errors{$error} // 0, $error ? $sent : 0,
        "$mode: " . ($error // 'no error')) if $error;
    is($non_json, 0, "$mode: every error is JSON");
    is($o->{summary}, "404=$o->{sent}",
        "$mode: the endpoints that do not wait for the gateway answer "
        . 'as usual');
    my $slowest = 0;
    $slowest < $_->{took} and $slowest = $_->{took} for @{ $o->{seen} };
    cmp_ok($slowest, '<', 0.5, sprintf "$mode: and without waiting "
        . '(the slowest %.3f s)', $slowest);

    my @sessions = session_keys($t);
    my @pointers = $t->redis_keys('{missedcall}:phone:*');
    my $placed = $counts{202} // 0;
    is(scalar @sessions, $placed, "$mode: a session for each call placed "
        . "($placed), none for the others");
    is(scalar @pointers, $placed, "$mode: as many phone pointers");
}

$t->gateway_mode('ok');
is(request_call($t, '+12025550100')->{status}, 202, 'the gateway back: 202');
unlike($t->error_log, qr/exited on signal|\[alert\]/, 'no crash, no alert');

done_testing();
