
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_jwt.h"


#define NGX_HTTP_MISSEDCALL_SHA256_LEN  32
#define NGX_HTTP_MISSEDCALL_HMAC_KEYED  256    /* longer: keyed each time */
#define NGX_HTTP_MISSEDCALL_SIG_MAX     64     /* ES256 r||s, Ed25519 */
#define NGX_HTTP_MISSEDCALL_P256_LEN    32     /* a coordinate, r or s */
#define NGX_HTTP_MISSEDCALL_DER_MAX     80     /* ECDSA P-256 DER: <= 72 */


static const char  *ngx_http_missedcall_jwt_algs[] = {
    "HS256", "ES256", "EdDSA"
};


static const char  ngx_http_missedcall_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


/* base64url without padding; returns the length written */

size_t
ngx_http_missedcall_b64url_encode(const unsigned char *in, size_t len,
    char *out)
{
    char        *p;
    size_t       i;
    const char  *b64 = ngx_http_missedcall_b64url;

    p = out;

    for (i = 0; i + 2 < len; i += 3) {
        *p++ = b64[in[i] >> 2];
        *p++ = b64[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        *p++ = b64[((in[i + 1] & 0x0f) << 2) | (in[i + 2] >> 6)];
        *p++ = b64[in[i + 2] & 0x3f];
    }

    if (len - i == 1) {
        *p++ = b64[in[i] >> 2];
        *p++ = b64[(in[i] & 3) << 4];

    } else if (len - i == 2) {
        *p++ = b64[in[i] >> 2];
        *p++ = b64[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        *p++ = b64[(in[i + 1] & 0x0f) << 2];
    }

    return p - out;
}


static int
ngx_http_missedcall_b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    if (c == '-') {
        return 62;
    }

    if (c == '_') {
        return 63;
    }

    return -1;
}


/*
 * Strict: no padding, no other characters, no non-zero trailing bits, so
 * that one token has exactly one encoding.  Returns -1 when malformed.
 */

static long
ngx_http_missedcall_b64url_decode(const char *in, size_t len,
    unsigned char *out)
{
    int            v;
    size_t         i, n;
    unsigned int   acc, bits;

    if (len % 4 == 1) {
        return -1;
    }

    acc = 0;
    bits = 0;
    n = 0;

    for (i = 0; i < len; i++) {
        v = ngx_http_missedcall_b64url_value((unsigned char) in[i]);
        if (v < 0) {
            return -1;
        }

        acc = (acc << 6) | (unsigned int) v;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char) (acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }

    if (acc != 0) {
        return -1;
    }

    return (long) n;
}


/*
 * HMAC() fetches the algorithm from OpenSSL's providers and derives the
 * key's pads at every call: one context, fetched once, serves the
 * process (no threads share it)
 */

static EVP_MAC_CTX *
ngx_http_missedcall_hmac_ctx(void)
{
    EVP_MAC             *mac;
    OSSL_PARAM           params[2];
    static EVP_MAC_CTX  *ctx;

    if (ctx) {
        return ctx;
    }

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) {
        return NULL;
    }

    /* the context holds its own reference to the algorithm */
    ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);

    if (ctx == NULL) {
        return NULL;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();

    if (!EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }

    return ctx;
}


