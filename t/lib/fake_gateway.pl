#!/usr/bin/perl

# The local fake of a custom HTTP telephony gateway, or of Twilio's Calls
# resource.
#
#   fake_gateway.pl --port P --dir D [--twilio SID:SECRET ...]
#
# As Twilio (--twilio, once per credential it accepts, account or API key)
# it checks every request as Twilio would: path with one of its accounts,
# Basic auth, form content type, To, From and Twiml
# present, "+" sent as %2B; what is wrong is recorded as "problems" and
# answered 400 code 99999.  Its modes add "twilio CODE": Twilio's error
# body for CODE, with Twilio's HTTP status for it.
#
# One child per connection, keep-alive as libcurl expects.  Every request
# but GET /health is appended as a JSON line to D/calls.jsonl, then
# answered as D/mode says: ok | status N | status N caller (the body says
# {"fault": "caller"}) | hang | slow MS | garbage (not HTTP) | close
# (mid-body) | reset (no answer).  D/mode may hold several lines, each a
# mode and conditions: to=PREFIX (the number called starts so), from=N
# (the caller number is N), until=T (before the epoch time T); the first
# line whose conditions all hold applies, else ok.

use strict;
use warnings;

use Getopt::Long;
use HTTP::Tiny;
use IO::Socket::INET;
use Digest::SHA qw(hmac_sha1);
use MIME::Base64 qw(decode_base64 encode_base64);
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Fcntl qw(O_WRONLY O_APPEND O_CREAT);

my ($port, $dir, @twilio);
GetOptions('port=i' => \$port, 'dir=s' => \$dir, 'twilio=s' => \@twilio)
    && $port && $dir
    or die "usage: $0 --port P --dir D [--twilio SID:SECRET ...]\n";

my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => $port, Listen => 128, ReuseAddr => 1)
    or die "listen on $port: $!";

my %kids;
$SIG{CHLD} = sub { while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    delete $kids{$pid} } };
$SIG{TERM} = sub { kill 'KILL', keys %kids; exit 0 };

while (1) {
    my $c = $server->accept or next;
    my $pid = fork();
    if (!defined $pid) {
        close $c;
        next;
    }
    if ($pid == 0) {
        $SIG{TERM} = 'DEFAULT';
        close $server;
        serve($c);
        exit 0;
    }
    $kids{$pid} = 1;
    close $c;
}

