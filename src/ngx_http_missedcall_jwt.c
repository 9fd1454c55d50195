
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_jwt.h"


#define NGX_HTTP_MISSEDCALL_SHA256_LEN  32


static const char  ngx_http_missedcall_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


/* base64url without padding; returns the length written */

static size_t
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


static int
ngx_http_missedcall_hs256(const ngx_http_missedcall_jwt_key_t *key,
    const char *data, size_t len, unsigned char *mac)
{
    unsigned int  n;

    n = 0;

    if (HMAC(EVP_sha256(), key->key, (int) key->key_len,
             (const unsigned char *) data, len, mac, &n) == NULL
        || n != NGX_HTTP_MISSEDCALL_SHA256_LEN)
    {
        return -1;
    }

    return 0;
}


/* base64url of json's compact text (json is released); 0: no room */

static size_t
ngx_http_missedcall_jwt_part(json_t *json, char *out, size_t size)
{
    char    text[NGX_HTTP_MISSEDCALL_JWT_MAX];
    size_t  len;

    len = json ? ngx_http_missedcall_json_write(json, text, sizeof(text)) : 0;
    json_decref(json);

    if (len == 0 || len > sizeof(text) || (len + 2) / 3 * 4 >= size) {
        return 0;
    }

    return ngx_http_missedcall_b64url_encode((unsigned char *) text, len,
                                             out);
}


size_t
ngx_http_missedcall_jwt_sign(const ngx_http_missedcall_jwt_key_t *key,
    const ngx_http_missedcall_jwt_claims_t *claims, const char *iss,
    char *out, size_t size)
{
    size_t          n, m;
    json_t         *payload;
    unsigned char   mac[NGX_HTTP_MISSEDCALL_SHA256_LEN];

    n = ngx_http_missedcall_jwt_part(json_pack("{s:s, s:s, s:s}",
                                               "alg", "HS256", "typ", "JWT",
                                               "kid", key->kid),
                                     out, size);
    if (n == 0 || n + 1 >= size) {
        return 0;
    }

    out[n++] = '.';

    payload = json_pack("{s:s, s:I, s:I, s:s}",
                        "sub", claims->sub,
                        "iat", (json_int_t) claims->iat,
                        "exp", (json_int_t) claims->exp,
                        "jti", claims->jti);

    if (payload && iss && json_object_set_new(payload, "iss",
                                              json_string(iss)) != 0)
    {
        json_decref(payload);
        payload = NULL;
    }

    m = ngx_http_missedcall_jwt_part(payload, out + n, size - n);
    if (m == 0) {
        return 0;
    }

    n += m;

    /* ".", 43 characters of signature, NUL */
    if (n + 45 > size
        || ngx_http_missedcall_hs256(key, out, n, mac) != 0)
    {
        return 0;
    }

    out[n++] = '.';
    n += ngx_http_missedcall_b64url_encode(mac, sizeof(mac), out + n);
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


ngx_http_missedcall_jwt_rc_e
ngx_http_missedcall_jwt_verify(const char *token, size_t len,
    const ngx_http_missedcall_jwt_key_t *keys, size_t nkeys, int64_t now,
    int64_t leeway, ngx_http_missedcall_jwt_claims_t *claims)
{
    long                                  n;
    size_t                                i, dot1, dot2;
    json_t                               *header, *payload, *alg;
    unsigned char                         buf[NGX_HTTP_MISSEDCALL_JWT_MAX];
    unsigned char                         mac[NGX_HTTP_MISSEDCALL_SHA256_LEN];
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

    alg = json_object_get(header, "alg");

    if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0
        || json_string_length(alg) != 5)
    {
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

    /* no kid: the signing key */
    key = (json_object_get(header, "kid") == NULL) ? &keys[0] : NULL;

    json_decref(header);

    for (i = 0; key == NULL && i < nkeys; i++) {
        if (strcmp(keys[i].kid, claims->kid) == 0) {
            key = &keys[i];
        }
    }

    if (key == NULL) {
        return NGX_HTTP_MISSEDCALL_JWT_UNKNOWN_KID;
    }

    /* the signature, before any claim is believed */

    n = ngx_http_missedcall_b64url_decode(token + dot2 + 1, len - dot2 - 1,
                                          buf);

    if (n != NGX_HTTP_MISSEDCALL_SHA256_LEN
        || ngx_http_missedcall_hs256(key, token, dot2, mac) != 0
        || CRYPTO_memcmp(mac, buf, sizeof(mac)) != 0)
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

    rc = NGX_HTTP_MISSEDCALL_JWT_OK;

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

    } else {
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
    if (claims->exp == 0 || now > claims->exp + leeway) {
        return NGX_HTTP_MISSEDCALL_JWT_EXPIRED;
    }

    if ((claims->nbf && now + leeway < claims->nbf)
        || (claims->iat && now + leeway < claims->iat))
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
        "not_yet_valid"
    };

    return names[rc];
}