static int
ngx_http_missedcall_hs256(const ngx_http_missedcall_jwt_key_t *key,
    const char *data, size_t len, unsigned char *mac)
{
    size_t                n;
    EVP_MAC_CTX          *ctx;
    const unsigned char  *k;
    static size_t         keyed_len;
    static unsigned char  keyed[NGX_HTTP_MISSEDCALL_HMAC_KEYED];

    ctx = ngx_http_missedcall_hmac_ctx();
    n = 0;

    if (ctx == NULL) {
        return -1;
    }

    /*
     * The key the context holds is compared, not its address: a reload
     * may put another key where the last one was.  The same key again:
     * the context starts from its state, without deriving it again.
     */
    k = key->key;

    if (keyed_len && key->key_len == keyed_len
        && CRYPTO_memcmp(key->key, keyed, keyed_len) == 0)
    {
        k = NULL;

    } else if (key->key_len <= sizeof(keyed)) {
        memcpy(keyed, key->key, key->key_len);
        keyed_len = key->key_len;

    } else {
        keyed_len = 0;
    }

    if (!EVP_MAC_init(ctx, k, k ? key->key_len : 0, NULL)) {
        keyed_len = 0;
        return -1;
    }

    if (!EVP_MAC_update(ctx, (const unsigned char *) data, len)
        || !EVP_MAC_final(ctx, mac, &n, NGX_HTTP_MISSEDCALL_SHA256_LEN)
        || n != NGX_HTTP_MISSEDCALL_SHA256_LEN)
    {
        return -1;
    }

    return 0;
}


/* ES256 hashes with SHA-256; Ed25519 takes the message whole */

static const EVP_MD *
ngx_http_missedcall_jwt_md(const ngx_http_missedcall_jwt_key_t *key)
{
    return key->alg == NGX_HTTP_MISSEDCALL_JWT_ES256 ? EVP_sha256() : NULL;
}


/* signs data: sig gets the JOSE form; returns its length, 0: failed */

static size_t
ngx_http_missedcall_jwt_sig(const ngx_http_missedcall_jwt_key_t *key,
    const char *data, size_t len, unsigned char *sig)
{
    int                   ok;
    size_t                n;
    ECDSA_SIG            *es;
    EVP_MD_CTX           *ctx;
    const BIGNUM         *r, *s;
    unsigned char         der[NGX_HTTP_MISSEDCALL_DER_MAX];
    const unsigned char  *p;

    if (key->alg == NGX_HTTP_MISSEDCALL_JWT_HS256) {
        return ngx_http_missedcall_hs256(key, data, len, sig) == 0
               ? NGX_HTTP_MISSEDCALL_SHA256_LEN : 0;
    }

    if (key->verify_only || key->pkey == NULL) {
        return 0;
    }

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return 0;
    }

    p = (key->alg == NGX_HTTP_MISSEDCALL_JWT_ES256) ? der : sig;
    n = (key->alg == NGX_HTTP_MISSEDCALL_JWT_ES256)
        ? sizeof(der) : NGX_HTTP_MISSEDCALL_SIG_MAX;

    ok = EVP_DigestSignInit(ctx, NULL, ngx_http_missedcall_jwt_md(key), NULL,
                            key->pkey) == 1
         && EVP_DigestSign(ctx, (unsigned char *) p, &n,
                           (const unsigned char *) data, len) == 1;

    EVP_MD_CTX_free(ctx);

    if (!ok) {
        return 0;
    }

    if (key->alg == NGX_HTTP_MISSEDCALL_JWT_EDDSA) {
        return n;
    }

    /* DER to r||s, each 32 bytes big-endian: RFC 7518 section 3.4 */

    es = d2i_ECDSA_SIG(NULL, &p, (long) n);
    if (es == NULL) {
        return 0;
    }

    ECDSA_SIG_get0(es, &r, &s);

    ok = BN_bn2binpad(r, sig, NGX_HTTP_MISSEDCALL_P256_LEN)
             == NGX_HTTP_MISSEDCALL_P256_LEN
         && BN_bn2binpad(s, sig + NGX_HTTP_MISSEDCALL_P256_LEN,
                         NGX_HTTP_MISSEDCALL_P256_LEN)
             == NGX_HTTP_MISSEDCALL_P256_LEN;

    ECDSA_SIG_free(es);

    return ok ? 2 * NGX_HTTP_MISSEDCALL_P256_LEN : 0;
}


/* r||s to DER, as OpenSSL verifies; returns its length, 0: malformed */

