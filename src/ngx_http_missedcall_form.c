
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <string.h>

#include "ngx_http_missedcall_form.h"


#define NGX_HTTP_MISSEDCALL_BOUNDARY_MAX  70


static int ngx_http_missedcall_form_next(const unsigned char *body,
    size_t len, size_t *pos, unsigned char *buf,
    ngx_http_missedcall_form_pair_t *pair);
static size_t ngx_http_missedcall_form_unescape(const unsigned char *in,
    size_t len, unsigned char *out);
static ngx_http_missedcall_body_rc_e ngx_http_missedcall_form_field(
    ngx_http_missedcall_body_t *out, const unsigned char *name,
    size_t name_len, const unsigned char *value, size_t value_len,
    const char **field);
static int ngx_http_missedcall_form_utf8(const unsigned char *s, size_t len);
static size_t ngx_http_missedcall_form_find(const unsigned char *s,
    size_t len, const unsigned char *what, size_t what_len);
static int ngx_http_missedcall_form_disposition(const unsigned char *s,
    size_t len, const unsigned char **name, size_t *name_len, int *file);
static int ngx_http_missedcall_form_caseeq(const unsigned char *s,
    const char *lower, size_t len);


int
ngx_http_missedcall_form_pairs(const unsigned char *body, size_t len,
    unsigned char *buf, ngx_http_missedcall_form_pair_t *pairs, size_t max)
{
    size_t                           n, pos;
    ngx_http_missedcall_form_pair_t  pair;

    n = 0;
    pos = 0;

    while (ngx_http_missedcall_form_next(body, len, &pos, buf, &pair)) {
        if (n == max) {
            return -1;
        }

        buf += pair.key_len + pair.value_len;
        pairs[n++] = pair;
    }

    return (int) n;
}


ngx_http_missedcall_body_rc_e
ngx_http_missedcall_form_parse_urlencoded(const unsigned char *body,
    size_t len, unsigned char *buf, ngx_http_missedcall_body_t *out,
    const char **field)
{
    size_t                           pos;
    ngx_http_missedcall_body_rc_e    rc;
    ngx_http_missedcall_form_pair_t  pair;

    memset(out->len, 0, sizeof(out->len));
    memset(out->present, 0, sizeof(out->present));

    pos = 0;

    /* each pair is decoded into the start of buf: only fields are kept */
    while (ngx_http_missedcall_form_next(body, len, &pos, buf, &pair)) {
        rc = ngx_http_missedcall_form_field(out, pair.key, pair.key_len,
                                            pair.value, pair.value_len,
                                            field);
        if (rc != NGX_HTTP_MISSEDCALL_BODY_OK) {
            return rc;
        }
    }

    return NGX_HTTP_MISSEDCALL_BODY_OK;
}


int
ngx_http_missedcall_form_boundary(const unsigned char *type, size_t len,
    const unsigned char **boundary, size_t *boundary_len)
{
    size_t  i, start, end;

    if (len < 19 || !ngx_http_missedcall_form_caseeq(type,
                                                     "multipart/form-data",
                                                     19))
    {
        return -1;
    }

    if (len > 19 && type[19] != ';' && type[19] != ' ' && type[19] != '\t') {
        return -1;
    }

    for (i = 19; i + 10 <= len; i++) {
        if (type[i] != ';' && type[i] != ' ' && type[i] != '\t') {
            continue;
        }

        if (!ngx_http_missedcall_form_caseeq(type + i + 1, "boundary=", 9)) {
            continue;
        }

        start = i + 10;

        if (start < len && type[start] == '"') {
            start++;

            for (end = start; end < len && type[end] != '"'; end++) {
                /* void */
            }

            if (end == len) {
                return -1;
            }

        } else {
            for (end = start;
                 end < len && type[end] != ';' && type[end] != ' '
                 && type[end] != '\t';
                 end++)
            {
                /* void */
            }
        }

        if (end == start || end - start > NGX_HTTP_MISSEDCALL_BOUNDARY_MAX) {
            return -1;
        }

        *boundary = type + start;
        *boundary_len = end - start;

        return 0;
    }

    return -1;
}


/*
 * RFC 7578: "--boundary" CRLF, a part's headers, CRLF, its content, then
 * CRLF "--boundary", and "--" after the last.  The preamble and epilogue
 * are ignored.
 */

