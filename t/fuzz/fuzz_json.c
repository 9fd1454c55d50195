
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_missedcall_json.h"


static ngx_http_missedcall_body_t  body;
static char                        out[1 << 16];


/* whatever jansson reads, the writer writes as json_dumps() does */

static void
write_back(const uint8_t *data, size_t size)
{
    char    *want;
    size_t   n;
    json_t  *v;

    v = json_loadb((const char *) data, size, JSON_DECODE_ANY, NULL);
    if (v == NULL) {
        return;
    }

    want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    n = ngx_http_missedcall_json_write(v, out, sizeof(out));

    /* 0: a real somewhere, which the writer refuses */
    if (want && n && (n != strlen(want)
                      || (n <= sizeof(out) && memcmp(out, want, n) != 0)))
    {
        abort();
    }

    free(want);
    json_decref(v);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          f;
    const char  *field;

    write_back(data, size);

    if (ngx_http_missedcall_json_parse_body(data, size, &body, &field)
        != NGX_HTTP_MISSEDCALL_BODY_OK)
    {
        return 0;
    }

    /* every field kept is NUL-free, within bounds and terminated */
    for (f = 0; f < NGX_HTTP_MISSEDCALL_F_COUNT; f++) {
        if (body.present[f]
            && (body.len[f] > NGX_HTTP_MISSEDCALL_FIELD_MAX
                || strlen(body.value[f]) != body.len[f]))
        {
            abort();
        }
    }

    return 0;
}
