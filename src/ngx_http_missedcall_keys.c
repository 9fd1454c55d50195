
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


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
    "ranges:cc:"
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
        || kind == NGX_HTTP_MISSEDCALL_KEY_RANGES)
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
