#!/usr/bin/perl

# The signed webhook on verification: its body and HMAC, bounded retries
# that stop by themselves, and a verification that never waits for it.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Digest::SHA qw(hmac_sha256_hex);
use Test::More;
use Time::HiRes qw(sleep time);
use MissedCall::Test;
use MissedCall::Flow;

my $SECRET = 'webhook-secret-0123456789';

my $t = stack(no_nginx => 1);
$t->write_file('webhook.key', "$SECRET\n");
my $hook = 'http://127.0.0.1:' . $t->port('gateway') . '/hook';

$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LOG_LEVEL => 'debug',
    HTTP_EXTRA => 'missedcall_metrics_zone zone=missedcall:1m;',
    EXTRA => "missedcall_webhook $hook retries=2 timeout=1s;\n"
        . "        missedcall_webhook_secret_file " . $t->dir
        . "/webhook.key;\n"
        . '        location = /metrics { missedcall_metrics; }' });

sub hooks {
    return [ grep { $_->{path} eq '/hook' } @{ $t->gateway_calls } ];
}

sub wait_hooks {
    my ($n, $seconds) = @_;
    my $until = time + $seconds;
    my $h = hooks();
    while (@$h < $n && time < $until) {
        sleep 0.05;
        $h = hooks();
    }
    return $h;
}

sub verify_one {
    my ($phone) = @_;
    my $r = request_call($t, $phone);
    my $caller = last_call($t)->{json}{from};
    return ($r->{json}{session_id}, verify_call($t,
        session_id => $r->{json}{session_id}, received_caller_id => $caller));
}

# delivered, signed
my ($sid, $r) = verify_one('+12025550143');
is($r->{status}, 200, 'verified');
my $h = wait_hooks(1, 3);
is(scalar @$h, 1, 'one webhook');
my $body = $h->[0]{body};
my $json = JSON::PP::decode_json($body);
is($json->{event}, 'verified', 'event');
is($json->{session_id}, $sid, 'session id');
is($json->{phone_number}, '+12025550143', 'phone');
like($json->{token_id}, qr/^[0-9a-f-]{36}$/, 'the token id');
like($json->{event_id}, qr/^\d+-\d+$/, 'the stream entry id');
my $entry = $t->redis('XRANGE', '{missedcall}:events', $json->{event_id},
    $json->{event_id});
is($entry->[0][1][1], 'verified', 'the stream entry it names');
cmp_ok(abs($json->{timestamp} - time), '<', 5, 'a timestamp');
is($h->[0]{headers}{'x-missedcall-signature'},
    'sha256=' . hmac_sha256_hex($body, $SECRET), 'HMAC-SHA256 of the body');
is($h->[0]{headers}{'content-type'}, 'application/json', 'JSON');

# the receiver fails: 1 + 2 attempts, 1 s then 2 s apart, then given up
my $req = request_call($t, '+12025550144');
my $caller = last_call($t)->{json}{from};
$t->gateway_mode('status 500');
my $t0 = time;
$r = verify_call($t, session_id => $req->{json}{session_id},
    received_caller_id => $caller);
my $took = time - $t0;
is($r->{status}, 200, 'verified though the receiver fails');
cmp_ok($took, '<', 0.5, sprintf 'not waiting for it (%.3f s)', $took);
$h = wait_hooks(4, 5);
is(scalar @$h, 4, '3 attempts for the second');
my @gaps = map { $h->[$_]{time} - $h->[$_ - 1]{time} } 2, 3;
cmp_ok($gaps[0], '>=', 0.9, sprintf 'retried after %.2f s', $gaps[0]);
cmp_ok($gaps[1], '>=', 1.9, sprintf 'then after %.2f s', $gaps[1]);
is($h->[3]{body}, $h->[1]{body}, 'the same body each time');
sleep 4.5;
is(scalar @{ hooks() }, 4, 'no more after the last');
like($t->error_log, qr/webhook: session \Q$req->{json}{session_id}\E: given up after 3 attempts/,
    'given up, logged');

# fails once, then delivered
$t->gateway_mode('ok');
$req = request_call($t, '+12025550145');
$caller = last_call($t)->{json}{from};
$t->gateway_mode('status 503');
verify_call($t, session_id => $req->{json}{session_id},
    received_caller_id => $caller);
wait_hooks(5, 2);
$t->gateway_mode('ok');
$h = wait_hooks(6, 3);
is(scalar @$h, 6, 'delivered on the second attempt');
sleep 2.5;
is(scalar @{ hooks() }, 6, 'and not sent again');

my $m = $t->get('/metrics')->{content};
like($m, qr/^missedcall_webhooks_sent_total 2$/m, 'metrics: 2 sent');
like($m, qr/^missedcall_webhooks_retried_total 3$/m, 'metrics: 3 retried');
like($m, qr/^missedcall_webhooks_failed_total 1$/m, 'metrics: 1 given up');
unlike($t->error_log, qr/\Q$SECRET\E/, 'the secret is not in a debug log');

my ($rc, $out) = $t->nginx_test('conf/test.conf', {
    %MissedCall::Flow::DEFAULTS, EXTRA => "missedcall_webhook $hook;" });
like($out, qr/"missedcall_webhook" requires "missedcall_webhook_secret_file"/,
    'nginx -t: a webhook needs its secret');
($rc, $out) = $t->nginx_test('conf/test.conf', {
    %MissedCall::Flow::DEFAULTS, EXTRA => "missedcall_webhook $hook tries=3;" });
like($out, qr/invalid parameter "tries=3"/, 'nginx -t: a bad parameter');

done_testing();
