#!/usr/bin/perl

# A brief run of every libFuzzer target (ASan and UBSan on); "make fuzz"
# runs them longer.

use strict;
use warnings;

use FindBin;
use Test::More;

my $seconds = $ENV{FUZZ_SECONDS} || 3;
my @out = `$FindBin::Bin/fuzz/run.sh $seconds 2>&1`;
my $rc = $? >> 8;

for my $target (qw(phone jwt json twilio form telnyx)) {
    my ($line) = grep { /^$target: / } @out;
    like($line // '', qr/^$target: [1-9]\d* runs, no crash$/,
        "fuzz_$target: " . ($line ? ($line =~ s/\n//r) : 'did not run'));
}
is($rc, 0, 'no target crashed') or diag @out;

done_testing();
