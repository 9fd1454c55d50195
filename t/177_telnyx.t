#!/usr/bin/perl

# The Telnyx gateway against a fake Telnyx that checks each request as
# Telnyx would, and against Telnyx's own Node library: the request the
# module sends is the one the library sends, the webhooks the module
# accepts are exactly those the library's verification accepts (Ed25519
# over "timestamp|body" with a key pair made here), errors are mapped for
# client and operator, and the call is hung up after the ring time.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use JSON::PP;
use MIME::Base64 qw(encode_base64 decode_base64);
use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Flow;

my $root = "$FindBin::Bin/..";
my $sdk = "$root/t/node-telnyx";

# the library, pinned by its package-lock.json
unless (-d "$sdk/node_modules/telnyx") {
    system("cd $sdk && npm ci --no-audit --no-fund >/dev/null 2>&1");
}
ok(-f "$sdk/node_modules/telnyx/package.json", "Telnyx's library is there")
    or BAIL_OUT('npm ci in t/node-telnyx failed');

my $api_key = 'KEY0123456789ABCDEF_secret-telnyx';
my $connection = '1494404757140276705';

my $t = stack(no_nginx => 1);
my $dir = $t->dir;

# Telnyx's signing key, and its public half as the portal shows it
system("openssl genpkey -algorithm ed25519 -out $dir/signer.pem") == 0
    or die 'openssl genpkey';
my $public = `openssl pkey -in $dir/signer.pem -pubout -outform DER`;
my $public_b64 = encode_base64(substr($public, -32), '');
$t->write_file('telnyx.pub', "$public_b64\n");
$t->write_file('telnyx.key', "$api_key\n");

my $hook = 'http://127.0.0.1:' . $t->port('nginx') . '/telnyx/webhook';
my $fake = $t->start_gateway(name => 'telnyx', telnyx => [ $api_key ],
    telnyx_webhook => $hook, telnyx_signer => "$dir/signer.pem");

(my $conf = $t->nginx_conf('conf/test.conf', {
    %MissedCall::Flow::DEFAULTS, GATEWAY_TIMEOUT => '1s',
    LOG_LEVEL => 'debug' }))
    =~ s{missedcall_gateway http \S+;\s+missedcall_gateway_secret_file \S+;}{
        missedcall_gateway telnyx http://127.0.0.1:$fake;
        missedcall_gateway_secret_file $dir/telnyx.key;
        missedcall_telnyx_connection $connection;
        missedcall_telnyx_public_key_file $dir/telnyx.pub;
        missedcall_ring_time 1s;

        location = /telnyx/webhook {
            missedcall_telnyx_webhook;
        }
    };
$t->start_nginx($conf);

# a call placed as Telnyx documents it

my $r = request_call($t, '+1 202 555 0143');
is($r->{status}, 202, 'call placed through Telnyx');

my @calls = grep { $_->{path} eq '/v2/calls' } @{ $t->gateway_calls('telnyx') };
is(scalar @calls, 1, 'one POST /v2/calls');
my $call = $calls[0];
is_deeply($call->{problems}, [], 'the fake Telnyx found nothing wrong');
is($call->{json}{connection_id}, $connection, 'connection_id');
is($call->{json}{to}, '+12025550143', 'to');
like($call->{json}{from}, qr/^\+1555010000\d$/, 'from, a pool number');
is($call->{json}{timeout_secs}, 1, 'timeout_secs: the ring time');
is($call->{headers}{authorization}, "Bearer $api_key", 'the key, bearer');

# the session keeps Telnyx's call_control_id and the gateway's name
my ($session) = session_keys($t);
my %h = %{ $t->session($session) };
like($h{gateway_sid}, qr/^v3:[\w-]{40}$/, 'call_control_id in the session');
is($h{gateway}, 'telnyx', 'and the gateway that placed the call');

# its webhook, signed by Telnyx: accepted; the call hung up a second later
my $until = time + 5;
my ($hangup, $hooks);
while (time < $until) {
    $hooks = $t->gateway_calls('telnyx', 'webhooks.jsonl');
    ($hangup) = grep { $_->{path} =~ m{/actions/hangup$} }
        @{ $t->gateway_calls('telnyx') };
    last if $hangup;
    sleep 0.1;
}
is(scalar @$hooks, 1, 'Telnyx sent call.initiated');
is($hooks->[0]{status}, 200, 'the signed webhook was accepted');
ok($hangup, 'the call was hung up');
is($hangup && $hangup->{path}, "/v2/calls/$h{gateway_sid}/actions/hangup",
    'through its call_control_id');
is_deeply($hangup && $hangup->{problems}, [], 'a hangup Telnyx accepts');
my $rang = $hangup ? $hangup->{time} - $call->{time} : 0;
ok($rang >= 0.9 && $rang < 2.5, sprintf 'after the ring time (%.2fs)', $rang);

# the library's own requests, to the same fake: the same bytes that matter

sub sdk {
    my (@args) = @_;
    my $out = `node $sdk/telnyx.js @{[ map { "'$_'" } @args ]} 2>&1`;
    chomp $out;
    return $out;
}

my $before = @{ $t->gateway_calls('telnyx') };
is(sdk('dial', "http://127.0.0.1:$fake/v2", $api_key,
    encode_json({ connection_id => $connection, to => $call->{json}{to},
        from => $call->{json}{from}, timeout_secs => 1 })), 'ok',
    'the library dials the fake');
