
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdio.h>
#include <string.h>

#include "ngx_http_missedcall_keys.h"


static const char  *ngx_http_missedcall_key_names[] = {
    "pool",
    "pool:all",
    "pool:cc:",
    "number:",
    "events",
    "session:",
    "phone:",
    "last:",
    "throttle:",
    "resend:",
    "limit:",
    "failures:",
    "ranges",
    "ranges:cc:",
    "placed",
    "pool:auto",
    "down:"
};


size_t
ngx_http_missedcall_key(unsigned char *out, size_t size,
    const unsigned char *prefix, size_t prefix_len,
    ngx_http_missedcall_key_e kind, const unsigned char *id, size_t id_len)
{
    size_t       name_len, len;
    const char  *name;

    name = ngx_http_missedcall_key_names[kind];
    name_len = strlen(name);

    if (kind == NGX_HTTP_MISSEDCALL_KEY_POOL
        || kind == NGX_HTTP_MISSEDCALL_KEY_POOL_ALL
        || kind == NGX_HTTP_MISSEDCALL_KEY_EVENTS
        || kind == NGX_HTTP_MISSEDCALL_KEY_RANGES
        || kind == NGX_HTTP_MISSEDCALL_KEY_PLACED
        || kind == NGX_HTTP_MISSEDCALL_KEY_POOL_AUTO)
    {
        id_len = 0;
    }

    len = prefix_len + name_len + id_len;

    if (len > size) {
        return 0;
    }

    memcpy(out, prefix, prefix_len);
    memcpy(out + prefix_len, name, name_len);

    if (id_len) {
        memcpy(out + prefix_len + name_len, id, id_len);
    }

    return len;
}


size_t
ngx_http_missedcall_limit_key(unsigned char *out, size_t size,
    const unsigned char *prefix, size_t prefix_len, const char *kind,
    unsigned long long window, const unsigned char *id, size_t id_len)
{
    int     n;
    char    name[64];
    size_t  len;

    n = snprintf(name, sizeof(name), "limit:%s:%llu%s", kind, window,
                 id_len ? ":" : "");

    if (n < 0 || (size_t) n >= sizeof(name)) {
        return 0;
    }

    len = prefix_len + (size_t) n + id_len;

    if (len > size) {
        return 0;
    }

    memcpy(out, prefix, prefix_len);
    memcpy(out + prefix_len, name, (size_t) n);

    if (id_len) {
        memcpy(out + prefix_len + n, id, id_len);
    }

    return len;
}


size_t
ngx_http_missedcall_session(unsigned char *out, size_t size,
    const unsigned char *const *field, const size_t *len, size_t n)
{
    size_t          i, need;
    unsigned char  *p;

    need = n;

    for (i = 0; i < n; i++) {
        if (len[i] > 255) {
            return 0;
        }

        need += len[i];
    }

    if (need > size) {
        return 0;
    }

    p = out;

    for (i = 0; i < n; i++) {
        *p++ = (unsigned char) len[i];

        if (len[i]) {
            memcpy(p, field[i], len[i]);
            p += len[i];
        }
    }

    return need;
}
