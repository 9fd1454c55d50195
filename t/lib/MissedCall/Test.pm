package MissedCall::Test;

# A small harness in the spirit of nginx's Test::Nginx, core Perl only: a
# temporary prefix, free loopback ports, redis-server, the fake gateway and
# nginx started and always stopped, and HTTP and Redis clients.

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

my $ROOT = abs_path(dirname(__FILE__) . '/../../..');
my %LIVE;    # every harness, for the END block

sub new {
    my ($class) = @_;
    my $dir = tempdir('missedcall-XXXXXX', TMPDIR => 1,
        CLEANUP => !$ENV{TEST_KEEP});
    chmod 0755, $dir;
    print STDERR "# test dir: $dir\n" if $ENV{TEST_KEEP};

    my $self = bless { dir => $dir, ports => {}, procs => {}, pid => $$ },
        $class;
    $LIVE{"$self"} = $self;
    return $self;
}

sub dir { $_[0]{dir} }
sub root { $ROOT }

# a free port, once per name, never two names on one port
sub port {
    my ($self, $name) = @_;
    return $self->{ports}{$name} if $self->{ports}{$name};

    my %used = map { $_ => 1 } values %{ $self->{ports} };
    for (1 .. 50) {
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
            LocalPort => 0, Proto => 'tcp', ReuseAddr => 1) or next;
        my $port = $s->sockport;
        close $s;
        next if $used{$port};
        return $self->{ports}{$name} = $port;
    }
    croak "no free port for $name";
}

sub write_file {
    my ($self, $rel, $content) = @_;
    my $path = "$self->{dir}/$rel";
    make_path(dirname($path));
    open my $fh, '>', $path or croak "$path: $!";
    print $fh $content;
    close $fh;
    chmod 0644, $path;
    return $path;
}

# processes: each in its own group, stopped TERM then KILL

sub _spawn {
    my ($self, $name, $log, @cmd) = @_;
    my $pid = fork();
    croak "fork: $!" unless defined $pid;
    if ($pid == 0) {
        setpgrp(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log or die "$log: $!";
        open STDERR, '>&', \*STDOUT;
        exec @cmd or die "exec $cmd[0]: $!";
    }
    $self->{procs}{$name} = $pid;
    return $pid;
}

sub _stop {
    my ($self, $name, $signal) = @_;
    my $pid = delete $self->{procs}{$name} or return;
    kill $signal || 'TERM', -$pid;
    kill $signal || 'TERM', $pid;
    my $until = time + 5;
    while (time < $until) {
        return if waitpid($pid, WNOHANG) == $pid;
        kill 'TERM', -$pid if time > $until - 2;
        sleep 0.02;
    }
    kill 'KILL', -$pid;
    kill 'KILL', $pid;
    waitpid($pid, 0);
}

sub _wait_port {
    my ($self, $port, $what, $log) = @_;
    my $until = time + 5;
    while (time < $until) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
            Timeout => 1);
        if ($s) {
            close $s;
            return 1;
        }
        sleep 0.02;
    }
    my $tail = $log && -f $log ? `tail -20 $log` : '';
    croak "$what did not start on port $port\n$tail";
}

sub _port_closed {
    my ($port) = @_;
    my $until = time + 5;
    while (time < $until) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
            Timeout => 1);
        return 1 unless $s;
        close $s;
        sleep 0.02;
    }
    return 0;
}

# Redis

# %opt: password, args (more redis-server arguments), name (another
# server than "redis": its own port, folder, log and process)
sub start_redis {
    my ($self, %opt) = @_;
    my $name = $opt{name} || 'redis';
    my $port = $self->port($name);
    my $dir = "$self->{dir}/$name";
    make_path($dir);
    $self->{redis_password} = $opt{password} if $name eq 'redis';
    $self->_spawn($name, "$self->{dir}/$name.log", 'redis-server',
        '--port', $port, '--bind', '127.0.0.1', '--save', '',
        '--appendonly', 'no', '--daemonize', 'no', '--dir', $dir,
        '--protected-mode', 'no',
        $opt{password} ? ('--requirepass', $opt{password}) : (),
        @{ $opt{args} || [] });

    my $until = time + 5;
    while (time < $until) {
        my $r = eval { $self->redis_at($port, 'PING') };
        return $port if defined $r && !ref $r && $r eq 'PONG';
        sleep 0.02;
    }
    croak "redis-server $name did not start: "
        . `tail -5 $self->{dir}/$name.log`;
}

