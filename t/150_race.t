#!/usr/bin/perl

# 1000 concurrent verifies of one session: exactly one token.  10
# processes each open 100 connections and send every request before
# reading any answer, so that all 1000 are in flight together.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use IO::Socket::INET;
use JSON::PP;
use Test::More;
use MissedCall::Flow;

my $t = stack(WORKERS => 2, LOG_LEVEL => 'warn');

my $r = request_call($t, '+12025550143');
is($r->{status}, 202, 'request');

my $body = encode_json({ session_id => $r->{json}{session_id},
    received_caller_id => last_call($t)->{json}{from} });
my $http = "POST /otp/verify/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    . "Content-Type: application/json\r\n"
    . 'Content-Length: ' . length($body) . "\r\n\r\n$body";

my @res = $t->parallel(10, sub {
    my @socks = map {
        IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('nginx'),
            Timeout => 20) or die "connect: $!"
    } 1 .. 100;
    print $_ $http for @socks;

    my %count;
    for my $s (@socks) {
        my $answer = do { local $/; <$s> } // '';
        my ($status) = $answer =~ m{^HTTP/1\.1 (\d+)};
        my ($error) = $answer =~ /"error":"(\w+)"/;
        $count{ ($status // 'none') . ' '
            . ($answer =~ /"token":"/ ? 'token' : $error // '-') }++;
    }
    return join ',', map { "$_=$count{$_}" } sort keys %count;
});

my %count;
for my $line (@res) {
    $count{$1} += $2 while $line =~ /([^,=]+)=(\d+)/g;
}
note explain \%count;

my $answered = 0;
$answered += $_ for values %count;
is($answered, 1000, '1000 verifies answered');
is($count{'200 token'}, 1, 'exactly one token');
is($count{'400 invalid_session'}, 999, 'every other one: invalid_session');

done_testing();
