#!/usr/bin/perl

# The unit tests of the pure C code (phone numbers, JWT, JSON, forms, keys,
# Twilio, Telnyx, SMS codes, Redis's protocol): each t/unit/test_*.c is
# compiled with the sources it tests and run; its TAP lines count here one
# by one.

use strict;
use warnings;

use FindBin;
use File::Path qw(make_path);
use Test::More;

my $root = "$FindBin::Bin/..";
my $build = $ENV{MC_BUILD_DIR} // "$root/build/unit";
make_path($build);

my %sources = (
    phone => [ 'phone' ],
    json  => [ 'json' ],
    jwt   => [ 'jwt', 'jwk', 'json' ],
    keys  => [ 'keys' ],
    twilio => [ 'twilio', 'form', 'json' ],
    form  => [ 'form', 'json' ],
    strength => [ 'strength' ],
    telnyx => [ 'telnyx', 'json' ],
    code  => [ 'code' ],
    resp  => [ 'resp' ],
);

for my $name (sort keys %sources) {
    my $bin = "$build/test_$name";
    my @src = map { "$root/src/ngx_http_missedcall_$_.c" } @{ $sources{$name} };
    my $out = `cc -std=c99 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror \\
        -fsanitize=undefined -fno-sanitize-recover=undefined \\
        -I$root/src -I$root/t/unit $root/t/unit/test_$name.c @src \\
        -lcrypto -ljansson -o $bin 2>&1`;
    ok($? == 0, "test_$name compiles") or diag $out;
    next if $?;

    my $plan;
    my $count = 0;
    for my $line (`$bin`) {
        chomp $line;
        if ($line =~ /^(not )?ok \d+ - (.*)$/) {
            ok(!$1, "$name: $2");
            $count++;
        } elsif ($line =~ /^1\.\.(\d+)$/) {
            $plan = $1;
        } elsif ($line =~ /^#/) {
            diag $line;
        }
    }
    is($? >> 8, 0, "test_$name exits 0");
    ok($plan && $plan == $count, "test_$name ran its $count checks");
}

done_testing();
