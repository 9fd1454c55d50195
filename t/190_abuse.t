#!/usr/bin/perl

# Abuse protection: app signatures, countries, the resend rule and each
# velocity limit, kept in Redis; a race of parallel requests places no
# more calls than the limit.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $locations = <<'CONF';
location = /sig/request/ {
    missedcall_app_signature AbCdEfGhIjK Zz9Yy8Xx7Ww;
    missedcall_app_signature_required on;
    missedcall_request;
}
location = /sigopt/request/ {
    missedcall_app_signature_file %%DIR%%/signatures.txt;
    missedcall_request;
}
location = /resend/request/ { missedcall_resend 30s; missedcall_request; }
location = /phone/request/ { missedcall_limit phone 2/1h; missedcall_request; }
location = /ip/request/ { missedcall_limit ip 3/1h; missedcall_request; }
location = /prefix/request/ {
    missedcall_limit prefix 3/1h 4;
    missedcall_request;
}
location = /global/request/ {
    missedcall_limit global 10/1h;
    missedcall_request;
}
location = /allow/request/ {
    missedcall_countries allow 1 44;
    missedcall_request;
}
location = /deny/request/ { missedcall_countries deny 7 234; missedcall_request; }
location = /stack/request/ {
    missedcall_limit phone 3/2s;
    missedcall_limit phone 5/1m;
    missedcall_request;
}
location = /budget/request/ {
    missedcall_limit global 3/2s;
    missedcall_limit global 4/1d;
    missedcall_request;
}
CONF

my $t = stack(no_nginx => 1);
$t->write_file('signatures.txt', "# the app's signatures\nQwErTy12345\n\n");
$locations =~ s/%%DIR%%/$t->dir/ge;
$t->start_nginx('conf/test.conf',
    { %MissedCall::Flow::DEFAULTS, EXTRA => $locations });

sub req {
    my ($path, $phone, %body) = @_;
    return $t->post_json("/$path/request/",
        { phone_number => $phone, %body });
}

sub refused {
    my ($r, $status, $error, $name) = @_;
    is($r->{status}, $status, "$name: $status");
    is($r->{json}{error}, $error, "$name: $error");
}

sub calls { scalar @{ $t->gateway_calls() } }

# app signatures

my $before = calls();
refused(req('sig', '+12025550143'), 403, 'invalid_app_signature',
    'no signature where one is required');
refused(req('sig', '+12025550143', app_signature => 'AbCdEfGhIjk'), 403,
    'invalid_app_signature', 'a near miss');
refused(req('sig', '+12025550143', app_signature => 'AbCdEfGhIjK ' ), 403,
    'invalid_app_signature', 'a trailing space');
is(req('sig', '+12025550143', app_signature => 'AbCdEfGhIjK')->{status},
    202, 'the first signature');
is(req('sig', '+12025550144', app_signature => 'Zz9Yy8Xx7Ww')->{status},
    202, 'the second signature');
is(req('sigopt', '+12025550145')->{status}, 202,
    'not required: none is fine');
refused(req('sigopt', '+12025550146', app_signature => 'nope'), 403,
    'invalid_app_signature', 'not required, but an unknown one');
is(req('sigopt', '+12025550147', app_signature => 'QwErTy12345')->{status},
    202, 'a signature from the file');
is(calls() - $before, 4, 'refused requests placed no call');

# countries

refused(req('allow', '+33612345678'), 403, 'country_not_allowed',
    'France, with only 1 and 44 allowed');
is(req('allow', '+447700900123')->{status}, 202, '44 allowed');
refused(req('deny', '+79161234567'), 403, 'country_not_allowed', '7 denied');
refused(req('deny', '+2348012345678'), 403, 'country_not_allowed',
    '234 denied');
is(req('deny', '+23512345678')->{status}, 202, '235 is not 23');

# the resend rule

my $r = req('resend', '+12025550150');
is($r->{status}, 202, 'first call');
$r = req('resend', '+12025550150');
refused($r, 429, 'resend_too_soon', 'a second request at once');
ok($r->{headers}{'retry-after'} > 25 && $r->{headers}{'retry-after'} <= 30,
    'Retry-After: the rest of the 30 s');
is(req('resend', '+12025550151')->{status}, 202, 'another number is fine');

$t->gateway_mode('status 500');
is(req('resend', '+12025550152')->{status}, 502, 'a failed call');
$t->gateway_mode('ok');
is(req('resend', '+12025550152')->{status}, 202,
    'may be asked for again at once');

# velocity limits

my @s = map { req('phone', '+12025550160')->{status} } 1 .. 3;
is_deeply(\@s, [ 202, 202, 429 ], 'per phone: 2 an hour');
$r = req('phone', '+12025550160');
refused($r, 429, 'limit_phone', 'per phone');
ok($r->{headers}{'retry-after'} > 3500, 'Retry-After: the window');
is(req('phone', '+12025550161')->{status}, 202, 'another phone is fine');

@s = map { req('ip', sprintf '+1202555%04d', 170 + $_)->{status} } 1 .. 4;
is_deeply(\@s, [ 202, 202, 202, 429 ], 'per client address: 3 an hour');
refused(req('ip', '+12025550199'), 429, 'limit_ip', 'per address');

