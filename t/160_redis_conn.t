#!/usr/bin/perl

# Redis over a unix socket, with AUTH from a password file and a selected
# database; a wrong password is refused without ever being logged.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $password = 'redis-pass-7c1e9';
my $t = stack(no_nginx => 1);

# restart Redis with a password and a unix socket
$t->stop_redis();
my $socket = $t->dir . '/redis.sock';
$t->start_redis(password => $password,
    args => [ '--unixsocket', $socket, '--unixsocketperm', '777' ]);
$t->write_file('redis.pass', "$password\n");
$t->write_file('wrong.pass', "not-the-password\n");

(my $conf = $t->nginx_conf('conf/test.conf',
    { %MissedCall::Flow::DEFAULTS, LOG_LEVEL => 'debug' }))
    =~ s{missedcall_redis 127\.0\.0\.1:\d+;}{missedcall_redis unix:$socket;
    missedcall_redis_password_file %%DIR%%/%%PASS%%;
    missedcall_redis_db 3;};

$t->start_nginx($conf, { PASS => 'redis.pass' });

my $r = request_call($t, '+12025550143');
is($r->{status}, 202, 'request over a unix socket with AUTH');
$r = verify_call($t, session_id => $r->{json}{session_id},
    received_caller_id => last_call($t)->{json}{from});
is($r->{status}, 200, 'verified');

# another database than the harness's client reads: redis-cli
my $keys = `redis-cli -s $socket -a $password -n 3 --no-auth-warning KEYS '{missedcall}:*'`;
like($keys, qr/\{missedcall\}:session:/, 'sessions are in database 3');
like($keys, qr/\{missedcall\}:pool/, 'the pool is in database 3');
my $db0 = `redis-cli -s $socket -a $password -n 0 --no-auth-warning KEYS '{missedcall}:*'`;
is($db0, "\n", 'nothing in database 0') or diag $db0;

$t->stop_nginx();
unlike($t->error_log, qr/\Q$password\E/, 'the password is never logged');

# a wrong password: 503, and the log says what to check, not the secret
$t->start_nginx($conf, { PASS => 'wrong.pass' });
$r = request_call($t, '+12025550143');
is($r->{status}, 503, 'wrong password: 503');
is($r->{json}{error}, 'service_unavailable', 'service_unavailable');
$t->stop_nginx();
like($t->error_log, qr/AUTH refused, check "missedcall_redis" settings/,
    'the refusal is logged');
unlike($t->error_log, qr/not-the-password/, 'the wrong password is not logged');

done_testing();
