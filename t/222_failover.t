#!/usr/bin/perl

# Ordered failover between two gateways: the first hanging, resetting,
# answering 5xx or busy moves the call to the second within the request;
# a refusal of the number called does not; a failed gateway is skipped
# for its fail_timeout, shared through Redis; each gateway keeps its own
# rate; the session and the metrics name the gateway that placed it.
# The exact count of calls at each fake is checked every time.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Flow;

my $t = stack(no_nginx => 1);
$t->start_gateway(name => 'gateway2');

my $conf = sub {
    my (%o) = @_;
    (my $c = $t->nginx_conf('conf/test.conf', {
        %MissedCall::Flow::DEFAULTS, GATEWAY_TIMEOUT => '1s',
        WORKERS => 2, LOG_LEVEL => 'debug',
        HTTP_EXTRA => 'missedcall_metrics_zone zone=mc:1m;' }))
        =~ s{missedcall_gateway http (\S+);}{
        missedcall_gateway http $1 name=first $o{first};
        missedcall_gateway http http://127.0.0.1:%%GATEWAY2_PORT%%/call
            name=second $o{second};
        missedcall_gateway_fail_timeout $o{fail_timeout};

        location = /metrics { missedcall_metrics; }
        };
    return $c;
};

$t->start_nginx($conf->(first => '', second => '', fail_timeout => '2s'));

my %seen = (gateway => 0, gateway2 => 0);
my $phone = 0;

