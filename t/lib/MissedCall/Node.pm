package MissedCall::Node;

# The npm test tools of t/node (the OpenAPI linter, Twilio's library),
# pinned by its package-lock.json: installed with "npm ci" when missing or
# older than the lock, so a run after the first needs no network.

use strict;
use warnings;

use Exporter 'import';
use MissedCall::Test;

our @EXPORT_OK = qw(node_dir node_tools);

sub node_dir { MissedCall::Test->root . '/t/node' }

# dies when the tools cannot be installed: a test never skips them
sub node_tools {
    my $dir = node_dir();
    my $stamp = "$dir/node_modules/.package-lock.json";
    return $dir if -f $stamp && -M $stamp <= -M "$dir/package-lock.json";

    my $out = `cd $dir && npm ci --no-audit --no-fund 2>&1`;
    die "npm ci in $dir failed:\n$out" if $?;
    return $dir;
}

1;
