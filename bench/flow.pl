#!/usr/bin/perl

# Request and verify against the Redis round-trip ceiling, and worker
# memory, side by side in one run: Redis, nginx (2 workers) and an
# instant gateway (a location of the same nginx) on loopback.
#
#   perl bench/flow.pl [seconds] [check seconds]
#
# A request is 2 Redis round trips (reserve, confirm), a verify 1; the
# ceiling is redis-benchmark's PING rate with as many connections.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use MissedCall::Flow;

my $seconds = shift // 5;
my $check_seconds = shift // 10;

for my $tool ('wrk', 'redis-benchmark') {
    die "$tool is not installed (make deps)\n" unless `which $tool`;
}

my $caller = '+15550100001';
my $t = stack(no_nginx => 1, pool => [ $caller ]);
$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    WORKERS => 2, LOG_LEVEL => 'warn', SESSION_TTL => '10m',
    GATEWAY_PORT => $t->port('nginx'),
    EXTRA => 'location = /call { return 200 "{}"; }' });

my $base = 'http://127.0.0.1:' . $t->port('nginx');
$ENV{MC_BENCH} = "$FindBin::Bin";
$ENV{MC_CALLER} = $caller;

my @rss0 = rss();

# the ceiling: Redis round trips per second, 50 connections
my $out = `redis-benchmark -p ${\ $t->port('redis')} -c 50 -n 300000 -q -t ping_mbulk 2>&1`;
my ($ceiling) = $out =~ /([\d.]+) requests per second/
    or die "redis-benchmark: $out";

# requests run twice as long as verifies, so that sessions do not run
# out; should they, wrk's rate counts the idle time: flagged below
my $req = wrk('request.lua', 2 * $seconds, 0);
my $sessions = $req->{status}{202} // 0;
die "no session was created\n" unless $sessions > 1000;

my $ver = wrk('verify.lua', $seconds, $sessions - 200);
my $ran_out = ($ver->{status}{200} // 0) >= $sessions - 200;
my @rss1 = rss();

# a token, then checks
my $r = request_call($t, '+19995550100');
$r = verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => $caller);
my $token = $r->{json}{token} or die "no token\n";
my $check = `wrk -t 2 -c 50 -d ${check_seconds}s -H 'Authorization: Bearer $token' $base/check 2>&1`;
my ($checks) = $check =~ /(\d+) requests in/;
my @rss2 = rss();

printf "%-34s %12s %12s %10s\n", 'what', 'per second', 'ceiling', 'ratio';
printf "%-34s %12.0f %12s %10s\n", 'Redis round trips (redis-benchmark)',
    $ceiling, '', '';
printf "%-34s %12.0f %12.0f %10.2f\n", 'request (2 round trips + call)',
    $req->{rps}, $ceiling / 2, $req->{rps} / ($ceiling / 2);
printf "%-34s %12.0f %12.0f %10.2f\n", 'verify (1 round trip + token)',
    $ver->{rps}, $ceiling, $ver->{rps} / $ceiling;
print "verify ran out of sessions: its rate is a lower bound\n" if $ran_out;
print "request answers: ", answers($req), "\n";
print "verify answers:  ", answers($ver), "\n";
print "targets: request and verify >= 0.50 of the ceiling\n\n";

printf "%-34s %s\n", 'worker RSS (KiB), per worker', 'start / after flows / after checks';
for my $i (0 .. $#rss0) {
    printf "%-34s %s / %s / %s (growth %+d KiB)\n", "worker $i",
        $rss0[$i], $rss1[$i] // '-', $rss2[$i] // '-',
        ($rss2[$i] // 0) - $rss0[$i];
}
printf "after %d request/verify pairs and %d check requests;"
    . " target: growth < 2048 KiB per worker\n",
    $ver->{status}{200} // 0, $checks // 0;

sub wrk {
    my ($script, $d, $limit) = @_;
    local $ENV{MC_LIMIT} = $limit;
    my $out = `wrk -t 1 -c 50 -d ${d}s -s $FindBin::Bin/$script $base 2>&1`;
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/ or die "wrk: $out";
    my %status = $out =~ /^status (\S+) (\d+)$/mg;
    return { rps => $rps, status => \%status };
}

sub answers {
    my ($run) = @_;
    return join ', ', map { "$_: $run->{status}{$_}" }
        sort keys %{ $run->{status} };
}

# the workers' resident memory, in KiB
sub rss {
    my @pids = sort { $a <=> $b } map { /(\d+)/ ? $1 : () }
        `pgrep -P ${\ $t->nginx_pid }`;
    return map {
        open my $fh, '<', "/proc/$_/status" or return ();
        my ($kb) = map { /^VmRSS:\s+(\d+)/ ? $1 : () } <$fh>;
        $kb;
    } @pids;
}
