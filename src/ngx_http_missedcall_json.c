
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "ngx_http_missedcall_json.h"


typedef struct {
    char        *pos;
    char        *end;
    size_t       len;       /* of the whole text, written or not */
} ngx_http_missedcall_json_out_t;


static int ngx_http_missedcall_json_value(ngx_http_missedcall_json_out_t *out,
    const json_t *v);
static int ngx_http_missedcall_json_string(
    ngx_http_missedcall_json_out_t *out, const char *s, size_t len);
static void ngx_http_missedcall_json_bytes(ngx_http_missedcall_json_out_t *out,
    const char *s, size_t len);
static int ngx_http_missedcall_json_text(ngx_http_missedcall_json_out_t *out,
    const char *s, size_t len);
static size_t ngx_http_missedcall_json_utf8(const unsigned char *s,
    size_t len);


/* what JSON escapes with a letter, and the letters */
static const char   ngx_http_missedcall_json_esc_from[] = "\"\\\b\f\n\r\t";
static const char   ngx_http_missedcall_json_esc_to[] = "\"\\bfnrt";

static const char  *ngx_http_missedcall_field_names[] = {
    "phone_number",
    "app_signature",
    "session_id",
    "received_caller_id",
    "channel",
    "code"
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


size_t
ngx_http_missedcall_json_write(const json_t *v, char *buf, size_t size)
{
    ngx_http_missedcall_json_out_t  out;

    out.pos = buf;
    out.end = buf + size;
    out.len = 0;

    if (ngx_http_missedcall_json_value(&out, v) != 0) {
        return 0;
    }

    return out.len;
}


size_t
ngx_http_missedcall_json_members(const ngx_http_missedcall_json_member_t *m,
    size_t n, char *buf, size_t size)
{
    int                             len;
    char                            num[32];
    size_t                          i, j;
    ngx_http_missedcall_json_out_t  out;

    out.pos = buf;
    out.end = buf + size;
    out.len = 0;

    ngx_http_missedcall_json_bytes(&out, "{", 1);

    for (i = 0; i < n; i++) {
        if (i) {
            ngx_http_missedcall_json_bytes(&out, ",", 1);
        }

        if (ngx_http_missedcall_json_text(&out, m[i].key, 0) != 0) {
            return 0;
        }

        ngx_http_missedcall_json_bytes(&out, ":", 1);

        if (m[i].str) {
            if (ngx_http_missedcall_json_text(&out, m[i].str, m[i].len) != 0)
            {
                return 0;
            }

            continue;
        }

        if (m[i].raw) {
            ngx_http_missedcall_json_bytes(&out, m[i].raw, strlen(m[i].raw));
            continue;
        }

        if (m[i].strs == NULL) {
            len = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                           m[i].num);
            ngx_http_missedcall_json_bytes(&out, num, (size_t) len);
            continue;
        }

        ngx_http_missedcall_json_bytes(&out, "[", 1);

        for (j = 0; j < m[i].nstrs; j++) {
            if (j) {
                ngx_http_missedcall_json_bytes(&out, ",", 1);
            }

            if (ngx_http_missedcall_json_text(&out, m[i].strs[j], 0) != 0) {
                return 0;
            }
        }

        ngx_http_missedcall_json_bytes(&out, "]", 1);
    }

    ngx_http_missedcall_json_bytes(&out, "}", 1);

    return out.len;
}


/* a string (len 0: NUL-terminated) */

static int
ngx_http_missedcall_json_text(ngx_http_missedcall_json_out_t *out,
    const char *s, size_t len)
{
    if (len == 0) {
        len = strlen(s);
    }

    return ngx_http_missedcall_json_string(out, s, len);
}


/*
 * The length of the UTF-8 sequence at s, 0 when it is not one by
 * jansson's rules: no overlong forms, surrogates or code points > 10FFFF
 */

static size_t
ngx_http_missedcall_json_utf8(const unsigned char *s, size_t len)
{
    size_t    k, n;
    uint32_t  cp;

    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1f;

    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0f;

    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07;

    } else {
        return 0;
    }

    if (n > len) {
        return 0;
    }

    for (k = 1; k < n; k++) {
        if ((s[k] & 0xc0) != 0x80) {
            return 0;
        }

        cp = (cp << 6) | (s[k] & 0x3f);
    }

    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
        || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    {
        return 0;
    }

    return n;
}


