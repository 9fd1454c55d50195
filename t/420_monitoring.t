#!/usr/bin/perl

# The Grafana dashboard and the Prometheus alerting rules of contrib/:
# promtool checks the rules and runs their unit tests on synthetic series,
# and every metric the dashboard and the rules use exists on a real
# /metrics page of the module.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use JSON::PP qw(decode_json);
use Test::More;
use MissedCall::Flow;

my $root = "$FindBin::Bin/..";
my $rules = "$root/contrib/prometheus/missedcall.rules.yml";
my $tests = "$root/contrib/prometheus/missedcall.rules.test.yml";
my $dashboard = "$root/contrib/grafana/missedcall.json";

sub slurp {
    open my $fh, '<', $_[0] or die "$_[0]: $!";
    return do { local $/; <$fh> };
}

my ($promtool) = grep { -x } map { "$_/promtool" } split /:/, $ENV{PATH};
ok($promtool, 'promtool is installed (make deps)') or BAIL_OUT('no promtool');

my $out = `$promtool check rules $rules 2>&1`;
is($?, 0, 'promtool check rules') or diag $out;
like($out, qr/SUCCESS: (\d+) rules found/, 'the rules are found');
my ($count) = $out =~ /SUCCESS: (\d+) rules/;

$out = `cd $root/contrib/prometheus && $promtool test rules $tests 2>&1`;
is($?, 0, 'promtool test rules') or diag $out;
like($out, qr/SUCCESS/, 'every alert unit test passes');

# every alert has a unit test that expects it to fire
my $text = slurp($rules);
my @alerts = $text =~ /^\s+- alert: (\w+)$/mg;
is(scalar @alerts, $count, "$count alerts");
my $test_text = slurp($tests);
for my $alert (@alerts) {
    like($test_text, qr/alertname: \Q$alert\E\n\s+exp_alerts:\n\s+- exp_labels/,
        "$alert is tested firing");
}
for my $what (qw(RedisDown GatewayErrorsRising BudgetSpent PoolShrinking
    VerificationCollapse GuessOddsHigh))
{
    ok((grep { $_ eq "Missedcall$what" } @alerts), "an alert for $what");
}

# the metrics they use

my %used;
for my $expr ($text =~ /expr:(.*?)\n\s+(?:for|labels):/sg) {
    $used{$_}{rules} = 1 for $expr =~ /\b(missedcall_\w+)/g;
}

my $d = eval { decode_json(slurp($dashboard)) };
ok($d && @{ $d->{panels} }, 'the dashboard is JSON with panels');
for my $panel (@{ $d->{panels} }) {
    ok(@{ $panel->{targets} || [] }, "panel \"$panel->{title}\" has queries");
    $used{$_}{dashboard} = 1
        for map { $_->{expr} =~ /\b(missedcall_\w+)/g } @{ $panel->{targets} };
}
for my $name (qw(missedcall_requests_total missedcall_refusals_total
    missedcall_calls_total missedcall_gateway_latency_seconds_bucket
    missedcall_redis_errors_total missedcall_redis_up
    missedcall_pool_numbers))
{
    ok($used{$name}{dashboard}, "the dashboard shows $name");
}

my $t = stack(HTTP_EXTRA => 'missedcall_metrics_zone zone=missedcall:1m;',
    EXTRA => 'location = /metrics { missedcall_metrics; }');
my $r = request_call($t, '+12025550143');
is($r->{status}, 202, 'a call, so that every family has a sample');
verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => last_call($t)->{json}{from});
$r = $t->get('/metrics');
is($r->{status}, 200, '/metrics: 200');
my %exported = map { $_ => 1 } $r->{content} =~ /^(missedcall_\w+)[{ ]/mg;
cmp_ok(scalar keys %exported, '>=', 10, 'the page has the metrics');

for my $name (sort keys %used) {
    ok($exported{$name}, "$name (" . join(', ', sort keys %{ $used{$name} })
        . ') is on /metrics');
}

done_testing();
