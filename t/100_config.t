#!/usr/bin/perl

# Misconfiguration fails at "nginx -t" with a message naming the directive.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Test;

my $t = MissedCall::Test->new();

$t->write_file('jwt.key', 'k' x 40);
$t->write_file('short.key', 'k' x 31);
$t->write_file('empty.key', "\n");
$t->write_file('pool.txt', "+15550100001\n# comment\n\n+15550100002\n");
$t->write_file('badpool.txt', "+15550100001\n555-0100\n");
$t->write_file('token', 'secret');

# a valid configuration, then one thing broken at a time
my %good = (
    HTTP => "missedcall_redis 127.0.0.1:6379;\n"
        . "missedcall_pool_file %%DIR%%/pool.txt;\n"
        . "missedcall_pool_range +15550200000 +15550299999;\n"
        . "missedcall_token_key k1 %%DIR%%/jwt.key;\n",
    SERVER => "missedcall_gateway http http://127.0.0.1:9/call;\n"
        . "missedcall_gateway_secret_file %%DIR%%/token;\n",
    LOCATION => "missedcall_request;",
);

sub conf {
    my (%c) = (%good, @_);
    return <<"EOF";
load_module %%MODULE%%;
daemon off;
pid %%PREFIX%%/nginx.pid;
error_log %%PREFIX%%/logs/error.log;
events { }
http {
    client_body_temp_path %%PREFIX%%/temp/body;
    $c{HTTP}
    server {
        listen 127.0.0.1:%%NGINX_PORT%%;
        $c{SERVER}
        location / {
            $c{LOCATION}
        }
    }
}
EOF
}

sub fails {
    my ($name, $pattern, %c) = @_;
    my ($rc, $out) = $t->nginx_test(conf(%c));
    isnt($rc, 0, "$name: nginx -t fails");
    like($out, $pattern, "$name: the message names it") or diag $out;
}

my ($rc, $out) = $t->nginx_test(conf());
is($rc, 0, 'a valid configuration passes') or diag $out;

($rc, $out) = $t->nginx_test(conf(LOCATION => 'missedcall_check;'));
is($rc, 0, 'check needs no Redis') or diag $out;

fails('request without redis',
    qr/"missedcall_request" requires "missedcall_redis"/,
    HTTP => "missedcall_pool_file %%DIR%%/pool.txt;\n");
fails('request without gateway',
    qr/"missedcall_request" requires "missedcall_gateway"/,
    SERVER => '');
fails('a prefix without a hash tag',
    qr/"missedcall_redis_prefix" directive needs a hash tag/,
    HTTP => $good{HTTP} . "missedcall_redis_prefix mc:;\n");
fails('an empty hash tag',
    qr/"missedcall_redis_prefix" directive needs a hash tag/,
    HTTP => $good{HTTP} . "missedcall_redis_prefix \"mc{}:\";\n");
fails('redis and sentinels',
    qr/"missedcall_redis_sentinel" directive is duplicate, or goes with "missedcall_redis"/,
    HTTP => $good{HTTP} . "missedcall_redis_sentinel m 127.0.0.1:26379;\n");
fails('a wait as long as the Redis timeout',
    qr/the timeout of "missedcall_redis_wait" must be shorter than "missedcall_redis_timeout"/,
    HTTP => $good{HTTP} . "missedcall_redis_wait 1 1s;\n");
fails('a wait for no replica',
    qr/"missedcall_redis_wait" directive needs 1 to 16 replicas/,
    HTTP => $good{HTTP} . "missedcall_redis_wait 0 100ms;\n");
fails('request without pool',
    qr/"missedcall_request" requires "missedcall_pool"/,
    HTTP => "missedcall_redis 127.0.0.1:6379;\n");
fails('verify without key',
    qr/"missedcall_verify" requires "missedcall_token_key"/,
    HTTP => "missedcall_redis 127.0.0.1:6379;\n", LOCATION => 'missedcall_verify;');
fails('check without key',
    qr/"missedcall_check" requires "missedcall_token_key"/,
    HTTP => '', LOCATION => 'missedcall_check;');
fails('status without redis',
    qr/"missedcall_status" requires "missedcall_redis"/,
    HTTP => '', LOCATION => 'missedcall_status;');

fails('unreadable secret', qr/"missedcall_gateway_secret_file": cannot open/,
    SERVER => "missedcall_gateway http http://127.0.0.1:9/;\n"
        . "missedcall_gateway_secret_file %%DIR%%/nonexistent;");
fails('unreadable key', qr/"missedcall_token_key": cannot open/,
    HTTP => "missedcall_token_key k1 %%DIR%%/nonexistent;",
    LOCATION => 'missedcall_check;');
fails('short key', qr/"missedcall_token_key": the key .* is 31 bytes, at least 32/,
    HTTP => "missedcall_token_key k1 %%DIR%%/short.key;",
    LOCATION => 'missedcall_check;');
