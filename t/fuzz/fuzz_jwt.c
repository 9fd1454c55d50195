
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_missedcall_jwt.h"


static ngx_http_missedcall_jwt_key_t  keys[2] = {
    { "k1", (const unsigned char *) "0123456789abcdef0123456789abcdef", 32 },
    { "k2", (const unsigned char *) "another key, 32 bytes or longer!!", 33 }
};


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                               token[4096];
    size_t                             n;
    ngx_http_missedcall_jwt_rc_e       rc;
    ngx_http_missedcall_jwt_claims_t   claims, in;

    rc = ngx_http_missedcall_jwt_verify((const char *) data, size, keys, 2,
                                        1500, 30, &claims);

    if ((unsigned) rc > NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID) {
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

    n = ngx_http_missedcall_jwt_sign(&keys[1], &in, NULL, token,
                                     sizeof(token));

    if (n && ngx_http_missedcall_jwt_verify(token, n, keys, 2, 1500, 0,
                                            &claims)
             == NGX_HTTP_MISSEDCALL_JWT_OK
        && strcmp(claims.sub, in.sub) != 0)
    {
        abort();
    }

    return 0;
}
