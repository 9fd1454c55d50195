
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
    size_t                               i, n;
    unsigned char                       *buf;
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

    free(buf);

    return 0;
}
