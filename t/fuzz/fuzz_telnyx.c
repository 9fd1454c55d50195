
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngx_http_missedcall_telnyx.h"


static int
safe_id(const char *id)
{
    size_t  i, n;

    n = strnlen(id, NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX + 1);

    if (n > NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789:-_", id[i]) == NULL)
        {
            return 0;
        }
    }

    return 1;
}


static int
plain(const char *s)
{
    size_t  i, n;

    n = strnlen(s, NGX_HTTP_MISSEDCALL_TELNYX_TEXT_MAX + 1);

    if (n > NGX_HTTP_MISSEDCALL_TELNYX_TEXT_MAX) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] >= 0x7f) {
            return 0;
        }
    }

    return 1;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                               cut;
    char                                 id[NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX
                                            + 1];
    unsigned char                        key[32];
    ngx_http_missedcall_telnyx_answer_t  a;

    /* what reaches the log, a URL or Redis is bounded, plain, terminated */
    ngx_http_missedcall_telnyx_parse(data, size, &a);

    if (!safe_id(a.call_control_id) || !plain(a.title) || !plain(a.detail)) {
        abort();
    }

    (void) ngx_http_missedcall_telnyx_event(data, size, id);

    if (!safe_id(id)) {
        abort();
    }

    (void) ngx_http_missedcall_telnyx_key(data, size, key);

    /* the input cut in three: timestamp, signature, body; never signed */
    cut = size / 3;

    if (ngx_http_missedcall_telnyx_signed(key, data, cut, data + cut, cut,
                                          data + 2 * cut, size - 2 * cut,
                                          time(NULL), 300)
        && size < 64)
    {
        abort();
    }

    return 0;
}
