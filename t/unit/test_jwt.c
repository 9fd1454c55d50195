
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

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


/* RFC 8037, A.4: Ed25519 signing; its public key, A.2 */
#define RFC8037_TOKEN                                                        \
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"               \
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsP"  \
    "t9g7sVvpAr_MuM0KAg"
#define RFC8037_X  "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

/* RFC 7515, A.3: the ES256 example and its public key */
#define RFC_ES_TOKEN                                                         \
    "eyJhbGciOiJFUzI1NiJ9"                                                   \
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"      \
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"                                         \
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQ"  \
    "xfKTUJqPP3-Kg6NU1Q"
#define RFC_ES_X  "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define RFC_ES_Y  "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"


static ngx_http_missedcall_jwt_key_t  keys[2] = {
    { "k1", (const unsigned char *) "0123456789abcdef0123456789abcdef", 32,
      NGX_HTTP_MISSEDCALL_JWT_HS256, NULL, 0 },
    { "k2", (const unsigned char *) "another key, 32 bytes or longer!!", 33,
      NGX_HTTP_MISSEDCALL_JWT_HS256, NULL, 0 }
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

    return ngx_http_missedcall_jwt_verify(t, strlen(t), keys, 2, NULL, now,
                                          leeway, &claims);
}



/* a key made here, as PEM, read back by the module's loader */

static const char *
pem_key(EVP_PKEY *pkey, int pub, int alg, ngx_http_missedcall_jwt_key_t *k,
    const char *kid)
{
    BIO          *bio;
    long          n;
    char         *pem;
    const char   *err;

    bio = BIO_new(BIO_s_mem());

    if (pub) {
        PEM_write_bio_PUBKEY(bio, pkey);

    } else {
        PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL);
    }

    n = BIO_get_mem_data(bio, &pem);

    memset(k, 0, sizeof(ngx_http_missedcall_jwt_key_t));
    k->kid = kid;
    err = ngx_http_missedcall_jwt_key_pem((unsigned char *) pem, (size_t) n,
                                          alg, k);
    BIO_free(bio);

    return err;
}


/* a token signed here with pkey, ES256 turned to r||s by this test */

static char *
pk_token(const char *header, const char *payload, EVP_PKEY *pkey, int es)
{
    static char           t[4096];
    size_t                n, len;
    ECDSA_SIG            *sig;
    EVP_MD_CTX           *ctx;
    const BIGNUM         *r, *s;
    unsigned char         der[128], raw[64];
    const unsigned char  *p;

    n = b64url((const unsigned char *) header, strlen(header), t);
    t[n++] = '.';
    n += b64url((const unsigned char *) payload, strlen(payload), t + n);

    ctx = EVP_MD_CTX_new();
    len = sizeof(der);
    EVP_DigestSignInit(ctx, NULL, es ? EVP_sha256() : NULL, NULL, pkey);
    EVP_DigestSign(ctx, es ? der : raw, &len, (unsigned char *) t, n);
    EVP_MD_CTX_free(ctx);

    if (es) {
        p = der;
        sig = d2i_ECDSA_SIG(NULL, &p, (long) len);
        ECDSA_SIG_get0(sig, &r, &s);
        BN_bn2binpad(r, raw, 32);
        BN_bn2binpad(s, raw + 32, 32);
        ECDSA_SIG_free(sig);
        len = 64;
    }

    t[n++] = '.';
    b64url(raw, len, t + n);

    return t;
}


static EVP_PKEY *
ec_public(const char *x, const char *y)
{
    char            group[] = "prime256v1";
    EVP_PKEY       *pkey;
    OSSL_PARAM      params[3];
    EVP_PKEY_CTX   *ctx;
    unsigned char   point[65];

    point[0] = 4;
    unb64url(x, point + 1);
    unb64url(y, point + 33);

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                 group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                  point, sizeof(point));
    params[2] = OSSL_PARAM_construct_end();

    pkey = NULL;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY_fromdata_init(ctx);
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);

    return pkey;
}


static ngx_http_missedcall_jwt_rc_e
pk_verify(const char *t, const ngx_http_missedcall_jwt_key_t *k, size_t n,
    const ngx_http_missedcall_jwt_rules_t *rules)
{
    ngx_http_missedcall_jwt_claims_t  claims;

    return ngx_http_missedcall_jwt_verify(t, strlen(t), k, n, rules, 1500, 0,
                                          &claims);
}