# one request; the calls each fake got since the last one, told apart by
# call_id: libcurl sends a request again, once, when a kept-alive
# connection turns out closed, which is the same call
sub call {
    my ($name) = @_;
    my $start = time;
    my $r = request_call($t, sprintf '+1202555%04d', ++$phone);
    $r->{took} = time - $start;
    for my $g (qw(gateway gateway2)) {
        my @all = @{ $t->gateway_calls($g) };
        my %ids = map { ($_->{json}{call_id} // 'none') => 1 }
            @all[$seen{$g} .. $#all];
        $r->{calls}{$g} = scalar keys %ids;
        $seen{$g} = @all;
    }
    return $r;
}

sub placed_by {
    my ($r) = @_;
    return undef unless $r->{json} && $r->{json}{session_id};
    return $t->session("{missedcall}:session:$r->{json}{session_id}")
        ->{gateway};
}

sub marks { return [ $t->redis_keys('{missedcall}:down:*') ] }

sub reset_all {
    $t->gateway_mode('ok', $_) for qw(gateway gateway2);
    $t->redis('DEL', '{missedcall}:down:first', '{missedcall}:down:second');
}

# both well: the first places every call
my $r = call();
is($r->{status}, 202, 'both well: 202');
is_deeply($r->{calls}, { gateway => 1, gateway2 => 0 },
    'both well: the first gateway only');
is(placed_by($r), 'first', 'the session names the first');
is_deeply(marks(), [], 'no failure mark');

# each failure of the first: the second places the call, in the request
for my $mode ('status 500', 'status 503', 'status 429', 'busy', 'reset',
    'close', 'garbage', 'hang')
{
    reset_all();
    $t->gateway_mode($mode);
    $r = call();
    is($r->{status}, 202, "first $mode: 202");
    is_deeply($r->{calls}, { gateway => 1, gateway2 => 1 },
        "first $mode: tried once, then the second once");
    is(placed_by($r), 'second', "first $mode: the session names the second");
    is_deeply(marks(), [ '{missedcall}:down:first' ],
        "first $mode: the first is marked down");
}
ok($r->{took} >= 0.9 && $r->{took} < 2.5,
    sprintf 'a hanging first costs its timeout, once (%.2fs)', $r->{took});

# marked: the next calls skip it, whatever it would say now
$t->gateway_mode('ok');
my $pttl = $t->redis('PTTL', '{missedcall}:down:first');
ok($pttl > 0 && $pttl <= 2000, "the mark lasts fail_timeout ($pttl ms)");
for (1 .. 3) {
    $r = call();
    is($r->{status}, 202, "while marked: 202 ($_)");
    is_deeply($r->{calls}, { gateway => 0, gateway2 => 1 },
        "while marked: the second only ($_)");
}

# once the mark expires, the first again
sleep(($pttl + 100) / 1000);
$r = call();
is_deeply($r->{calls}, { gateway => 1, gateway2 => 0 },
    'after fail_timeout: the first again');
is(placed_by($r), 'first', 'and it placed the call');

# a refusal of the number called is the client's answer: no failover
reset_all();
$t->gateway_mode('status 422');
$r = call();
is($r->{status}, 422, 'first refuses the number: 422');
is($r->{json}{error}, 'invalid_phone_number', 'invalid_phone_number');
is_deeply($r->{calls}, { gateway => 1, gateway2 => 0 },
    'the second is not asked');
is_deeply(marks(), [], 'nor is the first marked');

# nor is a refusal of the account (401)
$t->gateway_mode('status 401');
$r = call();
is($r->{status}, 502, 'first refuses the account: 502');
is_deeply($r->{calls}, { gateway => 1, gateway2 => 0 },
    'the second is not asked');

# both failing: the last answer, and no session
reset_all();
$t->gateway_mode('status 500', $_) for qw(gateway gateway2);
my @before = session_keys($t);
$r = call();
is($r->{status}, 502, 'both 500: 502');
is($r->{json}{error}, 'gateway_error', 'gateway_error');
is_deeply($r->{calls}, { gateway => 1, gateway2 => 1 }, 'each tried once');
my @after = session_keys($t);
is(scalar @after, scalar @before, 'no session left');
is_deeply([ sort @{ marks() } ],
    [ '{missedcall}:down:first', '{missedcall}:down:second' ],
    'both marked');

# both marked: the last is tried all the same
$t->gateway_mode('ok', 'gateway2');
$r = call();
is($r->{status}, 202, 'both marked: 202');
is_deeply($r->{calls}, { gateway => 0, gateway2 => 1 },
    'the last one is tried all the same');

# a mark set by one worker holds for the other: 6 calls over 2 workers
reset_all();
$t->gateway_mode('status 500');
call();
my %total = (gateway => 0, gateway2 => 0);
for (1 .. 6) {
    $r = call();
    $total{$_} += $r->{calls}{$_} for keys %total;
}
is_deeply(\%total, { gateway => 0, gateway2 => 6 },
    'the mark holds across workers: the second only');

# the metrics count calls by gateway name
my $m = $t->get('/metrics')->{content};
my $calls = 'missedcall_calls_total';
like($m, qr/^$calls\{gateway="first",result="gateway_error"\} [1-9]/m,
    'metrics: the first gateway\'s errors');
like($m, qr/^$calls\{gateway="second",result="placed"\} [1-9]/m,
    'metrics: the second gateway\'s calls');
unlike($m, qr/gateway="http"/, 'no label for a kind nobody named so');

# a reload keeps each name's counters, whatever the order of the names
my ($placed) = $m =~ /^$calls\{gateway="second",result="placed"\} (\d+)/m;
(my $renamed = $conf->(first => '', second => '', fail_timeout => '2s'))
    =~ s/name=first/name=zeroth/;
$t->write_file('nginx/nginx.conf', $t->nginx_conf($renamed));
$t->reload_nginx();
sleep 1;
$m = $t->get('/metrics')->{content};
like($m, qr/^$calls\{gateway="second",result="placed"\} $placed$/m,
    "after a reload, the second's count kept ($placed)");
like($m, qr/^$calls\{gateway="zeroth",result="gateway_error"\} 0$/m,
    'a new name counts from 0');
unlike($m, qr/gateway="first"/, 'a name gone is not shown');

# each gateway keeps its own rate: the second at 1 call a second
$t->stop_nginx;
$t->start_nginx($conf->(first => 'fail_timeout=0', second => 'rate=1r/s',
    fail_timeout => '2s'));
reset_all();
$t->gateway_mode('status 500');
my @took = map { call()->{took} } 1 .. 2;
is_deeply([ map { $_ } @{ marks() } ], [], 'fail_timeout=0: no mark');
ok($took[1] >= 0.7, sprintf 'the second call waits for its slot at the '
    . 'second gateway (%.2fs)', $took[1]);

# kinds mix: the custom gateway failing, Telnyx with its own key places it
$t->stop_nginx;
$t->write_file('telnyx.key', "KEY-telnyx-failover-0123456789\n");
my $tp = $t->start_gateway(name => 'telnyx',
    telnyx => [ 'KEY-telnyx-failover-0123456789' ]);
(my $mixed = $conf->(first => '', second => '', fail_timeout => '2s'))
    =~ s{missedcall_gateway http \S+\s+name=second ;}{
        missedcall_gateway telnyx http://127.0.0.1:$tp name=second
            secret_file=@{[ $t->dir ]}/telnyx.key;
        missedcall_telnyx_connection 1494404757140276705;};
$t->start_nginx($mixed);
reset_all();
$t->gateway_mode('status 502');
my $before_telnyx = @{ $t->gateway_calls('telnyx') };
$r = call();
is($r->{status}, 202, 'http failing, Telnyx second: 202');
my @telnyx = @{ $t->gateway_calls('telnyx') }[$before_telnyx .. $before_telnyx];
is(scalar @{ $t->gateway_calls('telnyx') }, $before_telnyx + 1,
    'Telnyx got the call once');
is_deeply($telnyx[0]{problems}, [], 'as Telnyx wants it, with its own key');
is(placed_by($r), 'second', 'the session names it');
like($t->session("{missedcall}:session:$r->{json}{session_id}")
    ->{gateway_sid}, qr/^v3:/, 'and keeps its call_control_id');

# nginx -t: two gateways of one name
my ($rc, $out) = $t->nginx_test($conf->(first => 'name=second',
    second => '', fail_timeout => '2s'));
isnt($rc, 0, 'two gateways named alike: refused');
like($out, qr/two gateways are named "second"/, 'and said why');

unlike($t->error_log, qr/gw-secret-token-1234/, 'the secret is never logged');
$t->stop_all;
is_deeply([ $t->sanitizer_reports ], [], 'no sanitizer report');

done_testing();
