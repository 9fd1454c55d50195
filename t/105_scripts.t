#!/usr/bin/perl

# Each Redis script of src/lua, as lua2c.sh expands it for the module, run
# with EVAL, without nginx: its main answers and what it leaves in Redis.
# The key names are the test's own: a script only knows the keys it is
# given.  Last, a script's error in the module's log names its line.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Digest::SHA qw(sha1_hex);
use Test::More;
use Time::HiRes qw(sleep);
use MissedCall::Flow;

my $t = stack();
my $lua = $t->root . '/src/lua';

my %script;

sub run {
    my ($name, $keys, $args) = @_;
    $script{$name} //= `sh $lua/lua2c.sh -l $lua/$name.lua`;
    die "lua2c.sh -l $name failed" if $? || $script{$name} eq '';
    return $t->redis('EVAL', $script{$name}, scalar @$keys, @$keys,
        @{ $args || [] });
}

my ($one, $two, $uk) = ('+12025550100', '+12025550101', '+442071234567');

# %o: id, phone, random, random2, ttl (C's: reserve answers Redis's time),
# interval, max_delay, resend, max_failures, sms (an SMS session) and
# limits (a [count, window ms] each).  Its answer as an array: an "ok" is
# a string, "seconds microseconds wait caller", made ['ok', caller,
# expires, wait] here, as C does.  The expiry is kept for confirm(), which
# writes the session.
my %drawn_for;
sub reserve {
    my (%o) = @_;
    my $phone = $o{phone} // '+12025550143';
    my @limits = @{ $o{limits} || [] };
    my $r = run('reserve',
        [ 'pool:n', map({ 'code:' . (substr $phone, 1, $_) . ':n' } 3, 2, 1),
          "last:$phone", 'throttle', "resend:$phone", "failures:$phone",
          map { "limit:$_" } 1 .. @limits ],
        [ $o{sms} ? '' : $o{random} // 0, $o{random2} // 0,
          $o{interval} // 0, $o{max_delay} // 0, $o{resend} // 0,
          $o{max_failures} // 0, map { @$_ } @limits ]);
    return $r if ref $r;
    my ($sec, $usec, $wait, $caller) = $r =~ /^(\d+) (\d+) (\d+) (.*)$/s
        or die "reserve: $r";
    my $expires = $sec * 1000 + int($usec / 1000) + ($o{ttl} // 60000);
    $drawn_for{$o{id}} = $expires;
    return [ 'ok', $caller, $expires, $wait ];
}

sub seed {
    return run('seed', [ 'pool', 'numbers', 'ranges' ],
        [ 'number:', 'code:', 'rcode:', @_ ]);
}

# seed

is_deeply(reserve(id => 'a'), [ 'pool_empty' ], 'reserve: pool_empty');
is(seed($one, '1', $two, '1', $uk, '44'), 3, 'seed: three added');
is(seed($one, '1', '+33123456789', '33'), 1, 'seed: only the new one');
is($t->redis('HGET', "number:$uk", 'state'), 'enabled', 'seed: enabled');
is_deeply($t->redis('ZRANGE', 'code:44', 0, -1), [ $uk ],
    'seed: in the pool of its calling code');
is($t->redis('ZCARD', 'pool'), 4, 'seed: all four in the pool');
is_deeply([ map { $t->redis('GET', "$_:n") } qw(pool code:1 code:44) ],
    [ 4, 2, 1 ], 'seed: the pool and each calling code\'s numbers counted');
$t->redis('DEL', map { "$_:n" } qw(pool code:1 code:44 code:33));
is(seed(), 0, 'seed: nothing to add');
is_deeply([ map { $t->redis('GET', "$_:n") } qw(pool code:1 code:44 code:33) ],
    [ 4, 2, 1, 1 ], 'seed: a pool never counted is counted');
# a count gone stale, as an earlier version changing the pool would leave
# it: nothing drawn, no error; counted again, it draws
$t->redis('SET', 'code:44:n', 3);
is_deeply(reserve(id => 'st1', phone => '+447700900124', random => 2**52),
    [ 'pool_empty' ], 'reserve: a stale count draws no number, no error');
$t->redis('DEL', 'pool:n');
seed();
is($t->redis('GET', 'code:44:n'), 1, 'seed: the stale count counted again');
is(reserve(id => 'st2', phone => '+447700900124', random => 2**52)->[1],
    $uk, 'reserve: then draws');

# reserve

my $r = reserve(id => 's1');
is_deeply([ @$r[0, 1, 3] ], [ 'ok', $one, 0 ],
    'reserve: ok, from the calling code 1, no wait');
ok($r->[2] > time * 1000, 'reserve: when the session expires');
is($t->redis('EXISTS', 'session:s1'), 0,
    'reserve: no session before the call is placed');
is(reserve(id => 's2')->[1], $two, 'reserve: the last caller is avoided');
is(reserve(id => 's3', phone => '+447700900123', random => 2**52)->[1],
    $uk, 'reserve: the longest calling code preferred');

is(reserve(id => 'r1', phone => '+12025550144', resend => 5000)->[0], 'ok',
    'reserve: ok with a resend mark');
$r = reserve(id => 'r2', phone => '+12025550144', resend => 5000);
is_deeply([ @$r[0, 1] ], [ 'limited', 0 ], 'reserve: limited by the mark');
ok($r->[2] > 0 && $r->[2] <= 5000, 'the mark\'s ms left');
ok(!$t->redis('EXISTS', 'session:r2'), 'no session when limited');

my @limit = (limits => [ [ 5, 60000 ], [ 1, 30000 ] ]);
is(reserve(id => 'l1', phone => '+12025550145', @limit)->[0], 'ok',
    'reserve: ok within the limits');
$r = reserve(id => 'l2', phone => '+12025550145', @limit);
is_deeply([ @$r[0, 1] ], [ 'limited', 2 ], 'reserve: limited by limit 2');
is($t->redis('GET', 'limit:1'), 1, 'a refused call counts for no limit');

is(reserve(id => 't1', phone => '+12025550146', interval => 1000)->[3], 0,
    'reserve: the first call slot at once');
$r = reserve(id => 't2', phone => '+12025550147', interval => 1000);
is($r->[0], 'throttled', 'reserve: throttled');
ok($r->[1] > 900 && $r->[1] <= 1000, "the slot is $r->[1] ms too far");
$r = reserve(id => 't3', phone => '+12025550147', interval => 1000,
    max_delay => 5000);
ok($r->[0] eq 'ok' && $r->[3] > 900 && $r->[3] <= 1000,
    "reserve: waits $r->[3] ms for the next slot");

# confirm: s1 (caller $one), s2 ($two)

# what C sends confirm for a caller, matching "full": the number of its
# last digits verify compares (all but 3, at least 6) and their hash
sub tail {
    my ($caller) = @_;
    my $n = length($caller) - 1 > 9 ? length($caller) - 4 : 6;
    return ($n, sha1_hex('salt' . substr $caller, -$n));
}

# what confirm.c's transaction (no script) leaves for the scripts after it:
# the session, pending, with its secret, the phone's pointer, and for a
# call placed, the number's count and the count of all calls placed.  %o:
# phone, channel, secret (an SMS session's code hash), hash (the session
# as an earlier version wrote it, a hash, instead of one string)
sub confirm {
    my ($id, $caller, %o) = @_;
    my $phone = $o{phone} // '+12025550143';
    my $channel = $o{channel} // 'outbound';
    my ($n, $hash) = $channel eq 'outbound' ? tail($caller) : ();
    $hash = $o{secret} if $channel eq 'sms';
    $caller = '' if $channel eq 'sms';
    my $gw = $channel eq 'inbound' ? '' : 'http';
    my @f = ($o{hash} ? 'pending' : 'p', $channel, $n // '', 'salt',
        $hash // '', $caller, $drawn_for{$id}, $phone, 0, 3, '', $gw,
        $gw && "gw-$id");
    if ($o{hash}) {
        my @names = MissedCall::Test::session_names();
        $t->redis('HSET', "session:$id", map { $f[$_] eq '' ? ()
            : ($names[$_], $f[$_]) } 0 .. $#f);
        $t->redis('PEXPIREAT', "session:$id", $drawn_for{$id} + 60000);
    } else {
        $t->redis('SET', "session:$id", pack('(C/a)13', @f), 'PXAT',
            $drawn_for{$id} + 60000);
    }
    $t->redis('SET', "phone:$phone", $id, 'PX', 60000);
    return if $channel ne 'outbound';
    $t->redis('HINCRBY', "number:$caller", 'placed', 1);
    $t->redis('INCR', 'placed');
}

# a session's field, whichever format holds it
sub field {
    my ($key, $name) = @_;
    my $s = $t->session($key);
    return $s ? $s->{$name} : undef;
}

confirm('s1', $one);

# verify

# $max: wrong guesses a phone may make across its sessions (0: no budget);
# $events: the stream's key ("": events off).  By phone the script is
# given the phone and its failure counter; by id the counter's prefix.  An
# "ok" is a string, "session-id channel event-id phone caller", made ['ok',
# phone, event id, channel, session id, caller] here.
sub verify {
    my ($digits, $id, $phone_key, $max, $events) = @_;
    my ($p) = ($phone_key // '') =~ /^phone:(.*)/;
    my $r = run('verify',
        [ $phone_key // '', 'failures:' . ($p // ''), $events // 'events' ],
        [ $digits, 'session:', $id // $p, $max // 0, 60000 ]);
    return $r if ref $r;
    my ($sid, $channel, $eid, $phone, $caller) =
        $r =~ /^(\S+) (\S+) (\S*) (\S+) (\S*)$/ or die "verify: $r";
    return [ 'ok', $phone, $eid, $channel, $sid, $caller ];
}

(my $digits = $one) =~ s/^\+//;
is_deeply(verify('999999', 's1'), [ 'mismatch', 2, 's1' ],
    'verify: mismatch, 2 attempts left');
$r = verify($digits, undef, 'phone:+12025550143');
is_deeply([ @$r[0, 1, 3, 4] ], [ 'ok', '+12025550143', 'outbound', 's1' ],
    'verify: ok, the session found by phone');
like($r->[2], qr/^\d+-\d+$/, 'the verified event\'s id');
is(field('session:s1', 'state'), 'verified', 'verified');
is($r->[5], $one, 'its caller named, for C to count (tally.c)');
is_deeply(verify($digits, 's1'), [ 'none' ], 'verify: not twice');

confirm('s2', $two);
is_deeply(verify('999999', 's2'), [ 'mismatch', 2, 's2' ], 'mismatch 1');
is_deeply(verify('999999', 's2'), [ 'mismatch', 1, 's2' ], 'mismatch 2');
is_deeply(verify('999999', 's2'), [ 'burned', 's2' ], 'burned at max');
(my $digits2 = $two) =~ s/^\+//;
is_deeply(verify($digits2, 's2'), [ 'none' ], 'burned: none, even right');
is_deeply(verify($digits, 'nope'), [ 'none' ], 'verify: unknown session');

# the failure budget: wrong guesses of one phone across its sessions

my $lp = '+12025550149';
sub pending {
    my ($id) = @_;
    my $r = reserve(id => $id, phone => $lp);
    confirm($id, $r->[1], phone => $lp);
}
pending('b1');
is_deeply(verify('999999', 'b1', undef, 4), [ 'mismatch', 2, 'b1' ],
    'budget: failure 1 of 4');
is_deeply(verify('999999', 'b1', undef, 4), [ 'mismatch', 1, 'b1' ],
    'budget: failure 2');
is($t->redis('GET', "failures:$lp"), 2, 'budget: 2 counted for the phone');
pending('b2');
is_deeply(verify('999999', 'b2', undef, 4), [ 'mismatch', 2, 'b2' ],
    'budget: a new session does not reset it (failure 3)');
$r = verify('999999', 'b2', undef, 4);
is_deeply([ @$r[0, 2] ], [ 'locked', 'b2' ], 'budget: failure 4 locks');
is($r->[1], 60000, 'budget: for the whole window');
is(field('session:b2', 'state'), 'burned', 'its session burned');
pending('b3');
(my $b3 = field('session:b3', 'caller')) =~ s/^\+//;
$r = verify($b3, 'b3', undef, 4);
is($r->[0], 'locked', 'budget: past it even the right caller id is refused');
is($t->redis('GET', "failures:$lp"), 4, 'budget: refused guesses not counted');
$r = reserve(id => 'b4', phone => $lp, max_failures => 4);
ok($r->[0] eq 'locked' && $r->[1] > 59000, 'reserve: locked, no call');
ok(!$t->redis('EXISTS', 'session:b4'), 'reserve: no session when locked');
$t->redis('SET', "failures:$lp", 1, 'PX', 60000);
is(verify($b3, 'b3', undef, 4)->[0], 'ok', 'budget: a success');
ok(!$t->redis('EXISTS', "failures:$lp"), 'budget: reset by the success');

# by phone the counter is the one C names, read with the pointer
pending('b5');
(my $b5 = field('session:b5', 'caller')) =~ s/^\+//;
is_deeply(verify('999999', undef, "phone:$lp", 4), [ 'mismatch', 2, 'b5' ],
    'budget by phone: a wrong guess');
is($t->redis('GET', "failures:$lp"), 1, 'budget by phone: counted');
$t->redis('SET', "failures:$lp", 4, 'PX', 60000);
$r = verify($b5, undef, "phone:$lp", 4);
ok($r->[0] eq 'locked' && $r->[1] > 59000 && $r->[2] eq 'b5',
    'budget by phone: past it even the right caller id is refused');
is(field('session:b5', 'state'), 'pending',
    'budget by phone: the session is left as it was');
$t->redis('SET', "failures:$lp", 3, 'PX', 60000);
$r = verify($b5, undef, "phone:$lp", 4);
is_deeply([ @$r[0, 1, 3, 4] ], [ 'ok', $lp, 'outbound', 'b5' ],
    'budget by phone: a success');
ok(!$t->redis('EXISTS', "failures:$lp"), 'budget by phone: reset by it');

# events off: the events key is ""
pending('b6');
(my $b6 = field('session:b6', 'caller')) =~ s/^\+//;
my $xlen = $t->redis('XLEN', 'events');
is(verify('999999', 'b6', undef, 0, '')->[0], 'mismatch',
    'events off: a wrong guess');
$r = verify($b6, 'b6', undef, 0, '');
is_deeply([ @$r[0 .. 2] ], [ 'ok', $lp, '' ], 'events off: no event id');
is($t->redis('XLEN', 'events'), $xlen, 'events off: none written');

# fail

sub fail_session {
    my ($id, $caller, $reason, $max, $share) = @_;
    return run('fail',
        [ "session:$id", "resend:$id", $caller ? "number:$caller" : '',
          'pool', 'events', 'phone:+12025550143', 'placed', 'auto',
          'ranges' ],
        [ $caller, 'code:', $reason, $max, 100, $id, $share // 10,
          'rcode:' ]);
}

# a call placed from another number, as confirm counts it
sub placed {
    $t->redis('INCR', 'placed');
}

$t->redis('SET', 'resend:s3', 1);
$t->redis('SET', 'phone:+12025550143', 's3');
is(fail_session('s3', '', 'busy', 1), 0, 'fail: no caller');
is_deeply([ map { $t->redis('EXISTS', $_) }
            qw(session:s3 resend:s3 phone:+12025550143) ],
    [ 0, 0, 0 ], 'fail: session, resend mark and the phone\'s pointer go');

is(fail_session('f1', $uk, '', 1), 0, 'fail: not the number\'s fault');
is_deeply($t->redis('HMGET', "number:$uk", qw(state failed fails)),
    [ 'enabled', 1, 0 ], 'counted failed, not refused');

is(fail_session('f2', $two, 'rejected', 2), 0, 'fail: refused once of 2');
is(fail_session('f3', $two, 'rejected', 2), 0,
    'refused twice, but no call placed since its last refusal: an outage');
is($t->redis('HGET', "number:$two", 'state'), 'enabled', 'still enabled');
placed();
is(fail_session('f4', $two, 'rejected', 2), 3,
    'refused again after a call placed elsewhere: disabled');
like($t->redis('HGET', "number:$two", 'reason'),
    qr/^3 calls in a row refused by the gateway, the last: rejected$/,
    'the reason');
is_deeply($t->redis('SMEMBERS', 'auto'), [ $two ],
    'counted among the numbers disabled automatically');
ok(!defined $t->redis('ZSCORE', 'pool', $two)
    && !defined $t->redis('ZSCORE', 'code:1', $two),
    'out of the pool and its calling code\'s');
my $last = $t->redis('XREVRANGE', 'events', '+', '-', 'COUNT', 1)->[0][1];
is_deeply([ @$last[0 .. 3] ], [ 'event', 'number_disabled', 'number', $two ],
    'number_disabled event');

# the share: 1 of the 4 numbers (10%, at least 1) is disabled already

fail_session('k1', $uk, 'rejected', 2);
placed();
is(fail_session('k2', $uk, 'rejected', 2), -2,
    'the share reached: kept enabled, the answer says so');
is($t->redis('HGET', "number:$uk", 'state'), 'enabled', 'still enabled');
ok(defined $t->redis('ZSCORE', 'pool', $uk), 'still in the pool');
$last = $t->redis('XREVRANGE', 'events', '+', '-', 'COUNT', 1)->[0][1];
is_deeply([ @$last[0 .. 3] ], [ 'event', 'number_kept', 'number', $uk ],
    'number_kept event');
like($last->[5], qr/kept: 1 of 4 numbers disabled already, at most 1$/,
    'its reason gives the share');
placed();
my $events = $t->redis('XLEN', 'events');
is(fail_session('k3', $uk, 'rejected', 2), 0,
    'the next refusal: no second event until the next full streak');
is($t->redis('XLEN', 'events'), $events, 'no event for it');

# status

$r = run('status', [ 'session:s1' ]);
ok($r->[0] eq 'verified' && $r->[1] > 59000, 'status: state and ms left');
is($r->[2], 'outbound', 'status: the channel');
is(run('status', [ 'session:none' ]), undef, 'status: no such session');

# inbound: no call placed, the phone's own call proves the session

my $ip = '+12025550160';
$t->redis('DEL', 'limit:1');
is(reserve(id => 'l0', phone => $ip, limits => [ [ 1, 60000 ] ])->[0], 'ok',
    'reserve: the limit counts one');
$r = reserve(id => 'l1', phone => $ip, limits => [ [ 1, 60000 ] ]);
is($r->[0], 'limited', 'reserve: then refuses');
$r = reserve(id => 'in1', phone => $ip, limits => [ [ 0, 60000 ] ]);
is($r->[0], 'ok', 'reserve: a limit of count 0 does not apply');
is($t->redis('GET', 'limit:1'), 1, 'reserve: nor is it counted');
my $dial = $r->[1];

sub confirm_in {
    my ($id, $phone, $caller) = @_;
    confirm($id, $caller, phone => $phone, channel => 'inbound');
}
confirm_in('in1', $ip, $dial);
is(run('status', [ 'session:in1' ])->[2], 'inbound', 'status: inbound');

sub prove {
    my ($from, $to) = @_;
    return run('prove', [ "phone:$from", 'events' ],
        [ 'session:', $from, $to, 100, 'TN-Validation-Passed-A' ]);
}
(my $dd = $dial) =~ s/^\+//;
is_deeply(verify($dd, 'in1'), [ 'waiting', 'in1' ],
    'verify inbound: waiting, even with the number dialled as caller id');
is(field('session:in1', 'attempts'), 0, 'no attempt counted');
is_deeply(verify('', 'in1'), [ 'waiting', 'in1' ],
    'verify inbound, no caller id: waiting');
is_deeply(prove($ip, $one eq $dial ? $two : $one), [ 'none' ],
    'prove: another number dialled: none');
is_deeply(prove('+12025550161', $dial), [ 'none' ],
    'prove: another phone calling: none');
is(field('session:in1', 'state'), 'pending', 'still pending');
is_deeply(prove($ip, $dial), [ 'ok', 'in1' ], 'prove: the pair: ok');
is(field('session:in1', 'state'), 'proven', 'proven');
my $ev = $t->redis('XREVRANGE', 'events', '+', '-', 'COUNT', 1)->[0][1];
is({ @$ev }->{attestation}, 'TN-Validation-Passed-A',
    'an inbound_received event with the attestation');
is_deeply(prove($ip, $dial), [ 'none' ], 'prove: not twice');
is_deeply(verify('', undef, "phone:$ip"), [ 'none' ],
    'verify inbound by phone: none, the session id is needed');
$r = verify('', 'in1');
is_deeply([ @$r[0, 1, 3, 4, 5] ], [ 'ok', $ip, 'inbound', 'in1', '' ],
    'verify inbound: ok, no caller to count');
is(field('session:in1', 'state'), 'verified', 'verified');
is_deeply(verify('', 'in1'), [ 'none' ], 'verify inbound: not twice');
is_deeply(verify('', 's1'), [ 'none' ], 'a used outbound session: none');
reserve(id => 'o9', phone => '+12025550162');
confirm('o9', $one, phone => '+12025550162');
is_deeply(verify('', 'o9'), [ 'missing', 'o9' ],
    'verify outbound without a caller id: missing');

# an SMS session: its code's hash beside the salt, never the code
sub sms_session {
    my ($id, $phone, $code, %o) = @_;
    my $r = reserve(id => $id, phone => $phone, ttl => $o{ttl}, sms => 1,
        %o);
    confirm($id, '', phone => $phone, channel => 'sms',
        secret => sha1_hex("salt$code"));
    return $r;
}
$t->redis('DEL', 'throttle', 'limit:1');
$r = sms_session('sm1', '+12025550163', '204817', interval => 5000,
    resend => 30000, limits => [ [ 5, 60000 ] ]);
is_deeply([ @$r[0, 1, 3] ], [ 'ok', '', 0 ],
    'reserve sms: ok, no caller, no wait');
is_deeply([ map { field('session:sm1', $_) } 'caller', 'secret' ],
    [ undef, sha1_hex('salt204817') ],
    'confirm sms: no caller, the code\'s hash');
is($t->redis('EXISTS', 'throttle', 'last:+12025550163'), 0,
    'reserve sms: no call slot taken, no last caller');
is($t->redis('GET', 'limit:1'), 1, 'reserve sms: its limit counted');
ok($t->redis('PTTL', 'resend:+12025550163') > 0,
    'reserve sms: the resend mark set');
is_deeply(verify('', 'sm1'), [ 'missing', 'sm1' ], 'verify sms: no code');
is_deeply(verify('204817', undef, 'phone:+12025550163'), [ 'none' ],
    'verify sms by phone: none, the session id is needed');
is_deeply(verify('204818', 'sm1'), [ 'mismatch', 2, 'sm1' ],
    'verify sms: a wrong code');
is_deeply(verify('12025550163', 'sm1'), [ 'mismatch', 1, 'sm1' ],
    'verify sms: the phone\'s own digits are no code');
$r = verify('204817', 'sm1');
is_deeply([ @$r[0, 1, 3, 4, 5] ], [ 'ok', '+12025550163', 'sms', 'sm1', '' ],
    'verify sms: the code, no caller to count');
$ev = $t->redis('XREVRANGE', 'events', '+', '-', 'COUNT', 1)->[0][1];
is({ @$ev }->{channel}, 'sms', 'a verified event on the sms channel');
is_deeply(verify('204817', 'sm1'), [ 'none' ], 'verify sms: not twice');
sms_session('sm2', '+12025550164', '553120');
is_deeply(verify('553121', 'sm2', undef, 2), [ 'mismatch', 2, 'sm2' ],
    'verify sms: a wrong code counts against the budget');
is_deeply(verify('553122', 'sm2', undef, 2), [ 'locked', 60000, 'sm2' ],
    'verify sms: past the budget, locked');
is_deeply(verify('553120', 'sm2', undef, 2), [ 'none' ],
    'verify sms: the session burned, even the right code');
sms_session('sm4', '+12025550164', '112233');
is(verify('112233', 'sm4', undef, 2)->[0], 'locked',
    'verify sms: a new code for the phone, still locked');
sms_session('sm3', '+12025550165', '771204', ttl => 50);
sleep 0.1;
is_deeply(verify('771204', 'sm3'), [ 'none' ], 'verify sms: expired');
is(field('session:sm1', 'secret'), sha1_hex('salt204817'),
    'the session holds the hash of the code, not the code');
reserve(id => 'in2', phone => $ip, ttl => 1);
confirm_in('in2', $ip, $dial);
sleep 0.01;
is_deeply(prove($ip, field('session:in2', 'caller')), [ 'none' ],
    'prove: an expired session: none');

# matching "full": a caller id's last 8 digits are enough, 7 are not
$r = reserve(id => 'f1', phone => '+12025550166');
confirm('f1', $r->[1], phone => '+12025550166');
is_deeply(verify(substr($r->[1], -7), 'f1'), [ 'mismatch', 2, 'f1' ],
    'verify: the last 7 digits do not match');
is(verify('0' . substr($r->[1], -8), 'f1')->[0], 'ok',
    'verify: the last 8 do, whatever comes before them');

# by phone, the pointer's expiry is the session's: no clock is read
$r = reserve(id => 'e1', phone => '+12025550167');
confirm('e1', $r->[1], phone => '+12025550167');
$t->redis('PEXPIRE', 'phone:+12025550167', 1);
sleep 0.01;
is_deeply(verify(substr($r->[1], 1), undef, 'phone:+12025550167'), [ 'none' ],
    'verify by phone: the pointer expired, none');
is(verify(substr($r->[1], 1), 'e1')->[0], 'ok',
    'by its id, the session itself is still there');

# not_received: a call session that never rang gives way to an SMS one

sub call_session {
    my ($id, $phone, %o) = @_;
    my $r = reserve(id => $id, phone => $phone, resend => 30000, %o);
    confirm($id, $r->[1], phone => $phone);
}
sub not_received {
    my ($id, $phone) = @_;
    return run('not_received', [ "session:$id", "phone:$phone",
        "resend:$phone", 'events' ], [ $id, $phone, 100 ]);
}
my $nr = '+12025550170';
call_session('nr1', $nr);
is($t->redis('EXISTS', "resend:$nr"), 1, 'not_received: a resend mark');
is(not_received('nr1', '+12025550171'), 0,
    'not_received: another phone: 0');
is(not_received('sm1', '+12025550163'), 0,
    'not_received: an SMS session: 0');
is(not_received('in1', $ip), 0, 'not_received: an inbound session: 0');
is(not_received('nr1', $nr), 1, 'not_received: the call session: 1');
is_deeply([ map { $t->redis('EXISTS', $_) } "session:nr1", "phone:$nr",
    "resend:$nr" ], [ 0, 0, 0 ],
    'not_received: session, pointer and resend mark gone');
$ev = $t->redis('XREVRANGE', 'events', '+', '-', 'COUNT', 1)->[0][1];
is_deeply([ @{ { @$ev } }{qw(event session_id channel)} ],
    [ 'call_not_received', 'nr1', 'outbound' ],
    'not_received: a call_not_received event');
is(not_received('nr1', $nr), 0, 'not_received: only once');
call_session('nr2', $nr, ttl => 1);
sleep 0.01;
is(not_received('nr2', $nr), 0, 'not_received: an expired session: 0');
is($t->redis('EXISTS', 'session:nr2'), 1, 'not_received: left as it was');

# a session is one string; an earlier version's, a hash, still verifies,
# and is changed as a hash until it expires

$t->redis('DEL', 'failures:+12025550190', 'failures:+12025550191');
reserve(id => 'h1', phone => '+12025550190');
confirm('h1', $one, phone => '+12025550190', hash => 1);
is($t->redis('TYPE', 'session:h1'), 'hash', 'an earlier version\'s hash');
is_deeply(run('status', [ 'session:h1' ])->[0], 'pending',
    'status: its state');
is_deeply(verify('999999', 'h1'), [ 'mismatch', 2, 'h1' ],
    'verify: a mismatch on the hash');
is_deeply($t->redis('HMGET', 'session:h1', 'attempts', 'state'),
    [ 1, 'pending' ], 'its attempt counted in the hash');
$r = verify($digits, undef, 'phone:+12025550190');
is_deeply([ @$r[0, 4, 5] ], [ 'ok', 'h1', $one ], 'verify by phone: ok');
is($t->redis('TYPE', 'session:h1'), 'hash', 'still a hash');
is($t->redis('HGET', 'session:h1', 'state'), 'verified', 'verified');
is_deeply(verify($digits, 'h1'), [ 'none' ], 'and only once');

reserve(id => 'h2', phone => '+12025550191');
confirm('h2', $one, phone => '+12025550191', hash => 1);
is(not_received('h2', '+12025550191'), 1, 'not_received on a hash: 1');
is($t->redis('EXISTS', 'session:h2'), 0, 'the hash gone');

$r = reserve(id => 'h3', phone => '+12025550192');
confirm('h3', $r->[1], phone => '+12025550192', channel => 'inbound',
    hash => 1);
is_deeply(prove('+12025550192', $r->[1]), [ 'ok', 'h3' ],
    'prove on a hash: ok');
is_deeply($t->redis('HMGET', 'session:h3', 'state', 'channel'),
    [ 'proven', 'inbound' ], 'proven in the hash');

# the string: a state change keeps every other field and the expiry, and
# the gateway's sid may hold anything
reserve(id => 'p1', phone => '+12025550193');
confirm('p1', $one, phone => '+12025550193');
my $before = $t->session('session:p1');
$t->redis('SETRANGE', 'session:p1',
    length($t->redis('GET', 'session:p1')) - length('gw-p1'), "g\nw 1");
is($t->session('session:p1')->{gateway_sid}, "g\nw 1",
    'the sid, with a newline, read back');
is_deeply(verify('999999', 'p1'), [ 'mismatch', 2, 'p1' ],
    'verify: a mismatch on the string');
$r = verify($digits, 'p1');
is($r->[0], 'ok', 'then ok');
my $after = $t->session('session:p1');
is_deeply($after, { %$before, state => 'verified', attempts => 1,
    gateway_sid => "g\nw 1" }, 'its state and attempts changed, all else kept');
my $ttl = $t->redis('PEXPIRETIME', 'session:p1');
is($ttl, $drawn_for{p1} + 60000, 'its expiry kept');
is(run('status', [ 'session:p1' ])->[0], 'verified', 'status: verified');

# an error names the line of the .lua file

sub line_of {
    my ($file, $re) = @_;
    open my $fh, '<', $file or die "$file: $!";
    while (<$fh>) {
        return $. if /$re/;
    }
    die "$file: no $re";
}

my $inc = line_of("$lua/status.lua", qr/^--#include session$/);
$t->redis('SET', 'session:str', 'x');
like(run('status', [ 'session:str' ])->{error},
    qr/^ERR user_script:$inc: .*data string too short.*:$inc\.$/,
    "status: a string too short, at status.lua:$inc");

# admin

sub admin_full {
    return run('admin', [ 'pool', 'numbers', 'ranges' ],
        [ 'number:', 'code:', 'rcode:', @_ ]);
}

# the outcome and the state; admin_full has the strength figures too
sub admin {
    my $r = admin_full(@_);
    return ref $r eq 'ARRAY' && $_[0] ne 'list' ? [ grep { defined }
        @$r[0, 1] ] : $r;
}

my $new = '+15550001111';
is_deeply(admin('add', $new, '1'), [ 'added', 'enabled' ], 'admin: add');
# after the outcome and the state, pairs of each enabled member and its codes
sub members { my %m = @{ $_[0] }; return \%m }
my $full = admin_full('add', $new, '1 44');
is_deeply([ @$full[0, 1] ], [ 'updated', 'enabled' ],
    'admin: add again updates');
is(members([ @$full[2 .. $#$full] ])->{$new}, '1 44',
    'admin: every enabled member answered with its codes');
is(scalar(keys %{ members([ @$full[2 .. $#$full] ]) }), 4,
    'admin: the whole pool answered, for the strength after the change');
ok(defined $t->redis('ZSCORE', 'code:44', $new), 'in its new code\'s pool');
is_deeply(admin('disable', $new, 'why'), [ 'disabled', 'disabled' ],
    'admin: disable');
ok(!defined $t->redis('ZSCORE', 'pool', $new)
    && !defined $t->redis('ZSCORE', 'code:44', $new), 'out of the pool');
is_deeply(admin('enable', $new, ''), [ 'enabled', 'enabled' ],
    'admin: enable');
ok(defined $t->redis('ZSCORE', 'code:44', $new), 'back in the pool');
my ($row) = grep { $_->[0] eq $new } @{ admin('list', '', '') };
is_deeply([ @$row[0 .. 3] ], [ $new, 'enabled', '', '1 44' ], 'admin: list');
is_deeply(admin('remove', $new, 'gone'), [ 'removed', 'removed' ],
    'admin: remove');
is_deeply(admin('disable', $new, 'x'), [ 'unknown' ], 'removed: unknown');
is_deeply(admin('enable', '+15550002222', ''), [ 'unknown' ],
    'admin: unknown number');

# pool_size: $one, $uk and the French number enabled, $two disabled, $new
# removed

my $size = run('pool_size', [ 'numbers' ], [ 'number:' ]);
is_deeply([ @$size[0 .. 2] ], [ 3, 1, 1 ], 'pool_size: by state');
is_deeply([ sort keys %{ members($size->[3]) } ],
    [ sort $one, $uk, '+33123456789' ],
    'pool_size: each enabled member, with its codes');

# ranges: a block of numbers is one member, drawn number by number

my ($rlo, $rhi) = ('+3315550000', '+3315550999');
is(seed("$rlo-$rhi", '33'), 1, 'seed: a range added as one member');
is_deeply($t->redis('ZRANGE', 'rcode:33', 0, -1), [ "$rlo-$rhi" ],
    'seed: the range in the ranges of its calling code');
is($t->redis('ZCARD', 'code:33'), 1, 'seed: not among the numbers');
is($t->redis('GET', 'code:33:n'), "1 $rlo-$rhi",
    'seed: the count of a group with a range: its numbers, then the range');
$size = run('pool_size', [ 'numbers' ], [ 'number:' ]);
is($size->[0], 1003, 'pool_size: a range counts as its numbers');
is(members($size->[3])->{"$rlo-$rhi"}, '33',
    'pool_size: the range a member of its own');
my %drawn;
for my $k (0 .. 9) {
    # +33 has one number and 1000 in the range: indexes 0 .. 1000
    my $x = reserve(id => "g$k", phone => '+33612345678',
        random => int((($k + 0.5) / 10) * 2**53))->[1];
    $drawn{$x}++;
}
my @in = grep { /^\+3315550\d{3}$/ } keys %drawn;
is(scalar @in, 10, 'reserve: ten draws spread over the range, '
    . 'every one inside it') or diag explain \%drawn;
is(reserve(id => 'g10', phone => '+33612345670', random => 0)->[1],
    '+33123456789', 'reserve: index 0 is the number, before the range');
is(reserve(id => 'g11', phone => '+33612345670', random => 2**53 - 1)->[1],
    $rhi, 'reserve: the last index is the range\'s last number');
$t->redis('SET', 'last:+33612345671', '+3315550500');
my %seen;
for my $k (0 .. 1000) {
    # 1001 callers, each index drawn once; the last caller's draw goes to
    # the second random value, among the 1000 others
    my $x = reserve(id => "h$k", phone => '+33612345671',
        random => int(($k + 0.5) / 1001 * 2**53),
        random2 => int(0.25 * 2**53))->[1];
    $t->redis('SET', 'last:+33612345671', '+3315550500');
    $seen{$x}++;
}
ok(!$seen{'+3315550500'}, 'reserve: the last caller, in a range, skipped');
is(scalar keys %seen, 1000, 'reserve: every other caller drawn');
is(scalar(grep { $_ == 2 } values %seen), 1,
    'reserve: one twice, instead of the last caller');
$full = admin_full('disable', "$rlo-$rhi", 'carrier');
is_deeply([ @$full[0, 1] ], [ 'disabled', 'disabled' ],
    'admin: a range disabled');
ok(!exists members([ @$full[2 .. $#$full] ])->{"$rlo-$rhi"},
    'admin: no longer among the enabled members answered');
is($t->redis('ZCARD', 'rcode:33'), 0, 'admin: out of its code\'s ranges');
is($t->redis('GET', 'code:33:n'), 1, 'admin: nor counted');
is_deeply(admin('add', '+3315550999', '33'), [ 'overlap', "$rlo-$rhi" ],
    'admin: a number inside a known (disabled) range refused');
is_deeply(admin('add', '+3315550900-+3315551100', '33'),
    [ 'overlap', "$rlo-$rhi" ], 'admin: a range across its end refused');
is_deeply(admin('add', '+3315549000-+3315550000', '33'),
    [ 'overlap', "$rlo-$rhi" ], 'admin: a range touching its first refused');
is_deeply(admin('add', '+3315551000-+3315551099', '33'),
    [ 'added', 'enabled' ], 'admin: the range right after it added');
is_deeply(admin('add', '+33155510500', '33'), [ 'added', 'enabled' ],
    'admin: a longer number with the same digits is another number');
is_deeply(admin('add', '+3315550123', '33')->[0], 'overlap',
    'admin: not yet removed');
admin('remove', "$rlo-$rhi", 'gone');
is_deeply(admin('add', '+3315550123', '33'), [ 'added', 'enabled' ],
    'admin: inside a removed range: added');
is_deeply(admin('add', "$rlo-$rhi", '33'),
    [ 'overlap', '+3315550123' ],
    'admin: the removed range back over a number now known: refused');
admin('remove', $_, 'tidy') for '+3315550123', '+3315551000-+3315551099',
    '+33155510500';
is_deeply(admin('add', "$rlo-$rhi", '33'), [ 'added', 'enabled' ],
    'admin: the range back once the others are removed');
admin('disable', "$rlo-$rhi", 'carrier');
is(reserve(id => 'g12', phone => '+33612345672')->[1], '+33123456789',
    'reserve: only the number left');
$t->redis('SET', 'code:33:n', 5);
$t->redis('DEL', 'limit:1', 'throttle');
is_deeply(reserve(id => 'g13', phone => '+33612345673', random => 2**53 - 1,
    interval => 1000, limits => [ [ 5, 60000 ] ]), [ 'pool_empty' ],
    'reserve: a count beyond its zset: pool_empty');
ok(!$t->redis('EXISTS', 'limit:1', 'throttle', 'last:+33612345673'),
    'reserve: and nothing counted or written');
$t->redis('SET', 'code:33:n', 1);

# slot: a failover gateway's mark and its own call slots

sub slot {
    my ($interval, $max_delay) = @_;
    return run('slot', [ 'down:g2', 'throttle:g2' ],
        [ $interval, $max_delay ]);
}

is_deeply(slot(0, 0), [ 'ok', 0 ], 'slot: no mark, no rate: at once');
is($t->redis('EXISTS', 'throttle:g2'), 0, 'slot: no rate, no throttle key');
is_deeply(slot(1000, 5000), [ 'ok', 0 ], 'slot: the first slot now');
my $w = slot(1000, 5000);
is($w->[0], 'ok', 'slot: the next one');
ok($w->[1] > 900 && $w->[1] <= 1000, "slot: a second later ($w->[1] ms)");
$w = slot(1000, 500);
is($w->[0], 'throttled', 'slot: too far away: throttled');
ok($w->[1] > 1000 && $w->[1] <= 1500, "slot: by $w->[1] ms");
$t->redis('SET', 'down:g2', 1, 'PX', 3000);
$w = slot(1000, 5000);
is($w->[0], 'down', 'slot: a marked gateway is down');
ok($w->[1] > 2000 && $w->[1] <= 3000, "slot: for $w->[1] ms more");
$t->redis('DEL', 'down:g2');

# the module: a session's key holding a string fails its status script

$r = request_call($t, '+12025550143');
my ($key) = session_keys($t);
$t->redis('SET', $key, 'x');
is($t->get("/otp/status/$r->{json}{session_id}")->{status}, 503,
    'status of a broken session: 503');
my $logged = 'missedcall redis: script "status" '
    . "(src/lua/status.lua:$inc) failed: ERR user_script:$inc: bad "
    . 'argument #2 to \'unpack\' (data string too short)';
like($t->error_log, qr/\Q$logged\E/,
    'the error log names the script, its file and line');

done_testing();
