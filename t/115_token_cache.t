#!/usr/bin/perl

# The check handler keeps verified tokens per worker: a cached token still
# expires, with each location's own leeway, and a changed one is refused.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $t = stack(WORKERS => 1, EXTRA => <<'CONF');
location = /short/verify/ {
    missedcall_token_ttl 1s;
    missedcall_verify;
}
location = /strict/check {
    missedcall_token_leeway 0;
    missedcall_check;
}
CONF

my $r = request_call($t, '+12025550143');
$r = verify_call($t, path => '/short/verify/',
    session_id => $r->{json}{session_id},
    received_caller_id => last_call($t)->{json}{from});
is($r->{status}, 200, 'a token valid for 1 s');
my $token = $r->{json}{token};
my %auth = (headers => { Authorization => "Bearer $token" });

is($t->get('/strict/check', %auth)->{status}, 204, 'accepted');
is($t->get('/strict/check', %auth)->{status}, 204, 'accepted again, cached');

(my $changed = $token) =~ s/(.)$/$1 eq 'A' ? 'B' : 'A'/e;
is($t->get('/strict/check',
    headers => { Authorization => "Bearer $changed" })->{status}, 401,
    'one character changed: refused');

sleep 2;
is($t->get('/strict/check', %auth)->{status}, 401,
    'expired: refused though cached');
is($t->get('/check', %auth)->{status}, 204,
    'where the leeway is 30 s, still accepted');

done_testing();
