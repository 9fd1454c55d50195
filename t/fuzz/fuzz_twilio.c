
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_missedcall_twilio.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                                  k, pairs_found;
    size_t                               i, n, kept, bl, pl;
    unsigned char                       *buf, *bare, *ported;
    ngx_http_missedcall_twilio_pair_t    p[16];
    ngx_http_missedcall_twilio_answer_t  a;

    ngx_http_missedcall_twilio_parse(data, size, &a);

    /* what reaches the log or Redis is bounded, plain and terminated */
    n = strnlen(a.sid, sizeof(a.sid));

    if (n > NGX_HTTP_MISSEDCALL_TWILIO_SID_MAX) {
        abort();
    }

    n = strnlen(a.message, sizeof(a.message));

    if (n > NGX_HTTP_MISSEDCALL_TWILIO_MESSAGE_MAX) {
        abort();
    }

    for (i = 0; i < n; i++) {
        if (a.message[i] < 0x20 || a.message[i] >= 0x7f) {
            abort();
        }
    }

    /* the status callback's form: every pair inside the decode buffer */
    buf = malloc(size + 1);
    if (buf == NULL) {
        return 0;
    }

    pairs_found = ngx_http_missedcall_twilio_form(data, size, buf, p, 16);

    for (k = 0; k < pairs_found; k++) {
        if (p[k].key < buf || p[k].key + p[k].key_len > buf + size
            || p[k].value < buf || p[k].value + p[k].value_len > buf + size)
        {
            abort();
        }
    }

    /* sorting keeps pairs, never adds one, and leaves them in order */
    kept = ngx_http_missedcall_twilio_sort(p, pairs_found > 0
                                              ? (size_t) pairs_found : 0);

    if (pairs_found > 0 && (kept == 0 || kept > (size_t) pairs_found)) {
        abort();
    }

    for (i = 1; i < kept; i++) {
        n = p[i - 1].key_len < p[i].key_len ? p[i - 1].key_len : p[i].key_len;
        k = memcmp(p[i - 1].key, p[i].key, n);

        if (k > 0 || (k == 0 && p[i - 1].key_len > p[i].key_len)) {
            abort();
        }
    }

    free(buf);

    /* the input as a callback URL: both forms within their bounds */
    bare = malloc(size + 1);
    ported = malloc(size + 4);

    if (bare && ported
        && ngx_http_missedcall_twilio_url_forms(data, size, bare, &bl,
                                                ported, &pl) == 0
        && (bl > size || pl > size + 4 || bl >= pl))
    {
        abort();
    }

    free(bare);
    free(ported);

    return 0;
}
