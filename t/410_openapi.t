#!/usr/bin/perl

# openapi.yaml describes every endpoint: @redocly/cli lints it (pinned in
# t/node), it lists every error code of the README, and the module's real
# answers, success and error, for each endpoint, validate against its
# schemas (t/lib/openapi_check.py), so spec and code cannot drift.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use JSON::PP qw(encode_json);
use Digest::SHA qw(hmac_sha1_base64 hmac_sha256_hex);
use IPC::Open2 qw(open2);
use Test::More;
use MissedCall::Flow;
use MissedCall::Node qw(node_tools);

my $root = "$FindBin::Bin/..";
my $spec = "$root/openapi.yaml";

sub slurp {
    open my $fh, '<', $_[0] or die "$_[0]: $!";
    return do { local $/; <$fh> };
}

# the linter

my $dir = node_tools();
my $out = `$dir/node_modules/.bin/redocly lint --config $root/redocly.yaml $spec 2>&1`;
is($?, 0, 'redocly lint passes') or diag $out;
like($out, qr/Your API description is valid/, 'the description is valid');

# every error code of the README's table is in the spec

my $readme = slurp("$root/README.md");
my ($errors) = $readme =~ /^## Errors\n(.*?)^## /ms;
my %codes = map { $_ => 1 } $errors =~ /^\| \d{3} \| (.+?) \|/mg
    ? map { /`(\w+)`/g } $errors =~ /^\| \d{3} \| (.+?) \|/mg : ();
cmp_ok(scalar keys %codes, '>=', 25, scalar(keys %codes) . ' codes in the README');
my $text = slurp($spec);
my ($enum) = $text =~ /^    Error:\n.*?enum:\n((?:\s+- \w+\n)+)/ms;
my %spec_codes = map { $_ => 1 } ($enum // '') =~ /- (\w+)/g;
ok($spec_codes{$_}, "$_ is in the spec's Error schema") for sort keys %codes;

# the real answers

my $account = 'AC' . ('0123456789abcdef' x 2);
my $token = 'twilio-auth-token-5f1d2c';
my $admin = 'admin-token-0123456789abcdef';

my $t = stack(no_nginx => 1);
$t->write_file('admin.token', "$admin\n");
$t->write_file('twilio.token', "$token\n");
$t->write_file('telnyx.key', "KEY-telnyx-0123456789\n");
my $pem = $t->dir . '/telnyx.pem';
system("openssl genpkey -algorithm ed25519 -out $pem 2>/dev/null && "
    . "openssl pkey -in $pem -pubout -out " . $t->dir . '/telnyx.pub') == 0
    or die 'openssl: no Ed25519 key';
my $cb = 'http://127.0.0.1:' . $t->port('nginx') . '/otp/twilio/status';
my $voice = 'http://127.0.0.1:' . $t->port('nginx') . '/twilio/voice';
$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    HTTP_EXTRA => 'missedcall_metrics_zone zone=missedcall:1m;',
    EXTRA => "location /missedcall/admin/ {
            missedcall_admin_token_file " . $t->dir . "/admin.token;
            missedcall_admin;
        }
        location = /metrics { missedcall_metrics; }
        location = /.well-known/jwks.json { missedcall_jwks; }
        location = /otp/twilio/status {
            missedcall_gateway twilio http://127.0.0.1:%%GATEWAY_PORT%%/;
            missedcall_twilio_account $account;
            missedcall_gateway_secret_file " . $t->dir . "/twilio.token;
            missedcall_twilio_status_callback $cb;
            missedcall_twilio_callback;
        }
        location = /gateway/inbound { missedcall_http_inbound; }
        location = /sms/request/ {
            missedcall_channel sms;
            missedcall_limit sms 2/1h;
            missedcall_request;
        }
        location = /twilio/sms/request/ {
            missedcall_gateway twilio http://127.0.0.1:"
                . $t->port('gateway') . "/;
            missedcall_twilio_account $account;
            missedcall_gateway_secret_file " . $t->dir . "/twilio.token;
            missedcall_twilio_messaging_service MG" . ('0' x 32) . ";
            missedcall_channel sms;
            missedcall_request;
        }
        location = /twilio/voice {
            missedcall_gateway twilio http://127.0.0.1:%%GATEWAY_PORT%%/;
            missedcall_twilio_account $account;
            missedcall_gateway_secret_file " . $t->dir . "/twilio.token;
            missedcall_twilio_voice_url $voice;
            missedcall_twilio_voice;
        }
        location = /telnyx/webhook {
            missedcall_gateway telnyx http://127.0.0.1:%%GATEWAY_PORT%%/;
            missedcall_gateway_secret_file " . $t->dir . "/telnyx.key;
            missedcall_telnyx_connection 1494404757140276705;
            missedcall_telnyx_public_key_file " . $t->dir . "/telnyx.pub;
            missedcall_telnyx_webhook;
        }" });