@s = map { req('prefix', sprintf '+1202555%04d', 180 + $_)->{status} } 1 .. 4;
is_deeply(\@s, [ 202, 202, 202, 429 ], 'per prefix +1202: 3 an hour');
refused(req('prefix', '+12025550199'), 429, 'limit_prefix', 'per prefix');
is(req('prefix', '+13035550100')->{status}, 202, 'another prefix is fine');

# the global budget under a race: 40 parallel requests, 10 calls

$before = calls();
my @res = $t->parallel(40, sub {
    my $r = req('global', sprintf('+4420794600%02d', $_[0]));
    return $r->{status} . ' ' . ($r->{json}{error} // '');
});
my %count;
$count{$_}++ for @res;
note explain \%count;
is($count{'202 '}, 10, 'exactly 10 of 40 parallel requests accepted');
is($count{'429 limit_global'}, 30, 'the other 30: limit_global');
is(calls() - $before, 10, 'the gateway received exactly 10 calls');

# limits that stack: each (kind, window) counts in its own key

sub calls_to {
    my ($phone) = @_;
    return scalar grep { ($_->{json}{to} // '') eq $phone }
        @{ $t->gateway_calls() };
}

sub statuses {
    my ($path, $n, $phone) = @_;
    return join ' ', map {
        my $r = req($path, ref $phone ? $phone->() : $phone);
        $r->{status} . ($r->{json}{error} ? " $r->{json}{error}" : '');
    } 1 .. $n;
}

my $stacked = '+12025550300';
is(statuses('stack', 4, $stacked), '202 202 202 429 limit_phone',
    'phone 3/2s: the fourth call in 2 s is refused');
my @windows = $t->redis_keys("{missedcall}:limit:phone:*:$stacked");
is(scalar @windows, 2, 'two counters for the phone, one per window');
sleep 2.2;
is(statuses('stack', 3, $stacked), '202 202 429 limit_phone',
    'the 2 s window reset: 2 more, then 5/1m holds');
sleep 2.2;
is(statuses('stack', 1, $stacked), '429 limit_phone',
    'the longer cap still holds after the short window resets again');
is(calls_to($stacked), 5, 'exactly 5 calls reached the gateway for it');
is($t->redis('GET', "{missedcall}:limit:phone:60000:$stacked"), 5,
    'the minute counter holds 5 calls');
cmp_ok($t->redis('PTTL', "{missedcall}:limit:phone:60000:$stacked"), '>',
    50000, 'and its own window, not the first limit\'s');

my $n = 0;
my $next = sub { sprintf '+1303555%04d', $n++ };
$before = calls();
is(statuses('budget', 4, $next), '202 202 202 429 limit_global',
    'global 3/2s: the fourth call in 2 s is refused');
sleep 2.2;
is(statuses('budget', 2, $next), '202 429 limit_global',
    'the 2 s budget reset: the daily budget of 4 holds');
cmp_ok($t->redis('PTTL', '{missedcall}:limit:global:86400000'), '>',
    86000000, 'the daily budget keeps its day');
is(calls() - $before, 4, 'the gateway received exactly 4 calls');

my @counters = $t->redis_keys('{missedcall}:limit:*');
ok(scalar @counters >= 4, 'the counters live in Redis');

# nginx -t: a small pool warns, a bad limit fails

my ($rc, $out) = $t->nginx_test('conf/test.conf',
    { %MissedCall::Flow::DEFAULTS, EXTRA => '' });
like($out, qr/\[warn\] a patient attacker takes over a phone with odds of 100\.0000% a day at worst \(the whole pool: 5 numbers, 3 attempts a session, 10 wrong guesses a day\)/,
    '5 numbers, 3 attempts, 10 failures a day: the odds printed');
($rc, $out) = $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LIMITS => '', EXTRA => 'missedcall_limit phone 5 per hour;' });
isnt($rc, 0, 'a malformed limit fails');
($rc, $out) = $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LIMITS => '', EXTRA => 'missedcall_limit phone 5/1h;' });
is($rc, 0, 'a good one passes') or diag $out;
($rc, $out) = $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LIMITS => '', EXTRA => 'missedcall_limit phone 0/1h;' });
like($out, qr/"missedcall_limit": invalid "0\/1h"/, 'zero calls: named');
($rc, $out) = $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LIMITS => '',
    EXTRA => "missedcall_limit phone 5/1h;\nmissedcall_limit phone 9/60m;" });
like($out, qr/"missedcall_limit": a second "phone" limit with the window/,
    'two limits of one kind and window: named');
($rc, $out) = $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LIMITS => '',
    EXTRA => "missedcall_limit prefix 5/1h 4;\nmissedcall_limit prefix 9/1h 5;"
});
is($rc, 0, 'prefixes of other lengths in one window pass') or diag $out;
($rc, $out) = $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LIMITS => '', EXTRA => 'missedcall_countries allow 1 0x;' });
like($out, qr/"missedcall_countries": "0x" is not a calling code/,
    'a bad calling code: named');
($rc, $out) = $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LIMITS => '', EXTRA => 'missedcall_app_signature_required on;' });
like($out, qr/"missedcall_app_signature_required" needs/,
    'required with no list: named');

unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal \d+/,
    'no alert or crash in the error log');

done_testing();
