
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tap.h"
#include "ngx_http_missedcall_jwt.h"


/* RFC 7515, Appendix A.1: the HS256 example and its key (JWK "k") */
#define RFC_TOKEN                                                            \
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"                               \
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"      \
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"                                         \
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_KEY                                                              \
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4h"   \
    "cgUuTwjAzZr1Z9CAow"


static ngx_http_missedcall_jwt_key_t  keys[2] = {
    { "k1", (const unsigned char *) "0123456789abcdef0123456789abcdef", 32 },
    { "k2", (const unsigned char *) "another key, 32 bytes or longer!!", 33 }
};


/* the test's own encoder, independent of the module's */

static size_t
b64url(const unsigned char *in, size_t len, char *out)
{
    int     n;
    size_t  i, j;

    n = EVP_EncodeBlock((unsigned char *) out, in, (int) len);

    for (i = 0, j = 0; i < (size_t) n; i++) {
        if (out[i] == '=') {
            continue;
        }

        out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    }

    out[j] = '\0';

    return j;
}


static size_t
unb64url(const char *in, unsigned char *out)
{
    char    buf[256];
    size_t  i, len;
    int     n;

    len = strlen(in);

    for (i = 0; i < len; i++) {
        buf[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    }

    while (i % 4) {
        buf[i++] = '=';
    }

    n = EVP_DecodeBlock(out, (unsigned char *) buf, (int) i);

    return (size_t) n - (len % 4 == 2 ? 2 : len % 4 == 3 ? 1 : 0);
}


static char *
token(const char *header, const char *payload,
    const ngx_http_missedcall_jwt_key_t *key)
{
    static char    t[4096];
    size_t         n;
    unsigned int   maclen;
    unsigned char  mac[32];

    n = b64url((const unsigned char *) header, strlen(header), t);
    t[n++] = '.';
    n += b64url((const unsigned char *) payload, strlen(payload), t + n);

    HMAC(EVP_sha256(), key->key, (int) key->key_len, (unsigned char *) t, n,
         mac, &maclen);

    t[n++] = '.';
    b64url(mac, maclen, t + n);

    return t;
}


static ngx_http_missedcall_jwt_rc_e
verify(const char *t, int64_t now, int64_t leeway)
{
    ngx_http_missedcall_jwt_claims_t  claims;

    return ngx_http_missedcall_jwt_verify(t, strlen(t), keys, 2, now, leeway,
                                          &claims);
}


#define HS256_K1  "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"
#define CLAIMS    "{\"sub\":\"+15550100003\",\"iat\":1000,\"exp\":2000}"


int
main(void)
{
    char                              *t, buf[4096];
    size_t                             n;
    unsigned char                      rfc_key[128];
    ngx_http_missedcall_jwt_key_t      rfc;
    ngx_http_missedcall_jwt_claims_t   claims, in;

    /* RFC 7515 A.1 */

    rfc.kid = "rfc";
    rfc.key = rfc_key;
    rfc.key_len = unb64url(RFC_KEY, rfc_key);

    ok(rfc.key_len == 64, "RFC 7515 key decoded, 64 bytes");
    ok(ngx_http_missedcall_jwt_verify(RFC_TOKEN, strlen(RFC_TOKEN), &rfc, 1,
                                      1300819000, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_OK,
       "RFC 7515 A.1 HS256 example verifies");
    ok(claims.exp == 1300819380, "its exp claim");
    ok(ngx_http_missedcall_jwt_verify(RFC_TOKEN, strlen(RFC_TOKEN), &rfc, 1,
                                      1300819381, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_EXPIRED,
       "RFC 7515 A.1 example expired a second later");
    ok(ngx_http_missedcall_jwt_verify(RFC_TOKEN, strlen(RFC_TOKEN), keys, 1,
                                      1300819000, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
       "RFC 7515 A.1 example with another key: bad signature");

    /* our own tokens */

    memset(&in, 0, sizeof(in));
    strcpy(in.sub, "+15550100003");
    strcpy(in.jti, "5f0e4a1c-1d2b-4c3d-8e4f-5a6b7c8d9e0f");
    in.iat = 1000;
    in.exp = 4600;

    n = ngx_http_missedcall_jwt_sign(&keys[1], &in, NULL, buf, sizeof(buf));
    ok(n > 0 && strlen(buf) == n, "sign");
    ok(ngx_http_missedcall_jwt_verify(buf, n, keys, 2, 1500, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_OK,
       "round trip with the second key (rotation by kid)");
    ok(strcmp(claims.sub, in.sub) == 0 && strcmp(claims.jti, in.jti) == 0
       && claims.iat == 1000 && claims.exp == 4600
       && strcmp(claims.kid, "k2") == 0,
       "claims read back");
    ok(ngx_http_missedcall_jwt_verify(buf, n, keys, 1, 1500, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_UNKNOWN_KID,
       "its kid no longer configured: unknown kid");
    ok(ngx_http_missedcall_jwt_sign(&keys[0], &in, NULL, buf, 60) == 0,
       "sign refuses a buffer too small");

    n = ngx_http_missedcall_jwt_sign(&keys[0], &in, "issuer", buf,
                                     sizeof(buf));
    ok(n > 0 && verify(buf, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "sign with an issuer");

    /* tampering */

    t = token(HS256_K1, CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_OK, "a crafted token");

    strcpy(buf, t);
    buf[strlen(buf) - 2] = buf[strlen(buf) - 2] == 'A' ? 'B' : 'A';
    ok(verify(buf, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE
       || verify(buf, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "tampered signature");

    strcpy(buf, t);
    buf[strchr(buf, '.') - buf + 5] ^= 1;
    ok(verify(buf, 1500, 0) != NGX_HTTP_MISSEDCALL_JWT_OK,
       "tampered payload");

    /* a payload re-signed with a key the attacker made up */
    t = token(HS256_K1, "{\"sub\":\"+15550199999\",\"exp\":2000}",
              &(ngx_http_missedcall_jwt_key_t) { "k1",
                  (const unsigned char *) "attacker-key-attacker-key-1234567",
                  33 });
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
       "payload signed with another key");

    /* algorithms */

    t = token("{\"alg\":\"none\",\"kid\":\"k1\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG, "alg none");

    n = b64url((const unsigned char *) "{\"alg\":\"none\"}", 14, buf);
    buf[n++] = '.';
    n += b64url((const unsigned char *) CLAIMS, strlen(CLAIMS), buf + n);
    buf[n++] = '.';
    buf[n] = '\0';
    ok(verify(buf, 1500, 0) != NGX_HTTP_MISSEDCALL_JWT_OK,
       "alg none with an empty signature");

    t = token("{\"alg\":\"HS384\",\"kid\":\"k1\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG, "alg HS384");
    t = token("{\"alg\":\"RS256\",\"kid\":\"k1\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG, "alg RS256");
    t = token("{\"alg\":\"hs256\",\"kid\":\"k1\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,
       "alg in lower case");
    t = token("{\"kid\":\"k1\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG, "no alg");
    t = token("{\"alg\":[\"HS256\"],\"kid\":\"k1\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,
       "alg not a string");

    /* the header switched to another alg, signature kept */
    t = token(HS256_K1, CLAIMS, &keys[0]);
    n = b64url((const unsigned char *) "{\"alg\":\"HS512\",\"kid\":\"k1\"}",
               26, buf);
    strcpy(buf + n, strchr(t, '.'));
    ok(verify(buf, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,
       "alg switched, signature kept");

    /* keys */

    t = token("{\"alg\":\"HS256\",\"kid\":\"k9\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_UNKNOWN_KID,
       "unknown kid");
    t = token("{\"alg\":\"HS256\"}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "no kid: the signing key");
    t = token("{\"alg\":\"HS256\"}", CLAIMS, &keys[1]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
       "no kid: only the signing key");
    t = token("{\"alg\":\"HS256\",\"kid\":7}", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) != NGX_HTTP_MISSEDCALL_JWT_OK, "kid not a string");

    /* time */

    t = token(HS256_K1, CLAIMS, &keys[0]);
    ok(verify(t, 2001, 0) == NGX_HTTP_MISSEDCALL_JWT_EXPIRED, "expired");
    ok(verify(t, 2030, 30) == NGX_HTTP_MISSEDCALL_JWT_OK, "within leeway");
    ok(verify(t, 2031, 30) == NGX_HTTP_MISSEDCALL_JWT_EXPIRED,
       "past the leeway");
    ok(verify(t, 900, 0) == NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID,
       "issued in the future");
    ok(verify(t, 970, 30) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "iat within leeway");

    t = token(HS256_K1, "{\"sub\":\"+15550100003\",\"nbf\":1800,"
              "\"exp\":2000}", &keys[0]);
    ok(verify(t, 1500, 30) == NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID,
       "not yet valid (nbf)");
    ok(verify(t, 1790, 30) == NGX_HTTP_MISSEDCALL_JWT_OK, "nbf within leeway");

    t = token(HS256_K1, "{\"sub\":\"+15550100003\"}", &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_EXPIRED, "no exp");
    t = token(HS256_K1, "{\"sub\":\"+15550100003\",\"exp\":\"2000\"}",
              &keys[0]);
    ok(verify(t, 1500, 0) != NGX_HTTP_MISSEDCALL_JWT_OK, "exp as a string");

    /* form */

    ok(verify("", 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED, "empty");
    ok(verify("a.b", 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "two parts");
    ok(verify("a.b.c.d", 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "four parts");
    ok(verify("..", 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "empty parts");
    ok(verify("e30=.e30.abc", 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "padding");
    ok(verify("e3+.e30.abc", 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "base64, not base64url");

    t = token(HS256_K1, CLAIMS, &keys[0]);
    snprintf(buf, sizeof(buf), "%s", t);
    memset(buf + strlen(buf), 'A', 2100);
    buf[strlen(t) + 2100] = '\0';
    ok(verify(buf, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "longer than %d bytes", NGX_HTTP_MISSEDCALL_JWT_MAX);

    t = token("[1]", CLAIMS, &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "header not an object");
    t = token(HS256_K1, "[1]", &keys[0]);
    ok(verify(t, 1500, 0) == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "payload not an object");

    ok(strcmp(ngx_http_missedcall_jwt_strerror(
                  NGX_HTTP_MISSEDCALL_JWT_BAD_ALG), "bad_alg") == 0,
       "strerror");

    return done();
}
