#!/usr/bin/perl

# The check handler with a valid token against a "return 204" location,
# side by side in one run (2 nginx workers, wrk on loopback), as a ratio.
#
#   perl bench/check.pl [seconds] [rounds]
#
# Rounds alternate the two locations so that a noisy machine penalises
# both alike; the ratio is of the medians.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use MissedCall::Flow;

my $seconds = shift // 5;
my $rounds = shift // 3;

die "wrk is not installed (make deps)\n" unless `which wrk`;

my $t = stack(WORKERS => 2, LOG_LEVEL => 'warn');

my $r = request_call($t, '+12025550143');
die "request failed: $r->{status}\n" unless $r->{status} == 202;
$r = verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => last_call($t)->{json}{from});
die "verify failed: $r->{status}\n" unless $r->{status} == 200;
my $token = $r->{json}{token};

my $base = 'http://127.0.0.1:' . $t->port('nginx');
die "token refused\n"
    unless $t->get('/check', headers => { Authorization => "Bearer $token" })
        ->{status} == 204;

my %runs = (check => [], empty => []);

for my $round (1 .. $rounds) {
    for my $name ('check', 'empty') {
        push @{ $runs{$name} }, wrk("$base/$name", $token);
    }
}

printf "%-22s %12s %10s %10s\n", 'location', 'req/s', 'p50 ms', 'p99 ms';
my %median;
for my $name ('empty', 'check') {
    my @sorted = sort { $a->{rps} <=> $b->{rps} } @{ $runs{$name} };
    my $m = $sorted[ int(@sorted / 2) ];
    $median{$name} = $m;
    printf "%-22s %12.0f %10.3f %10.3f\n",
        $name eq 'check' ? 'missedcall_check' : 'return 204',
        $m->{rps}, $m->{p50}, $m->{p99};
}
printf "ratio check / return 204: %.2f (target >= 0.90; %d rounds of %ds)\n",
    $median{check}{rps} / $median{empty}{rps}, $rounds, $seconds;

sub wrk {
    my ($url, $token) = @_;
    my $out = `wrk -t 2 -c 50 -d ${seconds}s --latency -H 'Authorization: Bearer $token' $url 2>&1`;
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    die "wrk failed:\n$out" unless $rps;
    die "non-2xx answers from $url:\n$out" if $non2xx;
    return { rps => $rps, p50 => ms($out, '50%'), p99 => ms($out, '99%') };
}

sub ms {
    my ($out, $p) = @_;
    my ($v, $unit) = $out =~ /^\s+\Q$p\E\s+([\d.]+)(us|ms|s)/m;
    return 0 unless defined $v;
    return $unit eq 'us' ? $v / 1000 : $unit eq 's' ? $v * 1000 : $v;
}
