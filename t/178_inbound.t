#!/usr/bin/perl

# The inbound channel: the user's phone calls a pool number the request
# answered, Twilio's incoming call webhook (signed as its status callbacks
# are) proves the session and gets TwiML rejecting the call, and the app
# collects its token with the session id.  No call is placed and no call
# budget spent; the phone's limits and failure budget still hold; a forged
# or unsigned webhook, a wrong (From, To) pair and an attestation below the
# floor prove nothing.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Digest::SHA qw(hmac_sha1_base64 hmac_sha256_hex);
use JSON::PP qw(encode_json);
use URI::Escape qw(uri_escape);
use Test::More;
use MissedCall::Flow;

my $account = 'AC' . ('0123456789abcdef' x 2);
my $token = 'twilio-auth-token-5f1d2c';
my %url = (
    voice  => 'https://verify.example.com/twilio/voice',
    strict => 'https://verify.example.com/twilio/strict',
);

my $t = stack(no_nginx => 1, twilio => [ "$account:$token" ]);
$t->write_file('twilio.token', "$token\n");

sub conf {
    my (%o) = @_;
    return channel_conf($t, $account, qq{
        @{[ $o{extra} // '' ]}

        location = /twilio/voice {
            missedcall_twilio_voice_url $url{voice};
            missedcall_twilio_voice;
        }

        location = /twilio/strict {
            missedcall_twilio_voice_url $url{strict};
            missedcall_inbound_attestation A;
            missedcall_twilio_voice;
        }

        location = /in/request/ {
            missedcall_channel inbound;
            missedcall_request;
        }

        location = /http/inbound {
            missedcall_gateway http http://127.0.0.1:%%GATEWAY_PORT%%/call;
            missedcall_gateway_secret_file %%DIR%%/gateway.token;
            missedcall_http_inbound;
        }

        location = /metrics {
            missedcall_metrics;
        }

        location = /budget/request/ {
            missedcall_limit global 1/1h;
            missedcall_limit phone 2/1h;
            missedcall_request;
        }
        });
}

$t->start_nginx(conf());

sub calls { scalar grep { $_->{path} ne '/hook' } @{ $t->gateway_calls() } }

sub error_is {
    my ($r, $status, $code, $name) = @_;
    is($r->{status}, $status, "$name: $status");
    is(ref $r->{json} && $r->{json}{error}, $code, "$name: $code");
}

# Twilio's signature, as t/175_twilio_signature.t checks twilio-node makes
# it: the URL, then each parameter's name and value, sorted
sub webhook {
    my ($loc, $params, %o) = @_;
    my $data = $url{$loc} . join '', map { $_ . $params->{$_} }
        sort keys %$params;
    my $sig = hmac_sha1_base64($data, $o{token} // $token) . '=';
    my $body = join '&', map { "$_=" . uri_escape($params->{$_}) }
        sort keys %$params;
    return $t->http('POST', "/twilio/$loc", body => $body, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded',
        $o{unsigned} ? () : ('X-Twilio-Signature' => $sig) });
}

sub call_params {
    my ($from, $to, $verstat) = @_;
    return { AccountSid => $account, CallSid => 'CA' . ('cd' x 16),
        CallStatus => 'ringing', Direction => 'inbound', From => $from,
        To => $to, defined $verstat ? (StirVerstat => $verstat) : () };
}

sub status_of {
    my ($id) = @_;
    return $t->get("/otp/status/$id")->{json};
}

# the request: the number to dial, no call placed

my $phone = '+12025550143';
my $before = calls();
my $r = $t->post_json('/otp/request/', { phone_number => $phone,
    channel => 'inbound' });
is($r->{status}, 202, 'inbound request: 202');
is($r->{json}{channel}, 'inbound', 'the answer names the channel');
my $dial = $r->{json}{dial};
ok((grep { $_ eq $dial } @MissedCall::Flow::POOL),
    "the number to dial is a pool number: $dial");
my $id = $r->{json}{session_id};
like($id, qr/^[0-9a-f-]{36}$/, 'a session id');
cmp_ok($r->{json}{expires_in}, '>', 0, 'expires_in');
ok(!exists $r->{json}{caller_hint}, 'no caller hint: nothing to guess');
is(calls(), $before, 'no call placed');
my $st = status_of($id);
is($st->{status}, 'pending', 'status: pending');
is($st->{channel}, 'inbound', 'status: channel inbound');

# before the call, verify waits; the number dialled is no caller id

error_is($t->post_json('/otp/verify/', { session_id => $id }), 409,
    'call_not_received', 'verify before the call');
error_is($t->post_json('/otp/verify/', { session_id => $id,
    received_caller_id => $dial }), 409, 'call_not_received',
    'verify with the number dialled as caller id');

# what proves nothing: unsigned, forged, a wrong pair, a weak attestation

my $other = (grep { $_ ne $dial } @MissedCall::Flow::POOL)[0];
error_is(webhook('voice', call_params($phone, $dial), unsigned => 1), 403,
    'invalid_signature', 'an unsigned webhook');
error_is(webhook('voice', call_params($phone, $dial), token => 'forged'),
    403, 'invalid_signature', 'a webhook signed with another token');
like($t->error_log(), qr/request for "\Q$url{voice}\E" with a bad or no /,
    'the refusal is logged');

for my $case ([ 'another phone', '+12025550199', $dial ],
    [ 'another number dialled', $phone, $other ],
    [ 'a To not a number', $phone, 'client:alice' ])
{
    my ($name, $from, $to) = @$case;
    $r = webhook('voice', call_params($from, $to));
    is($r->{status}, 200, "$name: the call is answered with TwiML");
    like($r->{content}, qr{<Response><Reject/></Response>},
        "$name: rejected");
    is(status_of($id)->{status}, 'pending', "$name: the session waits");
}

$r = webhook('strict', call_params($phone, $dial, 'TN-Validation-Passed-B'));
like($r->{content}, qr{<Reject/>}, 'attestation B below A: rejected');
is(status_of($id)->{status}, 'pending', 'attestation B: nothing proven');
$r = webhook('strict', call_params($phone, $dial, 'TN-Validation-Failed-A'));
is(status_of($id)->{status}, 'pending', 'a failed validation: nothing');
$r = webhook('strict', call_params($phone, $dial));
is(status_of($id)->{status}, 'pending', 'no StirVerstat: nothing');
like($t->error_log(), qr/StirVerstat "TN-Validation-Passed-B" is below/,
    'the refusal is logged with the attestation');

# the phone's call proves the session; the token goes to the session id

$r = webhook('voice', call_params($phone, $dial));
is($r->{status}, 200, 'the signed webhook: 200');
is($r->{headers}{'content-type'}, 'text/xml', 'TwiML: text/xml');
like($r->{content}, qr{^<\?xml[^>]*\?><Response><Reject/></Response>\n\z},
    'the call is rejected unanswered');
$st = status_of($id);
is($st->{status}, 'proven', 'status: proven');
ok(!$st->{is_verified}, 'not yet verified');
my $events = $t->redis('XRANGE', '{missedcall}:events', '-', '+');
my @kinds = map { { @{ $_->[1] } }->{event} } @$events;
ok((grep { $_ eq 'inbound_expected' } @kinds)
    && (grep { $_ eq 'inbound_received' } @kinds),
    'events: inbound_expected, inbound_received');

error_is($t->post_json('/otp/verify/', { phone_number => $phone,
    received_caller_id => $dial }), 400, 'invalid_session',
    'verify by phone: the session id is needed');
$r = $t->post_json('/otp/verify/', { session_id => $id });
is($r->{status}, 200, 'verify with the session id: 200');
ok($r->{json}{verified} && length $r->{json}{token}, 'a token');
is($r->{json}{phone_number}, $phone, 'for the phone that called');
error_is($t->post_json('/otp/verify/', { session_id => $id }), 400,
    'invalid_session', 'verify again');
is(status_of($id)->{status}, 'verified', 'status: verified');
$r = webhook('voice', call_params($phone, $dial));
like($r->{content}, qr{<Reject/>}, 'a call after it: rejected, no effect');
unlike($t->error_log(), qr/\Q$token\E/, 'the auth token is never logged');

# the attestation floor met; the location's default channel

$phone = '+12025550144';
$r = $t->post_json('/in/request/', { phone_number => $phone });
is($r->{status}, 202, 'missedcall_channel inbound: 202 without "channel"');
is($r->{json}{channel}, 'inbound', 'the location default: inbound');
$id = $r->{json}{session_id};
webhook('strict', call_params($phone, $r->{json}{dial},
    'TN-Validation-Passed-A'));
is(status_of($id)->{status}, 'proven', 'attestation A meets A: proven');
is($t->post_json('/otp/verify/', { session_id => $id })->{status}, 200,
    'and verifies');

error_is($t->post_json('/otp/request/', { phone_number => $phone,
    channel => 'pigeon' }), 400, 'invalid_channel', 'an unknown channel');
error_is($t->post_json('/otp/verify/', { session_id => 'x' }), 400,
    'missing_field', 'no caller id nor a session id');

# an outbound session still needs its caller id
$r = $t->post_json('/otp/request/', { phone_number => '+12025550145' });
is($r->{status}, 202, 'outbound request: 202');
is(status_of($r->{json}{session_id})->{channel}, 'outbound',
    'status: outbound');
error_is($t->post_json('/otp/verify/', {
    session_id => $r->{json}{session_id} }), 400, 'missing_field',
    'outbound verify without a caller id');

# budgets: the call budgets do not count an inbound session, the phone's
# limit and failure budget do

my ($pa, $pb) = ('+12025550146', '+12025550147');
$before = calls();
is($t->post_json('/budget/request/', { phone_number => $pa })->{status},
    202, 'budget: an outbound call spends the global budget');
error_is($t->post_json('/budget/request/', { phone_number => $pb }), 429,
    'limit_global', 'budget: the next outbound call');
for my $i (1, 2) {
    is($t->post_json('/budget/request/', { phone_number => $pb,
        channel => 'inbound' })->{status}, 202,
        "budget: inbound $i of the phone's 2 despite the global budget");
}
error_is($t->post_json('/budget/request/', { phone_number => $pb,
    channel => 'inbound' }), 429, 'limit_phone',
    "budget: the phone's limit holds inbound");
is(calls(), $before + 1, 'budget: one call placed in all');
my ($global) = grep { /limit:global/ } $t->redis_keys("*");
is($t->redis('GET', $global), 1, 'the global counter counted the call only');

my $locked = '+12025550148';
$t->redis('SET', "{missedcall}:failures:$locked", 10, 'PX', 60000);
error_is($t->post_json('/otp/request/', { phone_number => $locked,
    channel => 'inbound' }), 429, 'too_many_failures',
    'a phone past its failure budget: no inbound session');

# the channel in metrics and in the log variable

my $page = $t->get('/metrics')->{content};
like($page, qr/^missedcall_sessions_total\{channel="inbound"\} 4$/m,
    'metrics: 4 inbound sessions opened');
like($page, qr/^missedcall_sessions_total\{channel="outbound"\} 2$/m,
    'metrics: 2 outbound sessions opened');
like($page, qr/^missedcall_verified_total\{channel="inbound"\} 2$/m,
    'metrics: 2 inbound sessions verified');
like($page, qr/^missedcall_verified_total\{channel="outbound"\} 0$/m,
    'metrics: no outbound one');

# the custom HTTP gateway delivers the same event as signed JSON

my $secret = 'gw-secret-token-1234';
sub http_event {
    my ($event, %o) = @_;
    my $body = encode_json({ event => 'call.inbound', timestamp => time,
        %$event });
    my $sig = 'sha256=' . hmac_sha256_hex($body, $o{secret} // $secret);
    return $t->http('POST', '/http/inbound', body => $body, headers => {
        'Content-Type' => 'application/json',
        $o{unsigned} ? () : ('X-Missedcall-Signature' => $sig) });
}

$phone = '+12025550149';
$r = $t->post_json('/otp/request/', { phone_number => $phone,
    channel => 'inbound' });
$id = $r->{json}{session_id};
$dial = $r->{json}{dial};
$other = (grep { $_ ne $dial } @MissedCall::Flow::POOL)[0];
error_is(http_event({ from => $phone, to => $dial }, unsigned => 1), 403,
    'invalid_signature', 'HTTP gateway: an unsigned event');
error_is(http_event({ from => $phone, to => $dial }, secret => 'other'),
    403, 'invalid_signature', 'HTTP gateway: another secret');
error_is(http_event({ from => $phone, to => $dial,
    timestamp => time - 3600 }), 400, 'invalid_json',
    'HTTP gateway: an event an hour old');
$r = http_event({ from => $phone, to => $other });
is($r->{status}, 200, 'HTTP gateway: a wrong pair: 200');
is($r->{json}{proven}, JSON::PP::false, 'HTTP gateway: nothing proven');
is(status_of($id)->{status}, 'pending', 'HTTP gateway: the session waits');
$r = http_event({ from => $phone, to => $dial });
is($r->{json}{proven}, JSON::PP::true, 'HTTP gateway: the pair proves it');
is(status_of($id)->{status}, 'proven', 'HTTP gateway: proven');
is($t->post_json('/otp/verify/', { session_id => $id })->{status}, 200,
    'HTTP gateway: and it verifies');

$t->stop_nginx();
my $log = do {
    open my $fh, '<', $t->dir . '/chan.log' or die $!;
    local $/;
    <$fh>;
};
like($log, qr{^/in/request/ 202 ch=inbound$}m, 'log: an inbound request');
like($log, qr{^/otp/verify/ 200 ch=inbound$}m, 'log: an inbound verify');
like($log, qr{^/twilio/voice 200 ch=inbound$}m, 'log: the voice webhook');
like($log, qr{^/budget/request/ 202 ch=outbound$}m,
    'log: an outbound request');
like($log, qr{^/otp/status/\S+ 200 ch=inbound$}m, 'log: an inbound status');
like($log, qr{^/otp/verify/ 400 ch=-$}m,
    'log: a verify that found no session: no channel');

# nginx -t: the webhook needs its URL

(my $bad = conf()) =~ s/missedcall_twilio_voice_url \Q$url{voice}\E;//;
my ($rc, $out) = $t->nginx_test($bad);
isnt($rc, 0, 'a voice location without its URL is refused');
like($out, qr/"missedcall_twilio_voice" requires .*"missedcall_twilio_voice_url"/,
    'nginx -t names the directive');
($bad = conf()) =~ s{missedcall_gateway http \S+/call;}{};
($rc, $out) = $t->nginx_test($bad);
isnt($rc, 0, 'an HTTP inbound location without an HTTP gateway is refused');
like($out, qr/"missedcall_http_inbound" requires "missedcall_gateway http"/,
    'nginx -t says what it needs');

done_testing();
