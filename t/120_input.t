#!/usr/bin/perl

# Every class of malformed input gets its JSON error and the right status,
# and none of it reaches the gateway.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use IO::Socket::INET;
use MissedCall::Flow;

my $t = stack();

sub raw {
    my ($path, $body, %h) = @_;
    return $t->http('POST', $path, body => $body,
        headers => { 'Content-Type' => 'application/json', %h });
}

sub error_is {
    my ($r, $status, $code, $name) = @_;
    is($r->{status}, $status, "$name: $status");
    is(ref $r->{json} && $r->{json}{error}, $code, "$name: $code");
    ok(ref $r->{json} && length $r->{json}{message}, "$name: message");
}

# methods

my $r = $t->get('/otp/request/');
error_is($r, 405, 'method_not_allowed', 'GET on request');
is($r->{headers}{allow}, 'POST', 'Allow: POST');
$r = $t->http('PUT', '/otp/verify/', body => '{}');
error_is($r, 405, 'method_not_allowed', 'PUT on verify');
$r = $t->http('POST', '/otp/status/5f0e4a1c-1d2b-4c3d-8e4f-5a6b7c8d9e0f');
error_is($r, 405, 'method_not_allowed', 'POST on status');
is($r->{headers}{allow}, 'GET, HEAD', 'Allow: GET, HEAD');

# bodies

error_is(raw('/otp/request/', 'phone=+12025550143'), 400, 'invalid_json',
    'form body');
error_is(raw('/otp/request/', ''), 400, 'invalid_json', 'empty body');
error_is(raw('/otp/request/', '[1,2]'), 400, 'invalid_json', 'array');
error_is(raw('/otp/request/', '{"phone_number": "+12025550143"} x'), 400,
    'invalid_json', 'trailing garbage');
error_is(raw('/otp/request/', '{"phone_number": "+1202555' . "\xff\xfe" . '"}'),
    400, 'invalid_json', 'invalid UTF-8');
error_is(raw('/otp/request/', ('[' x 2000) . (']' x 2000)), 400,
    'invalid_json', 'deeply nested');
error_is(raw('/otp/request/', '{"phone_number": 12025550143}'), 400,
    'invalid_field', 'phone as a number');
error_is(raw('/otp/request/', '{"phone_number": "+1", "phone_number": "+2"}'),
    400, 'invalid_json', 'duplicate keys');
error_is(raw('/otp/request/', '{"app_signature": "x"}'), 400,
    'missing_field', 'no phone');
error_is(raw('/otp/request/', '{"phone_number": "' . ('1' x 300) . '"}'),
    400, 'invalid_field', 'field too long');
error_is(raw('/otp/request/', '{"x": "' . ('a' x 5000) . '"}'), 413,
    'body_too_large', 'body over the limit');

# a chunked body declares no length: refused once read

my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('nginx'),
    Timeout => 5) or die "connect: $!";
my $chunk = '{"x": "' . ('a' x 6000) . '"}';
print $s "POST /otp/request/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    . "Transfer-Encoding: chunked\r\n\r\n"
    . sprintf('%x', length $chunk) . "\r\n$chunk\r\n0\r\n\r\n";
my $answer = do { local $/; <$s> };
like($answer, qr{^HTTP/1.1 413 .*"error":"body_too_large"}s,
    'chunked body over the limit: 413 JSON');

# phone numbers

for my $bad ('', '   ', 'abc', '+1 202 555 014a', '+12025550143x',
    "+1202\r\n5550143", '++12025550143',
    '+1 202 + 5550143', '+123456', '+1234567890123456', '+0123456789',
    '12025550143;DROP', "+1202555\t0143")
{
    (my $name = $bad) =~ s/([^\x20-\x7e])/sprintf '\\x%02x', ord $1/ge;
    $r = $t->post_json('/otp/request/', { phone_number => $bad });
    error_is($r, 400, 'invalid_phone_number', "phone '$name'");
}

# a NUL never gets past the JSON parser ("\u0000" is refused)
error_is($t->post_json('/otp/request/', { phone_number => "+1202\x005550143" }),
    400, 'invalid_json', 'phone with a NUL');

$r = $t->post_json('/otp/request/', { phone_number => '+1 (202) 555-0143' });
is($r->{status}, 202, 'the same number, well formed, is accepted');

# verify inputs

error_is($t->post_json('/otp/verify/', { session_id => 'x' }), 400,
    'missing_field', 'no caller id');
error_is($t->post_json('/otp/verify/', { received_caller_id => '+15550100001' }),
    400, 'missing_field', 'neither session nor phone');
error_is($t->post_json('/otp/verify/',
        { session_id => 'not-a-uuid', received_caller_id => '+15550100001' }),
    400, 'invalid_session', 'malformed session id');
error_is($t->post_json('/otp/verify/', {
        session_id => '5f0e4a1c-1d2b-4c3d-8e4f-5a6b7c8d9e0f',
        received_caller_id => '+15550100001' }),
    400, 'invalid_session', 'unknown session');
error_is($t->post_json('/otp/verify/', { phone_number => '+19995550100',
        received_caller_id => '+15550100001' }),
    400, 'invalid_session', 'phone with no session');
error_is($t->post_json('/otp/verify/', { phone_number => '+1999',
        received_caller_id => '+15550100001' }),
    400, 'invalid_phone_number', 'malformed phone on verify');
for my $bad ('Unknown', 'private', '', "+1555\n0100001", '1' x 21) {
    (my $name = $bad) =~ s/\n/\\n/g;
    error_is($t->post_json('/otp/verify/', { phone_number => '+12025550143',
            received_caller_id => $bad }),
        400, 'invalid_caller_id', "caller id '$name'");
}

# status

error_is($t->get('/otp/status/not-a-session'), 404, 'not_found',
    'malformed status id');
error_is($t->get('/otp/status/5f0e4a1c-1d2b-4c3d-8e4f-5a6b7c8d9e0f/'), 404,
    'not_found', 'unknown status id');

# only the one well-formed request reached the gateway

my $calls = $t->gateway_calls();
is(scalar @$calls, 1, 'bad input never reaches the gateway');
is($calls->[0]{json}{to}, '+12025550143', 'the one call');

unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal \d+/,
    'no alert or crash in the error log');

done_testing();
