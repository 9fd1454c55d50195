#!/usr/bin/perl

# Tokens any backend can trust: what the module issues with EdDSA, ES256
# and HS256 is verified by independent libraries (Debian's PyJWT with
# PyJWKClient, Node's jose) fetching the module's JWKS over HTTP; what
# they sign with a configured key is accepted by the check handler; the
# usual attacks are refused; nginx -t refuses bad keys.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Digest::SHA qw(hmac_sha256);
use JSON::PP;
use MIME::Base64 qw(encode_base64url decode_base64url);
use MissedCall::Flow;

my $root = "$FindBin::Bin/..";
my $python = '/usr/bin/python3';
my $pytool = "$root/t/lib/pyjwt_tool.py";
my $node = "$root/t/node-jwt";

# jose as package-lock.json pins it, installed here if make deps has not
unless (-d "$node/node_modules/jose") {
    system("cd $node && npm ci --no-audit --no-fund >/dev/null 2>&1");
}
ok(-d "$node/node_modules/jose", 'jose is installed from the lock file');

my $t = stack(no_nginx => 1);
my $dir = $t->dir;

for (['ed.pem', 'ed25519'], ['old.pem', 'ed25519']) {
    system("openssl genpkey -algorithm $_->[1] -out $dir/$_->[0] 2>/dev/null");
}
system("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
    . "-out $dir/es.pem 2>/dev/null");
system("openssl pkey -in $dir/$_.pem -pubout -out $dir/$_.pub 2>/dev/null")
    for qw(ed es old);
ok(-s "$dir/$_", "$_ made") for qw(ed.pem es.pem old.pub);

my $ISS = 'https://auth.test';
my %file = (EdDSA => 'ed.pem', ES256 => 'es.pem', HS256 => 'jwt1.key');
my %kid = (EdDSA => 'ed', ES256 => 'es', HS256 => 'hs');

