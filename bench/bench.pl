#!/usr/bin/perl

# The benchmark: Redis, nginx (2 workers, the module) and an instant
# gateway (a plain nginx with one worker) on loopback, measured side by
# side in one run with wrk and redis-benchmark, printed as one table.
#
#   perl bench/bench.pl [pairs] [checks] [check seconds] [rounds]
#   perl bench/bench.pl --short          # a few minutes: fewer of each
#   MC_BENCH_CHECK_ONLY=1 perl bench/bench.pl 0 0 2 1   # the check rows only
#   perl bench/bench.pl --redis [pairs]  # Redis's CPU and commands only
#
# - check with a valid token against "return 204": alternating rounds,
#   medians, req/s ratio and p50/p99; with an HS256 token (the module's
#   own), and EdDSA and ES256 tokens signed by PyJWT with configured keys;
#   and one uncached signature check per algorithm (the unit test times it);
# - request (2 Redis round trips and a call) and verify (1 round trip and
#   a token) against redis-benchmark's round-trip rate with as many
#   connections (PING: the cost of a round trip, not of a script);
#   every verify has a fresh session, made by the request phase;
# - worker RSS before and after the pairs and the checks;
# - where the CPU went: microseconds of CPU an answer, by process, for
#   request, verify, and the same verify bodies POSTed to "return 200";
#   the workers' share of a request spent in the gateway call (perf, on
#   more requests apart, as perf's CPU would count in a measured phase);
# - Redis's CPU an answer (INFO cpu) and its commands (INFO commandstats);
# - the peer: a Django REST framework app of the seed's shape (bench/drf)
#   on gunicorn -w 2, the same Redis and the same instant gateway, its
#   request, verify and check side by side with the module's;
# - request at twice the connections, the module's and the peer's, and
#   the share of the machine's CPU left idle in both request phases: a
#   call placed passes five processes on two cores (wrk, a worker, Redis
#   twice, the gateway), and more connections need not fill them (issue
#   19); and what a wakeup costs on one core and across two
#   (bench/wakeup.pl).
# Scripted phases (request, verify, check, the peer's) use wrk -t1 -c20.
# The machine is shared and noisy: ratios are what to compare.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use MissedCall::Flow;

my $short = @ARGV && $ARGV[0] eq '--short' && shift;
# request and verify only, the Redis rows and commands: half a minute
my $redis_only = @ARGV && $ARGV[0] eq '--redis' && shift;
$short ||= $redis_only;
my $pairs = shift // ($short ? 50000 : 100000);
my $checks = shift // ($short ? 300000 : 1000000);
my $seconds = shift // ($short ? 2 : 5);
my $rounds = shift // ($short ? 1 : 3);
# the peer is some 10 to 40 times slower: fewer answers, enough for a few
# 1 s rounds at its rates
my $peer = $short ? 4000 : 12000;
my $conns = 20;

# what the issue measured before this work (issue 19), to print beside
my %before = (request_us => 81, verify_us => 42, request_x => 7.6,
    verify_x => 9.9, check_x => 38);

for my $tool ('wrk', 'redis-benchmark', 'gunicorn', 'perf') {
    die "$tool is not installed (make deps)\n" unless `which $tool`;
}

my $caller = '+15550100001';
my $t = stack(no_nginx => 1, pool => [ $caller ]);

# public keys beside the HMAC ones; the HMAC key k2 still signs
my $dir = $t->dir;
system("openssl genpkey -algorithm ed25519 -out $dir/ed.pem 2>/dev/null");
system("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
    . "-out $dir/es.pem 2>/dev/null");

# the instant gateway: nginx without the module, one worker of its own
my $gw = instant_gateway();

$t->start_nginx('conf/test.conf', { %MissedCall::Flow::DEFAULTS,
    WORKERS => 2, LOG_LEVEL => 'warn', SESSION_TTL => '30m',
    # a listening socket a worker: wrk's 20 connections, opened at once,
    # split between the workers, not taken all by the first one awake
    LISTEN => 'reuseport',
    GATEWAY_PORT => $gw->port('nginx'),
    HTTP_EXTRA => "missedcall_token_key ed $dir/ed.pem;\n"
        . "    missedcall_token_key es $dir/es.pem;",
    # as a busy site logs: a write a request costs 1/10 of a verify
    ACCESS_LOG => 'combined buffer=64k flush=1s',
    # the module's default limits and resend rule, restated (README,
    # missedcall_limit): the server's others run without them, as the
    # issue measured, and a site does not; each request from an address
    # of its own (request.lua's MC_ADDRESSES)
    EXTRA => <<'EOC' });