# a redis-sentinel watching the master on $master_port as "mymaster"
sub start_sentinel {
    my ($self, $name, $master_port, $quorum) = @_;
    my $port = $self->port($name);
    my $conf = $self->write_file("$name/sentinel.conf", <<"EOF");
port $port
bind 127.0.0.1
protected-mode no
daemonize no
dir $self->{dir}/$name
sentinel monitor mymaster 127.0.0.1 $master_port $quorum
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 4000
sentinel parallel-syncs mymaster 1
EOF
    $self->_spawn($name, "$self->{dir}/$name.log", 'redis-server', $conf,
        '--sentinel');
    $self->_wait_port($port, $name, "$self->{dir}/$name.log");
    return $port;
}

sub stop_redis {
    my ($self) = @_;
    $self->_stop('redis');
    _port_closed($self->port('redis')) or croak 'redis still answers';
}

sub redis {
    my ($self, @cmd) = @_;
    return $self->redis_at($self->port('redis'), @cmd);
}

# the names of a session's fields, in the order its string holds them
my @SESSION = qw(state channel tail salt secret caller expires phone
    attempts max proven gateway gateway_sid);

sub session_names {
    return @SESSION;
}

# A session's fields as a hash ref, undef when there is none: the string
# this version writes (src/lua/include/session.lua: each field a byte of
# length then its bytes, the state a letter, given here as its word), or
# the hash an earlier version wrote.
sub session {
    my ($self, $key) = @_;
    my $type = $self->redis('TYPE', $key);
    return { @{ $self->redis('HGETALL', $key) } } if $type eq 'hash';
    return undef if $type ne 'string';
    my @v = unpack '(C/a)13', $self->redis('GET', $key);
    my %s;
    @s{@SESSION} = @v;
    $s{state} = { p => 'pending', r => 'proven', v => 'verified',
        b => 'burned' }->{ $s{state} } // $s{state};
    delete $s{$_} for grep { $s{$_} eq '' } keys %s;
    return \%s;
}

sub redis_at {
    my ($self, $port, @cmd) = @_;
    my $s = IO::Socket::INET->new(
        PeerAddr => "127.0.0.1:$port", Timeout => 5)
        or croak "redis connect: $!";
    if (defined $self->{redis_password} && $port == $self->port('redis')) {
        print $s _command('AUTH', $self->{redis_password});
        _resp($s);
    }
    print $s _command(@cmd);
    my $reply = _resp($s);
    close $s;
    return $reply;
}

sub _command {
    my $req = '*' . @_ . "\r\n";
    $req .= '$' . length($_) . "\r\n$_\r\n" for @_;
    return $req;
}

sub _resp {
    my ($s) = @_;
    my $line = <$s>;
    croak 'redis: no reply' unless defined $line;
    $line =~ s/\r\n$//;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));
    return $rest if $type eq '+' || $type eq ':';
    return { error => $rest } if $type eq '-';
    if ($type eq '$') {
        return undef if $rest < 0;
        my $buf = '';
        read($s, $buf, $rest + 2 - length $buf, length $buf)
            while length $buf < $rest + 2;
        return substr($buf, 0, $rest);
    }
    if ($type eq '*') {
        return undef if $rest < 0;
        return [ map { _resp($s) } 1 .. $rest ];
    }
    croak "redis: bad reply '$line'";
}

sub redis_keys {
    my ($self, $pattern) = @_;
    my ($cursor, %keys) = (0);
    do {
        my $r = $self->redis('SCAN', $cursor, 'MATCH', $pattern,
            'COUNT', 1000);
        $cursor = $r->[0];
        $keys{$_} = 1 for @{ $r->[1] };
    } while ($cursor ne '0');
    return sort keys %keys;
}

# the fake gateway