is(sdk('hangup', "http://127.0.0.1:$fake/v2", $api_key, $h{gateway_sid}),
    'ok', 'and hangs up');
my @sdk = @{ $t->gateway_calls('telnyx') }[$before .. $before + 1];

for my $pair ([ 'dial', $call, $sdk[0] ], [ 'hangup', $hangup, $sdk[1] ]) {
    my ($what, $ours, $theirs) = @$pair;
    is($ours->{method}, $theirs->{method}, "$what: the library's method");
    is($ours->{path}, $theirs->{path}, "$what: its path");
    for my $header (qw(authorization content-type accept)) {
        is($ours->{headers}{$header}, $theirs->{headers}{$header},
            "$what: its $header");
    }
    is_deeply($ours->{json}, $theirs->{json}, "$what: its JSON body");
}

# webhooks: what the library's verification accepts, and only that

sub sign {
    my ($ts, $body) = @_;
    $t->write_file('signed', "$ts|$body");
    my $sig = `openssl pkeyutl -sign -inkey $dir/signer.pem -rawin \\
        -in $dir/signed`;
    return encode_base64($sig, '');
}

sub webhook {
    my ($body, %h) = @_;
    return $t->http('POST', '/telnyx/webhook', body => $body,
        headers => { 'Content-Type' => 'application/json', %h })->{status};
}

sub library {
    my ($ts, $sig, $body) = @_;
    $t->write_file('hook.json', $body);
    return sdk('verify', $public_b64, $ts, $sig, "$dir/hook.json") eq 'ok'
        ? 200 : 403;
}

my $body = encode_json({ data => { event_type => 'call.hangup',
    payload => { call_control_id => 'v3:none' } } });
my $now = time;
my $ts = int $now;
my $sig = sign($ts, $body);
my $stale = $ts - 400;
my $stale_sig = sign($stale, $body);
(my $forged = $sig) =~ s/^(.)/$1 eq 'A' ? 'B' : 'A'/e;

my @cases = (
    [ 'signed by Telnyx', $ts, $sig, $body, 200 ],
    [ 'forged signature', $ts, $forged, $body, 403 ],
    [ 'another body', $ts, $sig, $body . ' ', 403 ],
    [ 'another timestamp', $ts + 1, $sig, $body, 403 ],
    [ 'stale', $stale, $stale_sig, $body, 403 ],
);
for my $c (@cases) {
    my ($name, $cts, $csig, $cbody, $want) = @$c;
    is(library($cts, $csig, $cbody), $want, "library: $name: $want");
    is(webhook($cbody, 'telnyx-timestamp' => $cts,
            'telnyx-signature-ed25519' => $csig), $want,
        "module: $name: $want");
}
is(webhook($body), 403, 'unsigned: 403');
is(webhook($body, 'telnyx-timestamp' => $ts), 403, 'no signature: 403');

# one hangup a call: a repeated call.initiated changes nothing, and
# call.answered brings the hangup forward instead of sending a second
sub event_hook {
    my ($type, $id) = @_;
    my $b = encode_json({ data => { event_type => $type,
        payload => { call_control_id => $id } } });
    my $now = int time;
    return webhook($b, 'telnyx-timestamp' => $now,
        'telnyx-signature-ed25519' => sign($now, $b));
}
sub hangups_of {
    my ($id) = @_;
    return grep { $_->{path} eq "/v2/calls/$id/actions/hangup" }
        @{ $t->gateway_calls('telnyx') };
}
my $once = 'v3:' . ('o' x 40);
is(event_hook('call.initiated', $once), 200, 'call.initiated: 200');
is(event_hook('call.initiated', $once), 200, 'call.initiated again: 200');
my $answered_at = time;
is(event_hook('call.answered', $once), 200, 'call.answered: 200');
my @once;
for (1 .. 30) {
    @once = hangups_of($once);
    last if @once;
    sleep 0.05;
}
ok(@once && $once[0]{time} - $answered_at < 0.8,
    'answered: hung up at once, not after the ring time');
sleep 1.5;
is(scalar(() = hangups_of($once)), 1,
    'one hangup for the call, whatever the webhooks repeated');

# errors, mapped as Twilio's are; no session stays behind

my %cases = (
    10002 => [ 422, 'invalid_phone_number' ],
    10016 => [ 422, 'invalid_phone_number' ],
    10009 => [ 502, 'gateway_error' ],
    10011 => [ 503, 'gateway_busy' ],
    10007 => [ 502, 'gateway_error' ],
);
for my $code (sort keys %cases) {
    $t->gateway_mode("telnyx $code", 'telnyx');
    $r = request_call($t, '+12025550144');
    is($r->{status}, $cases{$code}[0], "Telnyx $code: $cases{$code}[0]");
    is($r->{json}{error}, $cases{$code}[1], "Telnyx $code: $cases{$code}[1]");
    is_deeply([ grep { $_ ne $session } session_keys($t) ], [],
        "Telnyx $code: no session left");
    is($r->{headers}{'retry-after'}, 1, 'Retry-After') if $code == 10011;
}
like($t->error_log, qr/refused, HTTP 401, code 10009: .*check the API key/,
    'authentication: the operator is told to check the key');

unlike($t->error_log, qr/\Q$api_key\E/, 'the API key is never logged');

$t->stop_all;
is_deeply([ $t->sanitizer_reports ], [], 'no sanitizer report');

done_testing();