my @answers;

sub answer {
    my ($name, $path, $method, $r, $status) = @_;
    is($r->{status}, $status, "$name: $status");
    push @answers, [ $name, { path => $path, method => $method,
        status => $r->{status}, body => $r->{json} } ];
}

sub form {
    my ($path, $body, $type) = @_;
    return $t->http('POST', $path, body => $body, headers => {
        'Content-Type' => $type // 'application/x-www-form-urlencoded' });
}

my $auth = { Authorization => "Bearer $admin" };
my $r = request_call($t, '+12025550143');
answer('request', '/otp/request/', 'post', $r, 202);
my $session = $r->{json}{session_id};
my $caller = last_call($t)->{json}{from};
answer('status', '/otp/status/{session_id}', 'get',
    $t->get("/otp/status/$session"), 200);
answer('verify, a wrong caller id', '/otp/verify/', 'post',
    verify_call($t, session_id => $session,
        received_caller_id => '+15559999999'), 400);
$r = verify_call($t, session_id => $session, received_caller_id => $caller);
answer('verify', '/otp/verify/', 'post', $r, 200);
answer('check', '/auth', 'get', $t->get('/check',
    headers => { Authorization => "Bearer $r->{json}{token}" }), 204);
answer('check without a token', '/auth', 'get', $t->get('/check'), 401);
answer('verify, used session', '/otp/verify/', 'post',
    verify_call($t, session_id => $session, received_caller_id => $caller),
    400);
answer('status, unknown session', '/otp/status/{session_id}', 'get',
    $t->get('/otp/status/5f0e4a1c-1d2b-4c3d-8e4f-5a6b7c8d9e0f'), 404);
answer('request, invalid_json', '/otp/request/', 'post',
    form('/otp/request/', '{', 'application/json'), 400);
answer('request, invalid_form', '/otp/request/', 'post',
    form('/otp/request/', 'phone_number=1&phone_number=2'), 400);
answer('request, missing_field', '/otp/request/', 'post',
    form('/otp/request/', 'x=1'), 400);
answer('request, invalid_field', '/otp/request/', 'post',
    form('/otp/request/', 'phone_number=' . ('1' x 257)), 400);
answer('request, invalid_phone_number', '/otp/request/', 'post',
    form('/otp/request/', 'phone_number=hello'), 400);
answer('request, body_too_large', '/otp/request/', 'post',
    form('/otp/request/', 'x=' . ('1' x 5000)), 413);
answer('request, GET', '/otp/request/', 'post', $t->get('/otp/request/'),
    405);
$t->gateway_mode('status 500');
answer('request, gateway_error', '/otp/request/', 'post',
    request_call($t, '+12025550150'), 502);
$t->gateway_mode('hang');
answer('request, gateway_timeout', '/otp/request/', 'post',
    request_call($t, '+12025550151'), 504);
$t->gateway_mode('ok');

# the failure budget: 10 wrong caller ids over 4 sessions of one phone
for my $s (1 .. 4) {
    my $id = request_call($t, '+12025550160')->{json}{session_id};
    for (1 .. 3) {
        $r = verify_call($t, session_id => $id,
            received_caller_id => '+15559999999');
        last if $r->{status} == 429;
    }
    last if $r->{status} == 429;
}
answer('verify, too_many_failures', '/otp/verify/', 'post', $r, 429);
answer('request, too_many_failures', '/otp/request/', 'post',
    request_call($t, '+12025550160'), 429);
answer('jwks', '/.well-known/jwks.json', 'get',
    $t->get('/.well-known/jwks.json'), 200);

answer('telnyx webhook, unsigned', '/telnyx/webhook', 'post',
    $t->http('POST', '/telnyx/webhook', body => '{"data": {}}',
        headers => { 'Content-Type' => 'application/json' }), 403);

answer('admin list', '/missedcall/admin/numbers', 'get',
    $t->get('/missedcall/admin/numbers', headers => $auth), 200);
answer('admin without a token', '/missedcall/admin/numbers', 'get',
    $t->get('/missedcall/admin/numbers'), 401);
answer('admin add', '/missedcall/admin/numbers', 'post',
    $t->http('POST', '/missedcall/admin/numbers', headers => $auth,
        body => '{"number": "+442079460000", "calling_codes": ["44"]}'), 201);
answer('admin disable', '/missedcall/admin/numbers/{number}/disable', 'post',
    $t->http('POST', '/missedcall/admin/numbers/+442079460000/disable',
        headers => $auth, body => '{"reason": "test"}'), 200);
answer('admin enable', '/missedcall/admin/numbers/{number}/enable', 'post',
    $t->http('POST', '/missedcall/admin/numbers/+442079460000/enable',
        headers => $auth), 200);
answer('admin remove', '/missedcall/admin/numbers/{number}', 'delete',
    $t->http('DELETE', '/missedcall/admin/numbers/+442079460000',
        headers => $auth), 200);
answer('admin, unknown number', '/missedcall/admin/numbers/{number}/enable',
    'post', $t->http('POST', '/missedcall/admin/numbers/+15550000000/enable',
        headers => $auth), 404);

$r = $t->get('/metrics');
is($r->{status}, 200, 'metrics: 200');
like($r->{content}, qr/^missedcall_requests_total\{/m, 'metrics: the text');
answer('metrics, POST', '/metrics', 'get', $t->http('POST', '/metrics'), 405);

my $body = 'CallSid=CA' . ('ab' x 16) . '&CallStatus=completed';
answer('twilio callback', '/otp/twilio/status', 'post',
    $t->http('POST', '/otp/twilio/status', body => $body, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded',
        'X-Twilio-Signature' => hmac_sha1_base64("${cb}CallSid"
            . ('CA' . 'ab' x 16) . 'CallStatuscompleted', $token) . '=' }),
    204);
answer('twilio callback, forged', '/otp/twilio/status', 'post',
    $t->http('POST', '/otp/twilio/status', body => $body, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded',
        'X-Twilio-Signature' => 'Zm9yZ2Vk' }), 403);

# the inbound channel: request, webhook, status, verify

$r = $t->post_json('/otp/request/', { phone_number => '+12025550170',
    channel => 'inbound' });
answer('request, inbound', '/otp/request/', 'post', $r, 202);
my $in = $r->{json}{session_id};
my $dial = $r->{json}{dial} // '';
answer('request, invalid_channel', '/otp/request/', 'post',
    $t->post_json('/otp/request/', { phone_number => '+12025550171',
        channel => 'fax' }), 400);
answer('verify, call_not_received', '/otp/verify/', 'post',
    verify_call($t, session_id => $in), 409);
my $call = "From=%2B12025550170&To=" . ($dial =~ s/\+/%2B/r);
answer('twilio voice', '/twilio/voice', 'post',
    $t->http('POST', '/twilio/voice', body => $call, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded',
        'X-Twilio-Signature' => hmac_sha1_base64("${voice}From+12025550170"
            . "To$dial", $token) . '=' }), 200);
