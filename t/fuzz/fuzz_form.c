
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_missedcall_form.h"


/* a field that parsed is bounded, terminated, and holds no NUL */

static void
check(ngx_http_missedcall_body_t *b)
{
    int  f;

    for (f = 0; f < NGX_HTTP_MISSEDCALL_F_COUNT; f++) {
        if (!b->present[f]) {
            continue;
        }

        if (b->len[f] > NGX_HTTP_MISSEDCALL_FIELD_MAX
            || b->value[f][b->len[f]] != '\0'
            || strlen(b->value[f]) != b->len[f])
        {
            abort();
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                      i, blen;
    const char                 *field;
    unsigned char              *buf;
    const unsigned char        *boundary;
    ngx_http_missedcall_body_t  b;

    buf = malloc(size + 1);
    if (buf == NULL) {
        return 0;
    }

    if (ngx_http_missedcall_form_parse_urlencoded(data, size, buf, &b, &field)
        == NGX_HTTP_MISSEDCALL_BODY_OK)
    {
        check(&b);
    }

    free(buf);

    /* the first line as the Content-Type, the rest as the body */
    for (i = 0; i < size && data[i] != '\n'; i++) {
        /* void */
    }

    if (ngx_http_missedcall_form_boundary(data, i, &boundary, &blen) == 0) {
        if (boundary < data || boundary + blen > data + i || blen == 0) {
            abort();
        }

        if (i < size
            && ngx_http_missedcall_form_parse_multipart(data + i + 1,
                                                        size - i - 1,
                                                        boundary, blen, &b,
                                                        &field)
               == NGX_HTTP_MISSEDCALL_BODY_OK)
        {
            check(&b);
        }
    }

    return 0;
}
