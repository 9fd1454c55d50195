#!/usr/bin/perl

# A patient attacker against a production-like location: it asks for
# calls to its victims' phones and guesses their caller ids from the
# pool, session after session.  The failure budget stops each victim's
# guesses at exactly its count, whatever the sessions; the wins stay
# within the odds "nginx -t" prints; a race of wrong guesses counts no
# more; the strength check looks at the numbers a calling code really
# draws from; and verify may be bound to the session.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use JSON::PP;
use List::Util qw(shuffle);
use Test::More;
use MissedCall::Flow;

# 5 numbers of the pool file and a range of 50: 55 callers
my @range = ('+15550200000', '+15550200049');
my @pool = (@MissedCall::Flow::POOL,
    map { sprintf '+155502000%02d', $_ } 0 .. 49);
my $limits = "missedcall_resend 0;\n"
    . "        missedcall_limit phone 1000/1h;\n"
    . "        missedcall_max_failures 10/1d;";

my $t = stack(LOG_LEVEL => 'warn', LIMITS => $limits,
    HTTP_EXTRA => "missedcall_pool_range @range;");

# the odds nginx -t prints for this configuration
my ($rc, $out) = $t->nginx_test('conf/test.conf',
    { %MissedCall::Flow::DEFAULTS, LIMITS => $limits,
      HTTP_EXTRA => "missedcall_pool_range @range;" });
my ($odds) = $out =~ /odds of ([\d.]+)% a day at worst \(the whole pool: 55 numbers, 3 attempts a session, 10 wrong guesses a day\)/;
ok(defined $odds, 'nginx -t prints the odds of the whole pool')
    or diag $out;
is($odds, '18.5186', '10 guesses of the 54 callers a phone can get');

# the attack: 60 victims, 3 distinct guesses a session, until locked out
my ($wins, $locked, $exact, @bad) = (0, 0, 0);
for my $v (1 .. 60) {
    my $phone = sprintf '+1202555%04d', $v;
    my ($fails, $won) = (0, 0);
    SESSION: for my $s (1 .. 10) {
        my $r = request_call($t, $phone);
        last SESSION if $r->{status} == 429;
        push(@bad, "request $r->{status}"), last SESSION
            unless $r->{status} == 202;
        for my $guess ((shuffle @pool)[0 .. 2]) {
            my $v = verify_call($t, session_id => $r->{json}{session_id},
                received_caller_id => $guess);
            if ($v->{status} == 200) {
                $won = 1;
                last SESSION;
            }
            $fails++;
            next if $v->{status} == 400
                && $v->{json}{error} eq 'caller_id_mismatch';
            push @bad, "verify $v->{status} $v->{json}{error}"
                unless $v->{status} == 429
                && $v->{json}{error} eq 'too_many_failures';
            last SESSION;
        }
    }
    $wins += $won;
    next if $won;
    $exact++ if $fails == 10;
    my $r = request_call($t, $phone);
    $locked++ if $r->{status} == 429
        && $r->{json}{error} eq 'too_many_failures'
        && $r->{headers}{'retry-after'} > 86000;
}
is_deeply(\@bad, [], 'every answer a mismatch, a token or the lockout');
is($exact, 60 - $wins, 'each victim not taken over: exactly 10 guesses');
is($locked, 60 - $wins, 'then locked out: 429 too_many_failures, no call, '
    . 'Retry-After a day');

# binomial(60, p): the mean and four standard deviations above it
my $p = $odds / 100;
my $bound = 60 * $p + 4 * sqrt(60 * $p * (1 - $p));
cmp_ok($wins, '<=', $bound, "$wins of 60 phones taken over, within the "
    . sprintf('%.1f the odds allow', $bound));
cmp_ok($wins, '>=', 1, 'and the attack is real: some phones fall');

