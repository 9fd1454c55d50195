
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Pure code: token keys read from PEM at configuration time, and the
 * public ones written as a JWK Set for the missedcall_jwks location.
 */


#include <string.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_jwt.h"


#define NGX_HTTP_MISSEDCALL_P256_LEN    32     /* a coordinate */


static int ngx_http_missedcall_jwt_no_password(char *buf, int size,
    int rwflag, void *data);
static json_t *ngx_http_missedcall_jwt_jwk(
    const ngx_http_missedcall_jwt_key_t *key);


/* an encrypted PEM gets no password: a prompt would stop nginx -t */

static int
ngx_http_missedcall_jwt_no_password(char *buf, int size, int rwflag,
    void *data)
{
    (void) buf;
    (void) size;
    (void) rwflag;
    (void) data;

    return -1;
}


const char *
ngx_http_missedcall_jwt_key_pem(const unsigned char *pem, size_t len,
    int alg, ngx_http_missedcall_jwt_key_t *key)
{
    int        pub, kalg;
    BIO       *bio;
    char       group[32];
    size_t     glen;
    EVP_PKEY  *pkey;

    bio = BIO_new_mem_buf(pem, (int) len);
    if (bio == NULL) {
        return "out of memory";
    }

    pub = 0;
    pkey = PEM_read_bio_PrivateKey(bio, NULL,
                                   ngx_http_missedcall_jwt_no_password, NULL);

    if (pkey == NULL && BIO_reset(bio) == 1) {
        pub = 1;
        pkey = PEM_read_bio_PUBKEY(bio, NULL,
                                   ngx_http_missedcall_jwt_no_password, NULL);
    }

    BIO_free(bio);
    ERR_clear_error();

    if (pkey == NULL) {
        return "is not a PEM private or public key (or is encrypted)";
    }

    if (EVP_PKEY_is_a(pkey, "ED25519")) {
        kalg = NGX_HTTP_MISSEDCALL_JWT_EDDSA;

    } else if (EVP_PKEY_is_a(pkey, "EC")
               && EVP_PKEY_get_utf8_string_param(pkey,
                                             OSSL_PKEY_PARAM_GROUP_NAME,
                                             group, sizeof(group), &glen)
                  == 1
               && (strcmp(group, "prime256v1") == 0
                   || strcmp(group, "P-256") == 0))
    {
        kalg = NGX_HTTP_MISSEDCALL_JWT_ES256;

    } else {
        EVP_PKEY_free(pkey);
        return "is neither an Ed25519 nor a P-256 key";
    }

    if (alg >= 0 && alg != kalg) {
        EVP_PKEY_free(pkey);
        return "holds a key of another algorithm";
    }

    key->alg = kalg;
    key->pkey = pkey;
    key->key = NULL;
    key->key_len = 0;
    key->verify_only |= pub;

    return NULL;
}


/* one public key as a JWK: RFC 7517, RFC 7518 section 6.2, RFC 8037 */

static json_t *
ngx_http_missedcall_jwt_jwk(const ngx_http_missedcall_jwt_key_t *key)
{
    int             ok;
    char            x[64], y[64];
    size_t          n;
    BIGNUM         *bx, *by;
    unsigned char   raw[NGX_HTTP_MISSEDCALL_P256_LEN];

    if (key->alg == NGX_HTTP_MISSEDCALL_JWT_EDDSA) {
        n = sizeof(raw);

        if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &n) != 1
            || n != sizeof(raw))
        {
            return NULL;
        }

        x[ngx_http_missedcall_b64url_encode(raw, n, x)] = '\0';

        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
                         "kid", key->kid, "kty", "OKP", "crv", "Ed25519",
                         "x", x, "alg", "EdDSA", "use", "sig");
    }

    bx = NULL;
    by = NULL;

    ok = EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1
         && EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by)
            == 1
         && BN_bn2binpad(bx, raw, sizeof(raw)) == sizeof(raw);

    if (ok) {
        x[ngx_http_missedcall_b64url_encode(raw, sizeof(raw), x)] = '\0';
        ok = BN_bn2binpad(by, raw, sizeof(raw)) == sizeof(raw);
        y[ngx_http_missedcall_b64url_encode(raw, sizeof(raw), y)] = '\0';
    }

    BN_free(bx);
    BN_free(by);

    if (!ok) {
        return NULL;
    }

    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                     "kid", key->kid, "kty", "EC", "crv", "P-256",
                     "x", x, "y", y, "alg", "ES256", "use", "sig");
}


size_t
ngx_http_missedcall_jwt_jwks(const ngx_http_missedcall_jwt_key_t *keys,
    size_t nkeys, char *out, size_t size)
{
    size_t   i, n;
    json_t  *set, *list;

    list = json_array();

    for (i = 0; list && i < nkeys; i++) {
        if (keys[i].alg == NGX_HTTP_MISSEDCALL_JWT_HS256) {
            continue;
        }

        if (json_array_append_new(list, ngx_http_missedcall_jwt_jwk(&keys[i]))
            != 0)
        {
            json_decref(list);
            list = NULL;
        }
    }

    set = list ? json_pack("{s:o}", "keys", list) : NULL;
    n = set ? ngx_http_missedcall_json_write(set, out, size) : 0;
    json_decref(set);

    return n <= size ? n : 0;
}
