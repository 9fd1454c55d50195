#!/usr/bin/perl

# Safe defaults: a request location without any missedcall_limit or
# missedcall_resend line applies the documented set (resend 30s, phone
# 5/1h and 10/1d, ip 20/1h); "off" removes them; IPv6 clients count per
# /64 (missedcall_limit_ipv6_prefix), presented through realip.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $locations = <<'CONF';
set_real_ip_from 127.0.0.1;
real_ip_header X-Forwarded-For;

location = /dflt/request/ { missedcall_request; }
location = /noresend/request/ { missedcall_resend 0; missedcall_request; }
location = /off/request/ {
    missedcall_limit off;
    missedcall_resend off;
    missedcall_request;
}
location = /wide/request/ {
    missedcall_limit ip 2/1h;
    missedcall_limit_ipv6_prefix 48;
    missedcall_request;
}
CONF

# no LIMITS: the server and its locations start from the defaults
my $t = stack(LIMITS => '', EXTRA => $locations);

my $n = 0;

sub req {
    my ($path, $phone, $from) = @_;
    $phone //= sprintf '+1415555%04d', $n++;
    return $t->post_json("/$path/request/", { phone_number => $phone },
        $from ? (headers => { 'X-Forwarded-For' => $from }) : ());
}

sub statuses {
    my ($count, @args) = @_;
    return join ' ', map {
        my $r = req(@args);
        $r->{status} . ($r->{json}{error} ? " $r->{json}{error}" : '');
    } 1 .. $count;
}

sub calls_to {
    my ($phone) = @_;
    return scalar grep { ($_->{json}{to} // '') eq $phone }
        @{ $t->gateway_calls() };
}

# the resend rule: 30 s by default

my $r = req('dflt', '+12025550100');
is($r->{status}, 202, 'no limit lines: the first call is placed');
$r = req('dflt', '+12025550100');
is($r->{status}, 429, 'a second request at once: 429');
is($r->{json}{error}, 'resend_too_soon', 'refused by the default resend');
ok($r->{headers}{'retry-after'} > 25 && $r->{headers}{'retry-after'} <= 30,
    'Retry-After: the rest of 30 s');
is(calls_to('+12025550100'), 1, 'one call reached the phone');

# per phone: 5 an hour, 10 a day

is(statuses(6, 'noresend', '+12025550101'),
    '202 202 202 202 202 429 limit_phone',
    'no limit lines: 5 calls an hour to one phone');
is(calls_to('+12025550101'), 5, 'exactly 5 calls reached the gateway');
is($t->redis('GET', '{missedcall}:limit:phone:3600000:+12025550101'), 5,
    'the hourly counter');
is($t->redis('GET', '{missedcall}:limit:phone:86400000:+12025550101'), 5,
    'and the daily one, counted apart');

# off: none of them

is(statuses(7, 'off', '+12025550102'), join(' ', ('202') x 7),
    '"missedcall_limit off" and "missedcall_resend off": 7 calls at once');
is(calls_to('+12025550102'), 7, 'all 7 reached the gateway');

# per client: 20 an hour; IPv6 per /64, IPv4 per address

my $a = '2001:db8:1:2::10';
my $b = '2001:db8:1:2:ffff:ffff:ffff:1';
is(statuses(10, 'noresend', undef, $a), join(' ', ('202') x 10),
    'ten calls from one IPv6 address');
is(statuses(11, 'noresend', undef, $b),
    join(' ', ('202') x 10) . ' 429 limit_ip',
    'another address in its /64 shares the budget of 20');
is(statuses(1, 'noresend', undef, '2001:db8:1:3::10'), '202',
    'the next /64 has a budget of its own');
is($t->redis('GET', '{missedcall}:limit:ip:3600000:2001:db8:1:2::/64'), 20,
    'counted under the /64');
is(statuses(1, 'noresend', undef, '::ffff:192.0.2.7'), '202',
    'an IPv4-mapped address counts as IPv4');
is($t->redis('GET', '{missedcall}:limit:ip:3600000:192.0.2.7'), 1,
    'under the IPv4 address');

# missedcall_limit_ipv6_prefix 48: a /48 is one client

is(statuses(3, 'wide', undef, '2001:db8:5:1::1'), '202 202 429 limit_ip',
    'ip 2/1h per /48');
is(statuses(1, 'wide', undef, '2001:db8:5:ff::1'), '429 limit_ip',
    'another /64 of the same /48: refused');
is(statuses(1, 'wide', undef, '2001:db8:6::1'), '202',
    'another /48: placed');
is(statuses(2, 'wide', undef, '198.51.100.1'), '202 202',
    'IPv4: per address');
is(statuses(1, 'wide', undef, '198.51.100.2'), '202',
    'the next IPv4 address has its own budget');

# nginx -t

sub check {
    my ($extra) = @_;
    return $t->nginx_test('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
        LIMITS => '', EXTRA => $extra });
}

my ($rc, $out) = check("missedcall_limit off;\nmissedcall_limit ip 5/1h;");
isnt($rc, 0, 'off, then a limit: fails');
my $combined = 'cannot be combined with other "missedcall_limit" lines';
like($out, qr/"missedcall_limit off" \Q$combined\E/, 'named');
($rc, $out) = check("missedcall_limit ip 5/1h;\nmissedcall_limit off;");
like($out, qr/"missedcall_limit off" cannot be combined/,
    'a limit, then off: named');
($rc, $out) = check("missedcall_limit off;\n"
    . "location /x/ { missedcall_limit ip 5/1h; missedcall_request; }");
is($rc, 0, 'off in server, limits in a location: fine') or diag $out;
($rc, $out) = check('missedcall_limit_ipv6_prefix 16;');
like($out, qr/value must be between 32 and 128/,
    'an IPv6 prefix below /32: refused with the bounds');
($rc, $out) = check('missedcall_resend soon;');
like($out, qr/"missedcall_resend" directive takes a time/,
    'a bad resend time: named');

unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal \d+/,
    'no alert or crash in the error log');

done_testing();