static size_t
ngx_http_missedcall_jwt_der(const unsigned char *sig, unsigned char *der)
{
    int             n;
    BIGNUM         *r, *s;
    ECDSA_SIG      *es;
    unsigned char  *p;

    es = ECDSA_SIG_new();
    r = BN_bin2bn(sig, NGX_HTTP_MISSEDCALL_P256_LEN, NULL);
    s = BN_bin2bn(sig + NGX_HTTP_MISSEDCALL_P256_LEN,
                  NGX_HTTP_MISSEDCALL_P256_LEN, NULL);

    if (es == NULL || r == NULL || s == NULL
        || ECDSA_SIG_set0(es, r, s) != 1)
    {
        ECDSA_SIG_free(es);
        BN_free(r);
        BN_free(s);
        return 0;
    }

    /* es owns r and s now */

    n = i2d_ECDSA_SIG(es, NULL);

    if (n > 0 && n <= NGX_HTTP_MISSEDCALL_DER_MAX) {
        p = der;
        n = i2d_ECDSA_SIG(es, &p);

    } else {
        n = 0;
    }

    ECDSA_SIG_free(es);

    return n > 0 ? (size_t) n : 0;
}


static int
ngx_http_missedcall_jwt_sig_ok(const ngx_http_missedcall_jwt_key_t *key,
    const char *data, size_t len, const unsigned char *sig, size_t siglen)
{
    int                   ok;
    EVP_MD_CTX           *ctx;
    unsigned char         mac[NGX_HTTP_MISSEDCALL_SHA256_LEN];
    unsigned char         der[NGX_HTTP_MISSEDCALL_DER_MAX];
    const unsigned char  *msg;

    if (key->alg == NGX_HTTP_MISSEDCALL_JWT_HS256) {
        return siglen == NGX_HTTP_MISSEDCALL_SHA256_LEN
               && ngx_http_missedcall_hs256(key, data, len, mac) == 0
               && CRYPTO_memcmp(mac, sig, sizeof(mac)) == 0;
    }

    if (siglen != NGX_HTTP_MISSEDCALL_SIG_MAX || key->pkey == NULL) {
        return 0;
    }

    msg = sig;

    if (key->alg == NGX_HTTP_MISSEDCALL_JWT_ES256) {
        siglen = ngx_http_missedcall_jwt_der(sig, der);
        if (siglen == 0) {
            return 0;
        }

        msg = der;
    }

    ctx = EVP_MD_CTX_new();

    ok = ctx != NULL
         && EVP_DigestVerifyInit(ctx, NULL, ngx_http_missedcall_jwt_md(key),
                                 NULL, key->pkey) == 1
         && EVP_DigestVerify(ctx, msg, siglen, (const unsigned char *) data,
                             len) == 1;

    EVP_MD_CTX_free(ctx);

    /* a refused signature leaves errors on OpenSSL's queue */
    ERR_clear_error();

    return ok;
}


/*
 * base64url of the object of n members; 0: no room, or a string that is
 * not UTF-8.  Written without jansson: packing the objects took a third of
 * a signature's instructions.
 */

static size_t
ngx_http_missedcall_jwt_part(const ngx_http_missedcall_json_member_t *m,
    size_t n, char *out, size_t size)
{
    char    text[NGX_HTTP_MISSEDCALL_JWT_MAX];
    size_t  len;

    len = ngx_http_missedcall_json_members(m, n, text, sizeof(text));

    if (len == 0 || len > sizeof(text) || (len + 2) / 3 * 4 >= size) {
        return 0;
    }

    return ngx_http_missedcall_b64url_encode((unsigned char *) text, len,
                                             out);
}