location = /limited/request/ {
            set_real_ip_from 127.0.0.1;
            real_ip_header X-Forwarded-For;
            missedcall_limit phone 5/1h;
            missedcall_limit phone 10/1d;
            missedcall_limit ip 20/1h;
            missedcall_resend 30s;
            missedcall_request;
        }
EOC

my $base = 'http://127.0.0.1:' . $t->port('nginx');

# the peer: Django REST framework on gunicorn, 2 sync workers as the seed
$t->redis('SADD', 'drf:pool', $caller);
{
    local $ENV{DRF_REDIS} = $t->port('redis');
    local $ENV{DRF_GATEWAY} = 'http://127.0.0.1:' . $gw->port('nginx')
        . '/call';
    local $ENV{DRF_SECRET} = 's' x 48;
    $t->_spawn('drf', "$dir/drf.log", '/usr/bin/gunicorn', '-w', '2',
        '--chdir', "$FindBin::Bin/drf", '-b',
        '127.0.0.1:' . $t->port('drf'), '--log-level', 'warning', 'app');
    $t->_wait_port($t->port('drf'), 'gunicorn', "$dir/drf.log");
}
my $drf = 'http://127.0.0.1:' . $t->port('drf');
$ENV{MC_BENCH} = "$FindBin::Bin";
$ENV{MC_CALLER} = $caller;

# a token, and both workers warmed up (a connection each time, so both
# get some): what is allocated once, such as the token cache, is not growth
my ($r, $token);
for my $i (1 .. 100) {
    $r = request_call($t, sprintf '+1999555%04d', $i);
    $r = verify_call($t, session_id => $r->{json}{session_id},
        received_caller_id => $caller);
    $token = $r->{json}{token} or die "no token\n";
    $t->get('/check', headers => { Authorization => "Bearer $token" })
        for 1 .. 5;
}
my @cold = rss();

# the same claims signed with the public-key algorithms, by PyJWT
my %tokens = (check => $token);
for (['check-eddsa', 'EdDSA', 'ed'], ['check-es256', 'ES256', 'es']) {
    my ($name, $alg, $kid) = @$_;
    my $claims = qq({"sub":"$caller","iat":${\ time},"exp":${\ (time + 86400)}});
    chomp($tokens{$name} = `/usr/bin/python3 $FindBin::Bin/../t/lib/pyjwt_tool.py sign $alg $dir/$kid.pem $kid '$claims'`);
    my $st = $t->get('/check',
        headers => { Authorization => "Bearer $tokens{$name}" })->{status};
    die "$name: $tokens{$name}: $st\n" unless $st == 204;
}

# and at the bench's own concurrency, a tenth of the pairs: what 50
# connections at once make the workers keep (request pools, gateway
# connections) is not growth either
check_only() if $ENV{MC_BENCH_CHECK_ONLY};

print STDERR "bench: warming up\n";
wrk_script($_, int($pairs / 10), offset => 9e7)
    for 'request.lua', 'verify.lua';
my @rss0 = rss();
redis_only() if $redis_only;

# 1. check against return 204
my %m = check_rounds();

# 2. the Redis ceiling, 50 connections
print STDERR "bench: the Redis ceiling\n";
my $out = `redis-benchmark -p ${\ $t->port('redis')} -c 50 -n 300000 -q -t ping_mbulk 2>&1`;
my ($ceiling) = $out =~ /([\d.]+) requests per second/
    or die "redis-benchmark: $out";

# 3. requests, then verifies of the sessions they made, each once
print STDERR "bench: $pairs requests, then as many verifies\n";
# what Redis counted too: a round's last answers reach no wrk to count them
my %counted0 = counted();
my $req = wrk_script('request.lua', $pairs);
my $sessions = $req->{status}{202} // 0;
die "only $sessions of $pairs sessions were created\n"
    unless $sessions >= $pairs;
