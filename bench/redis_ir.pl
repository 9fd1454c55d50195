#!/usr/bin/perl

# Redis's cost of one reserve, confirm and verify, in instructions: a
# redis-server under valgrind's callgrind, the module's scripts (as
# lua2c.sh expands them) and confirm's transaction sent as the module
# sends them, 20 at a time, on the bench's shape (one pool number, events
# on, a failure budget, no limits), and reserve again with the default
# limits ("limited").  Instruction counts repeat from run to
# run on a shared machine, where times do not.
#
#   perl bench/redis_ir.pl [count]      # 2000 of each by default

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use Digest::SHA qw(sha1_hex);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use MissedCall::Test;

my $n = shift // 2000;
my $lua = "$FindBin::Bin/../src/lua";
my $dir = tempdir(CLEANUP => 1);

die "valgrind is not installed\n" unless `which callgrind_control`;

my $port = MissedCall::Test->new()->port('redis');
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    open STDOUT, '>', "$dir/valgrind.log";
    open STDERR, '>&', \*STDOUT;
    exec 'valgrind', '--tool=callgrind',
        "--callgrind-out-file=$dir/callgrind.out.%p", 'redis-server',
        '--port', $port, '--bind', '127.0.0.1', '--save', '',
        '--appendonly', 'no';
    exit 1;
}

my $s;
for (1 .. 100) {
    last if $s = IO::Socket::INET->new("127.0.0.1:$port");
    sleep 1;
}
die "redis-server under valgrind did not start\n" unless $s;

my $caller = '+15550100001';
my $salt = 'ab' x 16;
my $secret = sha1_hex($salt . substr $caller, -8);
my $expires = (time + 3600) * 1000;
my %sha = map {
    $_ => call('SCRIPT', 'LOAD', scalar `sh $lua/lua2c.sh -l $lua/$_.lua`)
} qw(seed reserve verify);

# the pool as the module seeds it, counted
call('EVALSHA', $sha{seed}, 3, 'p:pool', 'p:pool:all', 'p:ranges',
    'p:number:', 'p:pool:cc:', 'p:ranges:cc:', $caller, '1');

my %phase = (
    reserve => sub {
        my ($i, $p) = @_;
        return [ 'EVALSHA', $sha{reserve}, 8, reserve_keys($p),
            int rand 2**53, int rand 2**53, 0, 5000, 0, 10 ];
    },
    # with the default limits (phone 5/1h and 10/1d, ip 20/1h) and resend
    # rule (30 s), for phones of their own, each from an address of its own
    limited => sub {
        my ($i, $p) = @_;
        $p =~ s/^\+1/+3/;
        return [ 'EVALSHA', $sha{reserve}, 11, reserve_keys($p),
            "p:limit:phone:3600000:$p", "p:limit:phone:86400000:$p",
            "p:limit:ip:3600000:10.0.$i",
            int rand 2**53, int rand 2**53, 0, 5000, 30000, 10,
            5, 3600000, 10, 86400000, 20, 3600000 ];
    },
    # as confirm.c sends it: the whole session, one string, once the call
    # is placed; the number's figures go apart, for many calls at once
    # (tally.c)
    confirm => sub {
        my ($i, $p) = @_;
        return [ 'MULTI' ],
            [ 'SET', "p:session:$i", pack('(C/a)13', 'p', 'outbound', 8,
              $salt, $secret, $caller, $expires, $p, 0, 3, '', 'http',
              "CA$i"), 'PXAT', $expires + 1800000 ],
            [ 'SET', "p:phone:$p", $i, 'PXAT', $expires ],
            [ 'XADD', 'p:events', 'MAXLEN', '~', 10000, '*', 'event',
              'call_placed', 'session_id', $i, 'phone', $p, 'caller',
              $caller, 'call_id', "c$i", 'gateway_sid', "CA$i", 'gateway',
              'http', 'channel', 'outbound' ],
            [ 'EXEC' ];
    },
    # by phone, as the bench's verify.lua does
    verify => sub {
        my ($i, $p) = @_;
        return [ 'EVALSHA', $sha{verify}, 3, "p:phone:$p", "p:failures:$p",
            'p:events', substr($caller, 1), 'p:session:', $p,
            10, 86400000 ];
    },
);

print "Redis instructions (callgrind Ir) an operation, $n of each\n";
for my $name (qw(reserve confirm verify limited)) {
    system("callgrind_control -z $pid >/dev/null 2>&1") == 0
        or die "callgrind_control failed\n";
    for (my $i = 0; $i < $n; $i += 20) {
        my @cmds = map {
            $phase{$name}->($_, sprintf '+1%010d', 2000000000 + $_)
        } $i .. $i + 19;
        print $s join '', map { command(@$_) } @cmds;
        for (@cmds) {
            my $r = reply();
            die "$name: $r->[0]\n"
                if ref $r && $name ne 'confirm' && $r->[0] ne 'ok';
        }
    }
    my %seen = map { $_ => 1 } glob "$dir/callgrind.out.*";
    system("callgrind_control -d $pid >/dev/null 2>&1");
    my ($file) = grep { !$seen{$_} } glob "$dir/callgrind.out.*";
    open my $fh, '<', $file or die "$file: $!";
    my ($ir) = map { /^totals: (\d+)/ ? $1 : () } <$fh>;
    printf "%-8s %8.0f\n", $name, $ir / $n;
}

kill 'TERM', $pid;
waitpid $pid, 0;

# the pool's count, the phone's calling codes' (3, 2 and 1 digits), its
# last caller, the throttle, its resend mark and its failures
sub reserve_keys {
    my ($p) = @_;
    return 'p:pool:n',
        map({ 'p:pool:cc:' . (substr $p, 1, $_) . ':n' } 3, 2, 1),
        "p:last:$p", 'p:throttle', "p:resend:$p", "p:failures:$p";
}

sub call {
    print $s command(@_);
    return reply();
}

sub command {
    my $c = '*' . @_ . "\r\n";
    $c .= '$' . length($_) . "\r\n$_\r\n" for @_;
    return $c;
}

sub reply {
    my $line = <$s> // die "redis: no reply\n";
    $line =~ s/\r\n$//;
    my $type = substr $line, 0, 1, '';
    die "redis: $line\n" if $type eq '-';
    return $line if $type eq '+' || $type eq ':';
    return undef if $line < 0;
    if ($type eq '$') {
        read $s, my $b, $line + 2;
        return substr $b, 0, $line;
    }
    return [ map { reply() } 1 .. $line ];
}