# a race: 12 wrong guesses at once over 4 sessions of one phone
my $phone = '+12025559999';
my @sid = map { request_call($t, $phone)->{json}{session_id} } 1 .. 4;
my @res = $t->parallel(12, sub {
    my $v = verify_call($t, session_id => $sid[$_[0] % 4],
        received_caller_id => '+19995550000');
    return "$v->{status} " . ($v->{json}{error} // '');
});
is(scalar(grep { $_ eq '400 caller_id_mismatch' } @res), 9,
    'a race of 12 wrong guesses: 9 mismatches') or diag explain \@res;
ok((grep { $_ eq '429 too_many_failures' } @res) >= 1,
    'then the lockout');
is($t->redis('GET', "{missedcall}:failures:$phone"), 10,
    'exactly 10 counted');

$t->stop_all();

# verify bound to the session: knowing a phone is not enough to burn it

$t = stack(LOG_LEVEL => 'warn', EXTRA => 'missedcall_verify_by session;');
my $r = request_call($t, '+12025550143');
my $v = verify_call($t, phone_number => '+12025550143',
    received_caller_id => '+19995550000');
is($v->{status}, 400, 'verify_by session: a phone alone is refused');
is($v->{json}{message}, '"session_id" is required', 'named');
$v = verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => last_call($t)->{json}{from});
is($v->{status}, 200, 'verify_by session: the session verifies');
$t->stop_all();

$t = stack(LOG_LEVEL => 'warn', EXTRA => 'missedcall_verify_by phone;');
$r = request_call($t, '+12025550143');
$v = verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => last_call($t)->{json}{from});
is($v->{json}{message}, '"phone_number" is required',
    'verify_by phone: a session alone is refused');
$v = verify_call($t, phone_number => '+12025550143',
    received_caller_id => last_call($t)->{json}{from});
is($v->{status}, 200, 'verify_by phone: the phone verifies');
$t->stop_all();

# live: the admin API warns of a change that weakens a code past the
# bound, and the metrics show the odds of each code

my $TOKEN = 'admin-token-0123456789abcdef';
$t = stack(no_nginx => 1, pool => []);
$t->write_file('admin.token', "$TOKEN\n");
$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    HTTP_EXTRA => "missedcall_pool_range +15550300000 +15550399999;\n"
        . '    missedcall_metrics_zone zone=mc:1m;',
    EXTRA => "missedcall_max_guess_probability 1%;\n"
        . "        location /admin/ {\n"
        . '            missedcall_admin_token_file ' . $t->dir
        . "/admin.token;\n"
        . "            missedcall_admin;\n"
        . "        }\n"
        . "        location = /metrics { missedcall_metrics; }" });

sub admin_add {
    my ($number, @codes) = @_;
    return $t->http('POST', '/admin/numbers',
        headers => { Authorization => "Bearer $TOKEN",
            'Content-Type' => 'application/json' },
        body => JSON::PP::encode_json({ number => $number,
            calling_codes => \@codes }));
}

# test.conf has a location where the user types the last 4 digits of the
# caller: an attacker picks among the numbers sharing the rest, the hint
like($t->get('/metrics')->{content},
    qr/^missedcall_guess_odds\{code="all"\} 0\.001001$/m,
    'metrics: 100,000 numbers, 10,000 sharing a hint: 0.001 a day');
$r = admin_add('+447700900001', '44');
is($r->{status}, 201, 'admin: one number for +44 added');
like($r->{json}{warning}, qr/^the whole pool: a patient attacker's odds are 100\.0000% a day, above "missedcall_max_guess_probability" \(1\.0000%\)$/,
    'admin: the change stands, with a warning: a hint naming one number');
like($t->get('/metrics')->{content},
    qr/^missedcall_guess_odds\{code="44"\} 1\.000000$/m,
    'metrics: +44 now certain');
$r = admin_add('+442070000000-+442070099999', '44');
is($r->{status}, 201, 'admin: a range for +44 added');
like($r->{json}{warning}, qr/100\.0000% a day/,
    'admin: still warned: the lone number\'s hint still names it');
