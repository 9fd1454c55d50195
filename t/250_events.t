#!/usr/bin/perl

# Events in a Redis Stream, written by the same script as the change they
# report: calls placed, verifications that succeeded or failed, sessions
# burned; none for a call that failed; a bounded length; a consumer group
# reads them as a backend would.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Test;
use MissedCall::Flow;

my $STREAM = '{missedcall}:events';

my $t = stack(HTTP_EXTRA => 'missedcall_events_max_length 100;');

# a backend's consumer group, made before any event
is($t->redis('XGROUP', 'CREATE', $STREAM, 'backend', '$', 'MKSTREAM'), 'OK',
    'consumer group created');

sub events {
    my ($from) = @_;
    my $r = $t->redis('XRANGE', $STREAM, $from // '-', '+');
    return [ map { { id => $_->[0], @{ $_->[1] } } } @{ $r || [] } ];
}

my $phone = '+12025550143';
my $r = request_call($t, $phone);
is($r->{status}, 202, 'call requested');
my $sid = $r->{json}{session_id};
my $caller = last_call($t)->{json}{from};
my $call_id = last_call($t)->{json}{call_id};

my $e = events();
is(scalar @$e, 1, 'one event');
is($e->[0]{event}, 'call_placed', 'call_placed');
is($e->[0]{session_id}, $sid, 'with the session id');
is($e->[0]{phone}, $phone, 'the phone');
is($e->[0]{caller}, $caller, 'the caller number');
is($e->[0]{call_id}, $call_id, 'the call id the gateway got');

verify_call($t, session_id => $sid, received_caller_id => '+19999999999');
verify_call($t, session_id => $sid, received_caller_id => $caller);
$e = events();
is_deeply([ map { $_->{event} } @$e ],
    [ 'call_placed', 'verification_failed', 'verified' ], 'in order');
is($e->[1]{attempts_left}, 2, 'a failure says the attempts left');
is_deeply([ @{ $e->[2] }{qw(session_id phone caller)} ],
    [ $sid, $phone, $caller ], 'verified: session, phone, caller');

# burned
$sid = request_call($t, '+12025550144')->{json}{session_id};
verify_call($t, session_id => $sid, received_caller_id => '+19999999999')
    for 1 .. 3;
$e = events();
is($e->[-1]{event}, 'session_burned', 'the last failure burns');
is($e->[-1]{session_id}, $sid, 'burned: the session');
is(scalar(grep { $_->{event} eq 'verification_failed' } @$e), 3,
    'two failures before it, and one earlier');

# a call that failed reports nothing
my $before = scalar @{ events() };
$t->gateway_mode('status 500');
is(request_call($t, '+12025550145')->{status}, 502, 'a call that failed');
$t->gateway_mode('ok');
is(scalar @{ events() }, $before, 'no event for it');

# verify by phone carries the session id too
$sid = request_call($t, '+12025550146')->{json}{session_id};
verify_call($t, phone_number => '+12025550146',
    received_caller_id => last_call($t)->{json}{from});
is(events()->[-1]{session_id}, $sid, 'verified by phone: its session id');

# a race: each verification reported exactly once
my @sids = map { request_call($t, sprintf '+120255502%02d', $_)
    ->{json}{session_id} } 1 .. 10;
my %caller_of;
for my $c (@{ $t->gateway_calls }) {
    $caller_of{ $c->{json}{to} } = $c->{json}{from};
}
my @ok = $t->parallel(40, sub {
    my ($i) = @_;
    my $n = $i % 10;
    my $r = verify_call($t, session_id => $sids[$n],
        received_caller_id => $caller_of{ sprintf '+120255502%02d', $n + 1 });
    return $r->{status};
});
my $won = grep { $_ == 200 } @ok;
is($won, 10, '40 verifies of 10 sessions: 10 tokens');
my %seen;
$seen{ $_->{session_id} }++
    for grep { $_->{event} eq 'verified' } @{ events() };
is(scalar(grep { $seen{$_} == 1 } @sids), 10,
    'each verification reported exactly once');

# the consumer group gets everything, once
my $read = $t->redis('XREADGROUP', 'GROUP', 'backend', 'worker-1',
    'COUNT', 1000, 'STREAMS', $STREAM, '>');
my @got = @{ $read->[0][1] };
is(scalar @got, scalar @{ events() }, 'XREADGROUP: every event');
is($t->redis('XACK', $STREAM, 'backend', map { $_->[0] } @got),
    scalar @got, 'acknowledged');
$read = $t->redis('XREADGROUP', 'GROUP', 'backend', 'worker-1',
    'COUNT', 1000, 'STREAMS', $STREAM, '>');
ok(!$read, 'nothing new');

# bounded: about the last 100 kept (trimmed by whole stream nodes)
for my $i (1 .. 40) {
    my $p = sprintf '+120255503%02d', $i;
    my $s = request_call($t, $p)->{json}{session_id};
    verify_call($t, session_id => $s, received_caller_id => '+19999999999')
        for 1 .. 3;
}
my $len = $t->redis('XLEN', $STREAM);
cmp_ok($len, '<=', 200, "160 more events, the stream holds $len");
cmp_ok($len, '>=', 100, 'at least the configured length');

# events off
$t->stop_all();
$t = stack(HTTP_EXTRA => 'missedcall_events_max_length 0;');
$sid = request_call($t, $phone)->{json}{session_id};
is(verify_call($t, session_id => $sid,
    received_caller_id => last_call($t)->{json}{from})->{status}, 200,
    'events off: verified');
is($t->redis('EXISTS', $STREAM), 0, 'events off: no stream');

done_testing();
