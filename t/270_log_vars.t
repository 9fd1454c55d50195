#!/usr/bin/perl

# Variables for access logs: the outcome, the verification id, the gateway
# time and the phone masked but for its last digits.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(sleep);
use MissedCall::Test;
use MissedCall::Flow;

my $t = stack(no_nginx => 1);
my $log = $t->dir . '/nginx/logs/missedcall.log';

# the README's log_format
$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    HTTP_EXTRA => 'log_format missedcall \'$remote_addr [$time_local] '
        . '"$request" $status mc=$missedcall_status '
        . 'id=$missedcall_verification_id phone=$missedcall_phone_masked '
        . 'gw=$missedcall_gateway_time\';',
    EXTRA => "access_log $log missedcall;" });

# the line of the request just answered: nginx logs after it answers
my $seen = 0;

sub last_line {
    for (1 .. 40) {
        open my $fh, '<', $log or next;
        my @l = grep { /\n$/ } <$fh>;
        if (@l > $seen) {
            $seen = @l;
            return $l[-1];
        }
    } continue { sleep 0.05 }
    return '';
}

sub logged {
    my ($r, $want, $name) = @_;
    my $line = last_line();
    chomp $line;
    like($line, $want, $name) or diag $line;
    return $line;
}

my $r = request_call($t, '+12025550143');
my $sid = $r->{json}{session_id};
my $gw = qr{gw=0\.\d{3}$};
my $line = logged($r,
    qr{"POST /otp/request/ HTTP/1.1" 202 mc=ok id=\Q$sid\E phone=\+\*{7}0143 $gw},
    'request: ok, the session id, masked phone, gateway time');
unlike($line, qr/2025550143/, 'the full phone is not logged');

$r = verify_call($t, session_id => $sid, received_caller_id => '+1999999999');
logged($r, qr{ 400 mc=caller_id_mismatch id=\Q$sid\E phone=- gw=-$},
    'mismatch: its code and the session');

$r = verify_call($t, phone_number => '+12025550143',
    received_caller_id => last_call($t)->{json}{from});
logged($r, qr{ 200 mc=ok id=\Q$sid\E phone=\+\*{7}0143 gw=-$},
    'verified by phone: the session id found');

$r = request_call($t, 'nope');
logged($r, qr{ 400 mc=invalid_phone_number id=- phone=- gw=-$},
    'a bad phone: its code, nothing else');

$t->gateway_mode('status 500');
$r = request_call($t, '+4930555012345');
logged($r, qr{ 502 mc=gateway_error id=[0-9a-f-]{36} phone=\+\*{9}2345 $gw},
    'a gateway error: its time too');

$r = $t->get('/ping');
logged($r, qr{ 200 mc=- id=- phone=- gw=-$}, 'other locations: empty');

done_testing();