like($t->get('/metrics')->{content},
    qr/^missedcall_guess_odds\{code="44"\} 1\.000000$/m,
    'metrics: +44 still certain, counted by hint as nginx -t counts');
$r = $t->http('POST', '/admin/numbers/+447700900001/disable',
    headers => { Authorization => "Bearer $TOKEN" });
is($r->{status}, 200, 'admin: the lone number disabled');
ok(!exists $r->{json}{warning}, 'admin: strong again, no warning');
like($t->get('/metrics')->{content},
    qr/^missedcall_guess_odds\{code="44"\} 0\.001001$/m,
    'metrics: +44 back to 0.001 a day');
is(admin_add('+442070000009-+442070000001', '44')->{status}, 400,
    'admin: a range upside down refused');
$r = admin_add('+442070050000', '44');
is($r->{status}, 409, 'admin: a number inside the range refused');
is($r->{json}{error}, 'pool_overlap', 'admin: pool_overlap');
like($r->{json}{message}, qr/"\+442070000000-\+442070099999"/,
    'admin: the member it overlaps named');
like($t->get('/metrics')->{content},
    qr/^missedcall_guess_odds\{code="44"\} 0\.001001$/m,
    'metrics: the strength unchanged by the refused add');
$t->stop_all();

# the strength check: by calling code, with ranges, against the bound

sub strength {
    my ($http, $extra) = @_;
    return $t->nginx_test('conf/test.conf',
        { %MissedCall::Flow::DEFAULTS, HTTP_EXTRA => $http,
          EXTRA => $extra // '' });
}

$t = MissedCall::Test->new();
$t->write_file('pool.txt', join("\n",
    (map { sprintf '+1555030%04d', $_ } 1 .. 298),
    '+447700900001 codes=44', '+447700900002 codes=44') . "\n");
$t->write_file("jwt$_.key", 'k' x 40) for 1, 2;
$t->write_file('gateway.token', "secret\n");
my $bound1 = 'missedcall_max_guess_probability 1%;';
($rc, $out) = strength('', $bound1);
isnt($rc, 0, '298 US numbers and 2 for +44: refused at 1%');
like($out, qr/odds of 100\.0000% a day at worst \(calling code 44: 2 numbers/,
    'the worst code named: 44, 2 numbers');
like($out, qr/"missedcall_max_guess_probability" \(1\.0000%\)/,
    'the directive named');

# test.conf has a location in last-4-digits mode: a hint group of the
# pool file's numbers must hold over 1000 too
$t->write_file('pool.txt',
    join("\n", map { sprintf '+1213500%04d', $_ } 0 .. 1099) . "\n");
($rc, $out) = strength(
    'missedcall_pool_range +442070000000 +442070099999 codes=44;'
    . 'missedcall_pool_range +12125000000 +12125099999;', $bound1);
is($rc, 0, 'a 100,000-number range for each: accepted') or diag $out;
like($out, qr/odds of 0\.0101% a day at worst \(calling code 44: 100000 /,
    'the default budget over 100,000 numbers: 0.01% a day');
like($out, qr/odds of 0\.9100% a day at worst \(the whole pool: 1100 numbers sharing the hint/,
    'last 4 digits: the 1100 numbers that share a hint');

($rc, $out) = strength('missedcall_pool_range +12125000000 +12125099999;',
    "$bound1 missedcall_max_failures off;");
isnt($rc, 0, 'no failure budget and no limits: refused');
like($out, qr/unbounded: 0 wrong guesses a day/, 'unbounded, said');

($rc, $out) = strength('missedcall_pool_range +12125000000 +12125000099;'
    . 'missedcall_pool_range +12125000050 +12125000060;', '');
like($out, qr/"missedcall_pool_range": "\+12125000050" is listed twice/,
    'overlapping ranges: refused');

done_testing();
