#!/usr/bin/perl

# Instructions a worker executes per answer, counted by callgrind: a
# figure that does not move with the machine's load, unlike a rate.
#
#   perl bench/callgrind.pl [answers]      # 2000 unless told
#
# Redis, an instant gateway (a plain nginx, as bench.pl has) and the
# module's nginx as one process (master_process off) under valgrind
# --tool=callgrind.  After a warm-up, its counters are zeroed, a phase
# runs (wrk -t1 -c20, as bench.pl's scripts), and the counters are
# dumped: request, verify, the verify bodies POSTed to "return 200"
# (nginx's own cost), and check; the answers are counted in the access
# log.  Each dump stays in the test folder (TEST_KEEP=1) for
# callgrind_annotate.  The gateway call's share of a request: building
# and starting the transfer, and libcurl's work, in user space (system
# calls are the kernel's, which callgrind does not count).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use MissedCall::Flow;

my $answers = shift // 2000;
my $caller = '+15550100001';

for my $tool ('wrk', 'valgrind', 'callgrind_control', 'callgrind_annotate') {
    die "$tool is not installed\n" unless `which $tool`;
}

my $t = stack(no_nginx => 1, pool => [ $caller ]);
my $dir = $t->dir;

my $gw = instant_gateway();

# the module's nginx as bench.pl runs it, under callgrind
my $prefix = "$dir/nginx";
# (one process: callgrind_control does not reach a forked worker)
my $conf = $t->nginx_conf('conf/test.conf', {
    %MissedCall::Flow::DEFAULTS, WORKERS => 1, LOG_LEVEL => 'warn',
    SESSION_TTL => '30m', GATEWAY_PORT => $gw->port('nginx'),
    ACCESS_LOG => 'combined buffer=64k flush=1s' });
$conf =~ s/^master_process on;/master_process off;/m or die "master_process\n";
$t->write_file('nginx/nginx.conf', $conf);
$t->_spawn('nginx', "$prefix/logs/stderr.log", 'valgrind',
    '--tool=callgrind', '--compress-strings=no', '--compress-pos=no',
    "--callgrind-out-file=$dir/callgrind.%p",
    '/usr/sbin/nginx', '-p', "$prefix/", '-c', "$prefix/nginx.conf",
    '-e', "$prefix/logs/error.log");
wait_port($t->port('nginx'));
my $worker = $t->nginx_pid;

my $base = 'http://127.0.0.1:' . $t->port('nginx');
my $r = request_call($t, '+19995550000');
$r = verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => $caller);
my $token = $r->{json}{token} or die "no token: $r->{status}\n";

$ENV{MC_BENCH} = "$FindBin::Bin";
$ENV{MC_CALLER} = $caller;

# warm-up: connections to Redis and the gateway, caches, pools
phase('request.lua', 200, offset => 9e7);
phase('verify.lua', 200, offset => 9e7);
phase('check.lua', 200);

my %ir;
for (['request', 'request.lua'], ['verify', 'verify.lua'],
    ['return 200', 'verify.lua', path => '/ping'],
    ['check', 'check.lua'])
{
    my ($name, $script, %opt) = @$_;
    my $n = logged();
    control('-z', $worker);
    phase($script, $answers, %opt);
    my $file = dump_counts($name);
    $n = logged() - $n;
    $ir{$name} = total($file);
    printf "%-12s %9.0f instructions an answer (%d answers)\n", $name,
        $ir{$name} / $n, $n;
    printf "%-12s %s\n", '', gateway_share($file, $ir{$name})
        if $name eq 'request';
}

# rounds of 10 s: wrk waits out its duration after its limit, and the
# answers still in flight then reach nginx, not wrk: logged() counts them
sub phase {
    my ($script, $total, %opt) = @_;
    my ($offset, $done) = ($opt{offset} // 0, 0);
    local $ENV{MC_TOKEN} = $token;
    local $ENV{MC_PATH} = $opt{path} if $opt{path};
    while ($done < $total) {
        local $ENV{MC_OFFSET} = $offset;
        local $ENV{MC_LIMIT} = $total - $done;
        my $out = `wrk -t 1 -c 20 -d 10s -s $FindBin::Bin/$script $base 2>&1`;
        my %s = $out =~ /^status (\S+) (\d+)$/mg;
        ($offset) = $out =~ /^sent up to (\d+)$/m or die "wrk: $out";
        my $good = ($s{200} // 0) + ($s{202} // 0) + ($s{204} // 0);
        my $all = 0;
        $all += $_ for values %s;
        die "$script: bad answers:\n$out" if $all > $good;
        $done += $all;
    }
}

# the access log's lines once its buffer is flushed (flush=1s)
sub logged {
    sleep 3;
    open my $fh, '<', "$prefix/logs/access.log" or die "access.log: $!";
    my $n = 0;
    $n++ while <$fh>;
    return $n;
}

sub control {
    system("callgrind_control @_ >/dev/null") == 0
        or die "callgrind_control @_ failed\n";
}

sub dump_counts {
    my ($name) = @_;
    my @before = glob "$dir/callgrind.$worker.*";
    control('-d', $name =~ tr/ /_/r, $worker);
    my %seen = map { $_ => 1 } @before;
    my ($file) = grep { !$seen{$_} } glob "$dir/callgrind.$worker.*";
    die "no dump for $name\n" unless $file;
    return $file;
}

sub total {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!";
    while (<$fh>) {
        return $1 if /^(?:summary|totals):\s+(\d+)/;
    }
    die "$file: no totals\n";
}

# what placing the call takes, inclusive: dispatch (the transfer built
# and started), libcurl's progress (curl_action) less the owner's callback
# inside it, of which only the answer's check and the handle's release
# are the call's
sub gateway_share {
    my ($file, $all) = @_;
    my %incl;
    my $cmd = 'callgrind_annotate --inclusive=yes --threshold=100 --auto=no';
    for (`$cmd $file 2>/dev/null`) {
        # a function's own line names its object; others are inlined parts
        my ($ir, $fn) = /^\s*([\d,]+)\s+\([^)]*\)\s+\S*:(\w+) \[/ or next;
        $ir =~ tr/,//d;
        $incl{$fn} += $ir;
    }
    my $gw = 0;
    $gw += $incl{"ngx_http_missedcall_$_"} // 0
        for qw(dispatch curl_action curl_free gateway_http_result);
    $gw -= $incl{ngx_http_missedcall_called} // 0;
    return sprintf 'the gateway call: %.1f%% of it (user space)',
        $gw * 100 / $all;
}

sub wait_port {
    my ($port) = @_;
    my $until = time + 60;
    while (time < $until) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
        return close $s if $s;
        select undef, undef, undef, 0.1;
    }
    die "nginx under valgrind did not start\n";
}