static json_t *
part(const char *t, int which)
{
    char           buf[2048];
    const char    *p, *e;
    unsigned char  out[2048];
    size_t         n;

    p = t;

    while (which--) {
        p = strchr(p, '.') + 1;
    }

    e = strchr(p, '.');
    n = e ? (size_t) (e - p) : strlen(p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    n = unb64url(buf, out);

    return json_loadb((char *) out, n, 0, NULL);
}


/* the RFC examples of the public-key algorithms */

static void
rfc_examples(void)
{
    size_t                            n;
    char                              t[1024], jwks[1024];
    unsigned char                     x[32];
    ngx_http_missedcall_jwt_key_t     k;
    ngx_http_missedcall_jwt_claims_t  claims;

    memset(&k, 0, sizeof(k));
    k.kid = "rfc8037";
    k.alg = NGX_HTTP_MISSEDCALL_JWT_EDDSA;
    unb64url(RFC8037_X, x);
    k.pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);

    /* its payload is no claims set: past the signature, it is malformed */
    ok(ngx_http_missedcall_jwt_verify(RFC8037_TOKEN, strlen(RFC8037_TOKEN),
                                      &k, 1, NULL, 1500, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_MALFORMED,
       "RFC 8037 A.4 Ed25519 signature verifies");

    strcpy(t, RFC8037_TOKEN);
    t[strlen(t) - 5] ^= 1;
    ok(pk_verify(t, &k, 1, NULL) == NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
       "RFC 8037 A.4 tampered: bad signature");

    n = ngx_http_missedcall_jwt_jwks(&k, 1, jwks, sizeof(jwks));
    jwks[n] = '\0';
    ok(n && strstr(jwks, "\"x\":\"" RFC8037_X "\"")
       && strstr(jwks, "\"kty\":\"OKP\"")
       && strstr(jwks, "\"crv\":\"Ed25519\""),
       "RFC 8037 A.2 key as a JWK: %s", jwks);
    EVP_PKEY_free(k.pkey);

    k.kid = "rfc7515";
    k.alg = NGX_HTTP_MISSEDCALL_JWT_ES256;
    k.pkey = ec_public(RFC_ES_X, RFC_ES_Y);

    ok(ngx_http_missedcall_jwt_verify(RFC_ES_TOKEN, strlen(RFC_ES_TOKEN),
                                      &k, 1, NULL, 1300819000, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_OK && claims.exp == 1300819380,
       "RFC 7515 A.3 ES256 example (r||s) verifies");

    strcpy(t, RFC_ES_TOKEN);
    t[strlen(t) - 3] ^= 1;
    ok(ngx_http_missedcall_jwt_verify(t, strlen(t), &k, 1, NULL, 1300819000,
                                      0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
       "RFC 7515 A.3 tampered: bad signature");

    n = ngx_http_missedcall_jwt_jwks(&k, 1, jwks, sizeof(jwks));
    jwks[n] = '\0';
    ok(n && strstr(jwks, "\"x\":\"" RFC_ES_X "\"")
       && strstr(jwks, "\"y\":\"" RFC_ES_Y "\"")
       && strstr(jwks, "\"crv\":\"P-256\"") && strstr(jwks, "\"use\":\"sig\""),
       "RFC 7515 A.3 key as a JWK: %s", jwks);
    EVP_PKEY_free(k.pkey);
}


#define PK_CLAIMS  "{\"sub\":\"+15550100003\",\"iat\":1000,\"exp\":2000}"
#define PK_HEADER(alg, kid)                                                  \
    "{\"alg\":\"" alg "\",\"typ\":\"missedcall+jwt\",\"kid\":\"" kid "\"}"


static void
public_keys(void)
{
    size_t                             n;
    char                               buf[4096], *t;
    json_t                            *j, *set;
    EVP_PKEY                          *ed, *es, *p384;
    unsigned char                      raw[128];
    ngx_http_missedcall_jwt_key_t      pk[5], bad;
    ngx_http_missedcall_jwt_claims_t   in;
    ngx_http_missedcall_jwt_rules_t    rules = {
        NGX_HTTP_MISSEDCALL_JWT_TYP, NULL, NULL, 0
    };

    ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    es = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");

    ok(pem_key(ed, 0, -1, &pk[0], "ed") == NULL
       && pk[0].alg == NGX_HTTP_MISSEDCALL_JWT_EDDSA && !pk[0].verify_only,
       "an Ed25519 PEM private key: EdDSA");
    ok(pem_key(es, 0, NGX_HTTP_MISSEDCALL_JWT_ES256, &pk[1], "es") == NULL
       && pk[1].alg == NGX_HTTP_MISSEDCALL_JWT_ES256,
       "a P-256 PEM private key: ES256");
    pk[2] = keys[0];
    ok(pem_key(es, 1, -1, &pk[3], "es-public") == NULL
       && pk[3].alg == NGX_HTTP_MISSEDCALL_JWT_ES256 && pk[3].verify_only,
       "a PEM public key: verify only");
    ok(pem_key(ed, 1, -1, &pk[4], "ed-public") == NULL && pk[4].verify_only,
       "an Ed25519 PEM public key: verify only");

    ok(pem_key(ed, 0, NGX_HTTP_MISSEDCALL_JWT_ES256, &bad, "x") != NULL,
       "an Ed25519 key as ES256: refused");
    ok(pem_key(p384, 0, -1, &bad, "x") != NULL, "a P-384 key: refused");
    ok(ngx_http_missedcall_jwt_key_pem((unsigned char *) "-----BEGIN "
           "PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 59, -1,
           &bad) != NULL,
       "a malformed PEM: refused");
    ok(ngx_http_missedcall_jwt_key_pem((unsigned char *) keys[0].key, 32, -1,
                                       &bad) != NULL,
       "no PEM at all: refused");

    memset(&in, 0, sizeof(in));
    strcpy(in.sub, "+15550100003");
    strcpy(in.jti, "5f0e4a1c-1d2b-4c3d-8e4f-5a6b7c8d9e0f");
    in.iat = 1000;
    in.exp = 2000;

    /* signed by the module */

    n = ngx_http_missedcall_jwt_sign(&pk[0], &in, &rules, buf, sizeof(buf));
    ok(n > 0 && pk_verify(buf, pk, 5, &rules) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "EdDSA: sign and verify");
    j = part(buf, 0);
    ok(strcmp(json_string_value(json_object_get(j, "alg")), "EdDSA") == 0
       && strcmp(json_string_value(json_object_get(j, "typ")),
                 "missedcall+jwt") == 0,
       "EdDSA: header alg and typ");
    json_decref(j);

    n = ngx_http_missedcall_jwt_sign(&pk[1], &in, &rules, buf, sizeof(buf));
    ok(n > 0 && pk_verify(buf, pk, 5, &rules) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "ES256: sign and verify");
    ok(unb64url(strrchr(buf, '.') + 1, raw) == 64,
       "ES256: a signature of 64 bytes, r||s, not DER");

    /* r||s checked by OpenSSL itself, as DER */
    {
        int            good;
        BIGNUM        *r, *s;
        ECDSA_SIG     *sig;
        EVP_MD_CTX    *ctx;
        unsigned char  der[80], *p;

        sig = ECDSA_SIG_new();
        r = BN_bin2bn(raw, 32, NULL);
        s = BN_bin2bn(raw + 32, 32, NULL);
        ECDSA_SIG_set0(sig, r, s);
        p = der;
        n = (size_t) i2d_ECDSA_SIG(sig, &p);
        ECDSA_SIG_free(sig);
        ctx = EVP_MD_CTX_new();
        good = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, es) == 1
               && EVP_DigestVerify(ctx, der, n, (unsigned char *) buf,
                                   strrchr(buf, '.') - buf) == 1;
        EVP_MD_CTX_free(ctx);
        ok(good, "ES256: the signature verifies with OpenSSL as DER");
    }

    strcpy(buf + strlen(buf) - 4, "AAAA");
    ok(pk_verify(buf, pk, 5, &rules) == NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
       "ES256: tampered signature");

    ok(ngx_http_missedcall_jwt_sign(&pk[3], &in, &rules, buf, sizeof(buf))
       == 0, "a verify-only key does not sign");

    /* signed here */

    {
        size_t  i;

        struct {
            const char                    *header;
            EVP_PKEY                      *key;
            int                            es;
            ngx_http_missedcall_jwt_rc_e   rc;
            const char                    *name;
        } cases[] = {
            { PK_HEADER("ES256", "es-public"), es, 1,
              NGX_HTTP_MISSEDCALL_JWT_OK, "a verify-only key verifies" },
            { PK_HEADER("EdDSA", "ed"), ed, 0,
              NGX_HTTP_MISSEDCALL_JWT_OK, "EdDSA signed by this test" },
            { PK_HEADER("EdDSA", "es"), ed, 0,
              NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,
              "kid of an ES256 key, alg EdDSA: refused" },
            { PK_HEADER("ES256", "ed"), es, 1,
              NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,
              "kid of an EdDSA key, alg ES256: refused" },
            { PK_HEADER("ES256", "es"), p384, 1,
              NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
              "ES256 signed with another key" },
            { PK_HEADER("EdDSA", "ed"), es, 1,
              NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
              "EdDSA header, an ES256 signature: refused" }
        };

        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            t = pk_token(cases[i].header, PK_CLAIMS, cases[i].key,
                         cases[i].es);
            ok(pk_verify(t, pk, 5, &rules) == cases[i].rc, "%s",
               cases[i].name);
        }
    }

    /* HS256 with the public key as the secret: the classic confusion */
    {
        BIO   *bio;
        char  *pem;
        long   len;

        bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, es);
        len = BIO_get_mem_data(bio, &pem);
        bad = pk[1];
        bad.alg = NGX_HTTP_MISSEDCALL_JWT_HS256;
        bad.key = (unsigned char *) pem;
        bad.key_len = (size_t) len;
        t = token(PK_HEADER("HS256", "es"), PK_CLAIMS, &bad);
        ok(pk_verify(t, pk, 5, &rules) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,
           "alg HS256, the public key as secret: refused");
        BIO_free(bio);
    }

    t = token(PK_HEADER("none", "ed"), PK_CLAIMS, &keys[0]);
    ok(pk_verify(t, pk, 5, &rules) == NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,
       "alg none against public keys");

    /* the JWK Set: public keys only */

    n = ngx_http_missedcall_jwt_jwks(pk, 5, buf, sizeof(buf));
    buf[n] = '\0';
    set = json_loadb(buf, n, 0, NULL);
    j = json_object_get(set, "keys");
    ok(json_array_size(j) == 4, "JWKS: 4 public keys, the HMAC one left out");
    ok(strstr(buf, "\"k1\"") == NULL && strstr(buf, "\"k\"") == NULL
       && strstr(buf, "\"d\"") == NULL,
       "JWKS: no HMAC key, no private part");
    ok(strcmp(json_string_value(json_object_get(json_array_get(j, 0), "kid")),
              "ed") == 0
       && strcmp(json_string_value(json_object_get(json_array_get(j, 2),
                                                   "kid")), "es-public") == 0,
       "JWKS: keys in configuration order, verify-only ones too");
    n = sizeof(raw);
    EVP_PKEY_get_raw_public_key(ed, raw, &n);
    b64url(raw, n, (char *) raw + 64);
    ok(strcmp(json_string_value(json_object_get(json_array_get(j, 0), "x")),
              (char *) raw + 64) == 0,
       "JWKS: the Ed25519 x is the public key");
    json_decref(set);
    ok(ngx_http_missedcall_jwt_jwks(pk, 5, buf, 100) == 0,
       "JWKS: refuses a buffer too small");

    EVP_PKEY_free(ed);
    EVP_PKEY_free(es);
    EVP_PKEY_free(p384);

    for (n = 0; n < 5; n++) {
        EVP_PKEY_free(pk[n].pkey);
    }
}


