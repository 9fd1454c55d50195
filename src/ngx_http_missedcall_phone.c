
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "ngx_http_missedcall_phone.h"


/* the separators people and phones put between digits */

static int
ngx_http_missedcall_phone_separator(unsigned char c)
{
    return c == ' ' || c == '-' || c == '(' || c == ')' || c == '.';
}


size_t
ngx_http_missedcall_phone_normalize(const unsigned char *in, size_t len,
    unsigned char *out)
{
    int            plus;
    size_t         i, n, skip;
    unsigned char  d[NGX_HTTP_MISSEDCALL_E164_MAX + 2];

    if (len == 0 || len > NGX_HTTP_MISSEDCALL_INPUT_MAX) {
        return 0;
    }

    i = 0;

    while (i < len && in[i] == ' ') {
        i++;
    }

    plus = (i < len && in[i] == '+');

    if (plus) {
        i++;
    }

    /* the digits, with room for a "00" prefix to be dropped below */
    n = 0;

    for ( /* void */ ; i < len; i++) {
        if (in[i] >= '0' && in[i] <= '9') {
            if (n == sizeof(d)) {
                return 0;
            }

            d[n++] = in[i];
            continue;
        }

        if (!ngx_http_missedcall_phone_separator(in[i])) {
            return 0;
        }
    }

    /* "00" is the international prefix where "+" cannot be typed */
    skip = (!plus && n > 2 && d[0] == '0' && d[1] == '0') ? 2 : 0;
    n -= skip;

    if (n < NGX_HTTP_MISSEDCALL_E164_MIN || n > NGX_HTTP_MISSEDCALL_E164_MAX
        || d[skip] == '0')
    {
        return 0;
    }

    out[0] = '+';
    memcpy(out + 1, d + skip, n);

    return 1 + n;
}


size_t
ngx_http_missedcall_callerid_digits(const unsigned char *in, size_t len,
    unsigned char *out)
{
    size_t  i, n;

    if (len > NGX_HTTP_MISSEDCALL_INPUT_MAX) {
        return 0;
    }

    n = 0;

    for (i = 0; i < len; i++) {
        if (in[i] >= '0' && in[i] <= '9') {
            if (n == NGX_HTTP_MISSEDCALL_CALLERID_MAX) {
                return 0;
            }

            out[n++] = in[i];
            continue;
        }

        if (in[i] == '+' && n == 0) {
            continue;
        }

        if (!ngx_http_missedcall_phone_separator(in[i]) && in[i] != '/') {
            return 0;
        }
    }

    return n;
}


void
ngx_http_missedcall_phone_mask(const unsigned char *e164, size_t len,
    size_t n, int keep, unsigned char *out)
{
    size_t  i;

    memcpy(out, e164, len);

    for (i = len; i > 0; i--) {
        if (out[i - 1] < '0' || out[i - 1] > '9') {
            continue;
        }

        if (n > 0) {
            n--;

            if (keep) {
                continue;
            }

        } else if (!keep) {
            break;
        }

        out[i - 1] = '*';
    }
}


int
ngx_http_missedcall_phone_is_e164(const unsigned char *s, size_t len)
{
    size_t  i;

    if (len < 1 + NGX_HTTP_MISSEDCALL_E164_MIN
        || len > 1 + NGX_HTTP_MISSEDCALL_E164_MAX
        || s[0] != '+' || s[1] == '0')
    {
        return 0;
    }

    for (i = 1; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }

    return 1;
}


int
ngx_http_missedcall_pool_member_valid(const unsigned char *s, size_t len)
{
    size_t  half;

    if (ngx_http_missedcall_phone_is_e164(s, len)) {
        return 1;
    }

    /* "+digits-+digits": both halves as long, digits compare as numbers */
    half = len / 2;

    return len % 2 == 1 && s[half] == '-'
           && ngx_http_missedcall_phone_is_e164(s, half)
           && ngx_http_missedcall_phone_is_e164(s + half + 1, half)
           && memcmp(s, s + half + 1, half) <= 0;
}


int
ngx_http_missedcall_calling_codes_valid(const unsigned char *s, size_t len)
{
    size_t  i, j, start, n, digits;

    n = 0;
    start = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && s[i] >= '0' && s[i] <= '9') {
            continue;
        }

        if (i < len && s[i] != ',') {
            return 0;
        }

        digits = i - start;

        if (digits < 1 || digits > 3 || s[start] == '0'
            || ++n > NGX_HTTP_MISSEDCALL_CODES_MAX)
        {
            return 0;
        }

        /* an earlier code the same: compared with its comma */
        for (j = 0; j + digits < start; j++) {
            if ((j == 0 || s[j - 1] == ',') && s[j + digits] == ','
                && memcmp(s + j, s + start, digits) == 0)
            {
                return 0;
            }
        }

        start = i + 1;
    }

    return 1;
}