static int
ngx_http_missedcall_json_value(ngx_http_missedcall_json_out_t *out,
    const json_t *v)
{
    int      n;
    char     num[32];
    void    *it;
    size_t   i;

    switch (json_typeof(v)) {

    case JSON_OBJECT:
        ngx_http_missedcall_json_bytes(out, "{", 1);

        for (it = json_object_iter((json_t *) v), i = 0; it;
             it = json_object_iter_next((json_t *) v, it), i++)
        {
            if (i) {
                ngx_http_missedcall_json_bytes(out, ",", 1);
            }

            if (ngx_http_missedcall_json_string(out, json_object_iter_key(it),
                                                json_object_iter_key_len(it))
                != 0)
            {
                return -1;
            }

            ngx_http_missedcall_json_bytes(out, ":", 1);

            if (ngx_http_missedcall_json_value(out,
                                               json_object_iter_value(it))
                != 0)
            {
                return -1;
            }
        }

        ngx_http_missedcall_json_bytes(out, "}", 1);
        return 0;

    case JSON_ARRAY:
        ngx_http_missedcall_json_bytes(out, "[", 1);

        for (i = 0; i < json_array_size(v); i++) {
            if (i) {
                ngx_http_missedcall_json_bytes(out, ",", 1);
            }

            if (ngx_http_missedcall_json_value(out, json_array_get(v, i))
                != 0)
            {
                return -1;
            }
        }

        ngx_http_missedcall_json_bytes(out, "]", 1);
        return 0;

    case JSON_STRING:
        return ngx_http_missedcall_json_string(out, json_string_value(v),
                                               json_string_length(v));

    case JSON_INTEGER:
        n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
        ngx_http_missedcall_json_bytes(out, num, (size_t) n);
        return 0;

    case JSON_TRUE:
        ngx_http_missedcall_json_bytes(out, "true", 4);
        return 0;

    case JSON_FALSE:
        ngx_http_missedcall_json_bytes(out, "false", 5);
        return 0;

    case JSON_NULL:
        ngx_http_missedcall_json_bytes(out, "null", 4);
        return 0;

    default:
        /* reals: the module writes none */
        return -1;
    }
}


/*
 * Every character JSON escapes is ASCII: bytes are escaped one by one, as
 * jansson does by code point; other bytes must be UTF-8 (jansson's own
 * strings always are; members' strings are checked here), else -1.
 */

static int
ngx_http_missedcall_json_string(ngx_http_missedcall_json_out_t *out,
    const char *s, size_t len)
{
    char           esc[7];
    size_t         i, n, run;
    const char    *p;
    unsigned char  c;

    ngx_http_missedcall_json_bytes(out, "\"", 1);

    run = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            continue;
        }

        /* checked in the same pass: what jansson would refuse, refused */
        if (c >= 0x80) {
            n = ngx_http_missedcall_json_utf8((const unsigned char *) s + i,
                                              len - i);
            if (n == 0) {
                return -1;
            }

            i += n - 1;
            continue;
        }

        ngx_http_missedcall_json_bytes(out, s + run, i - run);
        run = i + 1;

        esc[0] = '\\';
        p = memchr(ngx_http_missedcall_json_esc_from, c, 7);

        if (p == NULL) {
            snprintf(esc + 1, sizeof(esc) - 1, "u%04X", c);
            ngx_http_missedcall_json_bytes(out, esc, 6);
            continue;
        }

        esc[1] = ngx_http_missedcall_json_esc_to[p
                                         - ngx_http_missedcall_json_esc_from];
        ngx_http_missedcall_json_bytes(out, esc, 2);
    }

    ngx_http_missedcall_json_bytes(out, s + run, len - run);
    ngx_http_missedcall_json_bytes(out, "\"", 1);

    return 0;
}


static void
ngx_http_missedcall_json_bytes(ngx_http_missedcall_json_out_t *out,
    const char *s, size_t len)
{
    size_t  n;

    n = (size_t) (out->end - out->pos);

    if (n > len) {
        n = len;
    }

    if (n) {
        memcpy(out->pos, s, n);
        out->pos += n;
    }

    out->len += len;
}
