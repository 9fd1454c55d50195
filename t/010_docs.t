#!/usr/bin/perl

# The README documents every directive and variable the module has, and
# shows conf/production.conf as it is (t/100 checks that nginx takes it).

use strict;
use warnings;

use FindBin;
use Test::More;

my $root = "$FindBin::Bin/..";

sub slurp {
    my ($path) = @_;
    open my $fh, '<', "$root/$path" or die "$path: $!";
    return do { local $/; <$fh> };
}

my $readme = slurp('README.md');
my $module = slurp('ngx_http_missedcall_module.c');
my $variables = slurp('src/ngx_http_missedcall_variables.c');

# the command table; the endpoint table names its directives again
my %seen;
my @directives = grep { !$seen{$_}++ }
    $module =~ /\{ ngx_string\("(missedcall_\w+)"\)/g;
cmp_ok(scalar @directives, '>=', 40, scalar(@directives) . ' directives');

# a "### name" heading (several names may share one) and a Syntax line
my %headed;
for my $h ($readme =~ /^### (.+)$/mg) {
    $headed{$_} = 1 for split /,\s*/, $h;
}
for my $d (@directives) {
    ok($headed{$d}, "$d has a heading");
    like($readme, qr/^    (Syntax:  |         )\Q$d\E[ ;]/m,
        "$d has a Syntax line");
}

my @variables = $variables =~ /ngx_string\("(missedcall_\w+)"\)/g;
cmp_ok(scalar @variables, '>=', 6, scalar(@variables) . ' variables');
for my $v (@variables) {
    like($readme, qr/`\$\Q$v\E`/, "variable \$$v is documented");
}

my $conf = slurp('conf/production.conf');
(my $indented = $conf) =~ s/^(?=.)/    /mg;
ok(index($readme, $indented) >= 0,
    'the README shows conf/production.conf as it is');

done_testing();
