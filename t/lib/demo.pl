#!/usr/bin/perl

# "make run": Redis, the fake gateway and nginx with conf/demo.conf on
# loopback, and the curl commands that take a phone number through the
# flow.  Stops on Ctrl-C, SIGTERM, SIGHUP or SIGQUIT, when the make that
# started it got one of them, or after DEMO_SECONDS seconds when that is
# set.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin";

use MissedCall::Test;

$| = 1;

my $t = MissedCall::Test->new();

# exit runs the harness's DESTROY and END, which stop what it started; a
# signal arriving meanwhile (make's own, passed on, or the group's) must
# not cut that short.  Set before anything starts, and so before "Press
# Ctrl-C" says the demo runs: a signal right after it must not find
# Perl's default, which would leave Redis, the gateway and nginx behind.
my @STOP = qw(INT TERM HUP QUIT);
sub stop {
    $SIG{$_} = 'IGNORE' for @STOP;
    print "\nstopping\n";
    exit 0;
}
$SIG{$_} = \&stop for @STOP;

$t->write_file('jwt.key', join('', map { chr(97 + int rand 26) } 1 .. 48));
$t->write_file('gateway.token', "demo-gateway-token\n");
$t->start_redis();
$t->start_gateway();
$t->start_nginx('conf/demo.conf', {});

my $base = 'http://127.0.0.1:' . $t->port('nginx');
my $calls = $t->dir . '/gateway/calls.jsonl';
my $redis = $t->port('redis');
my $gateway = $t->port('gateway');
my $log = $t->dir . '/nginx/logs/error.log';

print <<"EOF";

ngx_http_missedcall_module demo is running: nginx at $base,
Redis on port $redis, the fake gateway on port $gateway.

1. Ask for a flash call; note the session_id:

   curl -s -X POST $base/otp/request/ \\
        -H 'Content-Type: application/json' \\
        -d '{"phone_number": "+1 202 555 0143", "app_signature": "demo"}'

2. The "phone" rings: the fake gateway logged the call; its "from" is the
   caller id the app reads:

   tail -n 1 $calls

3. Verify with that caller id (the session_id from step 1; or send
   "phone_number" instead of "session_id"); note the token:

   curl -s -X POST $base/otp/verify/ \\
        -H 'Content-Type: application/json' \\
        -d '{"session_id": "<session_id>", "received_caller_id": "<from>"}'

4. The token opens the guarded backend:

   curl -s $base/api/hello -H 'Authorization: Bearer <token>'

Session status: curl -s $base/otp/status/<session_id>
nginx error log: $log

Press Ctrl-C to stop.
EOF

my $until = defined $ENV{DEMO_SECONDS} ? time + $ENV{DEMO_SECONDS} : undef;
my $parent = getppid();

# GNU make passes SIGTERM on to its recipe, but on SIGHUP, SIGINT or SIGQUIT
# sent to make alone it only waits for the recipe, in a signal handler that
# blocks the signal: seen in /proc, that is our cue.
sub make_stopping {
    open my $comm, '<', "/proc/$parent/comm" or return 1;
    return 0 unless <$comm> =~ /^g?make$/;
    open my $status, '<', "/proc/$parent/status" or return 1;
    my ($blocked) = map { /^SigBlk:\s*([0-9a-f]+)/ ? hex $1 : () } <$status>;
    return ($blocked // 0) & ((1 << 0) | (1 << 1) | (1 << 2) | (1 << 14));
}

while (!defined $until || time < $until) {
    last if getppid() != $parent || make_stopping();
    select(undef, undef, undef, 0.2);
}
stop();
