#!/usr/bin/perl

# TLS to the gateway: the peer is verified against the system's CAs by
# default, and against missedcall_gateway_ca_file when it is set.  nginx
# itself plays the HTTPS gateway, in front of the fake one.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use MissedCall::Flow;

my $t = stack(no_nginx => 1);
my $dir = $t->dir;

my $out = `openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout $dir/tls.key -out $dir/tls.crt 2>&1`;
is($?, 0, 'a self-signed certificate') or diag $out;

sub conf {
    my ($ca) = @_;
    my $tls_port = $t->port('tls');
    (my $c = $t->nginx_conf('conf/test.conf', \%MissedCall::Flow::DEFAULTS))
        =~ s{missedcall_gateway http \S+;}{missedcall_gateway http https://127.0.0.1:$tls_port/call;
        $ca};
    # a TLS server in front of the fake gateway, before http's last brace
    my $tls = sprintf <<'CONF', $t->port('tls'), $t->port('gateway');
    server {
        listen 127.0.0.1:%d ssl;
        ssl_certificate DIR/tls.crt;
        ssl_certificate_key DIR/tls.key;
        location / {
            proxy_pass http://127.0.0.1:%d;
        }
    }
CONF
    $tls =~ s/DIR/$dir/g;
    substr($c, rindex($c, '}'), 0) = $tls;
    return $c;
}

$t->start_nginx(conf(''));
my $r = request_call($t, '+12025550143');
is($r->{status}, 502, 'an unknown CA: the call is not placed');
is(scalar @{ $t->gateway_calls() }, 0, 'nothing reached the gateway');
is_deeply([ session_keys($t) ], [], 'no session left');
like($t->error_log, qr/SSL certificate problem/, 'the log says why');
$t->stop_nginx();

$t->start_nginx(conf("missedcall_gateway_ca_file $dir/tls.crt;"));
$r = request_call($t, '+12025550143');
is($r->{status}, 202, 'with missedcall_gateway_ca_file: placed over TLS');
is(scalar @{ $t->gateway_calls() }, 1, 'the gateway got the call');

done_testing();
