#!/usr/bin/perl

# The Debian package as an admin uses it: "make deb" builds it, lintian
# finds no error, dpkg installs it on the machine's own nginx, whose
# maintainer scripts enable it; nginx -t passes with the system's
# configuration and with conf/test.conf loading the module through the
# modules-enabled link, and one request goes through it (in a test prefix:
# the system's nginx service is never started).  An admin's removal of the
# link survives a reinstall; a purge takes everything away.  Run as root;
# the END block purges the package whatever happened.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $root = "$FindBin::Bin/..";
my $package = 'libnginx-mod-http-missedcall';
my $so = '/usr/lib/nginx/modules/ngx_http_missedcall_module.so';
my $available = '/usr/share/nginx/modules-available/mod-http-missedcall.conf';
my $link = '/etc/nginx/modules-enabled/50-mod-http-missedcall.conf';

is($>, 0, 'runs as root') or BAIL_OUT('dpkg needs root');

sub installed {
    my $s = `dpkg-query -W -f='\${Status}' $package 2>/dev/null`;
    return $s =~ /install ok installed/;
}

# a package installed before the test is the admin's: leave it alone
ok(!installed() && !-e $so && !-e $link, 'the package is not installed yet')
    or BAIL_OUT("$package is installed already: not touching it");

my $ours = 0;
END {
    if ($ours) {
        my $out = `dpkg --purge $package 2>&1`;
        print STDERR "# purge in END failed: $out" if $? && installed();
    }
}

# build

my @out = `make -s -C $root deb 2>&1`;
is($?, 0, 'make deb') or diag @out;
my ($deb) = grep { m{/\Q$package\E_[^/]+_amd64\.deb$} } map { s/\s+$//r } @out;
ok($deb && -f $deb, 'a ' . ($deb // 'deb') . ' is built')
    or BAIL_OUT('no package');
my $version = `dpkg-parsechangelog -l $root/debian/changelog -S Version`;
chomp $version;
like($deb, qr{/\Q${package}_${version}\E_amd64\.deb$},
    "named ${package}_${version}_amd64.deb");

my $fields = `dpkg-deb -f $deb Depends`;
like($fields, qr/\bnginx-abi-1\.22\.1-7\b/, 'Depends: nginx-abi-1.22.1-7');
my $contents = `dpkg-deb -c $deb`;
like($contents, qr{\./usr/lib/nginx/modules/ngx_http_missedcall_module\.so$}m,
    'the .so in /usr/lib/nginx/modules');
like($contents, qr{\./usr/share/nginx/modules-available/mod-http-missedcall\.conf$}m,
    'its load file in modules-available');

# lintian: no error (warnings are printed)

my @lintian = `lintian --allow-root $deb 2>&1`;
my $lintian_rc = $? >> 8;
diag "lintian: $_" for grep { /^[EWI]:/ } @lintian;
is(scalar(grep { /^E:/ } @lintian), 0, 'lintian: no E: line');
is($lintian_rc, 0, 'lintian exits 0');

# install: the maintainer scripts enable the module, nothing is started

$ours = 1;
my $out = `dpkg -i $deb 2>&1`;
is($?, 0, 'dpkg -i') or diag $out;
ok(installed(), 'installed');
ok(-f $so, "$so is there");
is(readlink($link), $available, "$link links to the load file");
open my $fh, '<', $available or die "$available: $!";
like(do { local $/; <$fh> }, qr{^load_module modules/ngx_http_missedcall_module\.so;$}m,
    'which loads the packaged .so');
close $fh;

$out = `nginx -t 2>&1`;
is($?, 0, "the system's nginx -t passes with the module enabled")
    or diag $out;

# conf/test.conf, the module loaded through the link, in a test prefix

open $fh, '<', "$root/conf/test.conf" or die $!;
(my $conf = do { local $/; <$fh> })
    =~ s{^load_module %%MODULE%%;$}{include $link;}m
    or die 'conf/test.conf has no load_module line';
close $fh;

# the link's "modules/" is relative to the prefix: Debian's prefix has it
# pointing at /usr/lib/nginx/modules, and so has the test's
my $t = stack(no_nginx => 1);
mkdir $t->dir . '/nginx';
symlink('/usr/lib/nginx/modules', $t->dir . '/nginx/modules') or die $!;
my ($rc, $test) = $t->nginx_test($conf, { %MissedCall::Flow::DEFAULTS });
is($rc, 0, 'nginx -t with conf/test.conf and the packaged module')
    or diag $test;

$t->start_nginx($conf, { %MissedCall::Flow::DEFAULTS });
my $r = request_call($t, '+1 202 555 0143');
is($r->{status}, 202, 'a call requested through the packaged module');
my $call = last_call($t);
$r = verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => $call->{json}{from});
is($r->{status}, 200, 'and verified');
$t->stop_all();

# an admin's removal of the link survives a reinstall

unlink $link or die "$link: $!";
$out = `dpkg -i $deb 2>&1`;
is($?, 0, 'reinstalled') or diag $out;
ok(!-e $link && !-l $link, "the admin's removal is respected");

# purge: nothing left

$out = `dpkg --purge $package 2>&1`;
is($?, 0, 'dpkg --purge') or diag $out;
$ours = 0 unless installed();
ok(!installed(), 'not installed');
ok(!-e $so, 'the .so is gone');
ok(!-e $link && !-l $link && !-l "$link.removed", 'the link is gone');
ok(!-e $available, 'the load file is gone');

done_testing();