size_t
ngx_http_missedcall_jwt_sign(const ngx_http_missedcall_jwt_key_t *key,
    const ngx_http_missedcall_jwt_claims_t *claims,
    const ngx_http_missedcall_jwt_rules_t *rules, char *out, size_t size)
{
    size_t                             n, m, np;
    unsigned char                      sig[NGX_HTTP_MISSEDCALL_SIG_MAX];
    ngx_http_missedcall_json_member_t  h[3], p[6];

    memset(h, 0, sizeof(h));
    memset(p, 0, sizeof(p));

    h[0].key = "alg";
    h[0].str = ngx_http_missedcall_jwt_alg_name(key->alg);
    h[1].key = "typ";
    h[1].str = (rules && rules->typ) ? rules->typ : "JWT";
    h[2].key = "kid";
    h[2].str = key->kid;

    /* the payload: the claims, and iss and aud as rules ask */
    p[0].key = "sub";
    p[0].str = claims->sub;
    p[1].key = "iat";
    p[1].num = claims->iat;
    p[2].key = "exp";
    p[2].num = claims->exp;
    p[3].key = "jti";
    p[3].str = claims->jti;
    np = 4;

    if (rules && rules->iss) {
        p[np].key = "iss";
        p[np++].str = rules->iss;
    }

    if (rules && rules->naud) {
        p[np].key = "aud";

        if (rules->naud == 1) {
            p[np].str = rules->aud[0];

        } else {
            p[np].strs = rules->aud;
            p[np].nstrs = rules->naud;
        }

        np++;
    }

    n = ngx_http_missedcall_jwt_part(h, 3, out, size);
    if (n == 0 || n + 1 >= size) {
        return 0;
    }

    out[n++] = '.';

    m = ngx_http_missedcall_jwt_part(p, np, out + n, size - n);
    if (m == 0) {
        return 0;
    }

    n += m;

    m = ngx_http_missedcall_jwt_sig(key, out, n, sig);

    /* ".", the signature, NUL */
    if (m == 0 || n + 2 + (m + 2) / 3 * 4 > size) {
        return 0;
    }

    out[n++] = '.';
    n += ngx_http_missedcall_b64url_encode(sig, m, out + n);
    out[n] = '\0';

    return n;
}


static int
ngx_http_missedcall_jwt_int(json_t *obj, const char *name, int64_t *value,
    int required)
{
    json_t  *v;

    v = json_object_get(obj, name);

    if (v == NULL) {
        *value = 0;
        return required ? -1 : 0;
    }

    if (!json_is_integer(v)) {
        return -1;
    }

    *value = (int64_t) json_integer_value(v);

    return 0;
}


static int
ngx_http_missedcall_jwt_str(json_t *obj, const char *name, char *out,
    size_t max)
{
    json_t  *v;
    size_t   n;

    out[0] = '\0';
    v = json_object_get(obj, name);

    if (v == NULL) {
        return 0;
    }

    if (!json_is_string(v)) {
        return -1;
    }

    n = json_string_length(v);

    if (n > max || memchr(json_string_value(v), '\0', n) != NULL) {
        return -1;
    }

    memcpy(out, json_string_value(v), n);
    out[n] = '\0';

    return 0;
}


/* "typ" as RFC 7515 compares it: no case, "application/" optional */

static int
ngx_http_missedcall_jwt_typ_ok(json_t *header, const char *want)
{
    json_t      *typ;
    const char  *v;

    typ = json_object_get(header, "typ");

    if (!json_is_string(typ)) {
        return 0;
    }

    v = json_string_value(typ);

    if (strlen(v) != json_string_length(typ)) {
        return 0;
    }

    if (strncasecmp(v, "application/", 12) == 0) {
        v += 12;
    }

    return strcasecmp(v, want) == 0;
}


static int
ngx_http_missedcall_jwt_is(json_t *v, const char *want)
{
    return json_is_string(v)
           && json_string_length(v) == strlen(want)
           && strcmp(json_string_value(v), want) == 0;
}


/* iss as configured; aud, a string or an array, names one configured */

