#!/usr/bin/perl

# The SMS channel: a code sent through Twilio's Messages resource (checked
# by the fake Twilio, and byte for byte against what twilio-node sends) or
# the custom HTTP gateway, proven by verify's "code".  A code right, wrong,
# expired, reused, its attempts exhausted; the phone's failure budget
# shared with calls and what it buys; the fallback after a failed call and
# in place of a call not received; the SMS budget apart from the call
# budgets; Twilio's messaging errors mapped; the channel in status,
# events, metrics and $missedcall_channel; the code never logged.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Digest::SHA qw(sha1_hex);
use JSON::PP qw(encode_json decode_json);
use Test::More;
use Time::HiRes qw(sleep);
use MissedCall::Flow;
use MissedCall::Node qw(node_tools);

my $account = 'AC' . ('0123456789abcdef' x 2);
my $token = 'twilio-auth-token-5f1d2c';
my $service = 'MG' . ('0a1b2c3d4e5f6789' x 2);
my $hash = 'FA+9qCX9VSu';

my $t = stack(no_nginx => 1, twilio => [ "$account:$token" ]);
$t->write_file('twilio.token', "$token\n");
$t->start_gateway(name => 'gateway2');

sub conf {
    my (%o) = @_;
    return channel_conf($t, $account, qq{
        @{[ $o{extra} // '' ]}

        location = /sms/request/ {
            missedcall_channel sms;
            missedcall_twilio_messaging_service $service;
            missedcall_sms_code_length 8;
            missedcall_sms_template "Your code: {code}";
            missedcall_sms_app_hash $hash;
            missedcall_request;
        }

        location = /short/request/ {
            missedcall_session_ttl 1s;
            missedcall_request;
        }

        location = /fb/request/ {
            missedcall_fallback sms;
            missedcall_resend 30s;
            missedcall_twilio_messaging_service $service;
            missedcall_request;
        }

        location = /budget/request/ {
            missedcall_limit sms 2/1h;
            missedcall_limit global 1/1h;
            missedcall_request;
        }

        location = /http/request/ {
            missedcall_gateway http http://127.0.0.1:%%GATEWAY2_PORT%%/sms;
            missedcall_gateway_secret_file %%DIR%%/gateway.token;
            missedcall_channel sms;
            missedcall_request;
        }

        location = /metrics {
            missedcall_metrics;
        }
        });
}

$t->start_nginx(conf());

my %codes;    # every code sent, to look for in the log

sub messages {
    my ($name) = @_;
    return grep { $_->{path} =~ m{/Messages\.json$} || $name }
        @{ $t->gateway_calls($name) };
}

sub last_message {
    my @m = messages(@_);
    return $m[-1];
}

sub code_of {
    my ($m) = @_;
    my $text = $m->{form} ? $m->{form}{Body} : $m->{json}{text};
    my ($code) = ($text // '') =~ /(\d{6,10})/;
    $codes{$code} = 1 if defined $code;
    return $code;
}

sub sms {
    my ($phone, %o) = @_;
    my $path = delete $o{path} // '/otp/request/';
    return $t->post_json($path, { phone_number => $phone, channel => 'sms',
        %o });
}

sub verify {
    my ($id, $code) = @_;
    # a string, even once Perl has used it as a number
    return $t->post_json('/otp/verify/', { session_id => $id,
        code => "$code" });
}

sub error_is {
    my ($r, $status, $code, $name) = @_;
    is($r->{status}, $status, "$name: $status");
    is(ref $r->{json} && $r->{json}{error}, $code, "$name: $code");
}

sub calls { scalar grep { $_->{path} =~ m{/Calls\.json$} }
    @{ $t->gateway_calls() } }

# a code sent: From a pool number, the default template

my $phone = '+12025550143';
my $calls = calls();
my $r = sms($phone);
is($r->{status}, 202, 'an SMS request: 202');
is($r->{json}{channel}, 'sms', 'the answer names the channel');
is($r->{json}{digits}, 6, 'a code of 6 digits');
ok(!exists $r->{json}{fallback}, 'no fallback');
my $id = $r->{json}{session_id};
my $m = last_message();
is_deeply($m->{problems}, [], 'the fake Twilio found nothing wrong')
    or diag explain $m;
is($m->{path}, "/2010-04-01/Accounts/$account/Messages.json", 'path');
is($m->{form}{To}, $phone, 'To');
ok((grep { $_ eq $m->{form}{From} } @MissedCall::Flow::POOL),
    'From a pool number');
like($m->{form}{Body}, qr/^Your verification code is \d{6}\z/,
    'the default template');
my $code = code_of($m);
is(calls(), $calls, 'no call placed');

my $key = "{missedcall}:session:$id";
my %h = %{ $t->session($key) };
is($h{channel}, 'sms', 'the session is an SMS one');
is($h{secret}, sha1_hex($h{salt} . $code), 'it holds sha1(salt . code)');
ok(!(grep { /(?<!\d)$code(?!\d)/ } values %h), 'never the code');
like($h{gateway_sid}, qr/^SM[0-9a-f]{32}$/, 'the message sid kept');
my $st = $t->get("/otp/status/$id")->{json};
is_deeply([ @$st{qw(status channel)} ], [ 'pending', 'sms' ],
    'status: pending, sms');

# right, then reused

$r = verify($id, $code);
is($r->{status}, 200, 'the right code: 200');
ok($r->{json}{verified} && length $r->{json}{token}, 'a token');
is($r->{json}{phone_number}, $phone, 'for the phone');
error_is(verify($id, $code), 400, 'invalid_session', 'the code reused');
my @events = map { { @{ $_->[1] } } }
    @{ $t->redis('XRANGE', '{missedcall}:events', '-', '+') };
ok((grep { $_->{event} eq 'sms_sent' && $_->{channel} eq 'sms'
    && $_->{session_id} eq $id } @events), 'an sms_sent event');
ok((grep { $_->{event} eq 'verified' && $_->{channel} eq 'sms' } @events),
    'a verified event, channel sms');

# wrong codes: attempts counted as wrong caller ids are

$r = sms('+12025550144');
$id = $r->{json}{session_id};
$code = code_of(last_message());
my $wrong = sprintf '%06d', ($code + 1) % 1000000;
$r = verify($id, $wrong);
error_is($r, 400, 'code_mismatch', 'a wrong code');
is($r->{json}{attempts_left}, 2, 'attempts left: 2');
error_is(verify($id, '12ab56'), 400, 'invalid_code', 'not digits');
error_is(verify($id, '12345'), 400, 'invalid_code', '5 digits');
error_is($t->post_json('/otp/verify/', { phone_number => '+12025550144',
    code => "$code" }), 400, 'missing_field', 'a code without session id');
is(verify($id, $code)->{status}, 200, 'then the right code: 200');

$r = sms('+12025550145');
$id = $r->{json}{session_id};
$code = code_of(last_message());
$wrong = sprintf '%06d', ($code + 7) % 1000000;
verify($id, $wrong) for 1 .. 2;
$r = verify($id, $wrong);
error_is($r, 400, 'code_mismatch', 'the third wrong code');
is($r->{json}{attempts_left}, 0, 'no attempts left');
like($r->{json}{message}, qr/request a new code/, 'ask for a new code');
error_is(verify($id, $code), 400, 'invalid_session',
    'attempts exhausted: the right code is refused');

# expired

$r = sms('+12025550146', path => '/short/request/');
$id = $r->{json}{session_id};
$code = code_of(last_message());
sleep 1.3;
error_is(verify($id, $code), 400, 'invalid_session', 'an expired code');

# a Messaging Service, 8 digits, a template and the SMS Retriever hash,
# and the bytes twilio-node sends for the same message

$r = $t->post_json('/sms/request/', { phone_number => '+447700900123' });
is($r->{status}, 202, 'missedcall_channel sms: 202 without "channel"');
is($r->{json}{digits}, 8, '8 digits');
$m = last_message();
is_deeply($m->{problems}, [], 'with a Messaging Service: nothing wrong');
is($m->{form}{MessagingServiceSid}, $service, 'MessagingServiceSid');
ok(!exists $m->{form}{From}, 'no From');
like($m->{form}{Body}, qr/^Your code: \d{8}\n\Q$hash\E\z/,
    'the template, the app hash on a last line');
like($m->{body}, qr/Body=Your%20code%3A%20\d{8}%0AFA%2B9qCX9VSu$/,
    'space %20, newline %0A, "+" %2B');
$id = $r->{json}{session_id};
$code = code_of($m);
is(verify($id, $code)->{status}, 200, 'its code verifies');

my $dir = node_tools();
my $base = 'http://127.0.0.1:' . $t->port('gateway');
my @ours = ($m, (grep { $_->{form}{From} } messages())[0]);
for my $ours (@ours) {
    my %msg = (account => $account, token => $token, base => $base,
        resource => 'messages', params => { to => $ours->{form}{To},
        body => $ours->{form}{Body},
        $ours->{form}{From} ? (from => $ours->{form}{From})
            : (messagingServiceSid => $ours->{form}{MessagingServiceSid}) });
    my $in = $t->dir . '/node_msg.json';
    $t->write_file('node_msg.json', encode_json(\%msg));
    my $out = `cd $dir && node twilio_create.js < $in`;
    is($?, 0, 'twilio-node sent the message') or diag $out;
    my $node = last_message();
    my $what = $ours->{form}{From} ? 'From' : 'MessagingServiceSid';
    is($node->{body}, $ours->{body},
        "with $what: the body byte for byte as twilio-node's");
    is($node->{path}, $ours->{path}, "with $what: the path");
    for my $h ('authorization', 'content-type', 'accept') {
        is($ours->{headers}{$h}, $node->{headers}{$h}, "with $what: $h");
    }
    is_deeply($node->{problems}, [], 'twilio-node passes the fake too');
}

# Twilio's messaging errors, mapped; never a session left behind

my @keys = session_keys($t);
for my $case ([ 21610, 422, 'sms_unsubscribed', qr/START/, undef ],
    [ 21408, 403, 'country_not_allowed', qr/country/,
      qr/Messaging geographic permissions/ ],
    [ 30007, 502, 'sms_filtered', qr/carrier/, qr/carrier filtering/ ],
    [ 20429, 503, 'gateway_busy', qr/try again/, undef ],
    [ 99123, 502, 'gateway_error', qr/could not be sent/, undef ])
{
    my ($tw, $status, $error, $msg, $log) = @$case;
    $t->gateway_mode("twilio $tw");
    $r = sms('+12025550150');
    error_is($r, $status, $error, "Twilio $tw");
    like($r->{json}{message}, $msg, "Twilio $tw: a clear message");
    is($r->{headers}{'retry-after'}, 1, "Twilio $tw: Retry-After")
        if $status == 503;
    like($t->error_log, $log, "Twilio $tw: the operator is told") if $log;
}
$t->gateway_mode('ok');
my @after = session_keys($t);
is(scalar @after, scalar @keys, 'no session left by a failure');

# the fallback after a failed call: the same answer gets a code instead

$t->gateway_mode(join "\n", map { "twilio 30001 from=$_" }
    @MissedCall::Flow::POOL);
$calls = calls();
my $msgs = () = messages();
$r = request_call($t, '+12025550151', path => '/fb/request/');
is($r->{status}, 202, 'a failed call, missedcall_fallback sms: 202');
is_deeply([ @{ $r->{json} }{qw(channel fallback)} ], [ 'sms', 'call_failed' ],
    'channel sms, fallback call_failed');
is(calls(), $calls + 1, 'the call was tried');
is(scalar(() = messages()), $msgs + 1, 'then the message sent');
$code = code_of(last_message());
is(verify($r->{json}{session_id}, $code)->{status}, 200,
    'the fallback code verifies');
$r = request_call($t, '+12025550152');
error_is($r, 502, 'gateway_error', 'without the fallback: the error');
$t->gateway_mode('ok');

# a call not received: the app asks for a code in its place

my $np = '+12025550153';
$r = request_call($t, $np, path => '/fb/request/');
is($r->{status}, 202, 'a call placed');
my $call_id = $r->{json}{session_id};
my $caller = last_call($t)->{form}{From};
error_is(sms($np, path => '/fb/request/'), 429, 'resend_too_soon',
    'an SMS right after the call: the resend rule holds');
error_is(sms($np, path => '/fb/request/', session_id => '0' x 36), 400,
    'invalid_session', 'not received, a malformed session id');
error_is(sms('+12025550154', path => '/fb/request/', session_id => $call_id),
    400, 'invalid_session', 'not received, another phone');
error_is(sms($np, session_id => $call_id), 400, 'invalid_channel',
    'not received where there is no fallback');
$r = sms($np, path => '/fb/request/', session_id => $call_id);
is($r->{status}, 202, 'not received: 202');
is_deeply([ @{ $r->{json} }{qw(channel fallback)} ],
    [ 'sms', 'call_not_received' ], 'channel sms, call_not_received');
error_is($t->post_json('/otp/verify/', { session_id => $call_id,
    received_caller_id => $caller }), 400, 'invalid_session',
    'the call session verifies nothing any more');
is(verify($r->{json}{session_id}, code_of(last_message()))->{status}, 200,
    'the code verifies');
error_is(sms($np, path => '/fb/request/', session_id => $call_id), 400,
    'invalid_session', 'not received twice');

# the SMS budget: its own, apart from the call budgets

$r = sms('+12025550160', path => '/budget/request/');
is($r->{status}, 202, 'SMS 1 of 2');
is(sms('+12025550161', path => '/budget/request/')->{status}, 202,
    'SMS 2 of 2');
error_is(sms('+12025550162', path => '/budget/request/'), 429, 'limit_sms',
    'the third SMS');
is(request_call($t, '+12025550163', path => '/budget/request/')->{status},
    202, 'a call still placed: SMS do not spend the global call budget');
error_is(request_call($t, '+12025550164', path => '/budget/request/'), 429,
    'limit_global', 'the second call');
is(sms('+12025550165', path => '/budget/request/')->{status}, 429,
    'calls do not refill the SMS budget');

# the phone's failure budget (10 a day) is shared with calls, and holds a
# guesser to 10 codes in 10^6: a wrong caller id, then 9 wrong codes

my $gp = '+12025550170';
$r = request_call($t, $gp);
error_is(verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => '+19999999999'), 400, 'caller_id_mismatch',
    'a wrong caller id');
$r = sms($gp);
my $spare = [ $r->{json}{session_id}, code_of(last_message()) ];
my ($left, $last) = (9, undef);
while ($left > 0) {
    $r = sms($gp);
    is($r->{status}, 202, "a new SMS session ($left guesses left)");
    $id = $r->{json}{session_id};
    $code = code_of(last_message());
    for (1 .. 3) {
        $last = verify($id, sprintf '%06d', ($code + 1) % 1000000);
        last if --$left == 0;
    }
}
error_is($last, 429, 'too_many_failures', 'the 10th wrong guess locks');
error_is(sms($gp), 429, 'too_many_failures', 'no 11th code is sent');
error_is(verify(@$spare), 429, 'too_many_failures',
    'nor is any code compared, even the right one of an open session');

# the channel in metrics and $missedcall_channel

my $page = $t->get('/metrics')->{content};
like($page, qr/^missedcall_sessions_total\{channel="sms"\} [1-9]/m,
    'metrics: SMS sessions opened');
like($page, qr/^missedcall_verified_total\{channel="sms"\} [1-9]/m,
    'metrics: SMS sessions verified');
open my $fh, '<', $t->dir . '/chan.log' or die $!;
my @lines = <$fh>;
ok((grep { m{^/otp/request/ 202 ch=sms$} } @lines), '$missedcall_channel: '
    . 'sms on request');
ok((grep { m{^/otp/verify/ 200 ch=sms$} } @lines),
    '$missedcall_channel: sms on verify');

# the custom HTTP gateway: JSON with the rendered text

$r = sms('+12025550180', path => '/http/request/');
is($r->{status}, 202, 'through the HTTP gateway: 202');
$m = last_message('gateway2');
is($m->{path}, '/sms', 'to its URL');
is($m->{headers}{authorization}, 'Bearer gw-secret-token-1234',
    'with its bearer token');
is_deeply([ @{ $m->{json} }{qw(channel to)} ], [ 'sms', '+12025550180' ],
    'channel sms, to');
like($m->{json}{message_id}, qr/^[0-9a-f-]{36}$/, 'a message id');
is(verify($r->{json}{session_id}, code_of($m))->{status}, 200,
    'its code verifies');
$t->gateway_mode('status 422', 'gateway2');
error_is(sms('+12025550181', path => '/http/request/'), 422,
    'invalid_phone_number', 'HTTP gateway 422');

# no code in the log, even at debug level

$t->stop_nginx();
my $log = $t->error_log;
like($log, qr/\[debug\]/, 'the log was at debug level');
ok(scalar(keys %codes) >= 10, scalar(keys %codes) . ' codes sent');
my @seen = grep { $log =~ /(?<!\d)$_(?!\d)/ } keys %codes;
is_deeply(\@seen, [], 'no code in the log');

# nginx -t: what cannot work is refused, naming the directive

my ($rc, $out) = $t->nginx_test(conf(extra =>
    "location = /t/ { missedcall_gateway telnyx; "
    . "missedcall_telnyx_connection 1; missedcall_channel sms; "
    . "missedcall_request; }"));
like($out, qr/"missedcall_channel sms" needs a first gateway that sends text messages/,
    'Telnyx and sms: refused');
for my $case ([ 'missedcall_sms_template "no code";',
        qr/"missedcall_sms_template" needs "\{code\}"/ ],
    [ 'missedcall_sms_app_hash short;', qr/"missedcall_sms_app_hash" "short"/ ],
    [ 'missedcall_sms_code_length 5;', qr/missedcall_sms_code_length/ ],
    [ 'missedcall_twilio_messaging_service MGxyz;',
        qr/"missedcall_twilio_messaging_service" needs a Messaging Service SID/ ],
    [ 'missedcall_fallback maybe;', qr/missedcall_fallback/ ],
    [ 'missedcall_limit sms 0/1h;', qr/missedcall_limit/ ])
{
    ($rc, $out) = $t->nginx_test(conf(extra => $case->[0]));
    isnt($rc, 0, "$case->[0] refused");
    like($out, $case->[1], "$case->[0]: named");
}

done_testing();
