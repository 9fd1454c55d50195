#!/usr/bin/perl

# nginx -s reload, three times, under a steady load from other processes:
# no request is reset or answered 5xx, and no Redis connection leaks.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes qw(time sleep);
use MissedCall::Flow;

my $t = stack(WORKERS => 2, LOG_LEVEL => 'notice');

# every worker connected: a few requests on each
request_call($t, sprintf '+1202555%04d', $_) for 1 .. 6;
my $before = $t->redis_clients;
ok($before >= 1 && $before <= 2, "Redis clients before: $before");

# 4 clients, each making requests for 4 s (bounded in count too)
my @res = $t->parallel(5, sub {
    my ($i) = @_;
    if ($i == 4) {
        for (1 .. 3) {
            sleep 0.8;
            $t->reload_nginx();
        }
        return 'reloader';
    }
    my (%count, $n);
    my $until = time + 4;
    while (time < $until && $n++ < 20000) {
        my $r = $n % 2
            ? request_call($t, sprintf('+1303555%02d%02d', $i, $n % 100))
            : $t->get('/ping');
        $count{ $r->{status} }++;
    }
    return join ' ', map { "$_=$count{$_}" } sort keys %count;
});

note explain \@res;
my %total;
for my $line (grep { $_ ne 'reloader' } @res) {
    $total{$1} += $2 while $line =~ /(\d+)=(\d+)/g;
}
note explain \%total;

my $sent = 0;
$sent += $_ for values %total;
ok($sent > 100, "$sent requests during 3 reloads");
is($total{599} // 0, 0, 'no connection reset or refused');
is(scalar(grep { $_ >= 500 } keys %total), 0, 'no 5xx');

# the old workers are gone, and so are their Redis connections
sleep 1.5;
request_call($t, sprintf '+1202555%04d', $_) for 7 .. 12;
my $after = $t->redis_clients;
ok($after <= 2, "Redis clients after 3 reloads: $after (no leak)");

like($t->error_log, qr/reconfiguring/, 'nginx did reload');
unlike($t->error_log, qr/\[(alert|crit|emerg)\]|signal (11|6)/,
    'no alert or crash');

done_testing();
