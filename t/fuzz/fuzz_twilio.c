
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
    size_t                               i, n;
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

    return 0;
}
