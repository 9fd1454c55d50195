#!/usr/bin/perl

# The local fake of a custom HTTP telephony gateway, or of Twilio's Calls
# and Messages resources.
#
#   fake_gateway.pl --port P --dir D [--twilio SID:SECRET ...]
#
# As Twilio (--twilio, once per credential it accepts, account or API key)
# it checks every request as Twilio would: path with one of its accounts,
# Basic auth, form content type, To, From and Twiml
# present, "+" sent as %2B; what is wrong is recorded as "problems" and
# answered 400 code 99999.  A Messages request is checked the same way,
# with To (E.164), Body, and From (E.164) or MessagingServiceSid (MG...)
# but not both, in the order twilio-node sends them; its 201 names an SM
# sid.  Its modes add "twilio CODE": Twilio's error body for CODE, with
# Twilio's HTTP status for it.
#
# One child per connection, keep-alive as libcurl expects.  Every request
# but GET /health is appended as a JSON line to D/calls.jsonl, then
# answered as D/mode says: ok | status N | status N caller (the body says
# {"fault": "caller"}) | hang | slow MS | garbage (not HTTP) | close
# (mid-body) | reset (no answer).  D/mode may hold several lines, each a
# mode and conditions: to=PREFIX (the number called starts so), from=N
# (the caller number is N), until=T (before the epoch time T); the first
# line whose conditions all hold applies, else ok.
#
# As Telnyx (--telnyx KEY, once per API key it accepts) it checks a Call
# Control request as Telnyx would: POST /v2/calls or
# /v2/calls/{id}/actions/hangup, "Authorization: Bearer KEY", JSON both
# ways, connection_id, to, from (E.164) and timeout_secs (whole seconds);
# what is wrong is answered 422 with Telnyx's error body, code 10015.  Its
# modes add "telnyx CODE" (Telnyx's error for CODE, with its status) and
# "busy" (HTTP 503 from either kind).  With --telnyx-webhook URL and
# --telnyx-signer PEM it then POSTs call.initiated to URL, signed as
# Telnyx signs (Ed25519 over "timestamp|body", by openssl); what nginx
# answered goes to webhooks.jsonl.

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