# %opt: twilio => [ "SID:SECRET", ... ] makes it a fake Twilio; telnyx =>
# [ "KEY", ... ] a fake Telnyx (telnyx_webhook => URL, telnyx_signer =>
# PEM file: it then sends signed webhooks); name => "gateway2" starts
# another one, with a port, folder and mode of its own
sub start_gateway {
    my ($self, %opt) = @_;
    my $name = $opt{name} // 'gateway';
    my $port = $self->port($name);
    make_path("$self->{dir}/$name");
    $self->_spawn($name, "$self->{dir}/$name.log", $^X,
        "$ROOT/t/lib/fake_gateway.pl", '--port', $port,
        '--dir', "$self->{dir}/$name",
        (map { ('--twilio', $_) } @{ $opt{twilio} || [] }),
        (map { ('--telnyx', $_) } @{ $opt{telnyx} || [] }),
        ($opt{telnyx_webhook}
            ? ('--telnyx-webhook', $opt{telnyx_webhook}) : ()),
        ($opt{telnyx_signer}
            ? ('--telnyx-signer', $opt{telnyx_signer}) : ()));
    $self->_wait_port($port, 'fake gateway', "$self->{dir}/$name.log");
    return $port;
}

sub stop_gateway { $_[0]->_stop($_[1] // 'gateway') }

sub gateway_mode {
    my ($self, $mode, $name) = @_;
    $name //= 'gateway';
    my $path = "$self->{dir}/$name/mode";
    $self->write_file("$name/mode.tmp", $mode);
    rename "$path.tmp", $path or croak "rename: $!";
}

sub gateway_calls {
    my ($self, $name, $file) = @_;
    my $path = "$self->{dir}/" . ($name // 'gateway') . '/'
        . ($file // 'calls.jsonl');
    return [] unless -f $path;
    open my $fh, '<', $path or croak "$path: $!";
    return [ map { decode_json($_) } grep { /\S/ } <$fh> ];
}

# nginx

sub nginx_conf {
    my ($self, $template, $vars) = @_;
    my $text = $template;
    my $file = $template =~ m{^/} ? $template : "$ROOT/$template";
    if ($template !~ /\n/ && -f $file) {
        open my $fh, '<', $file or croak "$file: $!";
        $text = do { local $/; <$fh> };
    }

    my $prefix = "$self->{dir}/nginx";
    make_path("$prefix/logs", map { "$prefix/temp/$_" }
        qw(body proxy fastcgi uwsgi scgi));

    my %v = (
        PREFIX => $prefix,
        MODULE => $ENV{MC_MODULE}
            // "$ROOT/build/ngx_http_missedcall_module.so",
        NGINX_PORT => $self->port('nginx'),
        REDIS_PORT => $self->port('redis'),
        GATEWAY_PORT => $self->port('gateway'),
        GATEWAY2_PORT => $self->port('gateway2'),
        REDIS => 'missedcall_redis 127.0.0.1:' . $self->port('redis') . ';',
        ROOT => $ROOT,
        DIR => $self->{dir},
        ACCESS_LOG => 'combined',
        LISTEN => '',
        %{ $vars || {} },
    );

    $text =~ s{%%(\w+)%%}{
        exists $v{$1} ? $v{$1} : croak "unknown placeholder %%$1%%"
    }ge;
    return $text;
}

sub _nginx { $ENV{MC_NGINX} // '/usr/sbin/nginx' }

sub start_nginx {
    my ($self, $template, $vars) = @_;
    my $prefix = "$self->{dir}/nginx";
    my $conf = $self->nginx_conf($template, $vars);
    $self->write_file('nginx/nginx.conf', $conf);

    my %env = $self->_sanitizer_env();
    local @ENV{ keys %env } = values %env;

    $self->_spawn('nginx', "$prefix/logs/stderr.log", _nginx(),
        '-p', "$prefix/", '-c', "$prefix/nginx.conf",
        '-e', "$prefix/logs/error.log");
    $self->_wait_port($self->port('nginx'), 'nginx', "$prefix/logs/error.log");
    return $self->{procs}{nginx};
}

sub nginx_pid { $_[0]{procs}{nginx} }

# the worker processes' pids, sorted, as one string to compare
sub worker_pids {
    my ($self) = @_;
    my $master = $self->nginx_pid;
    return join ' ', sort split ' ', `ps -o pid= --ppid $master`;
}

# Redis clients but the one asking
sub redis_clients {
    my ($self) = @_;
    return scalar grep { !/cmd=client/ }
        split /\n/, $self->redis('CLIENT', 'LIST');
}

sub stop_nginx {
    my ($self) = @_;
    $self->_stop('nginx', 'QUIT');
}

sub reload_nginx {
    my ($self) = @_;
    kill 'HUP', $self->{procs}{nginx};
}

# MC_ASAN names the sanitizer runtime the module was built against: it is
# preloaded, and reports go to files that END turns into a failure
sub _sanitizer_env {
    my ($self) = @_;
    return () unless $ENV{MC_ASAN};
    return (
        LD_PRELOAD => $ENV{MC_ASAN},
        ASAN_OPTIONS => "detect_leaks=0:log_path=$self->{dir}/asan",
        UBSAN_OPTIONS => "print_stacktrace=1:log_path=$self->{dir}/ubsan",
    );
}

sub nginx_test {
    my ($self, $template, $vars) = @_;
    my %env = $self->_sanitizer_env();
    local @ENV{ keys %env } = values %env;
    my $prefix = "$self->{dir}/nginx";
    my $path = $self->write_file('nginx/test.conf',
        $self->nginx_conf($template, $vars));
    my $nginx = _nginx();
    my $out = `$nginx -t -p $prefix/ -c $path -e $prefix/logs/test.log 2>&1`;
    return ($? >> 8, $out);
}

sub error_log {
    my ($self) = @_;
    my $path = "$self->{dir}/nginx/logs/error.log";
    return '' unless -f $path;
    open my $fh, '<', $path or return '';
    return do { local $/; <$fh> };
}

# HTTP

sub http {
    my ($self, $method, $path, %opt) = @_;
    my $ua = HTTP::Tiny->new(timeout => $opt{timeout} || 10,
        keep_alive => 0);
    my $r = $ua->request($method,
        'http://127.0.0.1:' . $self->port('nginx') . $path, {
            headers => $opt{headers} || {},
            defined $opt{body} ? (content => $opt{body}) : (),
        });
    $r->{json} = eval { decode_json($r->{content}) };
    return $r;
}

sub get {
    my ($self, $path, %opt) = @_;
    return $self->http('GET', $path, %opt);
}

sub post_json {
    my ($self, $path, $data, %opt) = @_;
    return $self->http('POST', $path, %opt,
        body => encode_json($data),
        headers => { 'Content-Type' => 'application/json',
            %{ $opt{headers} || {} } });
}

# n children run $code->($i); their results, in order
sub parallel {
    my ($self, $n, $code) = @_;
    my (%pipes, @pids);
    for my $i (0 .. $n - 1) {
        pipe(my $r, my $w) or croak "pipe: $!";
        my $pid = fork();
        croak "fork: $!" unless defined $pid;
        if ($pid == 0) {
            close $r;
            %LIVE = ();
            my $out = eval { $code->($i) };
            $out = "died: $@" unless defined $out;
            print $w $out;
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        $pipes{$i} = $r;
        push @pids, $pid;
    }

    my @out;
    my $until = time + 60;
    for my $i (0 .. $n - 1) {
        my $fh = $pipes{$i};
        my $sel = IO::Select->new($fh);
        my $buf = '';
        while (1) {
            croak 'parallel: children took over 60 s' if time > $until;
            next unless $sel->can_read(1);
            my $got = sysread($fh, $buf, 65536, length $buf);
            last unless $got;
        }
        push @out, $buf;
    }
    waitpid($_, 0) for @pids;
    return @out;
}

sub stop_all {
    my ($self) = @_;
    $self->_stop('nginx', 'QUIT') if $self->{procs}{nginx};
    $self->_stop($_) for keys %{ $self->{procs} };
}

sub DESTROY {
    my ($self) = @_;
    return if $self->{pid} != $$;
    $self->stop_all();
    delete $LIVE{"$self"};
}

# sanitizer reports left by nginx, in their files or in nginx's logs
# (a worker's stderr is the error log), each a failure of the test file
sub sanitizer_reports {
    my ($self) = @_;
    my @files = glob("$self->{dir}/asan.* $self->{dir}/ubsan.*");
    my @logs = grep { -f } map { "$self->{dir}/nginx/logs/$_" }
        qw(error.log stderr.log);
    return (
        map({ local $/; open my $fh, '<', $_ or die "$_: $!"; <$fh> } @files),
        map({ open my $fh, '<', $_ or die "$_: $!";
              grep { /runtime error:|AddressSanitizer|LeakSanitizer/ } <$fh> }
            @logs),
    );
}

END {
    my $status = $?;
    for my $t (grep { $_->{pid} == $$ } values %LIVE) {
        $t->stop_all();
        my @reports = $t->sanitizer_reports();
        next unless @reports;
        print STDERR "# sanitizer report:\n", map { "# $_\n" }
            map { split /\n/ } @reports;
        $status ||= 1;
    }
    $? = $status;
}

1;
