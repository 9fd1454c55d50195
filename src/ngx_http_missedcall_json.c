
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>
#include <jansson.h>

#include "ngx_http_missedcall_json.h"


static const char  *ngx_http_missedcall_field_names[] = {
    "phone_number",
    "app_signature",
    "session_id",
    "received_caller_id"
};


const char *
ngx_http_missedcall_json_field_name(ngx_http_missedcall_field_e f)
{
    return ngx_http_missedcall_field_names[f];
}


ngx_http_missedcall_body_rc_e
ngx_http_missedcall_json_parse_body(const unsigned char *buf, size_t len,
    ngx_http_missedcall_body_t *body, const char **field)
{
    int           f;
    size_t        n;
    json_t       *root, *v;
    json_error_t  err;

    memset(body->len, 0, sizeof(body->len));
    memset(body->present, 0, sizeof(body->present));

    /* jansson refuses invalid UTF-8, "\u0000" and nesting past its limit */
    root = json_loadb((const char *) buf, len, JSON_REJECT_DUPLICATES, &err);

    if (root == NULL) {
        return NGX_HTTP_MISSEDCALL_BODY_INVALID_JSON;
    }

    if (!json_is_object(root)) {
        json_decref(root);
        return NGX_HTTP_MISSEDCALL_BODY_INVALID_JSON;
    }

    for (f = 0; f < NGX_HTTP_MISSEDCALL_F_COUNT; f++) {
        v = json_object_get(root, ngx_http_missedcall_field_names[f]);

        if (v == NULL) {
            continue;
        }

        if (!json_is_string(v)) {
            goto invalid;
        }

        n = json_string_length(v);

        if (n > NGX_HTTP_MISSEDCALL_FIELD_MAX
            || memchr(json_string_value(v), '\0', n) != NULL)
        {
            goto invalid;
        }

        memcpy(body->value[f], json_string_value(v), n);
        body->value[f][n] = '\0';
        body->len[f] = n;
        body->present[f] = 1;
    }

    json_decref(root);

    return NGX_HTTP_MISSEDCALL_BODY_OK;

invalid:

    *field = ngx_http_missedcall_field_names[f];
    json_decref(root);

    return NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD;
}
