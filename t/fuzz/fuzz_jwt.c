
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "ngx_http_missedcall_jwt.h"


/* HMAC keys, then an EdDSA and an ES256 key made on the first run */
static ngx_http_missedcall_jwt_key_t  keys[4] = {
    { "k1", (const unsigned char *) "0123456789abcdef0123456789abcdef", 32,
      NGX_HTTP_MISSEDCALL_JWT_HS256, NULL, 0 },
    { "k2", (const unsigned char *) "another key, 32 bytes or longer!!", 33,
      NGX_HTTP_MISSEDCALL_JWT_HS256, NULL, 0 },
    { "ed", NULL, 0, NGX_HTTP_MISSEDCALL_JWT_EDDSA, NULL, 0 },
    { "es", NULL, 0, NGX_HTTP_MISSEDCALL_JWT_ES256, NULL, 0 }
};

static const char  *audiences[] = { "api", "admin" };

static const ngx_http_missedcall_jwt_rules_t  rules = {
    NGX_HTTP_MISSEDCALL_JWT_TYP, "iss", audiences, 2
};


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                               token[4096];
    size_t                             n, k;
    ngx_http_missedcall_jwt_rc_e       rc;
    ngx_http_missedcall_jwt_claims_t   claims, in;

    if (keys[2].pkey == NULL) {
        keys[2].pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        keys[3].pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    }

    rc = ngx_http_missedcall_jwt_verify((const char *) data, size, keys, 4,
                                        size & 1 ? &rules : NULL, 1500, 30,
                                        &claims);

    if ((unsigned) rc >= NGX_HTTP_MISSEDCALL_JWT_RC_LAST) {
        abort();
    }

    /* any sub and jti that fit round-trip through sign and verify */
    memset(&in, 0, sizeof(in));
    n = (size < NGX_HTTP_MISSEDCALL_JWT_SUB_MAX)
        ? size : NGX_HTTP_MISSEDCALL_JWT_SUB_MAX;
    memcpy(in.sub, data, n);
    in.sub[strnlen(in.sub, n)] = '\0';
    in.iat = 1000;
    in.exp = 2000;

    /* each algorithm in turn: HS256, EdDSA, ES256 */
    k = 1 + size % 3;

    n = ngx_http_missedcall_jwt_sign(&keys[k], &in, &rules, token,
                                     sizeof(token));

    /* n is 0 for a sub that is not UTF-8: JSON cannot carry it */
    if (n
        && (ngx_http_missedcall_jwt_verify(token, n, keys, 4, &rules, 1500,
                                           0, &claims)
               != NGX_HTTP_MISSEDCALL_JWT_OK
            || strcmp(claims.sub, in.sub) != 0))
    {
        abort();
    }

    return 0;
}
