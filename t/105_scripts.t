#!/usr/bin/perl

# Each Redis script of src/lua, as lua2c.sh expands it for the module, run
# with EVAL, without nginx: its main answers and what it leaves in Redis.
# The key names are the test's own: a script only knows the keys it is
# given.  Last, a script's error in the module's log names its line.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

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

# %o: id, phone, random, ttl, interval, max_delay, resend and limits (a
# [count, window ms] each)
sub reserve {
    my (%o) = @_;
    my $phone = $o{phone} // '+12025550143';
    my @limits = @{ $o{limits} || [] };
    return run('reserve',
        [ 'pool', "session:$o{id}", "last:$phone", 'throttle',
          "resend:$phone", map({ 'code:' . substr $phone, 1, $_ } 3, 2, 1),
          map { "limit:$_" } 1 .. @limits ],
        [ $o{random} // 0, $phone, $o{ttl} // 60000, 60000, 0, 'salt',
          'call', 3, $o{interval} // 0, $o{max_delay} // 0,
          $o{resend} // 0, scalar @limits, map { @$_ } @limits ]);
}

sub seed {
    return run('seed', [ 'pool', 'numbers' ], [ 'number:', 'code:', @_ ]);
}

# seed

is_deeply(reserve(id => 'a'), [ 'pool_empty' ], 'reserve: pool_empty');
is(seed($one, '1', $two, '1', $uk, '44'), 3, 'seed: three added');
is(seed($one, '1', '+33123456789', '33'), 1, 'seed: only the new one');
is($t->redis('HGET', "number:$uk", 'state'), 'enabled', 'seed: enabled');
is_deeply($t->redis('ZRANGE', 'code:44', 0, -1), [ $uk ],
    'seed: in the pool of its calling code');
is($t->redis('ZCARD', 'pool'), 4, 'seed: all four in the pool');

# reserve

my $r = reserve(id => 's1');
is_deeply([ @$r[0, 1, 3] ], [ 'ok', $one, 0 ],
    'reserve: ok, from the calling code 1, no wait');
is($t->redis('HGET', 'session:s1', 'state'), 'calling', 'session calling');
is_deeply([ map { $t->redis('HEXISTS', 'session:s1', "m$_") } 7 .. 11 ],
    [ 0, 1, 1, 1, 1 ], 'a caller id hash for each suffix of 8 to 11');
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

sub confirm {
    my ($id, $caller) = @_;
    return run('confirm',
        [ "session:$id", 'phone:+12025550143', "number:$caller", 'events',
          'placed' ],
        [ $id, "gw-$id", 100, '+12025550143', $caller, 'call' ]);
}

is(confirm('s1', $one), 1, 'confirm: calling becomes pending');
is($t->redis('HGET', 'session:s1', 'state'), 'pending', 'session pending');
is($t->redis('GET', 'phone:+12025550143'), 's1', 'the phone points to it');
is($t->redis('HGET', "number:$one", 'placed'), 1, 'the call is counted');
is($t->redis('XLEN', 'events'), 1, 'call_placed event');
cmp_ok($t->redis('GET', 'placed'), '>', 1.7e12,
    'confirm: the time of the last call placed');
is(confirm('s1', $one), 0, 'confirm: not twice');

reserve(id => 'x1', phone => '+12025550148', ttl => 1);
sleep 0.01;
is(confirm('x1', $one), 0, 'confirm: expired');
is($t->redis('HGET', 'session:x1', 'state'), 'calling', 'left calling');

# verify

sub verify {
    my ($digits, $id, $phone_key) = @_;
    return run('verify',
        [ $id ? "session:$id" : '', $phone_key // '', 'events' ],
        [ $digits, 'session:', $id // '', 'number:', 100 ]);
}

(my $digits = $one) =~ s/^\+//;
is_deeply(verify('999999', 's1'), [ 'mismatch', 2, 's1' ],
    'verify: mismatch, 2 attempts left');
$r = verify($digits, undef, 'phone:+12025550143');
is_deeply([ @$r[0, 1, 3] ], [ 'ok', '+12025550143', 's1' ],
    'verify: ok, the session found by phone');
like($r->[2], qr/^\d+-\d+$/, 'the verified event\'s id');
is($t->redis('HGET', 'session:s1', 'state'), 'verified', 'verified');
is($t->redis('HGET', "number:$one", 'verified'), 1, 'counted for it');
is_deeply(verify($digits, 's1'), [ 'none' ], 'verify: not twice');

confirm('s2', $two);
is_deeply(verify('999999', 's2'), [ 'mismatch', 2, 's2' ], 'mismatch 1');
is_deeply(verify('999999', 's2'), [ 'mismatch', 1, 's2' ], 'mismatch 2');
is_deeply(verify('999999', 's2'), [ 'burned', 's2' ], 'burned at max');
(my $digits2 = $two) =~ s/^\+//;
is_deeply(verify($digits2, 's2'), [ 'none' ], 'burned: none, even right');
is_deeply(verify($digits, 'nope'), [ 'none' ], 'verify: unknown session');

# fail

sub fail_session {
    my ($id, $caller, $reason, $max, $share) = @_;
    return run('fail',
        [ "session:$id", "resend:$id", $caller ? "number:$caller" : '',
          'pool', 'events', 'phone:+12025550143', 'placed', 'auto' ],
        [ $caller, 'code:', $reason, $max, 100, $id, $share // 10 ]);
}

# a call placed from another number, as confirm records it
sub placed {
    my $time = $t->redis('TIME');
    $t->redis('SET', 'placed', $time->[0] * 1000 + 1000);
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
is(run('status', [ 'session:none' ]), undef, 'status: no such session');

# an error names the line of the .lua file

sub line_of {
    my ($file, $re) = @_;
    open my $fh, '<', $file or die "$file: $!";
    while (<$fh>) {
        return $. if /$re/;
    }
    die "$file: no $re";
}

my $hmget = line_of("$lua/status.lua", qr/redis\.call\('HMGET'/);
$t->redis('SET', 'session:str', 'x');
like(run('status', [ 'session:str' ])->{error},
    qr/^WRONGTYPE .* on \@user_script:$hmget\.$/,
    "status: WRONGTYPE at status.lua:$hmget");

# admin

sub admin {
    return run('admin', [ 'pool', 'numbers' ], [ 'number:', 'code:', @_ ]);
}

my $new = '+15550001111';
is_deeply(admin('add', $new, '1'), [ 'added', 'enabled' ], 'admin: add');
is_deeply(admin('add', $new, '1 44'), [ 'updated', 'enabled' ],
    'admin: add again updates');
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

is_deeply(run('pool_size', [ 'numbers' ], [ 'number:' ]), [ 3, 1, 1 ],
    'pool_size');

# the module: a session's key holding a string fails its status script

$r = request_call($t, '+12025550143');
my ($key) = session_keys($t);
$t->redis('SET', $key, 'x');
is($t->get("/otp/status/$r->{json}{session_id}")->{status}, 503,
    'status of a broken session: 503');
my $logged = 'missedcall redis: script "status" '
    . "(src/lua/status.lua:$hmget) failed: WRONGTYPE ";
like($t->error_log, qr/\Q$logged\E/,
    'the error log names the script, its file and line');

done_testing();
