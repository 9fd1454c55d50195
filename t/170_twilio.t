#!/usr/bin/perl

# The Twilio gateway against a fake Twilio that checks each request as
# Twilio would: the wire format, error codes mapped for client and
# operator, no session after a failed call, secrets never logged, and the
# account's call rate held through Redis.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use MIME::Base64 qw(encode_base64);
use Test::More;
use Time::HiRes qw(time);
use MissedCall::Flow;
use MissedCall::Node qw(node_tools);

my $account = 'AC' . ('0123456789abcdef' x 2);
my $token = 'twilio-auth-token-5f1d2c';
my $key = 'SK' . ('fedcba9876543210' x 2);
my $key_secret = 'api-key-secret-9e8d7c';
my $other = 'AC' . ('1' x 32);

my $t = stack(no_nginx => 1, twilio => [ "$account:$token",
    "$key:$key_secret", "$other:$token" ]);
$t->write_file('twilio.token', "$token\n");
$t->write_file('twilio.key', "$key_secret\n");

# the test configuration, its gateway swapped for Twilio; a location of
# its own for the rate, on another account so that it throttles alone
sub conf {
    my (%o) = @_;
    (my $c = $t->nginx_conf('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
        GATEWAY_TIMEOUT => '1s', LOG_LEVEL => 'debug' }))
        =~ s{missedcall_gateway http \S+;\s+missedcall_gateway_secret_file \S+;}{
        missedcall_gateway twilio http://127.0.0.1:%%GATEWAY_PORT%%/;
        missedcall_twilio_account $account;
        $o{auth}
        missedcall_gateway_rate 100r/s;
        missedcall_ring_time @{[ $o{ring} // '7s' ]};
        @{[ $o{extra} // '' ]}

        location = /cps/request/ {
            missedcall_twilio_account $other;
            missedcall_gateway_rate 2r/s;
            missedcall_gateway_max_delay 1s;
            missedcall_request;
        }
        };
    return $c;
}

$t->start_nginx(conf(auth =>
    "missedcall_gateway_secret_file %%DIR%%/twilio.token;"));

# a call placed as Twilio documents it

my $r = request_call($t, '+1 202 555 0143');
is($r->{status}, 202, 'call placed through Twilio');
my $call = last_call($t);
is_deeply($call->{problems}, [], 'the fake Twilio found nothing wrong')
    or diag explain $call;
is($call->{path}, "/2010-04-01/Accounts/$account/Calls.json", 'path');
is($call->{headers}{authorization},
    'Basic ' . encode_base64("$account:$token", ''), 'Basic auth');
like($call->{headers}{'content-type'}, qr{^application/x-www-form-urlencoded},
    'form encoded');
like($call->{body}, qr/(^|&)To=%2B12025550143(&|$)/, '"+" sent as %2B');
is($call->{form}{To}, '+12025550143', 'To');
ok((grep { $_ eq $call->{form}{From} } @MissedCall::Flow::POOL), 'From');
is($call->{form}{Timeout}, 7, 'ring Timeout from missedcall_ring_time');
is($call->{form}{Twiml}, '<Response><Hangup/></Response>',
    'hangs up if answered');
like($t->session("{missedcall}:session:$r->{json}{session_id}")
    ->{gateway_sid}, qr/^CA[0-9a-f]{32}$/, 'the call sid kept for audit');

# twilio-node, Twilio's official library, places the same call: its bytes
# must be ours (camelCase: the names its calls.create takes)
sub as_twilio_node {
    my ($ours, $what) = @_;
    my %params = map { lcfirst($_) => $ours->{form}{$_} }
        keys %{ $ours->{form} };
    $t->write_file('node_call.json', JSON::PP::encode_json({
        account => $account, token => $token, resource => 'calls',
        params => \%params,
        base => 'http://127.0.0.1:' . $t->port('gateway') }));
    my $dir = node_tools();
    my $in = $t->dir . '/node_call.json';
    my $out = `cd $dir && node twilio_create.js < $in`;
    is($?, 0, "$what: twilio-node placed the call") or diag $out;
    my $node = last_call($t);
    is($node->{body}, $ours->{body},
        "$what: the body byte for byte as twilio-node's");
    is($node->{path}, $ours->{path}, "$what: the path");
    is($ours->{headers}{$_}, $node->{headers}{$_}, "$what: $_")
        for 'authorization', 'content-type', 'accept';
    is_deeply($node->{problems}, [], "$what: twilio-node passes the fake too");
}
as_twilio_node($call, 'a call');

# Twilio's errors, mapped; never a session left behind

my @cases = (
    [ 'twilio 21211', 422, 'invalid_phone_number', undef ],
    [ 'twilio 21214', 422, 'invalid_phone_number', undef ],
    [ 'twilio 20003', 502, 'gateway_error', qr/authentication failed: check/ ],
    [ 'twilio 21210', 502, 'gateway_error', qr/caller number is not verified/ ],
    [ 'twilio 20404', 502, 'gateway_error', qr/check "missedcall_twilio_account"/ ],
    [ 'twilio 20429', 503, 'gateway_busy', qr/rate limiting the account/ ],
    [ 'twilio 30001', 502, 'gateway_error', qr/code 30001: fake error 30001/ ],
    [ 'status 500', 502, 'gateway_error', undef ],
    [ 'status 503', 502, 'gateway_error', undef ],
    [ 'garbage', 502, 'gateway_error', undef ],
    [ 'hang', 504, 'gateway_timeout', undef ],
);

for my $case (@cases) {
    my ($mode, $status, $error, $log) = @$case;
    $t->gateway_mode($mode);
    my $before = @{ $t->gateway_calls() };
    $r = request_call($t, '+12025550143');
    is($r->{status}, $status, "$mode: $status");
    is($r->{json}{error}, $error, "$mode: $error");
    is(scalar @{ $t->gateway_calls() }, $before + 1, "$mode: one call tried");
    like($t->error_log, $log, "$mode: the log tells the operator") if $log;
    is($r->{headers}{'retry-after'}, 1, "$mode: Retry-After")
        if $status == 503;
}

my @left = session_keys($t);
is(scalar @left, 1, 'only the placed call has a session');

# an API key instead of the account's token

$t->gateway_mode('ok');
$t->stop_nginx();
$t->start_nginx(conf(auth => "missedcall_twilio_api_key $key;\n"
    . "missedcall_gateway_secret_file %%DIR%%/twilio.key;"));
$r = request_call($t, '+12025550143');
is($r->{status}, 202, 'placed with an API key');
is(last_call($t)->{headers}{authorization},
    'Basic ' . encode_base64("$key:$key_secret", ''), 'API key Basic auth');
is_deeply(last_call($t)->{problems}, [], 'nothing wrong');

# the account's rate holds across workers: 2r/s, at most 1 s of waiting

my $before = @{ $t->gateway_calls() };
my @res = $t->parallel(10, sub {
    my $r = request_call($t, sprintf('+1202555%04d', $_[0]),
        path => '/cps/request/');
    return join ' ', $r->{status}, $r->{headers}{'retry-after'} // '-';
});
my $calls = $t->gateway_calls();
my @placed = @$calls[ $before .. $#$calls ];
my $ok = grep { /^202 / } @res;
note explain \@res;
is($ok, 3, 'a burst of 10 at 2r/s with 1 s of delay: 3 calls');
is(scalar @placed, 3, 'the fake Twilio received exactly 3 calls');
is(scalar(grep { /^503 [1-9]/ } @res), 7, 'the rest: 503 with Retry-After');
my @times = sort { $a <=> $b } map { $_->{time} } @placed;
ok($times[-1] - $times[0] >= 0.9, sprintf 'spread over %.2fs',
    $times[-1] - $times[0]);

# the phone rings exactly missedcall_ring_time: Twilio's ringing callback,
# signed, then the call is cancelled

$t->stop_nginx();
$t->start_nginx(conf(ring => '1s',
    auth => "missedcall_gateway_secret_file %%DIR%%/twilio.token;",
    extra => "missedcall_twilio_status_callback "
        . "http://127.0.0.1:%%NGINX_PORT%%/twilio/status;\n"
        . "location = /twilio/status { missedcall_twilio_callback; }"));

$r = request_call($t, '+12025550143');
is($r->{status}, 202, 'call placed with a status callback');
my $sid = $t->session("{missedcall}:session:$r->{json}{session_id}")
    ->{gateway_sid};
my $create = last_call($t);
is($create->{form}{StatusCallback}, 'http://127.0.0.1:' . $t->port('nginx')
    . '/twilio/status', 'StatusCallback');
is($create->{form}{StatusCallbackEvent}, 'ringing', 'on ringing');
as_twilio_node($create, 'with a status callback');

my ($cancel, $deadline) = (undef, time + 4);
while (!$cancel && time < $deadline) {
    select(undef, undef, undef, 0.1);
    ($cancel) = grep { $_->{path} =~ /\Q$sid\E/ } @{ $t->gateway_calls() };
}
ok($cancel, 'the call was cancelled');
is($cancel->{path}, "/2010-04-01/Accounts/$account/Calls/$sid.json",
    'on its own resource');
is($cancel->{form}{Status}, 'canceled', 'Status=canceled');
is_deeply($cancel->{problems}, [], 'as Twilio wants it');

open my $fh, '<', $t->dir . '/gateway/callbacks.jsonl' or die $!;
my ($callback) = map { JSON::PP::decode_json($_) } grep { /\Q$sid\E/ } <$fh>;
is($callback->{status}, 204, 'the signed callback was accepted');
my $rang = $cancel->{time} - $callback->{time};
ok($rang > 0.9 && $rang < 1.6, sprintf 'rang %.2fs for a ring time of 1s',
    $rang);

# a callback not signed by Twilio is refused and cancels nothing

my $forged = $t->http('POST', '/twilio/status',
    body => 'CallSid=CA' . ('a' x 32) . '&CallStatus=ringing',
    headers => { 'Content-Type' => 'application/x-www-form-urlencoded',
        'X-Twilio-Signature' => 'bm90IGEgc2lnbmF0dXJl' });
is($forged->{status}, 403, 'forged callback: 403');
is($forged->{json}{error}, 'invalid_signature', 'invalid_signature');
$forged = $t->http('POST', '/twilio/status', body => 'CallStatus=ringing',
    headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($forged->{status}, 403, 'unsigned callback: 403');
select(undef, undef, undef, 1.3);
ok(!(grep { $_->{path} =~ /CA a{32}/x } @{ $t->gateway_calls() }),
    'nothing cancelled for them');

# secrets never reach the log, even at debug level, nor a response

$t->stop_nginx();
my $log = $t->error_log;
like($log, qr/\[debug\]/, 'the log was at debug level');
for my $secret ($token, $key_secret, encode_base64("$account:$token", ''),
    encode_base64("$key:$key_secret", ''))
{
    ok(index($log, $secret) < 0, 'no secret in the debug log');
}

# an inline secret works, and nginx -t says where it should be

my ($rc, $out) = $t->nginx_test(conf(auth => "missedcall_gateway_secret $token;"));
is($rc, 0, 'an inline secret is accepted');
like($out, qr/\[warn\] "missedcall_gateway_secret" keeps a secret in the configuration/,
    'with a warning');

($rc, $out) = $t->nginx_test(conf(auth => ''));
isnt($rc, 0, 'no secret: nginx -t fails');
like($out, qr/needs the auth token or API key secret/, 'naming what is missing');

($rc, $out) = $t->nginx_test(conf(auth => "missedcall_twilio_api_key $key;\n"
    . "missedcall_gateway_secret_file %%DIR%%/twilio.key;",
    extra => "location = /cb { missedcall_twilio_status_callback http://x/cb;"
        . " missedcall_twilio_callback; }"));
like($out, qr/cannot go with "missedcall_twilio_api_key"/,
    'a callback needs the auth token, not an API key');

($rc, $out) = $t->nginx_test(conf(auth =>
    "missedcall_gateway_secret_file %%DIR%%/twilio.token;")
    =~ s/missedcall_twilio_account \Q$account\E;/missedcall_twilio_account ACxyz;/r);
isnt($rc, 0, 'a malformed Account SID: nginx -t fails');
like($out, qr/"missedcall_twilio_account" with an Account SID/, 'named');

done_testing();
