#!/usr/bin/perl

# Twilio's status callbacks accepted exactly when Twilio's own library
# accepts them: twilio-node (t/node, pinned) computes each signature and
# judges it with validateRequest against the configured URL, and the
# module must agree, case by case: the URL with and without its port,
# repeated parameters sorted by value, any number of parameters.  Also
# "nginx -t" and missedcall_ring_time's range.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Digest::SHA qw(hmac_sha1_base64);
use IPC::Open2 qw(open2);
use JSON::PP qw(encode_json decode_json);
use Test::More;
use MissedCall::Flow;
use MissedCall::Node qw(node_tools);

my $account = 'AC' . ('0123456789abcdef' x 2);
my $token = 'twilio-auth-token-5f1d2c';
my $sid = 'CA' . ('ab' x 16);

my $t = stack(no_nginx => 1, twilio => [ "$account:$token" ]);
$t->write_file('twilio.token', "$token\n");

my %url = (
    a => 'https://verify.example.com/twilio/a',
    b => 'https://verify.example.com:443/twilio/b',
    c => 'http://verify.example.com:8080/twilio/c',
);

sub conf {
    my ($ring) = @_;
    my $locations = join '', map {
        "location = /twilio/$_ {\n"
        . "    missedcall_twilio_status_callback $url{$_};\n"
        . "    missedcall_twilio_callback;\n}\n"
    } sort keys %url;
    (my $c = $t->nginx_conf('conf/test.conf', {
        %MissedCall::Flow::DEFAULTS }))
        =~ s{missedcall_gateway http \S+;\s+missedcall_gateway_secret_file \S+;}{
        missedcall_gateway twilio http://127.0.0.1:%%GATEWAY_PORT%%/;
        missedcall_twilio_account $account;
        missedcall_gateway_secret_file %%DIR%%/twilio.token;
        missedcall_ring_time $ring;
        $locations
        };
    return $c;
}

$t->start_nginx(conf('5s'));

# a signature made here, for what the library is not asked to sign
sub sign_raw {
    my ($key, $data) = @_;
    return hmac_sha1_base64($data, $key) . '=';
}

my $base = "CallSid=$sid&CallStatus=in-progress&AccountSid=$account";
my $many = join '&', $base, map { sprintf 'P%03d=v%d', $_, $_ } 1 .. 150;

# [ name, location, URL signed, body, valid for the library, signature ]
my @cases = (
    [ 'the URL as configured', 'a', $url{a}, $base, 1 ],
    [ 'signed with :443, configured without', 'a',
      'https://verify.example.com:443/twilio/a', $base, 1 ],
    [ 'signed with :80 on https', 'a',
      'https://verify.example.com:80/twilio/a', $base, 0 ],
    [ 'signed over http://', 'a', 'http://verify.example.com/twilio/a',
      $base, 0 ],
    [ 'configured with :443, signed without', 'b',
      'https://verify.example.com/twilio/b', $base, 1 ],
    [ 'configured with :443, signed with it', 'b', $url{b}, $base, 1 ],
    [ 'configured with :8080, signed without a port', 'c',
      'http://verify.example.com/twilio/c', $base, 1 ],
    [ 'configured with :8080, signed with it', 'c', $url{c}, $base, 1 ],
    [ 'configured with :8080, signed with :80', 'c',
      'http://verify.example.com:80/twilio/c', $base, 0 ],
    [ 'repeated parameters, values out of order', 'a', $url{a},
      "$base&To=%2B2&To=%2B1&Called=b&Called=a", 1 ],
    [ 'repeated parameters signed in body order', 'a', $url{a},
      "$base&To=%2B2&To=%2B1", 0,
      sign_raw($token, "$url{a}AccountSid${account}CallSid${sid}"
          . 'CallStatusin-progressTo+2To+1') ],
    [ 'a repeated equal pair', 'a', $url{a}, "$base&X=1&X=1", 1 ],
    [ '153 parameters', 'a', $url{a}, $many, 1 ],
    [ 'UTF-8 and spaces', 'a', $url{a},
      "$base&CallerName=Ren%C3%A9+Dupont", 1 ],
    [ 'another auth token', 'a', $url{a}, $base, 0,
      sign_raw('not-the-token', "$url{a}AccountSid${account}CallSid${sid}"
          . 'CallStatusin-progress') ],
    [ 'a parameter changed after signing', 'a', $url{a},
      $base =~ s/in-progress/completed/r, 0,
      sign_raw($token, "$url{a}AccountSid${account}CallSid${sid}"
          . 'CallStatusin-progress') ],
);

# the library's verdicts, all cases at once
my $dir = node_tools();
my $pid = open2(my $from, my $to, 'node', "$dir/twilio_sign.js");
print $to encode_json([ map {
    { token => $token, sign_url => $_->[2], url => $url{ $_->[1] },
      body => $_->[3], defined $_->[5] ? (signature => $_->[5]) : () }
} @cases ]);
close $to;
my $verdicts = decode_json(do { local $/; <$from> });
waitpid($pid, 0);
is($?, 0, 'twilio-node judged every case');

for my $i (0 .. $#cases) {
    my ($name, $loc, undef, $body, $valid) = @{ $cases[$i] };
    my $v = $verdicts->[$i];
    is(!!$v->{valid}, !!$valid, "$name: twilio-node says "
        . ($valid ? 'valid' : 'invalid'));

    my $r = $t->http('POST', "/twilio/$loc", body => $body, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded',
        'X-Twilio-Signature' => $v->{signature} });
    is($r->{status}, $v->{valid} ? 204 : 403,
        "$name: the module answers " . ($v->{valid} ? 204 : 403));
}

# the body limit bounds the parameters, not a count
my $huge = join '&', $base, map { "Q$_=1" } 1 .. 1000;
my $r = $t->http('POST', '/twilio/a', body => $huge, headers => {
    'Content-Type' => 'application/x-www-form-urlencoded',
    'X-Twilio-Signature' => 'x' });
is($r->{status}, 413, 'a callback over missedcall_body_limit: 413');

$t->stop_nginx();

# Twilio's Timeout is 1 to 600 whole seconds
for my $case ([ '500ms', 0 ], [ '15m', 0 ], [ '601s', 0 ], [ '1s', 1 ],
    [ '10m', 1 ])
{
    my ($value, $good) = @$case;
    my ($rc, $out) = $t->nginx_test(conf($value));
    if ($good) {
        is($rc, 0, "missedcall_ring_time $value is accepted") or diag $out;
    } else {
        isnt($rc, 0, "missedcall_ring_time $value is refused");
        like($out, qr/"missedcall_ring_time" directive must be between 1s and 600s/,
            "$value: nginx -t names the directive and the range");
    }
}

done_testing();
