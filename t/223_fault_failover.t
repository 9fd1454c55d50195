#!/usr/bin/perl

# t/220's faults under load, with a second gateway behind the first: the
# first hanging, slow past its timeout, closing mid-answer, answering
# garbage, resetting, answering 503: every call is placed by the second,
# within its request, each exactly once; the first was asked each time
# (fail_timeout 0: never skipped), then, with a fail_timeout, only once
# per worker race; the rest of the service does not notice; a session for
# each call placed.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Test;
use MissedCall::Flow;
use MissedCall::Load;

my $t = stack(no_nginx => 1);
$t->start_gateway(name => 'gateway2');

sub conf {
    my ($fail_timeout) = @_;
    (my $c = $t->nginx_conf('conf/test.conf', {
        %MissedCall::Flow::DEFAULTS, WORKERS => 2, GATEWAY_TIMEOUT => '1s',
        LOG_LEVEL => 'warn', SESSION_TTL => '5m' }))
        =~ s{missedcall_gateway http (\S+);}{
        missedcall_gateway http $1 name=first;
        missedcall_gateway http http://127.0.0.1:%%GATEWAY2_PORT%%/call
            name=second;
        missedcall_gateway_fail_timeout $fail_timeout;};
    return $c;
}

# the distinct calls (call_id) a fake got since $from requests
sub calls_since {
    my ($name, $from) = @_;
    my @all = @{ $t->gateway_calls($name) };
    my %ids = map { ($_->{json}{call_id} // 'none') => 1 }
        @all[$from .. $#all];
    return (scalar keys %ids, scalar @all);
}

$t->start_nginx(conf('0'));

my $tag = 0;
for my $mode ('hang', 'slow 1500', 'close', 'garbage', 'reset', 'busy') {
    $t->redis('FLUSHALL');
    $t->reload_nginx();    # a fresh pool in Redis
    sleep 0.5;
    $t->gateway_mode($mode);
    $tag++;
    my $first0 = @{ $t->gateway_calls('gateway') };
    my $second0 = @{ $t->gateway_calls('gateway2') };

    my @calls = map { load_start($t, seconds => 3, max => 30,
        tag => 10 * $tag + $_) } 1 .. 4;
    my $other = load_start($t, seconds => 3, kind => 'status',
        tag => 10 * $tag, pause => 0.01);
    my @c = map { load_finish($_) } @calls;
    my $o = load_finish($other);

    my (%counts, $sent, $non_json);
    for my $l (@c) {
        $sent += $l->{sent};
        $non_json += $l->{non_json};
        $counts{$_} += $l->{counts}{$_} for keys %{ $l->{counts} };
    }
    my $summary = join ' ', map { "$_=$counts{$_}" } sort keys %counts;
    my ($first) = calls_since('gateway', $first0);
    my ($second) = calls_since('gateway2', $second0);
    diag "first $mode: $sent calls: $summary; first got $first, second "
        . "$second; beside them $o->{sent} status requests: $o->{summary}";

    ok($sent > 0, "$mode: calls were made ($sent)");
    is($summary, "202=$sent", "$mode: every call placed");
    is($first, $sent, "$mode: the first was asked each call, once");
    is($second, $sent, "$mode: the second placed each call, once");
    is($non_json, 0, "$mode: every answer is JSON");
    is($o->{summary}, "404=$o->{sent}",
        "$mode: the endpoints that do not wait for a gateway answer as usual");
    my $slowest = 0;
    $slowest < $_->{took} and $slowest = $_->{took} for @{ $o->{seen} };
    cmp_ok($slowest, '<', 0.5, sprintf "$mode: and without waiting "
        . '(the slowest %.3f s)', $slowest);
    my @sessions = session_keys($t);
    is(scalar @sessions, $sent, "$mode: a session for each call placed");
    my %by = map { $_ => 1 } map { $t->session($_)->{gateway} }
        @sessions;
    is_deeply([ sort keys %by ], [ 'second' ], "$mode: each by the second");
}

# with a fail_timeout, a hanging first is asked by the first calls only:
# the rest skip it at once
$t->stop_nginx;
$t->start_nginx(conf('30s'));
$t->redis('DEL', '{missedcall}:down:first');
$t->gateway_mode('hang');
my $first0 = @{ $t->gateway_calls('gateway') };
my @calls = map { load_start($t, seconds => 3, max => 30, tag => 900 + $_) }
    1 .. 4;
my @c = map { load_finish($_) } @calls;
my ($sent, %counts) = (0);
for my $l (@c) {
    $sent += $l->{sent};
    $counts{$_} += $l->{counts}{$_} for keys %{ $l->{counts} };
}
my ($first) = calls_since('gateway', $first0);
ok($sent > 8, "marked: calls were made ($sent)");
is(join(' ', map { "$_=$counts{$_}" } sort keys %counts), "202=$sent",
    'marked: every call placed');
cmp_ok($first, '<=', 4, "marked: the hanging first was asked by the calls "
    . "in flight when it hung only ($first of $sent)");
cmp_ok($first, '>=', 1, 'and by one at least');

$t->gateway_mode('ok');
unlike($t->error_log, qr/exited on signal|\[alert\]/, 'no crash, no alert');
$t->stop_all;
is_deeply([ $t->sanitizer_reports ], [], 'no sanitizer report');

done_testing();