static ngx_http_missedcall_jwt_rc_e
ngx_http_missedcall_jwt_rules_ok(json_t *payload,
    const ngx_http_missedcall_jwt_rules_t *rules)
{
    size_t   i, j;
    json_t  *aud;

    if (rules->iss
        && !ngx_http_missedcall_jwt_is(json_object_get(payload, "iss"),
                                       rules->iss))
    {
        return NGX_HTTP_MISSEDCALL_JWT_BAD_ISSUER;
    }

    if (rules->naud == 0) {
        return NGX_HTTP_MISSEDCALL_JWT_OK;
    }

    aud = json_object_get(payload, "aud");

    for (i = 0; i < rules->naud; i++) {
        if (ngx_http_missedcall_jwt_is(aud, rules->aud[i])) {
            return NGX_HTTP_MISSEDCALL_JWT_OK;
        }

        for (j = 0; json_is_array(aud) && j < json_array_size(aud); j++) {
            if (ngx_http_missedcall_jwt_is(json_array_get(aud, j),
                                           rules->aud[i]))
            {
                return NGX_HTTP_MISSEDCALL_JWT_OK;
            }
        }
    }

    return NGX_HTTP_MISSEDCALL_JWT_BAD_AUDIENCE;
}


ngx_http_missedcall_jwt_rc_e
ngx_http_missedcall_jwt_verify(const char *token, size_t len,
    const ngx_http_missedcall_jwt_key_t *keys, size_t nkeys,
    const ngx_http_missedcall_jwt_rules_t *rules, int64_t now,
    int64_t leeway, ngx_http_missedcall_jwt_claims_t *claims)
{
    int                                   alg;
    long                                  n;
    size_t                                i, dot1, dot2;
    json_t                               *header, *payload, *a;
    unsigned char                         buf[NGX_HTTP_MISSEDCALL_JWT_MAX];
    const ngx_http_missedcall_jwt_key_t  *key;
    ngx_http_missedcall_jwt_rc_e          rc;

    memset(claims, 0, sizeof(ngx_http_missedcall_jwt_claims_t));

    if (len == 0 || len > NGX_HTTP_MISSEDCALL_JWT_MAX || nkeys == 0) {
        return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    dot1 = 0;
    dot2 = 0;

    for (i = 0; i < len; i++) {
        if (token[i] != '.') {
            continue;
        }

        if (dot1 == 0) {
            dot1 = i;

        } else if (dot2 == 0) {
            dot2 = i;

        } else {
            return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
        }
    }

    if (dot1 == 0 || dot2 == dot1 + 1 || dot2 == 0 || dot2 == len - 1) {
        return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    /* the header: alg first, then the key it names */

    n = ngx_http_missedcall_b64url_decode(token, dot1, buf);
    if (n < 0) {
        return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    header = json_loadb((char *) buf, (size_t) n, JSON_REJECT_DUPLICATES,
                        NULL);
    if (header == NULL || !json_is_object(header)) {
        json_decref(header);
        return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    a = json_object_get(header, "alg");
    alg = json_is_string(a)
          ? ngx_http_missedcall_jwt_alg(json_string_value(a),
                                        json_string_length(a))
          : -1;

    if (alg < 0) {
        json_decref(header);
        return NGX_HTTP_MISSEDCALL_JWT_BAD_ALG;
    }

    if (ngx_http_missedcall_jwt_str(header, "kid", claims->kid,
                                    NGX_HTTP_MISSEDCALL_JWT_KID_MAX)
        != 0)
    {
        json_decref(header);
        return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    rc = NGX_HTTP_MISSEDCALL_JWT_OK;

    if (rules && rules->typ
        && !ngx_http_missedcall_jwt_typ_ok(header, rules->typ))
    {
        rc = NGX_HTTP_MISSEDCALL_JWT_BAD_TYP;
    }

    /* no kid: the first key that signs */
    i = (json_object_get(header, "kid") == NULL);

    json_decref(header);

    if (rc != NGX_HTTP_MISSEDCALL_JWT_OK) {
        return rc;
    }

    key = NULL;

    while (key == NULL && nkeys) {
        if (i ? !keys->verify_only : strcmp(keys->kid, claims->kid) == 0) {
            key = keys;
        }

        keys++;
        nkeys--;
    }

    if (key == NULL) {
        return NGX_HTTP_MISSEDCALL_JWT_UNKNOWN_KID;
    }

    /* one key, one algorithm: RFC 8725 section 3.1 */
    if ((int) key->alg != alg) {
        return NGX_HTTP_MISSEDCALL_JWT_BAD_ALG;
    }

    /* the signature, before any claim is believed */

    n = ngx_http_missedcall_b64url_decode(token + dot2 + 1, len - dot2 - 1,
                                          buf);

    if (n < 0
        || !ngx_http_missedcall_jwt_sig_ok(key, token, dot2, buf, (size_t) n))
    {
        return NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE;
    }

    n = ngx_http_missedcall_b64url_decode(token + dot1 + 1, dot2 - dot1 - 1,
                                          buf);
    if (n < 0) {
        return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    payload = json_loadb((char *) buf, (size_t) n, JSON_REJECT_DUPLICATES,
                         NULL);
    if (payload == NULL || !json_is_object(payload)) {
        json_decref(payload);
        return NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    if (ngx_http_missedcall_jwt_str(payload, "sub", claims->sub,
                                    NGX_HTTP_MISSEDCALL_JWT_SUB_MAX) != 0
        || ngx_http_missedcall_jwt_str(payload, "jti", claims->jti,
                                       NGX_HTTP_MISSEDCALL_JWT_JTI_MAX) != 0
        || ngx_http_missedcall_jwt_int(payload, "iat", &claims->iat, 0) != 0
        || ngx_http_missedcall_jwt_int(payload, "nbf", &claims->nbf, 0) != 0)
    {
        rc = NGX_HTTP_MISSEDCALL_JWT_MALFORMED;

    } else if (ngx_http_missedcall_jwt_int(payload, "exp", &claims->exp, 1)
               != 0)
    {
        rc = NGX_HTTP_MISSEDCALL_JWT_EXPIRED;

    } else if (rules) {
        rc = ngx_http_missedcall_jwt_rules_ok(payload, rules);
    }

    if (rc == NGX_HTTP_MISSEDCALL_JWT_OK) {
        rc = ngx_http_missedcall_jwt_check_time(claims, now, leeway);
    }

    json_decref(payload);

    return rc;
}


ngx_http_missedcall_jwt_rc_e
ngx_http_missedcall_jwt_check_time(
    const ngx_http_missedcall_jwt_claims_t *claims, int64_t now,
    int64_t leeway)
{
    /*
     * Claims are any 64-bit integer a token carries: each comparison is
     * written so that it cannot overflow, now and leeway being positive.
     */

    if (claims->exp == 0 || now - leeway > claims->exp) {
        return NGX_HTTP_MISSEDCALL_JWT_EXPIRED;
    }

    if ((claims->nbf > now && claims->nbf - now > leeway)
        || (claims->iat > now && claims->iat - now > leeway))
    {
        return NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID;
    }

    return NGX_HTTP_MISSEDCALL_JWT_OK;
}


const char *
ngx_http_missedcall_jwt_strerror(ngx_http_missedcall_jwt_rc_e rc)
{
    static const char  *names[] = {
        "ok",
        "malformed",
        "bad_alg",
        "unknown_kid",
        "bad_signature",
        "expired",
        "not_yet_valid",
        "bad_typ",
        "bad_issuer",
        "bad_audience"
    };

    return rc < NGX_HTTP_MISSEDCALL_JWT_RC_LAST ? names[rc] : "unknown";
}


const char *
ngx_http_missedcall_jwt_alg_name(ngx_http_missedcall_jwt_alg_e alg)
{
    return ngx_http_missedcall_jwt_algs[alg];
}


int
ngx_http_missedcall_jwt_alg(const char *name, size_t len)
{
    int  i;

    for (i = 0; i < 3; i++) {
        if (strlen(ngx_http_missedcall_jwt_algs[i]) == len
            && memcmp(ngx_http_missedcall_jwt_algs[i], name, len) == 0)
        {
            return i;
        }
    }

    return -1;
}

