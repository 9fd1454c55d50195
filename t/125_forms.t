#!/usr/bin/perl

# Form bodies as Django REST framework accepts them: urlencoded and
# multipart requests and verifies take the whole flow, with the JSON
# body's field rules and limits; malformed forms get 400 invalid_form.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $t = stack();

sub escape { $_[0] =~ s/([^A-Za-z0-9._~-])/sprintf '%%%02X', ord $1/ger }

sub urlencoded {
    my ($path, $body, $type) = @_;
    return $t->http('POST', $path, body => $body, headers => {
        'Content-Type' => $type // 'application/x-www-form-urlencoded' });
}

# as browsers and requests write it; [ name, value, filename ] a part
sub multipart {
    my ($path, @parts) = @_;
    my $b = '----MissedCallFormBoundary7MA4YWxkTrZu0gW';
    my $body = join '', map {
        my ($name, $value, $file) = @$_;
        "--$b\r\nContent-Disposition: form-data; name=\"$name\""
        . (defined $file ? "; filename=\"$file\"\r\nContent-Type: "
            . "application/octet-stream" : '')
        . "\r\n\r\n$value\r\n"
    } @parts;
    return $t->http('POST', $path, body => "$body--$b--\r\n", headers => {
        'Content-Type' => "multipart/form-data; boundary=$b" });
}

sub error_is {
    my ($r, $status, $code, $name) = @_;
    is($r->{status}, $status, "$name: $status");
    is(ref $r->{json} && $r->{json}{error}, $code, "$name: $code");
}

# the flow, urlencoded

my $r = urlencoded('/otp/request/',
    'phone_number=%2B1+202+555+0143&app_signature=AbCdEfGhIjK');
is($r->{status}, 202, 'urlencoded request: 202');
my $session = $r->{json}{session_id};
like($session // '', qr/^[0-9a-f-]{36}$/, 'with a session id');
my $caller = last_call($t)->{json}{from};
is(last_call($t)->{json}{to}, '+12025550143', 'the number called');

$r = urlencoded('/otp/verify/', "session_id=$session&received_caller_id="
    . escape($caller),
    'application/x-www-form-urlencoded; charset=UTF-8');
is($r->{status}, 200, 'urlencoded verify, with a charset: 200');
ok($r->{json}{verified} && $r->{json}{token}, 'verified, with a token');

# the flow, multipart

$r = multipart('/otp/request/', [ 'phone_number', '+12025550144' ],
    [ 'app_signature', 'AbCdEfGhIjK' ], [ 'avatar', 'GIF89a', 'a.gif' ]);
is($r->{status}, 202, 'multipart request, a file beside: 202');
$session = $r->{json}{session_id};
$caller = last_call($t)->{json}{from};

$r = multipart('/otp/verify/', [ 'phone_number', '+1 202 555 0144' ],
    [ 'received_caller_id', $caller ]);
is($r->{status}, 200, 'multipart verify by phone: 200');
is($r->{json}{phone_number}, '+12025550144', 'the phone verified');

# the field rules of JSON bodies

my $calls = @{ $t->gateway_calls() };
error_is(urlencoded('/otp/request/', 'app_signature=AbCdEfGhIjK'), 400,
    'missing_field', 'urlencoded without phone_number');
error_is(multipart('/otp/verify/', [ 'session_id', 'x' ]), 400,
    'missing_field', 'multipart verify without received_caller_id');
error_is(urlencoded('/otp/request/', 'phone_number=' . ('1' x 257)), 400,
    'invalid_field', 'a 257-byte field');
error_is(urlencoded('/otp/request/', 'phone_number=%2B1202555%000143'), 400,
    'invalid_field', 'a NUL');
error_is(urlencoded('/otp/request/', 'phone_number=%FF'), 400,
    'invalid_field', 'invalid UTF-8');
error_is(multipart('/otp/request/', [ 'phone_number', '+12025550143' ],
    [ 'phone_number', '+12025550145' ]), 400, 'invalid_form',
    'a field given twice');
error_is(urlencoded('/otp/request/', '{"phone_number": "+12025550143"}',
    'multipart/form-data; boundary=x'), 400, 'invalid_form',
    'not multipart under a multipart type');
error_is(urlencoded('/otp/request/', 'x', 'multipart/form-data'), 400,
    'invalid_form', 'multipart without a boundary');
error_is(urlencoded('/otp/request/', 'phone_number=hello'), 400,
    'invalid_phone_number', 'not a number');
error_is(urlencoded('/otp/request/', 'phone_number=%2B0123456789'), 400,
    'invalid_phone_number', 'a country code starting with 0');
error_is(urlencoded('/otp/request/', 'phone_number=' . ('1' x 5000)), 413,
    'body_too_large', 'a form over missedcall_body_limit');
is(scalar @{ $t->gateway_calls() }, $calls, 'none of them called anyone');

# JSON stays the default, whatever the type says

$r = $t->http('POST', '/otp/request/', body =>
    '{"phone_number": "+12025550146", "app_signature": "AbCdEfGhIjK"}',
    headers => { 'Content-Type' => 'text/plain' });
is($r->{status}, 202, 'JSON under another type: 202, as before');

done_testing();
