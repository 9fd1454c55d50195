#!/usr/bin/perl

# The pool admin API: a bearer token, listing with figures, add, remove,
# disable, enable; calling-code preference; numbers that keep failing at
# the gateway are disabled by themselves and say why.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Test;
use MissedCall::Flow;

my $TOKEN = 'admin-token-0123456789abcdef';
my $US = '+15550100001';
my $UK = '+447700900001';

my $t = stack(no_nginx => 1, pool => [ "$US codes=1", "$UK codes=44" ]);
$t->write_file('admin.token', "$TOKEN\n");

my %conf = (%MissedCall::Flow::DEFAULTS, EXTRA => admin_location($t));

# allow/deny and the token: both must pass
sub admin_location {
    my ($t) = @_;
    return "location /admin/ {\n"
        . "            allow 127.0.0.1;\n"
        . "            deny all;\n"
        . "            missedcall_admin_token_file " . $t->dir
        . "/admin.token;\n"
        . "            missedcall_admin;\n"
        . "        }\n";
}

$t->start_nginx('conf/test.conf', \%conf);

sub admin {
    my ($method, $path, $body, $token) = @_;
    $token //= $TOKEN;
    return $t->http($method, "/admin/$path",
        headers => { Authorization => "Bearer $token",
            'Content-Type' => 'application/json' },
        defined $body ? (body => JSON::PP::encode_json($body)) : ());
}

sub listing {
    my $r = admin('GET', 'numbers');
    is($r->{status}, 200, 'list: 200') or diag $r->{content};
    return { map { $_->{number} => $_ } @{ $r->{json}{numbers} || [] } };
}

sub caller_for {
    my ($phone) = @_;
    my $r = request_call($t, $phone);
    return $r->{status} == 202 ? last_call($t)->{json}{from}
        : "HTTP $r->{status}";
}

# the token

my $r = $t->get('/admin/numbers');
is($r->{status}, 401, 'no token: 401');
is($r->{json}{error}, 'unauthorized', 'no token: JSON error');
is($r->{headers}{'www-authenticate'}, 'Bearer', 'no token: WWW-Authenticate');
$r = admin('GET', 'numbers', undef, 'x' . $TOKEN);
is($r->{status}, 401, 'wrong token: 401');
unlike($t->error_log, qr/\Q$TOKEN\E/, 'the token is never logged');

# the seeded pool

my $l = listing();
is_deeply([ sort keys %$l ], [ $US, $UK ], 'the configured numbers');
is($l->{$US}{state}, 'enabled', 'enabled');
is_deeply($l->{$UK}{calling_codes}, ['44'], 'calling codes listed');
is($l->{$US}{calls_placed}, 0, 'no call placed yet');
is($l->{$US}{last_used}, undef, 'never used');

# add and update

$r = admin('POST', 'numbers', { number => '+33155501234',
    calling_codes => ['33'] });
is($r->{status}, 201, 'add: 201') or diag $r->{content};
is($r->{json}{result}, 'added', 'add: added');
$r = admin('POST', 'numbers', { number => '+33155501234',
    calling_codes => [ '33', '32' ] });
is($r->{status}, 200, 'add again: 200');
is($r->{json}{result}, 'updated', 'add again: updated');
is_deeply(listing()->{'+33155501234'}{calling_codes}, [ '33', '32' ],
    'codes updated');

for my $bad ({ number => '555-0100' }, { number => '+3315550123',
        calling_codes => ['033'] }, { number => '+3315550123',
        calling_codes => '33' }, { calling_codes => ['33'] })
{
    $r = admin('POST', 'numbers', $bad);
    is($r->{status}, 400, 'bad add ' . JSON::PP::encode_json($bad) . ': 400');
    ok($r->{json}{error}, 'bad add: a JSON error');
}
$r = $t->http('POST', '/admin/numbers', body => '{"number":',
    headers => { Authorization => "Bearer $TOKEN" });
is($r->{json}{error}, 'invalid_json', 'broken JSON: invalid_json');
is(admin('PUT', 'numbers')->{status}, 405, 'PUT: 405');
is(admin('GET', 'nothing')->{status}, 404, 'unknown resource: 404');
is(admin('POST', 'numbers/+15559999999/disable')->{status}, 404,
    'disable an unknown number: 404');

# calling-code preference: every call to the UK from the UK number

my %from;
$from{ caller_for(sprintf '+4477009%05d', $_) }++ for 1 .. 6;
is_deeply(\%from, { $UK => 6 }, 'UK phones are called from the UK number');
%from = ();
$from{ caller_for(sprintf '+3225550%04d', $_) }++ for 1 .. 4;
is_deeply(\%from, { '+33155501234' => 4 },
    'a second calling code of a number serves too');