my $ver = wrk_script('verify.lua', $pairs);
my %counted1 = counted();
my $lim = limited($pairs);
my $floor = wrk_script('verify.lua', $pairs, path => '/ping');
# the gateway call's share, sampled on more requests apart: perf costs
# CPU, and as wrk's child counts as wrk's, in no measured phase
my $share = wrk_script('request.lua', int($pairs / 2), offset => 7e7,
    perf => 1)->{gateway};
# what the connections, not the CPU, held back at 20
my $req2 = wrk_script('request.lua', int($pairs / 2), offset => 6e7,
    conns => 2 * $conns);

# 4. checks
print STDERR "bench: $checks checks\n";
my $chk = wrk_script('check.lua', $checks, tok => $token);
# nginx's own "return 204" the same way: the most check can be
my $empty = wrk_script('check.lua', $checks, tok => $token,
    path => '/empty');
my @rss1 = rss();

# 5. the peer, the same scripts on fewer answers, and a token it issued
print STDERR "bench: the DRF peer, $peer requests, verifies, checks\n";
my $dreq = wrk_script('request.lua', $peer, base => $drf, offset => 5e7);
die "the peer made only ", $dreq->{status}{202} // 0, " sessions\n"
    unless ($dreq->{status}{202} // 0) >= $peer;
my $dver = wrk_script('verify.lua', $peer, base => $drf, offset => 5e7);
my $dreq2 = wrk_script('request.lua', $peer, base => $drf, offset => 4e7,
    conns => 2 * $conns);
my $dtoken = drf_token();
my $dchk = wrk_script('check.lua', 3 * $peer, base => $drf,
    tok => $dtoken);

print "\n";
row('what', 'measured', 'against', 'ratio', 'target', '');
row('-' x 34, '-' x 12, '-' x 12, '-' x 6, '-' x 7, '-' x 4);
check_rows(%m);
my $rq = $req->{rps} / ($ceiling / 2);
row('request/s vs Redis ceiling / 2', int $req->{rps}, int($ceiling / 2),
    sprintf('%.2f', $rq), '>= 0.50', $rq >= 0.5 ? 'met' : 'MISS');
my $vr = $ver->{rps} / $ceiling;
row('verify/s vs Redis ceiling', int $ver->{rps}, int $ceiling,
    sprintf('%.2f', $vr), '>= 0.50', $vr >= 0.5 ? 'met' : 'MISS');
for (['request', $req, $dreq, 20, 'request_x'],
    ['verify', $ver, $dver, 20, 'verify_x'],
    ['check', $chk, $dchk, 40, 'check_x'])
{
    my ($name, $m, $d, $want, $b) = @$_;
    my $x = $d->{rps} ? $m->{rps} / $d->{rps} : 0;
    row("$name/s vs DRF (was $before{$b}x)", int $m->{rps}, int $d->{rps},
        sprintf('%.1f', $x), ">= $want", $x >= $want ? 'met' : 'MISS');
}
my $ex = $dchk->{rps} ? $empty->{rps} / $dchk->{rps} : 0;
row('  return 204/s vs DRF check', int $empty->{rps}, int $dchk->{rps},
    sprintf('%.1f', $ex), '', 'roof');
# what request could reach if the module's workers cost nothing: both
# cores spent on Redis, the gateway and wrk alone for each call placed
my $others = ($req->{redis_us} / 1e6 + $req->{cpu}{gateway} + $req->{cpu}{wrk})
    / ($req->{n} || 1);
my $roof = $others ? 2 / $others : 0;
my $rx = $dreq->{rps} ? $roof / $dreq->{rps} : 0;
row('  request, workers free, vs DRF', int $roof, int $dreq->{rps},
    sprintf('%.1f', $rx), '', 'roof');
my $x2 = $dreq2->{rps} ? $req2->{rps} / $dreq2->{rps} : 0;
row("  request, $req2->{conns} connections, vs DRF", int $req2->{rps},
    int $dreq2->{rps}, sprintf('%.1f', $x2), '', '');
row("  CPU idle in request, $conns / $req2->{conns} conns",
    idle($req), idle($req2), '', '', '');
redis_rows($req, $ver, $dreq, $dver, $lim);
# Redis's CPU a request in PINGs of the ceiling's run (a PING's CPU there,
# Redis busy, is 1 / the rate): the host's load moves both alike
row('  Redis CPU a request, in PINGs', map({ sprintf '%.2f',
    $_->{redis_us} / $_->{n} * $ceiling / 1e6 } $req, $dreq), '', '', '');
for my $i (0 .. $#rss0) {
    my $g = ($rss1[$i] // 0) - $rss0[$i];
    row("worker $i RSS growth, KiB", $g, "$rss0[$i]->" . ($rss1[$i] // '-'),
        '', '< 2048', $g < 2048 ? 'met' : 'MISS');
}
print "\n";
printf "Redis ceiling: redis-benchmark PING, 50 connections: %.0f/s\n",
    $ceiling;
printf "request: %d answers (%s); verify: %d (%s); check: %d (%s)\n",
    $req->{n}, answers($req), $ver->{n}, answers($ver), $chk->{n},
    answers($chk);
printf "DRF peer: request: %d answers (%s); verify: %d (%s); "
    . "check: %d (%s)\n", $dreq->{n}, answers($dreq), $dver->{n},
    answers($dver), $dchk->{n}, answers($dchk);
printf "Redis counted: %d calls placed, %d sessions verified\n",
    map { $counted1{$_} - $counted0{$_} } qw(placed verified);
printf "RSS growth from a cold start (one connection at a time before): "
    . "%s KiB\n", join ', ', map { $rss1[$_] - $cold[$_] } 0 .. $#cold;
uncached();
# the machine: what each wakeup across the cores of a call's chain costs
print `perl $FindBin::Bin/wakeup.pl`;
printf "check vs return 204: medians of %d alternating %d s rounds, "
    . "wrk 2 threads, 50 connections\n", $rounds, $seconds;
printf "request, verify, check and the peer: wrk 1 thread, %d connections"
    . "; \"against\" of the Redis rows: the peer's\n", $conns;
print "\nCPU an answer, microseconds (2 cores: 2,000,000 a second)\n";
printf "%-34s %8s %8s %8s %8s %8s\n", 'what', 'app', 'redis', 'gateway',
    'wrk', 'all';
for (['request', $req], ['verify', $ver],
    ['verify bodies to "return 200"', $floor], ['check', $chk],
    ['DRF request', $dreq], ['DRF verify', $dver], ['DRF check', $dchk])
{
    my ($name, $run) = @$_;
    my @c = map { $run->{cpu}{$_} / $run->{n} * 1e6 } qw(app gateway wrk);
    splice @c, 1, 0, $run->{redis_us} / $run->{n};
    printf "%-34s %8.1f %8.1f %8.1f %8.1f %8.1f\n", $name, @c,
        $c[0] + $c[1] + $c[2] + $c[3];
}
printf "the gateway call's share of the workers' CPU in request: %s\n",
    $share // 'not measured';
redis_commands(['request', $req], ['verify', $ver],
    ['limited', $lim], ['DRF request', $dreq], ['DRF verify', $dver]);

# the Redis CPU rows: the module's against the peer's, if measured, and
# a request's with the default limits (no target: the issue measured none)
sub redis_rows {
    my ($req, $ver, $dreq, $dver, $lim) = @_;
    for (['request', $req, $dreq, 25, 'request_us'],
        ['verify', $ver, $dver, 12, 'verify_us'])
    {
        my ($name, $run, $peer, $want, $b) = @$_;
        my $us = $run->{redis_us} / $run->{n};
        row("Redis CPU us/$name (was $before{$b})", sprintf('%.1f', $us),
            $peer ? sprintf('%.1f', $peer->{redis_us} / $peer->{n}) : '-',
            '', "<= $want", $us <= $want ? 'met' : 'MISS');
    }
    row('  request, default limits', sprintf('%.1f',
        $lim->{redis_us} / $lim->{n}), '', '', '', '');
}

# requests with the default limits and resend rule, a call placed for each
sub limited {
    my ($n) = @_;
    print STDERR "bench: $n requests with the default limits\n";
    my $run = wrk_script('request.lua', $n, path => '/limited/request/',
        addresses => 1, offset => 3e7);
    die "limited requests: ", answers($run), "\n"
        unless ($run->{status}{202} // 0) >= $n;
    return $run;
}

# calls and us an answer of each command, and of each script by name
sub redis_commands {
    print "\nRedis commands an answer (INFO commandstats): calls, us\n";
    for (@_) {
        my ($name, $run) = @$_;
        my $c = $run->{cmds};
        printf "%-12s %s\n", $name, join ', ', map {
            sprintf '%s %.2f %.1f', $_, $c->{$_}{calls} / $run->{n},
                $c->{$_}{usec} / $run->{n}
        } sort { $c->{$b}{usec} <=> $c->{$a}{usec} } grep {
            $c->{$_}{calls} / $run->{n} >= 0.01
        } keys %$c;
    }
}

# --redis: the request and verify phases alone
sub redis_only {
    print STDERR "bench: $pairs requests, then as many verifies\n";
    my $req = wrk_script('request.lua', $pairs);
    my $ver = wrk_script('verify.lua', $pairs);
    my $lim = limited($pairs);
    print "\n";
    row('what', 'measured', 'against', 'ratio', 'target', '');
    row('-' x 34, '-' x 12, '-' x 12, '-' x 6, '-' x 7, '-' x 4);
    redis_rows($req, $ver, undef, undef, $lim);
    print "\nrequest: $req->{n} answers (", answers($req), "); verify: "
        . "$ver->{n} (", answers($ver), ")\n";
    printf "answers a second: request %.0f, verify %.0f, request with the "
        . "default limits %.0f; the machine's CPU idle in request %s\n",
        (map { $_->{rps} } $req, $ver, $lim), idle($req);
    printf "the workers' CPU us an answer: request %.1f, verify %.1f, "
        . "request with the default limits %.1f\n",
        map { $_->{cpu}{app} / $_->{n} * 1e6 } $req, $ver, $lim;
    redis_commands(['request', $req], ['verify', $ver], ['limited', $lim]);
    print `perl $FindBin::Bin/wakeup.pl`;
    exit 0;
}

# alternating rounds of "return 204" and each check, medians
sub check_rounds {
    print STDERR "bench: check against return 204, $rounds rounds\n";
    my %runs;
    for (1 .. $rounds) {
        push @{ $runs{empty} }, wrk_plain("$base/empty", $token);
        push @{ $runs{$_} }, wrk_plain("$base/check", $tokens{$_})
            for sort keys %tokens;
    }
    return map {
        my @s = sort { $a->{rps} <=> $b->{rps} } @{ $runs{$_} };
        ($_ => $s[ int(@s / 2) ]);
    } keys %runs;
}

sub check_rows {
    my (%m) = @_;
    for my $c (['check', 'HS256'], ['check-eddsa', 'EdDSA'],
        ['check-es256', 'ES256'])
    {
        my ($name, $alg) = @$c;
        my $cr = $m{$name}{rps} / $m{empty}{rps};
        row("check $alg req/s vs return 204", int $m{$name}{rps},
            int $m{empty}{rps}, sprintf('%.2f', $cr), '>= 0.90',
            $cr >= 0.9 ? 'met' : 'MISS');
        row("  p50 ms (check $alg / 204)", sprintf('%.3f', $m{$name}{p50}),
            sprintf('%.3f', $m{empty}{p50}), '', '', '');
        row("  p99 ms (check $alg / 204)", sprintf('%.3f', $m{$name}{p99}),
            sprintf('%.3f', $m{empty}{p99}), '', '', '');
    }
}

# one uncached signature check per algorithm, timed by the unit test
sub uncached {
    my $root = "$FindBin::Bin/..";
    my $bin = "$root/build/unit/test_jwt";
    system("mkdir -p $root/build/unit && cc -std=c99 -D_DEFAULT_SOURCE -O1 "
        . "-I$root/src -I$root/t/unit $root/t/unit/test_jwt.c "
        . "$root/src/ngx_http_missedcall_jwt.c "
        . "$root/src/ngx_http_missedcall_jwk.c "
        . "$root/src/ngx_http_missedcall_json.c -lcrypto -ljansson -o $bin")
        == 0 or die "test_jwt does not compile\n";
    print map { s/^# //r } grep { /^# uncached verify/ } `$bin`;
}

sub check_only {
    my %m = check_rounds();
    print "\n";
    row('what', 'measured', 'against', 'ratio', 'target', '');
    check_rows(%m);
    print "\n";
    uncached();
    exit 0;
}

sub row {
    printf "%-34s %12s %12s %6s %7s %4s\n", @_;
}

sub wrk_plain {
    my ($url, $tok) = @_;
    my $out = `wrk -t 2 -c 50 -d ${seconds}s --latency -H 'Authorization: Bearer $tok' $url 2>&1`;
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

# runs a script in rounds of 1 s until $total answers; the rate is over
# the rounds' busy time: a full second, or, for the round that ran out of
# work, until its last answer (a fast phase may not fill one round).  %opt:
# base (another server: the peer), tok, path, offset (the first phone's
# index), perf (sample the workers: the gateway call's share), addresses
# (each request from an address of its own)
sub wrk_script {
    my ($script, $total, %opt) = @_;
    my ($offset, $done, $time, %status, $n) = ($opt{offset} // 0, 0, 0);
    my $c = $opt{conns} // $conns;
    my $url = $opt{base} // $base;
    my @pids = $opt{base} ? peer_workers() : workers();
    my %cpu0 = cpu(@pids);
    my %cmd0 = commandstats();
    my $perf = $opt{perf} ? perf_start(@pids) : undef;
    my @idle = (0, 0, 0, 0);
    local $ENV{MC_TOKEN} = $opt{tok} // '';
    local $ENV{MC_ADDRESSES} = 1 if $opt{addresses};
    local $ENV{MC_PATH} = $opt{path} if $opt{path};
    while ($done < $total) {
        local $ENV{MC_OFFSET} = $offset;
        local $ENV{MC_LIMIT} = $total - $done;
        my @s0 = proc_stat();
        my $out = `wrk -t 1 -c $c -d 1s -s $FindBin::Bin/$script $url 2>&1`;
        my %s = $out =~ /^status (\S+) (\d+)$/mg;
        my ($sent) = $out =~ /^sent up to (\d+)$/m or die "wrk: $out";
        my $answers = 0;
        $answers += $_ for values %s;
        $status{$_} += $s{$_} for keys %s;
        my ($busy) = $out =~ /^busy (\d+)$/m;
        # the machine's idle time in full rounds, not in the last one's
        # wait, and in that one only if no round was full
        my @s1 = proc_stat();
        my $k = $busy ? 2 : 0;
        $idle[$k] += $s1[0] - $s0[0];
        $idle[$k + 1] += $s1[1] - $s0[1];
        $n += $answers;
        $time += $busy ? $busy / 1e6 : 1;
        $done += $answers;
        $offset = $sent;
    }
    my $gateway = $perf ? perf_share($perf) : undef;
    my %cpu1 = cpu(@pids);
    my %cmd1 = commandstats();
    my %cmds;
    for my $c (keys %cmd1) {
        my %d = map { $_ => $cmd1{$c}{$_} - ($cmd0{$c}{$_} // 0) }
            qw(calls usec);
        $cmds{$c} = \%d if $d{calls};
    }
    return { rps => $time ? $n / $time : 0, status => \%status, n => $done,
        cpu => { map { $_ => $cpu1{$_} - $cpu0{$_} } keys %cpu1 },
        redis_us => ($cpu1{redis} - $cpu0{redis}) * 1e6,
        cmds => \%cmds, gateway => $gateway, conns => $c,
        idle => $idle[0] ? $idle[1] / $idle[0] : $idle[3] / ($idle[2] || 1) };
}

# the machine's CPU time so far, all of it and idle, in ticks
sub proc_stat {
    open my $fh, '<', '/proc/stat' or die "/proc/stat: $!\n";
    my (undef, @t) = split ' ', scalar <$fh>;
    my $all = 0;
    $all += $_ for @t[0 .. 7];
    return ($all, $t[3] + $t[4]);
}

sub idle {
    return sprintf '%.0f%%', 100 * $_[0]{idle};
}

# seconds of CPU so far: the app's workers, Redis (INFO cpu: finer than
# /proc's ticks), the instant gateway's worker, and wrk (waited-for
# children)
sub cpu {
    my (@pids) = @_;
    my %cpu = (app => ticks(@pids), gateway => ticks(gateway_workers()));
    my $info = $t->redis('INFO', 'cpu');
    my %i = $info =~ /^(used_cpu_(?:sys|user)):([\d.]+)/mg;
    $cpu{redis} = $i{used_cpu_sys} + $i{used_cpu_user};
    my @t = times;
    $cpu{wrk} = $t[2] + $t[3];
    return %cpu;
}

# INFO commandstats: calls and microseconds by command; a script's own
# commands are counted under their names too, and inside its time
sub commandstats {
    my %c;
    for (split /\r?\n/, $t->redis('INFO', 'commandstats')) {
        my ($name, $calls, $usec) =
            /^cmdstat_(\S+):calls=(\d+),usec=(\d+)/ or next;
        $c{$name} = { calls => $calls, usec => $usec };
    }
    return %c;
}

# perf samples of the workers for 2 s: the share in libcurl and in the
# module's curl and gateway code (user space; the gateway socket's
# system calls are in the kernel's share, not split out)
sub perf_start {
    my (@pids) = @_;
    my $file = "$dir/perf.data";
    my $pid = fork();
    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null';
        exec 'perf', 'record', '-F', '999', '-o', $file,
            '-p', join(',', @pids), '--', 'sleep', '2';
        exit 1;
    }
    return { pid => $pid, file => $file };
}

sub perf_share {
    my ($p) = @_;
    waitpid($p->{pid}, 0);
    my ($all, $gw, $kernel) = (0, 0, 0);
    for (`perf report -i $p->{file} --sort dso,sym --stdio 2>/dev/null`) {
        my ($pct, $dso, $sym) = /^\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(\S+)/
            or next;
        $all += $pct;
        $kernel += $pct if $dso =~ /kernel/;
        $gw += $pct if $dso =~ /libcurl/ || $sym =~ /missedcall_(curl|gateway)/;
    }
    return 'no samples' unless $all;
    return sprintf '%.1f%% (libcurl and curl.c/gateway*.c, user space; '
        . 'the kernel, %.1f%%, not split)', $gw * 100 / $all,
        $kernel * 100 / $all;
}

# a token the peer issued: one request and its verify
sub drf_token {
    require HTTP::Tiny;
    my $h = HTTP::Tiny->new;
    my %json = (headers => { 'Content-Type' => 'application/json' });
    my $r = $h->post("$drf/otp/request/", { %json,
        content => '{"phone_number": "+19995550000"}' });
    die "peer request: $r->{status} $r->{content}\n" unless $r->{status} == 202;
    $r = $h->post("$drf/otp/verify/", { %json, content =>
        qq({"phone_number": "+19995550000", "received_caller_id": "$caller"}) });
    my ($tok) = $r->{content} =~ /"token":"([^"]+)"/
        or die "peer verify: $r->{status} $r->{content}\n";
    return $tok;
}

# CPU seconds of processes, from /proc
sub ticks {
    my $s = 0;
    for my $pid (@_) {
        open my $fh, '<', "/proc/$pid/stat" or next;
        my @f = split ' ', (<$fh> =~ s/^.*\) //r);
        $s += ($f[11] + $f[12]) / 100;    # USER_HZ
    }
    return $s;
}

sub gateway_workers {
    return map { /(\d+)/ ? $1 : () } `pgrep -P ${\ $gw->nginx_pid }`;
}

sub peer_workers {
    return sort { $a <=> $b } map { /(\d+)/ ? $1 : () }
        `pgrep -P $t->{procs}{drf}`;
}

sub answers {
    my ($run) = @_;
    return join ', ', map { "$_: $run->{status}{$_}" }
        sort keys %{ $run->{status} };
}

# the workers' resident memory, in KiB
sub rss {
    return map {
        open my $fh, '<', "/proc/$_/status" or return ();
        my ($kb) = map { /^VmRSS:\s+(\d+)/ ? $1 : () } <$fh>;
        $kb;
    } workers();
}

sub counted {
    my $r = $t->redis('HGETALL', "{missedcall}:number:$caller");
    return @$r;
}

sub workers {
    return sort { $a <=> $b } map { /(\d+)/ ? $1 : () }
        `pgrep -P ${\ $t->nginx_pid }`;
}
