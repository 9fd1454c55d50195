#!/usr/bin/perl

# The local fake of a custom HTTP telephony gateway.
#
#   fake_gateway.pl --port P --dir D
#
# One child per connection, keep-alive as libcurl expects.  Every request
# but GET /health is appended as a JSON line to D/calls.jsonl, then
# answered as D/mode says: ok | status N | hang | slow MS | garbage (not
# HTTP) | close (mid-body) | reset (no answer).

use strict;
use warnings;

use Getopt::Long;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Fcntl qw(O_WRONLY O_APPEND O_CREAT);

my ($port, $dir);
GetOptions('port=i' => \$port, 'dir=s' => \$dir) && $port && $dir
    or die "usage: $0 --port P --dir D\n";

my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => $port, Listen => 128, ReuseAddr => 1)
    or die "listen on $port: $!";

my %kids;
$SIG{CHLD} = sub { while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    delete $kids{$pid} } };
$SIG{TERM} = sub { kill 'KILL', keys %kids; exit 0 };

while (1) {
    my $c = $server->accept or next;
    my $pid = fork();
    if (!defined $pid) {
        close $c;
        next;
    }
    if ($pid == 0) {
        $SIG{TERM} = 'DEFAULT';
        close $server;
        serve($c);
        exit 0;
    }
    $kids{$pid} = 1;
    close $c;
}

sub serve {
    my ($c) = @_;
    my $json = JSON::PP->new->canonical;

    while (1) {
        my $line = <$c>;
        return unless defined $line;
        my ($method, $path) = $line =~ m{^(\S+) (\S+) HTTP/1\.[01]\r?\n$}
            or return;

        my %h;
        while (defined(my $hl = <$c>)) {
            last if $hl =~ /^\r?\n$/;
            $h{ lc $1 } = $2 if $hl =~ /^([^:]+):\s*(.*?)\r?\n$/;
        }

        my $body = '';
        my $len = $h{'content-length'} || 0;
        while (length $body < $len) {
            my $n = read($c, $body, $len - length $body, length $body);
            return unless $n;
        }

        if ($method eq 'GET' && $path eq '/health') {
            reply($c, 200, 'ok');
            next;
        }

        my $decoded = eval { decode_json($body) };
        record($json->encode({ method => $method, path => $path,
            headers => \%h, body => $body, json => $decoded,
            time => time }));

        my $mode = read_mode();

        if ($mode =~ /^status (\d+)$/) {
            reply($c, $1, '{"error":"fake"}');

        } elsif ($mode eq 'hang') {
            # until the client gives up
            my $until = time + 120;
            while (time < $until) {
                my $rin = '';
                vec($rin, fileno($c), 1) = 1;
                if (select(my $rout = $rin, undef, undef, 1)) {
                    my $n = sysread($c, my $buf, 1);
                    return unless $n;
                }
            }
            return;

        } elsif ($mode eq 'garbage') {
            # not HTTP at all: no status line
            print $c 'x' . join('', map { chr rand 256 } 1 .. 200);
            return;

        } elsif ($mode eq 'close') {
            # closed mid-body: fewer bytes than the declared length
            print $c "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                . "Content-Length: 100\r\n\r\n{\"status\":";
            return;

        } elsif ($mode eq 'reset') {
            return;

        } else {
            sleep($1 / 1000) if $mode =~ /^slow (\d+)$/;
            my $id = ref $decoded eq 'HASH' && $decoded->{call_id}
                ? $decoded->{call_id} : sprintf('%08x', rand 2**32);
            reply($c, 200, $json->encode({ status => 'queued',
                id => $id }));
        }

        return if ($h{connection} || '') =~ /close/i;
    }
}

sub reply {
    my ($c, $status, $body) = @_;
    print $c "HTTP/1.1 $status Fake\r\nContent-Type: application/json\r\n"
        . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
    $c->flush;
}

sub record {
    my ($line) = @_;
    sysopen(my $fh, "$dir/calls.jsonl", O_WRONLY | O_APPEND | O_CREAT)
        or die "calls.jsonl: $!";
    syswrite($fh, "$line\n");
    close $fh;
}

sub read_mode {
    open my $fh, '<', "$dir/mode" or return 'ok';
    my $mode = <$fh> // 'ok';
    $mode =~ s/\s+$//;
    return $mode;
}
