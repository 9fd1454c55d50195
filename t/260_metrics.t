#!/usr/bin/perl

# Prometheus metrics from a shared zone: every worker's figures add up, a
# reload keeps them, promtool parses the page; the zone is checked at
# "nginx -t".

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Test;
use MissedCall::Flow;

my ($promtool) = grep { -x } map { "$_/promtool" } split /:/, $ENV{PATH};
ok($promtool, 'promtool is installed (make deps)') or BAIL_OUT('no promtool');

my $t = stack(
    HTTP_EXTRA => 'missedcall_metrics_zone zone=missedcall:1m;',
    LIMITS => 'missedcall_limit off;',
    EXTRA => 'missedcall_resend 30s;
        location = /metrics { missedcall_metrics; }');

sub scrape {
    my $r = $t->get('/metrics');
    is($r->{status}, 200, 'metrics: 200');
    like($r->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4},
        'the exposition content type');
    my %m;
    for (split /\n/, $r->{content}) {
        next if /^#/;
        my ($k, $v) = /^(\S+) (\S+)$/ or next;
        $m{$k} = $v;
    }
    return (\%m, $r->{content});
}

sub promtool_ok {
    my ($text, $name) = @_;
    my $file = $t->write_file('metrics.txt', $text);
    my $out = `$promtool check metrics < $file 2>&1`;
    is($?, 0, "promtool check metrics: $name") or diag $out;
    is($out, '', "promtool: no complaint ($name)") or diag $out;
}

my ($m, $text) = scrape();
promtool_ok($text, 'before any traffic');
is($m->{'missedcall_redis_up'}, 1, 'redis up');
is($m->{'missedcall_pool_numbers{state="enabled"}'}, 5, 'pool: 5 enabled');

# traffic on both workers, without keep-alive
my $ok = 0;
for my $i (1 .. 20) {
    my $phone = sprintf '+1202555%04d', $i;
    my $r = request_call($t, $phone);
    next unless $r->{status} == 202;
    $ok++;
    verify_call($t, session_id => $r->{json}{session_id},
        received_caller_id => $i % 2 ? last_call($t)->{json}{from}
                                     : '+19999999999');
}
is($ok, 20, '20 calls placed');
is(request_call($t, '+12025550001')->{status}, 429, 'a resend refused');
is(request_call($t, '12')->{status}, 400, 'a bad phone');
$t->gateway_mode('status 500');
is(request_call($t, '+12025559999')->{status}, 502, 'a gateway error');
$t->gateway_mode('ok');
is($t->get('/check')->{status}, 401, 'a check without token');

($m, $text) = scrape();
promtool_ok($text, 'after traffic');
my $req = 'missedcall_requests_total{endpoint="request",outcome=';
is($m->{"${req}\"ok\"}"}, 20, 'request ok: 20, both workers added up');
is($m->{"${req}\"resend_too_soon\"}"}, 1, 'request resend_too_soon: 1');
is($m->{"${req}\"invalid_phone_number\"}"}, 1, 'request invalid phone: 1');
is($m->{"${req}\"gateway_error\"}"}, 1, 'request gateway_error: 1');
is($m->{'missedcall_requests_total{endpoint="verify",outcome="ok"}'}, 10,
    'verify ok: 10');
is($m->{'missedcall_requests_total{endpoint="verify",'
    . 'outcome="caller_id_mismatch"}'}, 10, 'verify mismatch: 10');
is($m->{'missedcall_requests_total{endpoint="check",outcome="invalid_token"}'},
    1, 'check invalid_token: 1');
is($m->{'missedcall_refusals_total{limit="resend_too_soon"}'}, 1,
    'refusals by limit');
is($m->{'missedcall_calls_total{gateway="http",result="placed"}'}, 20,
    'calls placed: 20');
is($m->{'missedcall_calls_total{gateway="http",result="gateway_error"}'}, 1,
    'calls failed: 1');
is($m->{'missedcall_gateway_latency_seconds_count{gateway="http"}'}, 21,
    'latency: every call');
is($m->{'missedcall_gateway_latency_seconds_bucket{gateway="http",le="+Inf"}'},
    21, 'latency: +Inf bucket is the count');
my @b = map { $m->{"missedcall_gateway_latency_seconds_bucket{gateway=\"http\",le=\"$_\"}"} }
    qw(0.100 0.250 0.500 1.000 2.500 5.000 10.000);
is_deeply([ sort { $a <=> $b } @b ], \@b, 'buckets are cumulative');
cmp_ok($m->{'missedcall_gateway_latency_seconds_sum{gateway="http"}'}, '<', 21,
    'latency sum in seconds');

# a reload keeps the counters
$t->reload_nginx();
sleep 1;
my ($after) = scrape();
is($after->{"${req}\"ok\"}"}, 20, 'after a reload: kept');

# Redis down: the counters still, Redis errors counted; back: a reconnect
$t->stop_redis();
is(request_call($t, '+12025558888')->{status}, 503, 'Redis down: 503');
($m, $text) = scrape();
promtool_ok($text, 'Redis down');
is($m->{'missedcall_redis_up'}, 0, 'redis_up 0');
ok(!exists $m->{'missedcall_pool_numbers{state="enabled"}'},
    'no pool figures without Redis');
cmp_ok($m->{'missedcall_redis_errors_total'}, '>=', 1,
    "redis errors: $m->{missedcall_redis_errors_total}");
$t->start_redis();
sleep 1.2;
my $back = 0;
for (1 .. 20) {
    ($m) = scrape();
    last if $back = $m->{'missedcall_redis_up'};
    sleep 0.2;
}
ok($back, 'Redis back: up again');
cmp_ok($m->{'missedcall_redis_reconnects_total'}, '>=', 1,
    "reconnects: $m->{missedcall_redis_reconnects_total}");
is($t->http('POST', '/metrics')->{status}, 405, 'POST: 405');

# nginx -t
sub conf_with {
    my ($http, $loc) = @_;
    return $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
        HTTP_EXTRA => $http, EXTRA => "location = /m { $loc }" });
}
my ($rc, $out) = conf_with('', 'missedcall_metrics;');
isnt($rc, 0, 'metrics without a zone: nginx -t fails');
like($out, qr/"missedcall_metrics" requires "missedcall_metrics_zone"/,
    'the message names the zone directive');
($rc, $out) = conf_with('missedcall_metrics_zone mc:1m;', '');
like($out, qr/invalid parameter "mc:1m"/, 'zone= is required');
($rc, $out) = conf_with('missedcall_metrics_zone zone=mc:1k;', '');
like($out, qr/zone "zone=mc:1k" is too small/, 'too small a zone');

done_testing();
