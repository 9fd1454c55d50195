package MissedCall::Load;

# A steady, bounded load from another process: requests one after another
# for so many seconds (and at most so many), each outcome recorded with its
# time and whether an error answer was JSON.  start() forks it, finish()
# waits for it and reads what it saw.

use strict;
use warnings;

use Exporter 'import';
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);
use MissedCall::Flow;

our @EXPORT = qw(load_start load_finish);

# %opt: seconds, max (requests), kind ("request", "check" or "verify"),
# pause (s between requests), tag (distinct phones per load)
sub load_start {
    my ($t, %opt) = @_;
    my $seconds = $opt{seconds} || 5;
    my $max = $opt{max} || 2000;
    my $kind = $opt{kind} || 'request';
    my $tag = $opt{tag} || 0;
    my $file = $t->dir . "/load-$kind-$tag.json";

    my $pid = fork() // die "fork: $!";
    return { pid => $pid, file => $file } if $pid;

    my (@seen, $r);
    my $until = time + $seconds;
    for (my $i = 0; $i < $max && time < $until; $i++) {
        my $t0 = time;
        if ($kind eq 'check') {
            $r = $t->get('/empty');
        } elsif ($kind eq 'status') {
            $r = $t->get('/otp/status/5f0e4a1c-4c7d-4e8a-9b1a-3b0e6f8e2a11');
        } else {
            $r = request_call($t, sprintf('+1%03d555%04d', 200 + $tag, $i),
                timeout => 10);
        }
        push @seen, { status => $r->{status}, at => $t0,
            took => time - $t0, json => $r->{json} ? 1 : 0,
            error => $r->{json} ? $r->{json}{error} : undef };
        sleep $opt{pause} if $opt{pause};
    }
    open my $fh, '>', $file or POSIX::_exit(1);
    print $fh encode_json(\@seen);
    close $fh;
    POSIX::_exit(0);
}

# what the load saw: { sent, counts => { status => n }, errors => { code =>
# n }, non_json => n, seen => [ ... ] }
sub load_finish {
    my ($load) = @_;
    waitpid $load->{pid}, 0;
    open my $fh, '<', $load->{file} or die "$load->{file}: $!";
    my $seen = decode_json(do { local $/; <$fh> });
    my (%counts, %errors, $non_json);
    for my $s (@$seen) {
        $counts{ $s->{status} }++;
        $errors{ $s->{error} }++ if $s->{error};
        $non_json++ if $s->{status} >= 400 && !$s->{json};
    }
    return { sent => scalar @$seen, counts => \%counts, errors => \%errors,
        non_json => $non_json // 0, seen => $seen,
        summary => join(' ', map { "$_=$counts{$_}" } sort keys %counts) };
}

1;