fails('empty secret', qr/"missedcall_redis_password_file": .* is empty/,
    HTTP => $good{HTTP} . "missedcall_redis_password_file %%DIR%%/empty.key;");
fails('duplicate kid', qr/"missedcall_token_key": key id "k1" is used twice/,
    HTTP => "missedcall_token_key k1 %%DIR%%/jwt.key;\n"
        . "missedcall_token_key k1 %%DIR%%/jwt.key;",
    LOCATION => 'missedcall_check;');
fails('malformed pool number',
    qr/"missedcall_pool": "555-0100" is not an E\.164 number/,
    HTTP => $good{HTTP} . "missedcall_pool +15550100009 555-0100;");
fails('malformed pool file',
    qr/"missedcall_pool_file": "555-0100" is not an E\.164 number/,
    HTTP => "missedcall_redis 127.0.0.1:6379;\n"
        . "missedcall_pool_file %%DIR%%/badpool.txt;");
fails('pool number twice', qr/"missedcall_pool": "\+15550100001" is listed twice/,
    HTTP => $good{HTTP} . "missedcall_pool +15550100001;");
fails('bad duration', qr/invalid number of arguments in "missedcall_session_ttl"/,
    SERVER => $good{SERVER} . "missedcall_session_ttl 5 minutes;");
fails('bad duration value', qr/"missedcall_session_ttl" directive invalid value/,
    SERVER => $good{SERVER} . "missedcall_session_ttl 5parsecs;");
fails('too short ttl', qr/"missedcall_session_ttl" must be at least 1s/,
    SERVER => $good{SERVER} . "missedcall_session_ttl 10ms;");
fails('bad redis timeout', qr/"missedcall_redis_timeout" directive invalid value/,
    HTTP => $good{HTTP} . "missedcall_redis_timeout soon;");
fails('unknown gateway', qr/"missedcall_gateway": unknown gateway type "smoke"/,
    SERVER => "missedcall_gateway smoke http://127.0.0.1:9/;");
fails('gateway url', qr/"missedcall_gateway": "ftp:\/\/x" is not an http/,
    SERVER => "missedcall_gateway http ftp://x;");
fails('match', qr/"missedcall_match": "last" takes 3 to 8 digits/,
    SERVER => $good{SERVER} . "missedcall_match last 12;");
fails('attempts', qr/"missedcall_max_attempts" directive .*must be between 1 and 100|value must be between/,
    SERVER => $good{SERVER} . "missedcall_max_attempts 0;");
fails('redis address', qr/"missedcall_redis": /,
    HTTP => "missedcall_redis 127.0.0.1:99999;");

# the README's production configuration, its files in the test dir
{
    my $dir = $t->dir;
    my $conf = do {
        open my $fh, '<', $t->root . '/conf/production.conf' or die $!;
        local $/;
        <$fh>;
    };
    $conf =~ s{modules/ngx_http_missedcall_module\.so}{%%MODULE%%};
    $conf =~ s{/etc/nginx/missedcall/}{$dir/prod/}g;
    $conf =~ s{/var/log/nginx/}{%%PREFIX%%/logs/}g;
    $conf =~ s{listen 443 }{listen 127.0.0.1:%%NGINX_PORT%% };
    $conf =~ s{listen 10\.0\.0\.10:8080}{'listen 127.0.0.1:' . $t->port('admin')}e;
    $conf =~ s{^(worker_processes .*)$}{$1\npid %%PREFIX%%/nginx.pid;}m;
    $conf =~ s{^(http \{)$}{$1\n    client_body_temp_path %%PREFIX%%/temp/body;\n    proxy_temp_path %%PREFIX%%/temp/proxy;}m;

    $t->write_file("prod/$_", "secret-for-$_-0123456789abcdef0123456789\n")
        for qw(redis.password jwt-2026-11.key jwt-2026-10.key twilio.token
            webhook.key admin.token telnyx.key);
    $t->write_file('prod/telnyx.pub',
        "eu2zvPjhY6odxV34Z/EsRiERvTodkev4Fq0SlK90Izg=\n");
    $t->write_file('prod/pool.txt',
        "# number and the calling codes it serves\n"
        . "+15550100001 codes=1\n+447700900001 codes=44\n"
        . "+4930555000001 codes=49\n+33155501234 codes=33\n"
        . "+15550100002 +15550100003\n");
    $t->write_file('prod/app.signatures', "AbCdEfGhIjK\n");
    my $out = `openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=verify.example.com -keyout $dir/prod/tls.key -out $dir/prod/tls.crt 2>&1`;
    is($?, 0, 'a test certificate') or diag $out;

    ($rc, $out) = $t->nginx_test($conf);
    is($rc, 0, 'conf/production.conf passes nginx -t') or diag $out;
}

done_testing();
