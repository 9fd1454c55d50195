package MissedCall::Flow;

# What the integration tests share: a running stack (Redis, fake gateway,
# nginx with conf/test.conf) and the steps of the verification flow.

use strict;
use warnings;

use Exporter 'import';
use Test::More;
use MissedCall::Test;

our @EXPORT = qw(stack node instant_gateway request_call verify_call
    last_call session_keys digits_of channel_conf settled);

our @POOL = map { sprintf '+1555010%04d', $_ } 1 .. 5;

our %DEFAULTS = (
    WORKERS         => 2,
    LOG_LEVEL       => 'info',
    REDIS_TIMEOUT   => '1s',
    GATEWAY_TIMEOUT => '2s',
    SESSION_TTL     => '60s',
    MAX_ATTEMPTS    => 3,
    LIMITS          => "missedcall_limit off;\n        missedcall_resend off;",
    EXTRA           => '',
    HTTP_EXTRA      => '',
    MAIN_EXTRA      => '',
);

# Starts everything; %vars override the template's defaults, and the keys
# "conf" (another template), "pool" (numbers), "twilio" (credentials the
# fake gateway accepts as Twilio) and "no_nginx" are options.
sub stack {
    my (%opt) = @_;
    my $t = MissedCall::Test->new();
    my $pool = delete $opt{pool} || \@POOL;
    my $conf = delete $opt{conf} || 'conf/test.conf';
    my $no_nginx = delete $opt{no_nginx};
    my $twilio = delete $opt{twilio};

    $t->write_file('pool.txt', "# test pool\n" . join("\n", @$pool) . "\n");
    $t->write_file('jwt1.key', ('k' x 40) . "\n");
    $t->write_file('jwt2.key', ('s' x 48) . "\n");
    $t->write_file('gateway.token', "gw-secret-token-1234\n");

    $t->start_redis();
    $t->start_gateway($twilio ? (twilio => $twilio) : ());
    $t->start_nginx($conf, { %DEFAULTS, %opt }) unless $no_nginx;

    return $t;
}

# Another nginx node on the same Redis and fake gateway as $t, with the
# same keys and pool; %vars as for stack().
sub node {
    my ($t, %vars) = @_;
    my $n = MissedCall::Test->new();
    $n->{ports}{$_} = $t->port($_) for qw(redis gateway);
    for my $f (qw(pool.txt jwt1.key jwt2.key gateway.token)) {
        open my $fh, '<', $t->dir . "/$f" or die "$f: $!";
        $n->write_file($f, do { local $/; <$fh> });
    }
    $n->start_nginx('conf/test.conf', { %DEFAULTS, %vars });
    return $n;
}

# conf/test.conf at debug level, its gateway swapped for the fake Twilio
# (as $account, its token in twilio.token), $server added to its server;
# the channel of each request logged to chan.log, and a metrics zone
sub channel_conf {
    my ($t, $account, $server) = @_;
    (my $c = $t->nginx_conf('conf/test.conf', { %DEFAULTS,
        LOG_LEVEL => 'debug',
        HTTP_EXTRA => "missedcall_metrics_zone zone=missedcall:1m;\n"
            . "log_format chan '\$request_uri \$status "
            . "ch=\$missedcall_channel';\n"
            . 'access_log ' . $t->dir . '/chan.log chan;' }))
        =~ s{missedcall_gateway http \S+;\s+missedcall_gateway_secret_file \S+;}{
        missedcall_gateway twilio http://127.0.0.1:%%GATEWAY_PORT%%/;
        missedcall_twilio_account $account;
        missedcall_gateway_secret_file %%DIR%%/twilio.token;
        missedcall_gateway_rate 100r/s;
        $server};
    return $c;
}

# The benchmarks' gateway: a plain nginx of one worker, answering every
# call at once with {} (keep-alive, as a real gateway keeps it)
sub instant_gateway {
    my $gw = MissedCall::Test->new();
    $gw->start_nginx(<<'EOF');
daemon off;
worker_processes 1;
pid %%PREFIX%%/nginx.pid;
error_log %%PREFIX%%/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %%PREFIX%%/temp/body;
    server {
        listen 127.0.0.1:%%NGINX_PORT%%;
        keepalive_requests 100000;
        location = /call { return 200 "{}"; }
    }
}
EOF
    return $gw;
}

sub request_call {
    my ($t, $phone, %opt) = @_;
    my $path = $opt{path} || '/otp/request/';

    return $t->post_json($path, {
        phone_number  => $phone,
        app_signature => 'AbCdEfGhIjK',
    }, $opt{timeout} ? (timeout => $opt{timeout}) : ());
}

sub verify_call {
    my ($t, %body) = @_;
    my $path = delete $body{path} || '/otp/verify/';

    return $t->post_json($path, \%body);
}

# the number the fake gateway was asked to call from: the caller id the
# user's phone shows
sub last_call {
    my ($t) = @_;
    my @calls = grep { $_->{path} ne '/hook' } @{ $t->gateway_calls() };

    return @calls ? $calls[-1] : undef;
}

sub session_keys {
    my ($t) = @_;

    return $t->redis_keys('{missedcall}:session:*');
}

sub digits_of {
    my ($n) = @_;
    (my $d = $n) =~ s/\D//g;
    return $d;
}

# what $get answers once it is $want, or after a second: a number's
# figures are written at the end of the loop's turn of the worker that
# counted them, which another worker's read may overtake (tally.c)
sub settled {
    my ($get, $want) = @_;
    my $v;
    for (1 .. 50) {
        $v = $get->();
        last if defined $v && $v eq $want;
        select(undef, undef, undef, 0.02);
    }
    return $v;
}

1;
