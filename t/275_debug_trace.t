#!/usr/bin/perl

# Debug tracing: with "error_log ... debug" one session id, grepped, shows
# its request, verify and status paths hop by hop, in order, and an SMS
# session's too; and the log holds no token, no phone or caller number in
# the clear, no SMS code, no secret.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(sleep);
use JSON::PP;
use MIME::Base64 qw(decode_base64);
use MissedCall::Test;
use MissedCall::Flow;

my $PHONE = '+12025550143';
my $ADMIN = 'admin-token-0123456789abcdef';

my $t = stack(no_nginx => 1);
$t->write_file('admin.token', "$ADMIN\n");
$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    LOG_LEVEL => 'debug',
    EXTRA => "location /admin/ {\n"
        . "            missedcall_admin_token_file " . $t->dir
        . "/admin.token;\n"
        . "            missedcall_admin;\n"
        . "        }\n" });

my $r = request_call($t, $PHONE);
is($r->{status}, 202, 'request: 202') or diag $r->{content};
my $sid = $r->{json}{session_id} // 'none';
my $caller = last_call($t)->{json}{from};

$r = verify_call($t, session_id => $sid, received_caller_id => '+1999999999');
is($r->{status}, 400, 'verify, a wrong caller id: 400');

$r = verify_call($t, session_id => $sid, received_caller_id => $caller);
is($r->{status}, 200, 'verify: 200') or diag $r->{content};
my $token = $r->{json}{token} // 'no token';
(my $payload = (split /\./, $token)[1] // '') =~ tr{-_}{+/};
my $jti = eval { decode_json(decode_base64($payload))->{jti} } // 'no jti';

$r = $t->get("/otp/status/$sid");
is($r->{status}, 200, 'status: 200');

# an SMS session, its code sent through the HTTP gateway
my $SMS_PHONE = '+12025550177';
$r = $t->post_json('/otp/request/', { phone_number => $SMS_PHONE,
    channel => 'sms' });
is($r->{status}, 202, 'sms request: 202') or diag $r->{content};
my $sms = $r->{json}{session_id} // 'none';
my ($code) = (last_call($t)->{json}{text} // '') =~ /(\d{6})/;
$code //= 'no code';
$r = $t->post_json('/otp/verify/', { session_id => $sms,
    code => sprintf('%06d', ($code + 1) % 1000000) });
is($r->{status}, 400, 'sms verify, a wrong code: 400');
$r = $t->post_json('/otp/verify/', { session_id => $sms, code => "$code" });
is($r->{status}, 200, 'sms verify: 200') or diag $r->{content};

$r = $t->http('GET', '/admin/numbers',
    headers => { Authorization => "Bearer $ADMIN" });
is($r->{status}, 200, 'admin list: 200');

# the log, once the admin op's end is in it
my $log = '';
for (1 .. 40) {
    $log = $t->error_log();
    last if $log =~ /missedcall admin: op end/;
    sleep 0.05;
}

# each fragment, in order, in the lines naming the session
sub in_order {
    my ($lines, $name, @want) = @_;
    my $at = 0;
    for my $w (@want) {
        my $i = $at;
        $i++ while $i < @$lines && index($lines->[$i], $w) < 0;
        if ($i == @$lines) {
            fail("$name: \"$w\" after line $at");
            return;
        }
        $at = $i + 1;
    }
    pass("$name: " . @want . ' hops in order');
}

my @lines = grep { index($_, $sid) >= 0 } split /\n/, $log;

in_order(\@lines, 'request',
    "missedcall request: $sid: outbound call ",
    "missedcall request: $sid: reserve answered \"ok\"",
    "missedcall request: $sid: call ",
    "missedcall request: $sid: gateway \"http\" prepares call ",
    "missedcall request: $sid: gateway \"http\" answered HTTP 200",
    "missedcall request: $sid: gateway answered: placed",
    "missedcall request: $sid: confirm sent, 3 commands",
    "missedcall request: $sid: confirm answered",
    "missedcall request: $sid: accepted, 202",
    "missedcall request: op end: answered $sid");

in_order(\@lines, 'verify',
    "missedcall verify: $sid: lookup by session, script sent",
    "missedcall verify: $sid: script answered \"mismatch\"",
    "missedcall verify: op end: answered $sid",
    "missedcall verify: $sid: lookup by session, script sent",
    "missedcall verify: $sid: script answered \"ok\"",
    "missedcall verify: $sid: token issued, jti $jti",
    "missedcall verify: op end: answered $sid");

in_order([ grep { index($_, $sms) >= 0 } split /\n/, $log ], 'sms',
    "missedcall request: $sms: sms call ",
    "missedcall request: $sms: reserve answered \"ok\"",
    "missedcall request: $sms: message ",
    "missedcall request: $sms: gateway \"http\" prepares message ",
    "missedcall request: $sms: gateway \"http\" answered the message HTTP 200",
    "missedcall request: $sms: gateway answered: sent",
    "missedcall request: $sms: confirm sent",
    "missedcall request: $sms: confirm answered",
    "missedcall request: $sms: sms, 202",
    "missedcall request: op end: answered $sms",
    "missedcall verify: $sms: script answered \"mismatch\"",
    "missedcall verify: $sms: script answered \"ok\"");

in_order(\@lines, 'status',
    "missedcall status: $sid: script sent",
    "missedcall status: $sid: \"verified\", ",
    "missedcall status: op end: answered $sid");

# the lower layers, between the session's hops
in_order([ split /\n/, $log ], 'redis and curl',
    "missedcall request: $sid: outbound call",
    'missedcall redis: EVALSHA "reserve" sent',
    'missedcall redis: EVALSHA "reserve" reply',
    "missedcall request: $sid: reserve answered",
    'missedcall curl: ',
    "missedcall request: $sid: gateway \"http\" answered",
    'missedcall redis: MULTI of 3 commands queued',
    'missedcall redis: EXEC "" sent',
    'missedcall tally: writing',
    'missedcall tally: 1 numbers, 1 placed',
    'missedcall redis: MULTI of 3 commands queued',
    'missedcall redis: EXEC "" reply, type 2',
    "missedcall request: $sid: confirm answered",
    'missedcall tally: 1 numbers written');

in_order([ split /\n/, $log ], 'admin',
    'missedcall admin: list number ending "", script sent',
    'missedcall admin: list answered ',
    'missedcall admin: op end: answered');

ok($log =~ /missedcall curl: [0-9A-F]+ started/, 'curl: started');
ok($log =~ /missedcall curl: [0-9A-F]+ done, code 0, status 200, \d+ ms/,
    'curl: done, its status and time');

(my $digits = $PHONE) =~ s/^\+//;
(my $cdigits = $caller // 'no caller') =~ s/^\+//;
ok(length $log > 0 && index($log, $token) < 0, 'no token in the log');
ok(index($log, $digits) < 0, 'no phone number in the clear');
ok(index($log, $cdigits) < 0, 'no caller number in the clear');
ok(index($log, 'gw-secret-token-1234') < 0, 'no gateway secret');
(my $sdigits = $SMS_PHONE) =~ s/^\+//;
ok(index($log, $sdigits) < 0, 'no SMS phone number in the clear');
ok($code =~ /^\d{6}$/ && $log !~ /(?<!\d)$code(?!\d)/, 'no SMS code');

done_testing();