ngx_http_missedcall_body_rc_e
ngx_http_missedcall_form_parse_multipart(const unsigned char *body,
    size_t len, const unsigned char *boundary, size_t boundary_len,
    ngx_http_missedcall_body_t *out, const char **field)
{
    int                             file, seen;
    size_t                          pos, at, eol, dlen, hlen, name_len;
    unsigned char                   delim[NGX_HTTP_MISSEDCALL_BOUNDARY_MAX
                                          + 4];
    const unsigned char            *name, *line;
    ngx_http_missedcall_body_rc_e   rc;

    memset(out->len, 0, sizeof(out->len));
    memset(out->present, 0, sizeof(out->present));

    if (boundary_len == 0 || boundary_len > NGX_HTTP_MISSEDCALL_BOUNDARY_MAX) {
        return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
    }

    /* CRLF "--" boundary; the first may start the body without its CRLF */
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, boundary_len);
    dlen = boundary_len + 4;

    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        pos = dlen - 2;

    } else {
        at = ngx_http_missedcall_form_find(body, len, delim, dlen);

        if (at == len) {
            return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
        }

        pos = at + dlen;
    }

    for ( ;; ) {
        /* after a delimiter: "--" ends the body, else padding and CRLF */
        if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-') {
            return NGX_HTTP_MISSEDCALL_BODY_OK;
        }

        while (pos < len && (body[pos] == ' ' || body[pos] == '\t')) {
            pos++;
        }

        if (len - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n') {
            return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
        }

        pos += 2;

        /* the headers, one a line, up to an empty line */
        name = NULL;
        name_len = 0;
        file = 0;
        seen = 0;

        for ( ;; ) {
            eol = ngx_http_missedcall_form_find(body + pos, len - pos,
                                                (const unsigned char *) "\r\n",
                                                2);
            if (eol == len - pos) {
                return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
            }

            line = body + pos;
            pos += eol + 2;

            if (eol == 0) {
                break;
            }

            hlen = sizeof("content-disposition:") - 1;

            if (eol >= hlen
                && ngx_http_missedcall_form_caseeq(line,
                                                   "content-disposition:",
                                                   hlen))
            {
                if (seen++
                    || ngx_http_missedcall_form_disposition(line + hlen,
                                                            eol - hlen, &name,
                                                            &name_len, &file)
                       != 0)
                {
                    return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
                }
            }
        }

        /* the content ends at the next delimiter */
        at = ngx_http_missedcall_form_find(body + pos, len - pos, delim,
                                           dlen);
        if (at == len - pos) {
            return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
        }

        /* Django ignores parts without a name; files are not fields */
        if (name && !file) {
            rc = ngx_http_missedcall_form_field(out, name, name_len,
                                                body + pos, at, field);
            if (rc != NGX_HTTP_MISSEDCALL_BODY_OK) {
                return rc;
            }
        }

        pos += at + dlen;
    }
}


/* the next non-empty pair from *pos on, decoded into buf */

static int
ngx_http_missedcall_form_next(const unsigned char *body, size_t len,
    size_t *pos, unsigned char *buf, ngx_http_missedcall_form_pair_t *pair)
{
    size_t  start, end, eq, i;

    for (start = *pos; start < len; start = end + 1) {
        end = start;

        while (end < len && body[end] != '&') {
            end++;
        }

        if (end == start) {
            continue;
        }

        eq = start;

        while (eq < end && body[eq] != '=') {
            eq++;
        }

        pair->key = buf;
        pair->key_len = ngx_http_missedcall_form_unescape(body + start,
                                                          eq - start, buf);
        i = (eq < end) ? eq + 1 : end;

        pair->value = buf + pair->key_len;
        pair->value_len = ngx_http_missedcall_form_unescape(body + i,
                                                            end - i,
                                                            buf
                                                            + pair->key_len);
        *pos = end + 1;

        return 1;
    }

    *pos = len;

    return 0;
}


static int
ngx_http_missedcall_form_hex(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/* decodes in[0..len) to out; returns the decoded length, never above len */

static size_t
ngx_http_missedcall_form_unescape(const unsigned char *in, size_t len,
    unsigned char *out)
{
    int     hi, lo;
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        if (in[i] == '+') {
            out[n++] = ' ';
            continue;
        }

        if (in[i] == '%' && len - i > 2) {
            hi = ngx_http_missedcall_form_hex(in[i + 1]);
            lo = ngx_http_missedcall_form_hex(in[i + 2]);

            if (hi >= 0 && lo >= 0) {
                out[n++] = (unsigned char) (hi << 4 | lo);
                i += 2;
                continue;
            }
        }

        out[n++] = in[i];
    }

    return n;
}