%from = ();
$from{ caller_for(sprintf '+4930555%04d', $_) }++ for 1 .. 12;
ok(!grep({ !/^\+/ } keys %from), 'no code served: still called')
    or diag explain \%from;
ok(keys %from > 1, 'no code served: any number of the pool');

# disable: never called from; enable: back

$r = admin('POST', "numbers/$UK/disable", { reason => 'carrier complaint' });
is($r->{status}, 200, 'disable: 200') or diag $r->{content};
is($r->{json}{state}, 'disabled', 'disable: disabled');
is(listing()->{$UK}{reason}, 'carrier complaint', 'the reason is listed');
%from = ();
$from{ caller_for(sprintf '+4477008%05d', $_) }++ for 1 .. 8;
ok(!$from{$UK}, 'a disabled number is never called from')
    or diag explain \%from;

$r = admin('POST', "numbers/$UK/enable");
is($r->{json}{state}, 'enabled', 'enable: enabled');
is(caller_for('+447700700001'), $UK, 'enabled: called from again');

# figures

$r = request_call($t, '+447700700002');
my $sid = $r->{json}{session_id};
is(verify_call($t, session_id => $sid, received_caller_id => $UK)->{status},
    200, 'verified');
is(settled(sub { listing()->{$UK}{verified} }, 1), 1, 'verified counted');
$l = listing();
ok($l->{$UK}{calls_placed} >= 8, "calls placed: $l->{$UK}{calls_placed}");
like($l->{$UK}{last_used} // '', qr/^20\d\d-\d\d-\d\dT[\d:.]+Z$/,
    'last used, ISO 8601');

# remove: listed as removed, never called, not re-added by a reload

$r = admin('DELETE', "numbers/$UK");
is($r->{status}, 200, 'remove: 200');
is($r->{json}{state}, 'removed', 'remove: removed');
is(admin('DELETE', "numbers/$UK")->{status}, 404, 'remove twice: 404');
is(admin('POST', "numbers/$UK/enable")->{status}, 404,
    'a removed number cannot be enabled, only added');
$t->reload_nginx();
sleep 1;
$r = request_call($t, '+447700700003');
is($r->{status}, 202, 'after a reload: called');
isnt(last_call($t)->{json}{from}, $UK, 'after a reload: not from it');
is(listing()->{$UK}{state}, 'removed',
    'after a reload: the configuration does not bring it back');
$t->stop_redis();
$t->start_redis();
sleep 1.5;
$l = listing();
is($l->{$UK}{state}, 'enabled',
    'a Redis that forgot the pool is seeded again') or diag explain $l;

# a number refused by the gateway, again and again, is disabled

$t->stop_all();
my $B = '+15550100002';
$t = stack(pool => [ $US, $B ], no_nginx => 1);
$t->write_file('admin.token', "$TOKEN\n");
$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    EXTRA => admin_location($t),
    HTTP_EXTRA => 'missedcall_pool_max_failures 3;' });

$t->gateway_mode('status 500');
is(request_call($t, '+12025550100')->{status}, 502, "gateway 5xx: 502")
    for 1 .. 4;
$l = listing();
is($l->{$US}{failed} + $l->{$B}{failed}, 4, 'failures counted');
is($l->{$US}{consecutive_failures} + $l->{$B}{consecutive_failures}, 0,
    'a 5xx is the gateway\'s trouble, not the number\'s');

admin('POST', "numbers/$B/disable");
$t->gateway_mode('status 400');
request_call($t, '+12025550100') for 1 .. 2;
is(listing()->{$US}{consecutive_failures}, 0,
    'a plain 400 may be the number called: not the caller number\'s fault');
$t->gateway_mode('status 400 caller');
is(request_call($t, '+12025550100')->{status}, 502, "caller refused: 502")
    for 1 .. 2;
is(listing()->{$US}{consecutive_failures}, 2,
    'the gateway names the caller number at fault: counted');
$t->gateway_mode('ok');
is(request_call($t, '+12025550101')->{status}, 202, 'a call placed');
is(listing()->{$US}{consecutive_failures}, 0, 'a placed call resets the run');
$t->gateway_mode('status 400 caller');
request_call($t, '+12025550100') for 1 .. 3;
$l = listing();
is($l->{$US}{consecutive_failures}, 3, 'three refusals in a row');
is($l->{$US}{state}, 'enabled',
    'no call placed meanwhile, and the last enabled number: still enabled');
unlike($t->error_log, qr/caller number \Q$US\E disabled/,
    'the error log has no disabling');
$t->gateway_mode('ok');
is(request_call($t, '+12025550102')->{status}, 202,
    'the pool still serves');
my @sessions = session_keys($t);
is(scalar @sessions, 2, 'only the placed calls left a session');

done_testing();
