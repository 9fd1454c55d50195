#!/usr/bin/perl

# The whole flow through real nginx, Redis and the fake gateway: request,
# the call, verify, the token, and an auth_request-guarded backend.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $t = stack();
my $phone = '+1 (202) 555-0143';
my $e164 = '+12025550143';

# request: 202, an opaque id, and exactly one call placed

my $r = request_call($t, $phone);
is($r->{status}, 202, 'request accepted');
my $j = $r->{json};
like($j->{session_id}, qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'session id is a random UUID');
like($j->{expires_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'expires_at');
ok($j->{expires_in} > 55 && $j->{expires_in} <= 60, 'seconds left');
is($j->{match}, 'full', 'match mode');
ok(!exists $j->{caller_hint}, 'no hint in full mode');
is($r->{headers}{'cache-control'}, 'no-store', 'not cacheable');

my $calls = $t->gateway_calls();
is(scalar @$calls, 1, 'one call placed');
my $call = $calls->[0];
is($call->{method}, 'POST', 'gateway POST');
is($call->{path}, '/call', 'gateway path');
is($call->{headers}{authorization}, 'Bearer gw-secret-token-1234',
    'bearer token from the file');
is($call->{headers}{'user-agent'}, 'ngx_http_missedcall_module',
    'the module names itself to the gateway');
is("@{ $call->{twice} }", '', 'no header sent twice');
is($call->{json}{to}, $e164, 'called the normalized phone');
ok((grep { $_ eq $call->{json}{from} } @MissedCall::Flow::POOL),
    'from a pool number');
like($call->{json}{call_id}, qr/^[0-9a-f-]{36}$/, 'call id');
isnt($call->{json}{call_id}, $j->{session_id},
    'the session id is not sent to the gateway');

my $sid = $j->{session_id};
my $caller = $call->{json}{from};

# status while pending

$r = $t->get("/otp/status/$sid/");
is($r->{status}, 200, 'status');
is($r->{json}{status}, 'pending', 'pending');
ok(!$r->{json}{is_verified}, 'not verified');
ok(!$r->{json}{is_expired}, 'not expired');
ok($r->{json}{time_remaining_seconds} > 50, 'time remaining');

# a wrong caller id counts an attempt

my $wrong = $caller eq '+15550100001' ? '+15550100002' : '+15550100001';
$r = verify_call($t, session_id => $sid, received_caller_id => $wrong);
is($r->{status}, 400, 'wrong caller id refused');
is($r->{json}{error}, 'caller_id_mismatch', 'mismatch error');
is($r->{json}{attempts_left}, 2, 'two attempts left');

# the right one, as a phone shows it in national format

(my $shown = $caller) =~ s/^\+1(\d{3})(\d{3})(\d{4})$/($1) $2-$3/;
$r = verify_call($t, session_id => $sid, received_caller_id => $shown);
is($r->{status}, 200, "verified with '$shown'");
is($r->{json}{verified}, JSON::PP::true, 'verified: true');
is($r->{json}{phone_number}, $e164, 'phone number');
my $token = $r->{json}{token};
like($token, qr/^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');

# replay: the session verifies at most once

$r = verify_call($t, session_id => $sid, received_caller_id => $caller);
is($r->{status}, 400, 'replay refused');
is($r->{json}{error}, 'invalid_session', 'uniform error on replay');

$r = $t->get("/otp/status/$sid");
ok($r->{json}{is_verified}, 'status: verified');
is($r->{json}{status}, 'verified', 'status word');

# the token opens the guarded backend, which learns the phone

$r = $t->get('/api/profile', headers => { Authorization => "Bearer $token" });
is($r->{status}, 200, 'backend reached with the token');
like($r->{content}, qr/phone=\Q$e164\E/, 'backend told the verified phone');

$r = $t->get('/api/profile', headers => { Cookie => "a=b; mc_token=$token" });
is($r->{status}, 200, 'token in the configured cookie');

$r = $t->get('/api/profile');
is($r->{status}, 401, 'no token: 401');

(my $tampered = $token) =~ s/\.(.)/'.' . ($1 eq 'A' ? 'B' : 'A')/e;
$r = $t->get('/api/profile',
    headers => { Authorization => "Bearer $tampered" });
is($r->{status}, 401, 'tampered token: 401');

$r = $t->get('/check', headers => { Authorization => "Bearer $token" });
is($r->{status}, 204, 'check handler: 204');
$r = $t->get('/check', headers => { Authorization => "Bearer x.y.z" });
is($r->{status}, 401, 'check handler: 401');
is($r->{json}{error}, 'invalid_token', 'JSON error on direct use');
like($r->{headers}{'www-authenticate'}, qr/^Bearer/, 'WWW-Authenticate');

# the token is a standard HS256 JWT with the configured kid

my ($h, $p) = map { decode_b64url($_) } (split /\./, $token)[0, 1];
is($h->{alg}, 'HS256', 'alg');
is($h->{kid}, 'k2', 'kid of the first key');
is($p->{sub}, $e164, 'sub');
ok($p->{exp} - $p->{iat} == 3600, 'exp = iat + ttl');
like($p->{jti}, qr/^[0-9a-f-]{36}$/, 'jti');

# verify by phone number: the newest pending session of that phone

$r = request_call($t, $e164);
is($r->{status}, 202, 'second request');
my $caller2 = last_call($t)->{json}{from};
isnt($caller2, $caller, 'another caller number than last time');
$r = verify_call($t, phone_number => '+1 202-555-0143',
    received_caller_id => '00' . digits_of($caller2));
is($r->{status}, 200, 'verified by phone number, 00 prefix');

# a burned session: the configured number of misses

$r = request_call($t, '+447700900123');
$sid = $r->{json}{session_id};
$caller = last_call($t)->{json}{from};
$wrong = $caller eq '+15550100003' ? '+15550100004' : '+15550100003';
for my $left (2, 1) {
    $r = verify_call($t, session_id => $sid, received_caller_id => $wrong);
    is($r->{json}{attempts_left}, $left, "attempts left $left");
}
$r = verify_call($t, session_id => $sid, received_caller_id => $wrong);
is($r->{json}{attempts_left}, 0, 'last attempt burns the session');
$r = verify_call($t, session_id => $sid, received_caller_id => $caller);
is($r->{status}, 400, 'burned session does not verify, even rightly');
is($r->{json}{error}, 'invalid_session', 'uniform error');
$r = $t->get("/otp/status/$sid");
is($r->{json}{status}, 'failed', 'status: failed');

# last-digits mode: a hint, and the user types four digits

$r = request_call($t, '+33612345678', path => '/ios/request/');
is($r->{status}, 202, 'iOS request');
$caller = last_call($t)->{json}{from};
(my $hint = $caller) =~ s/\d{4}$/****/;
is($r->{json}{caller_hint}, $hint, 'hint masks the last 4 digits');
is($r->{json}{digits}, 4, 'digits to type');
is($r->{json}{match}, 'last_digits', 'match mode');
$sid = $r->{json}{session_id};
$r = verify_call($t, session_id => $sid,
    received_caller_id => substr($caller, -5, 4) . '9', path => '/ios/verify/');
is($r->{status}, 400, 'wrong digits refused');
$r = verify_call($t, session_id => $sid,
    received_caller_id => substr($caller, -4), path => '/ios/verify/');
is($r->{status}, 200, 'last 4 digits verify');

# rarely the same caller twice in a row for a user

my $same = 0;
my $prev = '';
for (1 .. 20) {
    request_call($t, '+4915112345678');
    my $from = last_call($t)->{json}{from};
    $same++ if $from eq $prev;
    $prev = $from;
}
is($same, 0, 'never the same caller twice in a row (pool of 5)');

unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal \d+/,
    'no alert or crash in the error log');

done_testing();

sub decode_b64url {
    my ($s) = @_;
    require MIME::Base64;
    $s =~ tr/-_/+\//;
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return JSON::PP::decode_json(MIME::Base64::decode_base64($s));
}