my ($port, $dir, @twilio, @telnyx, $telnyx_webhook, $telnyx_signer);
GetOptions('port=i' => \$port, 'dir=s' => \$dir, 'twilio=s' => \@twilio,
    'telnyx=s' => \@telnyx, 'telnyx-webhook=s' => \$telnyx_webhook,
    'telnyx-signer=s' => \$telnyx_signer)
    && $port && $dir
    or die "usage: $0 --port P --dir D [--twilio SID:SECRET ...] "
        . "[--telnyx KEY ...]\n";

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

        # a header sent twice is recorded by name, beside the last value
        my (%h, %seen);
        while (defined(my $hl = <$c>)) {
            last if $hl =~ /^\r?\n$/;
            next unless $hl =~ /^([^:]+):\s*(.*?)\r?\n$/;
            $h{ lc $1 } = $2;
            $seen{ lc $1 }++;
        }
        my @twice = sort grep { $seen{$_} > 1 } keys %seen;

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
            ? twilio_check($method, $path, \%h, $body)
            : @telnyx ? (undef, telnyx_check($method, $path, \%h, $decoded))
            : ();
        record($json->encode({ method => $method, path => $path,
            headers => \%h, twice => \@twice, body => $body,
            json => $decoded, form => $form, problems => \@problems,
            time => time }));

        my $call = $form || (ref $decoded eq 'HASH' ? $decoded : {});
        my $mode = read_mode($call->{to} // $call->{To} // '',
            $call->{from} // $call->{From} // '');

        if (@problems && @telnyx) {
            telnyx_error($c, 10015, join('; ', @problems));

        } elsif (@problems) {
            twilio_error($c, 99999, join('; ', @problems));

        } elsif ($mode =~ /^telnyx (\d+)$/) {
            telnyx_error($c, $1, "fake error $1");

        } elsif ($mode eq 'busy') {
            reply($c, 503, '{"error":"busy"}');

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

        } elsif (@telnyx && $path =~ m{/actions/hangup$}) {
            reply($c, 200, '{"data":{"result":"ok"}}');

        } elsif (@telnyx) {
            sleep($1 / 1000) if $mode =~ /^slow (\d+)$/;
            my $id = 'v3:' . join('', map { ('A' .. 'Z', 'a' .. 'z', 0 .. 9,
                '-', '_')[rand 64] } 1 .. 40);
            reply($c, 200, $json->encode({ data => {
                call_control_id => $id, call_leg_id => 'leg-' . int(rand 1e9),
                call_session_id => 'session-' . int(rand 1e9),
                is_alive => JSON::PP::false, record_type => 'call' } }));
            telnyx_webhook($id, $decoded) if $telnyx_webhook;

        } elsif (@twilio && $path =~ m{/Messages\.json$}) {
            my $sid = 'SM' . join('', map { sprintf '%x', rand 16 } 1 .. 32);
            reply($c, 201, $json->encode({ sid => $sid, status => 'queued',
                to => $form->{To}, body => $form->{Body} }));

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
        unless $path =~ m{^/2010-04-01/Accounts/(AC\w+)/(?:Calls(/CA[0-9a-f]{32})?|Messages)\.json$}
            && $accounts{$1};
    my $update = defined $2;
    my $message = $path =~ m{/Messages\.json$};

    my ($auth) = ($h->{authorization} // '') =~ /^Basic (\S+)$/;
    push @problems, 'credentials'
        unless $auth && grep { $_ eq decode_base64($auth) } @twilio;

    push @problems, 'content type'
        unless ($h->{'content-type'} // '')
            =~ m{^application/x-www-form-urlencoded\b};

    my (%form, @names);
    for my $pair (split /&/, $body) {
        my ($k, $v) = map { my $x = $_ // ''; $x =~ tr/+/ /;
            $x =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $x } split /=/, $pair, 2;
        $form{$k} = $v;
        push @names, $k;
    }

    return (\%form, @problems, message_check(\%form, \@names, $h))
        if $message;

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

# what Twilio would refuse in a Messages request, beyond the account's
sub message_check {
    my ($form, $names, $h) = @_;
    my @problems;

    push @problems, 'To is not E.164 (is "+" sent as %2B?)'
        unless ($form->{To} // '') =~ /^\+[1-9]\d{6,14}$/;
    push @problems, 'no Body' unless length($form->{Body} // '');
    push @problems, 'From or MessagingServiceSid, one of them'
        unless defined $form->{From} xor defined $form->{MessagingServiceSid};
    push @problems, 'From is not E.164'
        if defined $form->{From} && $form->{From} !~ /^\+[1-9]\d{6,14}$/;
    push @problems, 'MessagingServiceSid'
        if defined $form->{MessagingServiceSid}
            && $form->{MessagingServiceSid} !~ /^MG[0-9a-f]{32}$/;
    push @problems, 'Accept' unless ($h->{accept} // '') eq 'application/json';

    # twilio-node's order: To, From, MessagingServiceSid, Body
    my %rank = (To => 0, From => 1, MessagingServiceSid => 2, Body => 3);
    my @ranks = map { $rank{$_} // 9 } @$names;
    push @problems, "parameters in the order @$names"
        if join(',', @ranks) ne join(',', sort { $a <=> $b } @ranks);
    return @problems;
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

# what Telnyx would refuse in a Call Control request
sub telnyx_check {
    my ($method, $path, $h, $json) = @_;
    my @problems;

    push @problems, "method $method" unless $method eq 'POST';
    my $hangup = $path =~ m{^/v2/calls/v3:[\w-]+/actions/hangup$};
    push @problems, "path $path" unless $path eq '/v2/calls' || $hangup;

    my ($key) = ($h->{authorization} // '') =~ /^Bearer (\S+)$/;
    push @problems, 'credentials' unless $key && grep { $_ eq $key } @telnyx;

    push @problems, 'content type'
        unless ($h->{'content-type'} // '') =~ m{^application/json\b};
    push @problems, 'accept'
        unless ($h->{accept} // '') =~ m{^application/json\b};
    push @problems, 'body is not a JSON object' unless ref $json eq 'HASH';
    return @problems if $hangup || @problems;

    for my $k ('to', 'from') {
        push @problems, "$k is not E.164"
            unless ($json->{$k} // '') =~ /^\+[1-9]\d{6,14}$/;
    }
    push @problems, 'connection_id' unless ($json->{connection_id} // '') ne '';
    push @problems, 'timeout_secs'
        unless ($json->{timeout_secs} // '') =~ /^\d+$/
            && !ref $json->{timeout_secs};
    return @problems;
}

sub telnyx_error {
    my ($c, $code, $detail) = @_;
    my %status = (10002 => 422, 10016 => 422, 10009 => 401, 10010 => 403,
        10011 => 429, 10005 => 404, 10007 => 500);
    my $status = $status{$code} // 422;
    reply($c, $status, encode_json({ errors => [ { code => "$code",
            title => "fake title $code", detail => $detail } ] }));
}

# as Telnyx does once the call is dialed: call.initiated, signed
sub telnyx_webhook {
    my ($id, $call) = @_;
    return if fork();

    my $body = encode_json({ data => { event_type => 'call.initiated',
        id => 'evt-' . int(rand 1e9), occurred_at => '2026-01-01T00:00:00Z',
        payload => { call_control_id => $id, to => $call->{to},
            from => $call->{from}, direction => 'outgoing',
            state => 'bridging' }, record_type => 'event' },
        meta => { attempt => 1, delivered_to => $telnyx_webhook } });
    my $ts = int time;
    my $file = "$dir/webhook.$$";
    open my $fh, '>', $file or POSIX::_exit(1);
    print $fh "$ts|$body";
    close $fh;
    my $sig = `openssl pkeyutl -sign -inkey $telnyx_signer -rawin -in $file`;
    unlink $file;

    my $res = HTTP::Tiny->new(timeout => 5)->post($telnyx_webhook,
        { content => $body, headers => { 'Content-Type' => 'application/json',
            'telnyx-timestamp' => $ts,
            'telnyx-signature-ed25519' => encode_base64($sig, '') } });
    record_to('webhooks.jsonl', encode_json({ id => $id,
        status => $res->{status}, time => time }));
    POSIX::_exit(0);
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