# conf/test.conf with these keys, the signer first, and an issuer, two
# audiences, the JWKS and a check location for another audience
sub conf {
    my ($signer) = @_;
    open my $fh, '<', "$root/conf/test.conf" or die $!;
    my $conf = do { local $/; <$fh> };
    my @keys = (
        "missedcall_token_key ed $dir/ed.pem;",
        "missedcall_token_key es $dir/es.pem alg=ES256;",
        "missedcall_token_key hs $dir/jwt1.key alg=HS256;",
        "missedcall_token_key old $dir/old.pub verify_only;",
    );
    my ($first) = grep { / $kid{$signer} / } @keys;
    my $keys = join "\n    ", $first, grep { $_ ne $first } @keys;
    $conf =~ s/^\s*missedcall_token_key .*\n//mg;
    $conf =~ s/(    # what a test adds to http)/    $keys
    missedcall_token_issuer $ISS;
    missedcall_token_audience api admin;
$1/;
    return $conf;
}

my %vars = (%MissedCall::Flow::DEFAULTS, EXTRA => <<'CONF');
location = /jwks {
    missedcall_jwks_max_age 60s;
    missedcall_jwks;
}
location = /billing/check {
    missedcall_token_audience billing;
    missedcall_check;
}
CONF

my $jwks_url = 'http://127.0.0.1:' . $t->port('nginx') . '/jwks';

sub py { my $out = `$python $pytool @{[ map { "'$_'" } @_ ]} 2>&1`; chomp $out; $out }
sub js { my $out = `node $node/jwt.mjs @{[ map { "'$_'" } @_ ]} 2>&1`; chomp $out; $out }

sub check {
    my ($token, $path) = @_;
    return $t->get($path // '/check',
        headers => { Authorization => "Bearer $token" })->{status};
}

sub module_token {
    my ($phone) = @_;
    my $r = request_call($t, $phone);
    $r = verify_call($t, session_id => $r->{json}{session_id},
        received_caller_id => last_call($t)->{json}{from});
    return $r->{json}{token};
}

sub part { decode_json(decode_base64url((split /\./, $_[0])[$_[1]])) }

sub claims {
    my (%over) = @_;
    my %c = (sub => '+12025550143', iat => time, exp => time + 300,
        iss => $ISS, aud => 'api', %over);
    delete $c{$_} for grep { !defined $c{$_} } keys %c;
    return encode_json(\%c);
}

my $n = 0;
for my $alg (qw(EdDSA ES256 HS256)) {
    $t->start_nginx(conf($alg), \%vars);
    my $phone = sprintf '+1202555%04d', 100 + $n++;
    my $token = module_token($phone);
    ok($token, "$alg: the module issues a token");

    my $h = part($token, 0);
    is_deeply($h, { alg => $alg, typ => 'missedcall+jwt', kid => $kid{$alg} },
        "$alg: header alg, typ and kid");
    my $p = part($token, 1);
    is($p->{iss}, $ISS, "$alg: iss");
    is_deeply($p->{aud}, [qw(api admin)], "$alg: aud, both audiences");
    is(check($token), 204, "$alg: the check handler accepts it");
    is(check($token, '/billing/check'), 401,
        "$alg: refused where another audience is required");

    # independent libraries: from the JWKS, or the shared secret for HS256
    my $where = $alg eq 'HS256' ? "$dir/jwt1.key" : $jwks_url;
    is(py('verify', $where, $token, $alg, $ISS, 'api'), $phone,
        "$alg: PyJWT" . ($alg eq 'HS256' ? ' (secret)' : ' with PyJWKClient')
        . ' verifies it');
    is(js('verify', $where, $token, $alg, $ISS, 'admin'), $phone,
        "$alg: jose" . ($alg eq 'HS256' ? ' (secret)' : ' with its remote JWKS')
        . ' verifies it');
    like(py('verify', $where, $token, $alg, $ISS, 'billing'), qr/^error:/,
        "$alg: PyJWT refuses it for another audience");

    # tokens the libraries sign with the configured key
    my $py = py('sign', $alg, "$dir/$file{$alg}", $kid{$alg}, claims());
    is(check($py), 204, "$alg: a PyJWT-signed token is accepted");
    my $js = js('sign', $alg, "$dir/$file{$alg}", $kid{$alg},
        claims(aud => [qw(other admin)]));
    is(check($js), 204, "$alg: a jose-signed token is accepted");

    # tampered signature
    (my $bad = $token) =~ s/(.)(.)$/($1 eq 'A' ? 'B' : 'A') . $2/e;
    is(check($bad), 401, "$alg: a tampered signature is refused");

    $t->stop_nginx();
}

# the JWK Set, served by an nginx whose signer is EdDSA
$t->start_nginx(conf('EdDSA'), \%vars);

my $r = $t->get('/jwks');
is($r->{status}, 200, 'JWKS: 200');
is($r->{headers}{'content-type'}, 'application/jwk-set+json',
    'JWKS: its media type');
is($r->{headers}{'cache-control'}, 'public, max-age=60',
    'JWKS: Cache-Control max-age as configured');
my @keys = @{ $r->{json}{keys} || [] };
is_deeply([ map { $_->{kid} } @keys ], [qw(ed es old)],
    'JWKS: the public keys, the retired one too, no HMAC key');
is_deeply([ map { join ',', @$_{qw(kty crv alg use)} } @keys ],
    [ 'OKP,Ed25519,EdDSA,sig', 'EC,P-256,ES256,sig',
      'OKP,Ed25519,EdDSA,sig' ], 'JWKS: kty, crv, alg, use');
ok(!grep({ exists $_->{d} || exists $_->{k} } @keys)
    && length($keys[1]{x}) == 43 && length($keys[1]{y}) == 43,
    'JWKS: x and y, no private part');
unlike($r->{content}, qr/k{40}/, 'JWKS: the HMAC secret is not in it');
is($t->http('POST', '/jwks', body => '')->{status}, 405, 'JWKS: GET only');

# a retired key still verifies, here and through the JWKS
my $old = py('sign', 'EdDSA', "$dir/old.pem", 'old', claims());
is(check($old), 204, 'a token of the retired (verify_only) key: accepted');
is(js('verify', $jwks_url, $old, 'EdDSA', $ISS, 'api'), '+12025550143',
    'jose verifies it through the JWKS');

# the attacks
my $hdr = sub { encode_base64url(encode_json({ @_ })) };
my $body = encode_base64url(claims());

is(check($hdr->(alg => 'none', typ => 'missedcall+jwt', kid => 'ed')
    . ".$body."), 401, 'alg none: refused');

for my $k (qw(ed es)) {
    open my $fh, '<', "$dir/$k.pub" or die $!;
    my $pub = do { local $/; <$fh> };
    my $signing = $hdr->(alg => 'HS256', typ => 'missedcall+jwt', kid => $k)
        . ".$body";
    my $forged = "$signing." . encode_base64url(hmac_sha256($signing, $pub));
    is(check($forged), 401, "alg HS256, $k\'s public key as secret: refused");
}

is(check(py('sign', 'EdDSA', "$dir/ed.pem", 'es', claims())), 401,
    'kid of the ES256 key, signed EdDSA: refused');
is(check(py('sign', 'ES256', "$dir/es.pem", 'ed', claims())), 401,
    'kid of the EdDSA key, signed ES256: refused');
is(check(py('sign', 'HS256', "$dir/jwt1.key", 'ed', claims())), 401,
    'kid of the EdDSA key, signed HS256 with the HMAC key: refused');
is(check(py('sign', 'EdDSA', "$dir/ed.pem", 'ed',
    claims(iss => 'https://evil.test'))), 401, 'wrong iss: refused');
is(check(py('sign', 'EdDSA', "$dir/ed.pem", 'ed', claims(iss => undef))),
    401, 'no iss: refused');
is(check(py('sign', 'EdDSA', "$dir/ed.pem", 'ed', claims(aud => 'web'))),
    401, 'wrong aud: refused');
is(check(py('sign', 'EdDSA', "$dir/ed.pem", 'ed',
    claims(iat => time - 900, exp => time - 600))), 401, 'expired: refused');
is(check(py('sign', 'EdDSA', "$dir/ed.pem", 'ed', claims(), 'JWT')), 401,
    'typ JWT, not missedcall+jwt: refused');
is(check(py('sign', 'EdDSA', "$dir/old.pem", 'ed', claims())), 401,
    'the right kid, signed with another key: refused');
like($t->error_log, qr/token refused: bad_alg/, 'the log says why');

$t->stop_nginx();

# nginx -t names the directive and the file
$t->write_file('short.key', 'x' x 31);
$t->write_file('bad.pem',
    "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
my @refused = (
    [ "short.key", '', qr/"missedcall_token_key": the key in ".*short.key" is 31 bytes/ ],
    [ "bad.pem", '', qr/"missedcall_token_key": ".*bad.pem" is not a PEM/ ],
    [ "ed.pem", ' alg=ES256', qr/"missedcall_token_key": ".*ed.pem" holds a key of another/ ],
    [ "ed.pem", ' alg=HS256', qr/"missedcall_token_key": ".*ed.pem" is a PEM key, not an HS256/ ],
    [ "ed.pem", ' alg=RS256', qr/invalid parameter "alg=RS256"/ ],
);
for my $c (@refused) {
    (my $conf = conf('EdDSA')) =~
        s{missedcall_token_key ed \S+;}{missedcall_token_key ed $dir/$c->[0]$c->[1];};
    my ($rc, $out) = $t->nginx_test($conf, \%vars);
    isnt($rc, 0, "nginx -t refuses $c->[0]$c->[1]");
    like($out, $c->[2], '  and says why');
    unlike($out, qr/x{31}|not a key/, '  without the key');
}

# verify needs a key that signs
(my $conf = conf('EdDSA')) =~ s/^\s*missedcall_token_key (?!old).*\n//mg;
my ($rc, $out) = $t->nginx_test($conf, \%vars);
like($out, qr/"missedcall_verify" requires a "missedcall_token_key" that is not verify_only/,
    'nginx -t: verify with verify-only keys alone is refused');

done_testing();