answer('twilio voice, unsigned', '/twilio/voice', 'post',
    $t->http('POST', '/twilio/voice', body => $call, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded' }), 403);
my $event = encode_json({ event => 'call.inbound', from => '+12025550172',
    to => '+15550100001', timestamp => time });
answer('http gateway inbound', '/gateway/inbound', 'post',
    $t->http('POST', '/gateway/inbound', body => $event, headers => {
        'Content-Type' => 'application/json',
        'X-Missedcall-Signature' => 'sha256='
            . hmac_sha256_hex($event, 'gw-secret-token-1234') }), 200);
answer('http gateway inbound, unsigned', '/gateway/inbound', 'post',
    $t->http('POST', '/gateway/inbound', body => $event, headers => {
        'Content-Type' => 'application/json' }), 403);
answer('status, proven', '/otp/status/{session_id}', 'get',
    $t->get("/otp/status/$in"), 200);
answer('verify, inbound', '/otp/verify/', 'post',
    verify_call($t, session_id => $in), 200);

# the SMS channel: request, status, verify; Twilio's messaging errors

$r = $t->post_json('/sms/request/', { phone_number => '+12025550180' });
answer('request, sms', '/otp/request/', 'post', $r, 202);
my $sms = $r->{json}{session_id};
my ($code) = (last_call($t)->{json}{text} // '') =~ /(\d{6})/;
answer('status, sms', '/otp/status/{session_id}', 'get',
    $t->get("/otp/status/$sms"), 200);
answer('verify, invalid_code', '/otp/verify/', 'post',
    verify_call($t, session_id => $sms, code => 'abc'), 400);
answer('verify, code_mismatch', '/otp/verify/', 'post',
    verify_call($t, session_id => $sms,
        code => sprintf('%06d', ($code + 1) % 1000000)), 400);
answer('verify, sms', '/otp/verify/', 'post',
    verify_call($t, session_id => $sms, code => "$code"), 200);
$t->post_json('/sms/request/', { phone_number => '+12025550181' });
answer('request, limit_sms', '/otp/request/', 'post',
    $t->post_json('/sms/request/', { phone_number => '+12025550182' }), 429);
for my $case ([ 21610, 422 ], [ 21408, 403 ], [ 30007, 502 ]) {
    $t->gateway_mode("twilio $case->[0]");
    answer("request, sms, Twilio $case->[0]", '/otp/request/', 'post',
        $t->post_json('/twilio/sms/request/',
            { phone_number => '+12025550183' }), $case->[1]);
}
$t->gateway_mode('ok');

$t->stop_redis();
answer('request, Redis down', '/otp/request/', 'post',
    request_call($t, '+12025550152'), 503);
answer('verify, Redis down', '/otp/verify/', 'post',
    verify_call($t, session_id => $session, received_caller_id => $caller),
    503);

# all validated at once

my $pid = open2(my $from, my $to, '/usr/bin/python3',
    "$root/t/lib/openapi_check.py", $spec);
print $to encode_json([ map { $_->[1] } @answers ]);
close $to;
my @verdicts = <$from>;
waitpid($pid, 0);
is($?, 0, 'the validator ran');
is(scalar @verdicts, scalar @answers, 'a verdict for each answer');
for my $i (0 .. $#answers) {
    chomp(my $v = $verdicts[$i] // 'no verdict');
    is($v, 'ok', "$answers[$i][0] matches the spec");
}

my %endpoints = map { $_->[1]{path} => 1 } @answers;
my @paths = $text =~ m{^  (/\S+):$}mg;
is(scalar keys %endpoints, scalar @paths,
    'answers of all ' . scalar(@paths) . ' paths were validated');

done_testing();
