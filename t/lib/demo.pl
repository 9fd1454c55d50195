#!/usr/bin/perl

# "make run": Redis, the fake gateway and nginx with conf/demo.conf on
# loopback, and the curl commands that take a phone number through the
# flow.  Stops on Ctrl-C, or after DEMO_SECONDS seconds when that is set.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin";

use MissedCall::Test;

$| = 1;

my $t = MissedCall::Test->new();

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

$SIG{INT} = $SIG{TERM} = sub { print "\nstopping\n"; exit 0 };

my $until = defined $ENV{DEMO_SECONDS} ? time + $ENV{DEMO_SECONDS} : undef;

sleep 1 while !defined $until || time < $until;
