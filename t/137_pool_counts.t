#!/usr/bin/perl

# The pool groups' counts (include/pool.lua), what reserve reads to draw
# instead of the sets: kept by every change, and, for a pool an earlier
# version kept without them, counted by the seed that every connection to
# Redis runs, so that an upgrade does not leave the pool looking empty.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(sleep);
use MissedCall::Test;
use MissedCall::Flow;

my $t = stack();
my $p = '{missedcall}:';

is(request_call($t, '+12025550190')->{status}, 202, 'a call placed');
my @counts = $t->redis_keys("${p}pool*:n");
my %before = map { $_ => $t->redis('GET', $_) } @counts;
ok($before{"${p}pool:n"} > 0, "the pool counted: $before{\"${p}pool:n\"}");

# the pool as an earlier version left it: its sets, no counts
$t->redis('DEL', @counts);
my @gone = $t->redis_keys("${p}pool*:n");
is(scalar @gone, 0, "the counts gone");

# new workers connect to Redis, and their seed counts the pool
$t->reload_nginx();
my $status = 0;
for (1 .. 100) {
    $status = request_call($t, '+12025550192')->{status};
    last if $status == 202;
    sleep 0.1;
}
is($status, 202, 'after a reload, calls are placed again');
is_deeply({ map { $_ => $t->redis('GET', $_) } @counts }, \%before,
    'every group counted as before');

done_testing();
