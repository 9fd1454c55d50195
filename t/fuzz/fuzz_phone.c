
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_missedcall_phone.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t         n, i;
    unsigned char  e164[NGX_HTTP_MISSEDCALL_E164_LEN];
    unsigned char  digits[NGX_HTTP_MISSEDCALL_CALLERID_MAX];
    unsigned char  masked[NGX_HTTP_MISSEDCALL_E164_LEN];

    n = ngx_http_missedcall_phone_normalize(data, size, e164);

    if (n) {
        /* what normalize accepts is E.164, and normalizes to itself */
        if (!ngx_http_missedcall_phone_is_e164(e164, n)
            || ngx_http_missedcall_phone_normalize(e164, n, masked) != n
            || memcmp(masked, e164, n) != 0)
        {
            abort();
        }

        ngx_http_missedcall_phone_mask(e164, n, size % 10, size & 1, masked);
    }

    (void) ngx_http_missedcall_calling_codes_valid(data, size);

    n = ngx_http_missedcall_callerid_digits(data, size, digits);

    if (n > NGX_HTTP_MISSEDCALL_CALLERID_MAX) {
        abort();
    }

    for (i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9') {
            abort();
        }
    }

    return 0;
}
