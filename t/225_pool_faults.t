#!/usr/bin/perl

# The destination cannot disable the pool: refusals of attacker-chosen
# destinations never count; a gateway refusing everything for a while
# disables nothing; a number the gateway keeps refusing while others are
# placed is disabled, up to missedcall_pool_max_disabled of the pool.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Flow;

my @pool = map { sprintf '+1555010%04d', $_ } 1 .. 5;
my $account = 'AC' . ('0123456789abcdef' x 2);
my $token = 'twilio-auth-token-5f1d2c';

my $t = stack(pool => \@pool, no_nginx => 1,
    twilio => [ "$account:$token" ]);
$t->write_file('twilio.token', "$token\n");

(my $conf = $t->nginx_conf('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    HTTP_EXTRA => "missedcall_pool_max_failures 2;\n"
        . 'missedcall_metrics_zone zone=missedcall:1m;',
    EXTRA => 'location = /metrics { missedcall_metrics; }' }))
    =~ s{missedcall_gateway http \S+;\s+missedcall_gateway_secret_file \S+;}{
        missedcall_gateway twilio http://127.0.0.1:%%GATEWAY_PORT%%/;
        missedcall_twilio_account $account;
        missedcall_gateway_secret_file %%DIR%%/twilio.token;
        missedcall_gateway_rate 100r/s;
    };
$t->start_nginx($conf);

my $n = 0;

sub call {
    my $phone = shift // sprintf '+1415555%04d', $n++;
    my $r = request_call($t, $phone);
    return $r->{status} . ($r->{json}{error} ? " $r->{json}{error}" : '');
}

sub numbers {
    my %h;
    for my $num (@pool) {
        $h{$num} = { @{ $t->redis('HGETALL', "{missedcall}:number:$num") } };
    }
    return \%h;
}

sub count {
    my ($field, $value) = @_;
    my $h = numbers();
    return scalar grep { ($h->{$_}{$field} // '') eq $value } @pool;
}

sub fails {
    my $h = numbers();
    my $sum = 0;
    $sum += $h->{$_}{fails} // 0 for @pool;
    return $sum;
}

sub events {
    my ($name) = @_;
    my $all = $t->redis('XRANGE', '{missedcall}:events', '-', '+');
    return grep { $_->[1][1] eq $name } @$all;
}

sub metric {
    my ($name) = @_;
    my ($v) = $t->get('/metrics')->{content} =~ /^\Q$name\E (\d+)$/m;
    return $v;
}

# a pool that works
is(call(), '202', 'a call placed');

# (a) attacker-chosen destinations the gateway refuses

my %seen;
for my $code (21211, 21214, 21217, 21215, 13227, 21216, 99999) {
    $t->gateway_mode("twilio $code to=+1900");
    for (1 .. 3) {
        my $r = call(sprintf '+1900555%04d', $n++);
        $seen{$r}++;
    }
}
note explain \%seen;
is($seen{'422 invalid_phone_number'}, 18,
    'invalid, unreachable, blocked and geo-refused destinations: 422');
is($seen{'502 gateway_error'}, 3, 'an unknown code: 502');
$t->gateway_mode('status 400 to=+1900');
is(call('+19005550999'), '502 gateway_error', 'no Twilio code at all: 502');
is(fails(), 0, 'not one refusal counted against a caller number');
is(count(state => 'enabled'), 5, 'no number disabled');
$t->gateway_mode('ok');
is(call(), '202', 'calls go on');

# (b) the gateway refuses every call as the caller's fault for 3 s

$t->gateway_mode(sprintf 'twilio 21210 until=%.3f', time + 3);
my %b;
my $until = time + 2.5;
while (time < $until) {
    $b{ call() }++;
}
note explain \%b;
cmp_ok($b{'502 gateway_error'}, '>=', 10,
    "$b{'502 gateway_error'} calls refused during the outage");
cmp_ok(fails(), '>=', 10, 'the refusals counted in a row');
is(count(state => 'enabled'), 5,
    'no call placed meanwhile: nothing disabled');
is(scalar(events('number_disabled')), 0, 'no number_disabled event');
sleep 0.6;
my @after = map { call() } 1 .. 10;
is(join(' ', @after), join(' ', ('202') x 10),
    'the gateway recovers: calls succeed');

# (c) numbers refused as the caller's fault while others are placed

my ($bad1, $bad2, $bad3) = @pool[0 .. 2];
$t->gateway_mode(join "\n", map { "twilio 21212 from=$_" } $bad1, $bad2,
    $bad3);
my $disabled_by;
for my $i (1 .. 150) {
    call();
    my %kept = map { $_->[1][3] => 1 } events('number_kept');
    last if keys %kept >= 2;
}
my $h = numbers();
my @off = grep { $h->{$_}{state} eq 'disabled' } @pool;
is(scalar @off, 1, 'one number disabled: 10% of 5, at least one');
ok($off[0] eq $bad1 || $off[0] eq $bad2 || $off[0] eq $bad3,
    'one the gateway refused');
like($h->{ $off[0] }{reason},
    qr/calls in a row refused by the gateway, the last: HTTP 400, code 21212/,
    'its reason');
my @kept = grep { $h->{$_}{state} eq 'enabled' && $h->{$_}{fails} >= 2 }
    $bad1, $bad2, $bad3;
is(scalar @kept, 2, 'the two other refused numbers: kept enabled');
my @ev = events('number_kept');
my %kept = map { $_->[1][3] => 1 } @ev;
is_deeply([ sort keys %kept ], [ sort @kept ],
    'a number_kept event for each of them');
like($ev[0][1][5], qr/kept: 1 of 5 numbers disabled already, at most 1$/,
    'the event gives the share');
cmp_ok(metric('missedcall_pool_numbers_kept_total'), '>=', 2,
    'missedcall_pool_numbers_kept_total');
like($t->error_log,
    qr/caller number \+1555010000[123] not disabled: \d+ calls in a row/,
    'an error line says so');
is(scalar(events('number_disabled')), 1, 'one number_disabled event');
ok(!grep({ $h->{$_}{state} ne 'enabled' } @pool[3, 4]),
    'the good numbers stay enabled');

unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal \d+/,
    'no alert or crash in the error log');

done_testing();