sub serve {
    my ($c) = @_;
    my $json = JSON::PP->new->canonical;

    while (1) {
        my $line = <$c>;
        return unless defined $line;
        my ($method, $path) = $line =~ m{^(\S+) (\S+) HTTP/1\.[01]\r?\n$}
            or return;

        my %h;
        while (defined(my $hl = <$c>)) {
            last if $hl =~ /^\r?\n$/;
            $h{ lc $1 } = $2 if $hl =~ /^([^:]+):\s*(.*?)\r?\n$/;
        }

        my $body = '';
        my $len = $h{'content-length'} || 0;
        while (length $body < $len) {
            my $n = read($c, $body, $len - length $body, length $body);
            return unless $n;
        }

        if ($method eq 'GET' && $path eq '/health') {
            reply($c, 200, 'ok');
            next;
        }

        my $decoded = eval { decode_json($body) };
        my ($form, @problems) = @twilio
            ? twilio_check($method, $path, \%h, $body) : ();
        record($json->encode({ method => $method, path => $path,
            headers => \%h, body => $body, json => $decoded, form => $form,
            problems => \@problems, time => time }));

        my $call = $form || (ref $decoded eq 'HASH' ? $decoded : {});
        my $mode = read_mode($call->{to} // $call->{To} // '',
            $call->{from} // $call->{From} // '');

        if (@problems) {
            twilio_error($c, 99999, join('; ', @problems));

        } elsif ($mode =~ /^twilio (\d+)$/) {
            twilio_error($c, $1, "fake error $1");

        } elsif ($mode =~ /^status (\d+)$/) {
            reply($c, $1, '{"error":"fake"}');

        } elsif ($mode =~ /^status (\d+) caller$/) {
            reply($c, $1, '{"error":"fake","fault":"caller"}');

        } elsif ($mode eq 'hang') {
            # until the client gives up
            my $until = time + 120;
            while (time < $until) {
                my $rin = '';
                vec($rin, fileno($c), 1) = 1;
                if (select(my $rout = $rin, undef, undef, 1)) {
                    my $n = sysread($c, my $buf, 1);
                    return unless $n;
                }
            }
            return;

        } elsif ($mode eq 'garbage') {
            # not HTTP at all: no status line
            print $c 'x' . join('', map { chr rand 256 } 1 .. 200);
            return;

        } elsif ($mode eq 'close') {
            # closed mid-body: fewer bytes than the declared length
            print $c "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                . "Content-Length: 100\r\n\r\n{\"status\":";
            return;

        } elsif ($mode eq 'reset') {
            return;

        } elsif (@twilio && $path =~ m{/Calls/(CA\w+)\.json$}) {
            reply($c, 200, $json->encode({ sid => $1,
                status => $form->{Status} }));

        } elsif (@twilio) {
            sleep($1 / 1000) if $mode =~ /^slow (\d+)$/;
            my $sid = 'CA' . join('', map { sprintf '%x', rand 16 } 1 .. 32);
            reply($c, 201, $json->encode({ sid => $sid, status => 'queued',
                to => $form->{To}, from => $form->{From} }));
            ring($path, $sid, $form) if $form->{StatusCallback};

        } else {
            sleep($1 / 1000) if $mode =~ /^slow (\d+)$/;
            my $id = ref $decoded eq 'HASH' && $decoded->{call_id}
                ? $decoded->{call_id} : sprintf('%08x', rand 2**32);
            reply($c, 200, $json->encode({ status => 'queued',
                id => $id }));
        }

        return if ($h{connection} || '') =~ /close/i;
    }
}

sub reply {
    my ($c, $status, $body, $extra) = @_;
    print $c "HTTP/1.1 $status Fake\r\nContent-Type: application/json\r\n"
        . ($extra // '')
        . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
    $c->flush;
}

# what Twilio would refuse in a Calls request; the decoded form first
sub twilio_check {
    my ($method, $path, $h, $body) = @_;
    my %accounts = map { (split /:/)[0] => 1 } grep { /^AC/ } @twilio;
    my @problems;

    push @problems, "method $method" unless $method eq 'POST';
    push @problems, "path $path"
        unless $path =~ m{^/2010-04-01/Accounts/(AC\w+)/Calls(/CA[0-9a-f]{32})?\.json$}
            && $accounts{$1};
    my $update = defined $2;

    my ($auth) = ($h->{authorization} // '') =~ /^Basic (\S+)$/;
    push @problems, 'credentials'
        unless $auth && grep { $_ eq decode_base64($auth) } @twilio;

    push @problems, 'content type'
        unless ($h->{'content-type'} // '')
            =~ m{^application/x-www-form-urlencoded\b};

    my %form;
    for my $pair (split /&/, $body) {
        my ($k, $v) = map { my $x = $_ // ''; $x =~ tr/+/ /;
            $x =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $x } split /=/, $pair, 2;
        $form{$k} = $v;
    }

    if ($update) {
        push @problems, 'Status' unless ($form{Status} // '')
            =~ /^(canceled|completed)$/;
        return (\%form, @problems);
    }

    for my $k ('To', 'From') {
        push @problems, "$k is not E.164 (is \"+\" sent as %2B?)"
            unless ($form{$k} // '') =~ /^\+[1-9]\d{6,14}$/;
    }
    push @problems, 'no Twiml or Url' unless $form{Twiml} || $form{Url};
    push @problems, 'Timeout'
        if defined $form{Timeout} && $form{Timeout} !~ /^\d+$/;

    return (\%form, @problems);
}

# as Twilio does once the phone rings: a signed POST to StatusCallback;
# what nginx answered goes to callbacks.jsonl
sub ring {
    my ($path, $sid, $form) = @_;
    my ($account) = $path =~ m{/Accounts/(AC\w+)/};
    my ($cred) = grep { /^\Q$account\E:/ } @twilio;
    my (undef, $token) = split /:/, $cred, 2;
    return if fork();

    my %p = (CallSid => $sid, AccountSid => $account, CallStatus => 'ringing',
        To => $form->{To}, From => $form->{From}, ApiVersion => '2010-04-01',
        Direction => 'outbound-api');
    my $url = $form->{StatusCallback};
    my $sig = encode_base64(hmac_sha1($url . join('', map { $_ . $p{$_} }
        sort keys %p), $token), '');
    my $body = join '&', map { my $v = $p{$_};
        $v =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; "$_=$v" }
        sort keys %p;

    my $res = HTTP::Tiny->new(timeout => 5)->post($url, { content => $body,
        headers => { 'Content-Type' => 'application/x-www-form-urlencoded',
            'X-Twilio-Signature' => $sig } });
    record_to('callbacks.jsonl', encode_json({ sid => $sid,
        status => $res->{status}, time => time }));
    POSIX::_exit(0);
}

sub twilio_error {
    my ($c, $code, $message) = @_;
    my $status = $code == 20003 ? 401 : $code == 20404 ? 404
        : $code == 20429 ? 429 : 400;
    reply($c, $status, encode_json({ code => $code + 0, message => $message,
            more_info => "https://www.twilio.com/docs/errors/$code",
            status => $status }),
        $status == 429 ? "Retry-After: 1\r\n" : '');
}

sub record {
    my ($line) = @_;
    record_to('calls.jsonl', $line);
}

sub record_to {
    my ($file, $line) = @_;
    sysopen(my $fh, "$dir/$file", O_WRONLY | O_APPEND | O_CREAT)
        or die "$file: $!";
    syswrite($fh, "$line\n");
    close $fh;
}

sub read_mode {
    my ($to, $from) = @_;
    open my $fh, '<', "$dir/mode" or return 'ok';
    LINE: while (my $line = <$fh>) {
        my @words = split ' ', $line;
        next unless @words;
        my @mode;
        for my $w (@words) {
            if ($w =~ /^to=(.*)$/) {
                next LINE unless index($to, $1) == 0;
            } elsif ($w =~ /^from=(.*)$/) {
                next LINE unless $from eq $1;
            } elsif ($w =~ /^until=([\d.]+)$/) {
                next LINE unless time < $1;
            } else {
                push @mode, $w;
            }
        }
        return join ' ', @mode;
    }
    return 'ok';
}
