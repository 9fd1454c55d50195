
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_FORM_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_FORM_H_INCLUDED_


/*
 * Pure code: form bodies, as Django REST framework parses them besides
 * JSON, into the same fields with the same rules.
 */

#include <stddef.h>

#include "ngx_http_missedcall_json.h"


typedef struct {
    const unsigned char  *key;
    size_t                key_len;
    const unsigned char  *value;
    size_t                value_len;
} ngx_http_missedcall_form_pair_t;


/*
 * Decodes an application/x-www-form-urlencoded body ("+" is a space, then
 * %XX; a malformed escape stays as it is, as in Python's parse_qsl) into
 * buf, which holds len bytes, and points at most max pairs into it.
 * Empty pairs are skipped.  Returns the pairs found, or -1 when there are
 * more than max.
 */
int ngx_http_missedcall_form_pairs(const unsigned char *body, size_t len,
    unsigned char *buf, ngx_http_missedcall_form_pair_t *pairs, size_t max);

/*
 * The boundary of a "multipart/form-data; boundary=..." Content-Type
 * (quoted or not, 1 to 70 bytes as RFC 2046 allows).  Returns 0, or -1
 * when there is none.
 */
int ngx_http_missedcall_form_boundary(const unsigned char *type, size_t len,
    const unsigned char **boundary, size_t *boundary_len);

/*
 * Parse a body into the request fields as the JSON parser does: known
 * fields at most 256 bytes of UTF-8 without NUL, else INVALID_FIELD with
 * *field naming it; unknown fields, and multipart parts that are files,
 * ignored; a known field given twice, or a body that is not a form,
 * INVALID_FORM.  buf holds len bytes (urlencoded only).
 */
ngx_http_missedcall_body_rc_e ngx_http_missedcall_form_parse_urlencoded(
    const unsigned char *body, size_t len, unsigned char *buf,
    ngx_http_missedcall_body_t *out, const char **field);

ngx_http_missedcall_body_rc_e ngx_http_missedcall_form_parse_multipart(
    const unsigned char *body, size_t len, const unsigned char *boundary,
    size_t boundary_len, ngx_http_missedcall_body_t *out, const char **field);


#endif /* _NGX_HTTP_MISSEDCALL_FORM_H_INCLUDED_ */