/* a known field gets the JSON parser's checks; others are ignored */

static ngx_http_missedcall_body_rc_e
ngx_http_missedcall_form_field(ngx_http_missedcall_body_t *out,
    const unsigned char *name, size_t name_len, const unsigned char *value,
    size_t value_len, const char **field)
{
    int          f;
    const char  *known;

    for (f = 0; f < NGX_HTTP_MISSEDCALL_F_COUNT; f++) {
        known = ngx_http_missedcall_json_field_name(f);

        if (strlen(known) == name_len && memcmp(known, name, name_len) == 0) {
            break;
        }
    }

    if (f == NGX_HTTP_MISSEDCALL_F_COUNT) {
        return NGX_HTTP_MISSEDCALL_BODY_OK;
    }

    /* JSON refuses a duplicate key: a form's repeated field is as unclear */
    if (out->present[f]) {
        return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
    }

    if (value_len > NGX_HTTP_MISSEDCALL_FIELD_MAX
        || memchr(value, '\0', value_len) != NULL
        || !ngx_http_missedcall_form_utf8(value, value_len))
    {
        *field = known;
        return NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD;
    }

    memcpy(out->value[f], value, value_len);
    out->value[f][value_len] = '\0';
    out->len[f] = value_len;
    out->present[f] = 1;

    return NGX_HTTP_MISSEDCALL_BODY_OK;
}


/* UTF-8 as jansson accepts it: no overlong form, surrogate or > U+10FFFF */

static int
ngx_http_missedcall_form_utf8(const unsigned char *s, size_t len)
{
    size_t    i, n, k;
    uint32_t  c, min;

    for (i = 0; i < len; i += n) {
        c = s[i];

        if (c < 0x80) {
            n = 1;
            continue;
        }

        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
            c &= 0x1f;
            min = 0x80;

        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            c &= 0x0f;
            min = 0x800;

        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            c &= 0x07;
            min = 0x10000;

        } else {
            return 0;
        }

        if (len - i < n) {
            return 0;
        }

        for (k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return 0;
            }

            c = (c << 6) | (s[i + k] & 0x3f);
        }

        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


/* where what starts in s, or len */

static size_t
ngx_http_missedcall_form_find(const unsigned char *s, size_t len,
    const unsigned char *what, size_t what_len)
{
    size_t  i;

    for (i = 0; i + what_len <= len; i++) {
        if (s[i] == what[0] && memcmp(s + i, what, what_len) == 0) {
            return i;
        }
    }

    return len;
}


/* ' form-data; name="phone_number"[; filename="..."]' */

static int
ngx_http_missedcall_form_disposition(const unsigned char *s, size_t len,
    const unsigned char **name, size_t *name_len, int *file)
{
    size_t                i, key, key_len, start, end;

    i = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }

    if (len - i < 9 || !ngx_http_missedcall_form_caseeq(s + i, "form-data", 9))
    {
        return -1;
    }

    i += 9;

    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }

        if (i == len) {
            break;
        }

        if (s[i++] != ';') {
            return -1;
        }

        while (i < len && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }

        key = i;

        while (i < len && s[i] != '=' && s[i] != ';') {
            i++;
        }

        key_len = i - key;

        if (i == len || s[i] != '=') {
            continue;
        }

        i++;

        if (i < len && s[i] == '"') {
            start = ++i;

            while (i < len && s[i] != '"') {
                i++;
            }

            if (i == len) {
                return -1;
            }

            end = i++;

        } else {
            start = i;

            while (i < len && s[i] != ';' && s[i] != ' ' && s[i] != '\t') {
                i++;
            }

            end = i;
        }

        if (key_len == 4 && ngx_http_missedcall_form_caseeq(s + key, "name", 4))
        {
            *name = s + start;
            *name_len = end - start;

        } else if (key_len >= 8
                   && ngx_http_missedcall_form_caseeq(s + key, "filename", 8))
        {
            *file = 1;
        }
    }

    return 0;
}


static int
ngx_http_missedcall_form_caseeq(const unsigned char *s, const char *lower,
    size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i])
            != (unsigned char) lower[i])
        {
            return 0;
        }
    }

    return 1;
}