/* typ, iss and aud as a location requires them */

static void
claim_rules(void)
{
    char                              buf[4096], *t;
    size_t                            n;
    json_t                           *j;
    const char                       *two[] = { "api", "admin" };
    const char                       *other[] = { "billing" };
    ngx_http_missedcall_jwt_claims_t  in;
    ngx_http_missedcall_jwt_rules_t   rules = {
        NGX_HTTP_MISSEDCALL_JWT_TYP, "https://auth.example", two, 2
    };
    ngx_http_missedcall_jwt_rules_t   r2;

    memset(&in, 0, sizeof(in));
    strcpy(in.sub, "+15550100003");
    in.iat = 1000;
    in.exp = 2000;

    n = ngx_http_missedcall_jwt_sign(&keys[0], &in, &rules, buf, sizeof(buf));
    ok(n && pk_verify(buf, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "iss and two audiences: round trip");
    j = part(buf, 1);
    ok(json_is_array(json_object_get(j, "aud"))
       && json_array_size(json_object_get(j, "aud")) == 2
       && strcmp(json_string_value(json_object_get(j, "iss")),
                 "https://auth.example") == 0,
       "the payload carries iss and aud as an array");
    json_decref(j);

    r2 = rules;
    r2.aud = &two[1];
    r2.naud = 1;
    ok(pk_verify(buf, keys, 2, &r2) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "a location wanting one of the audiences");
    r2.aud = other;
    ok(pk_verify(buf, keys, 2, &r2) == NGX_HTTP_MISSEDCALL_JWT_BAD_AUDIENCE,
       "a location wanting another audience: refused");
    r2 = rules;
    r2.iss = "https://evil.example";
    ok(pk_verify(buf, keys, 2, &r2) == NGX_HTTP_MISSEDCALL_JWT_BAD_ISSUER,
       "another issuer: refused");

    t = token(PK_HEADER("HS256", "k1"), "{\"sub\":\"+15550100003\","
              "\"exp\":2000,\"iss\":\"https://auth.example\",\"aud\":\"api\"}",
              &keys[0]);
    ok(pk_verify(t, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "aud as a string");
    t = token(PK_HEADER("HS256", "k1"), "{\"sub\":\"+15550100003\","
              "\"exp\":2000,\"iss\":\"https://auth.example\"}", &keys[0]);
    ok(pk_verify(t, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_BAD_AUDIENCE,
       "no aud: refused");
    t = token(PK_HEADER("HS256", "k1"), "{\"sub\":\"+15550100003\","
              "\"exp\":2000,\"aud\":\"api\"}", &keys[0]);
    ok(pk_verify(t, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_BAD_ISSUER,
       "no iss: refused");
    t = token(PK_HEADER("HS256", "k1"), "{\"sub\":\"+15550100003\","
              "\"exp\":2000,\"iss\":\"https://auth.example\","
              "\"aud\":[\"x\",7,\"admin\"]}", &keys[0]);
    ok(pk_verify(t, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "aud an array naming one of ours among others");

    t = token("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}",
              "{\"sub\":\"+15550100003\",\"exp\":2000,"
              "\"iss\":\"https://auth.example\",\"aud\":\"api\"}", &keys[0]);
    ok(pk_verify(t, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_BAD_TYP,
       "typ JWT where missedcall+jwt is required: refused");
    t = token("{\"alg\":\"HS256\",\"typ\":\"application/MissedCall+JWT\","
              "\"kid\":\"k1\"}",
              "{\"sub\":\"+15550100003\",\"exp\":2000,"
              "\"iss\":\"https://auth.example\",\"aud\":\"api\"}", &keys[0]);
    ok(pk_verify(t, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_OK,
       "typ with application/ and in another case (RFC 7515 4.1.9)");
    t = token("{\"alg\":\"HS256\",\"kid\":\"k1\"}",
              "{\"sub\":\"+15550100003\",\"exp\":2000}", &keys[0]);
    ok(pk_verify(t, keys, 2, &rules) == NGX_HTTP_MISSEDCALL_JWT_BAD_TYP,
       "no typ: refused");
}


/* one uncached verification, per algorithm, in microseconds */

static void
speed(void)
{
    int                               i, a, rounds;
    char                              buf[3][4096];
    double                            us;
    struct timespec                   t0, t1;
    ngx_http_missedcall_jwt_key_t     pk[3];
    ngx_http_missedcall_jwt_claims_t  in, claims;
    ngx_http_missedcall_jwt_rules_t   rules = {
        NGX_HTTP_MISSEDCALL_JWT_TYP, "https://auth.example", NULL, 0
    };
    EVP_PKEY                         *ed, *es;

    ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    es = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    pk[0] = keys[0];
    pem_key(ed, 0, -1, &pk[1], "ed");
    pem_key(es, 0, -1, &pk[2], "es");

    memset(&in, 0, sizeof(in));
    strcpy(in.sub, "+15550100003");
    strcpy(in.jti, "5f0e4a1c-1d2b-4c3d-8e4f-5a6b7c8d9e0f");
    in.iat = 1000;
    in.exp = 2000;
    rounds = 300;

    for (a = 0; a < 3; a++) {
        ngx_http_missedcall_jwt_sign(&pk[a], &in, &rules, buf[a],
                                     sizeof(buf[a]));

        clock_gettime(CLOCK_MONOTONIC, &t0);

        for (i = 0; i < rounds; i++) {
            if (ngx_http_missedcall_jwt_verify(buf[a], strlen(buf[a]), pk, 3,
                                               &rules, 1500, 0, &claims)
                != NGX_HTTP_MISSEDCALL_JWT_OK)
            {
                break;
            }
        }

        clock_gettime(CLOCK_MONOTONIC, &t1);
        us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec))
             / 1e3 / rounds;

        ok(i == rounds, "%s: %d uncached verifications",
           ngx_http_missedcall_jwt_alg_name(pk[a].alg), rounds);
        printf("# uncached verify %s: %.1f us\n",
               ngx_http_missedcall_jwt_alg_name(pk[a].alg), us);
    }

    EVP_PKEY_free(ed);
    EVP_PKEY_free(es);
    EVP_PKEY_free(pk[1].pkey);
    EVP_PKEY_free(pk[2].pkey);
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

    memset(&rfc, 0, sizeof(rfc));
    rfc.kid = "rfc";
    rfc.key = rfc_key;
    rfc.key_len = unb64url(RFC_KEY, rfc_key);

    ok(rfc.key_len == 64, "RFC 7515 key decoded, 64 bytes");
    ok(ngx_http_missedcall_jwt_verify(RFC_TOKEN, strlen(RFC_TOKEN), &rfc, 1,
                                      NULL, 1300819000, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_OK,
       "RFC 7515 A.1 HS256 example verifies");
    ok(claims.exp == 1300819380, "its exp claim");
    ok(ngx_http_missedcall_jwt_verify(RFC_TOKEN, strlen(RFC_TOKEN), &rfc, 1,
                                      NULL, 1300819381, 0, &claims)
       == NGX_HTTP_MISSEDCALL_JWT_EXPIRED,
       "RFC 7515 A.1 example expired a second later");
    ok(ngx_http_missedcall_jwt_verify(RFC_TOKEN, strlen(RFC_TOKEN), keys, 1,
                                      NULL, 1300819000, 0, &claims)
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
    ok(ngx_http_missedcall_jwt_verify(buf, n, keys, 2, NULL, 1500, 0,
                                      &claims)
       == NGX_HTTP_MISSEDCALL_JWT_OK,
       "round trip with the second key (rotation by kid)");
    ok(strcmp(claims.sub, in.sub) == 0 && strcmp(claims.jti, in.jti) == 0
       && claims.iat == 1000 && claims.exp == 4600
       && strcmp(claims.kid, "k2") == 0,
       "claims read back");
    ok(ngx_http_missedcall_jwt_verify(buf, n, keys, 1, NULL, 1500, 0,
                                      &claims)
       == NGX_HTTP_MISSEDCALL_JWT_UNKNOWN_KID,
       "its kid no longer configured: unknown kid");
    ok(ngx_http_missedcall_jwt_sign(&keys[0], &in, NULL, buf, 60) == 0,
       "sign refuses a buffer too small");

    n = ngx_http_missedcall_jwt_sign(&keys[0], &in,
                &(ngx_http_missedcall_jwt_rules_t) { NULL, "issuer", NULL, 0 },
                                     buf, sizeof(buf));
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
                  33, NGX_HTTP_MISSEDCALL_JWT_HS256, NULL, 0 });
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

    rfc_examples();
    public_keys();
    claim_rules();
    speed();

    /* claims at the ends of int64: no overflow, whatever signed them */
    memset(&claims, 0, sizeof(claims));
    claims.exp = INT64_MAX;
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1700000000, 30)
       == NGX_HTTP_MISSEDCALL_JWT_OK, "exp INT64_MAX: valid, no overflow");
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1700000000, INT64_MAX)
       == NGX_HTTP_MISSEDCALL_JWT_OK, "a leeway of INT64_MAX: no overflow");
    claims.exp = INT64_MIN;
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1700000000, 30)
       == NGX_HTTP_MISSEDCALL_JWT_EXPIRED, "exp INT64_MIN: expired");
    claims.exp = 1700000000;
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1700000030, 30)
       == NGX_HTTP_MISSEDCALL_JWT_OK, "exp + leeway is still valid");
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1700000031, 30)
       == NGX_HTTP_MISSEDCALL_JWT_EXPIRED, "one second later: expired");
    claims.nbf = INT64_MAX;
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1699999000, 30)
       == NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID,
       "nbf INT64_MAX: not yet valid, no overflow");
    claims.nbf = INT64_MIN;
    claims.iat = INT64_MIN;
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1699999000, INT64_MAX)
       == NGX_HTTP_MISSEDCALL_JWT_OK, "nbf and iat INT64_MIN: valid");
    claims.iat = 1700000031;
    ok(ngx_http_missedcall_jwt_check_time(&claims, 1700000000, 30)
       == NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID, "iat past the leeway");

    return done();
}
