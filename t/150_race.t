#!/usr/bin/perl

# 200 concurrent verifies of one session: exactly one token.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $t = stack(WORKERS => 2, LOG_LEVEL => 'warn');

my $r = request_call($t, '+12025550143');
is($r->{status}, 202, 'request');
my $sid = $r->{json}{session_id};
my $caller = last_call($t)->{json}{from};

my @res = $t->parallel(200, sub {
    my $r = verify_call($t, session_id => $sid, received_caller_id => $caller);
    return $r->{status} . ' ' . ($r->{json}{error} || 'token');
});

my %count;
$count{$_}++ for @res;
note explain \%count;

is(scalar @res, 200, '200 verifies answered');
is($count{'200 token'}, 1, 'exactly one token');
is($count{'400 invalid_session'}, 199, 'every other one: invalid_session');

done_testing();
