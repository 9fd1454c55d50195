
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <string.h>

#include "ngx_http_missedcall_code.h"


int
ngx_http_missedcall_code_make(const unsigned char *rnd, size_t len,
    unsigned digits, char *out)
{
    size_t    i, k;
    uint64_t  limit, bound, word;

    if (digits < NGX_HTTP_MISSEDCALL_CODE_MIN
        || digits > NGX_HTTP_MISSEDCALL_CODE_MAX)
    {
        return 0;
    }

    for (limit = 1, k = 0; k < digits; k++) {
        limit *= 10;
    }

    /* the words at or above bound would favour the low codes */
    bound = UINT64_MAX - UINT64_MAX % limit;

    for (i = 0; i + 8 <= len; i += 8) {
        word = 0;

        for (k = 0; k < 8; k++) {
            word = (word << 8) | rnd[i + k];
        }

        if (word >= bound) {
            continue;
        }

        word %= limit;

        for (k = digits; k > 0; k--) {
            out[k - 1] = (char) ('0' + word % 10);
            word /= 10;
        }

        out[digits] = '\0';
        return 1;
    }

    return 0;
}


size_t
ngx_http_missedcall_code_body(const char *tmpl, size_t tlen,
    const char *code, const char *hash, size_t hlen, char *out, size_t size)
{
    size_t       n, clen, found;
    const char  *p, *last;

    static const char  mark[] = "{code}";

    clen = strlen(code);
    last = tmpl + tlen;
    found = 0;
    n = 0;

    for (p = tmpl; p < last; /* void */) {

        if ((size_t) (last - p) >= sizeof(mark) - 1
            && memcmp(p, mark, sizeof(mark) - 1) == 0)
        {
            if (n + clen > size) {
                return 0;
            }

            memcpy(out + n, code, clen);
            n += clen;
            p += sizeof(mark) - 1;
            found++;
            continue;
        }

        if (n + 1 > size) {
            return 0;
        }

        out[n++] = *p++;
    }

    if (found == 0) {
        return 0;
    }

    if (hlen) {
        if (n + 1 + hlen > size) {
            return 0;
        }

        out[n++] = '\n';
        memcpy(out + n, hash, hlen);
        n += hlen;
    }

    return n;
}


int
ngx_http_missedcall_code_app_hash_valid(const char *hash, size_t len)
{
    size_t  i;
    char    c;

    if (len != NGX_HTTP_MISSEDCALL_APP_HASH_LEN) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = hash[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '+' || c == '/'))
        {
            return 0;
        }
    }

    return 1;
}
