
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_missedcall_json.h"


static ngx_http_missedcall_body_t  body;


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          f;
    const char  *field;

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
