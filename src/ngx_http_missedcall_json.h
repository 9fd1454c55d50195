
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_JSON_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_JSON_H_INCLUDED_


/* Pure code (jansson only): request bodies in, compact JSON out */

#include <stddef.h>
#include <jansson.h>


#define NGX_HTTP_MISSEDCALL_FIELD_MAX  256   /* bytes of one string field */


typedef enum {
    NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER = 0,
    NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE,
    NGX_HTTP_MISSEDCALL_F_SESSION_ID,
    NGX_HTTP_MISSEDCALL_F_RECEIVED_CALLER_ID,
    NGX_HTTP_MISSEDCALL_F_CHANNEL,
    NGX_HTTP_MISSEDCALL_F_CODE,
    NGX_HTTP_MISSEDCALL_F_COUNT
} ngx_http_missedcall_field_e;


typedef struct {
    /* NUL-terminated copies; len 0 and present 0 when the field is absent */
    char         value[NGX_HTTP_MISSEDCALL_F_COUNT]
                      [NGX_HTTP_MISSEDCALL_FIELD_MAX + 1];
    size_t       len[NGX_HTTP_MISSEDCALL_F_COUNT];
    int          present[NGX_HTTP_MISSEDCALL_F_COUNT];
} ngx_http_missedcall_body_t;


typedef enum {
    NGX_HTTP_MISSEDCALL_BODY_OK = 0,
    NGX_HTTP_MISSEDCALL_BODY_INVALID_JSON,  /* not JSON, not UTF-8, not an
                                               object, duplicate keys */
    NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD, /* known field not a string, too
                                               long, or holding a NUL */
    NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM   /* a form body malformed, or a
                                               known field in it twice */
} ngx_http_missedcall_body_rc_e;


/*
 * Parses a request body: a JSON object whose known fields ("phone_number",
 * "app_signature", "session_id", "received_caller_id", "channel", "code")
 * must be strings;
 * unknown fields are ignored.  On INVALID_FIELD *field names the field.
 */
ngx_http_missedcall_body_rc_e ngx_http_missedcall_json_parse_body(
    const unsigned char *buf, size_t len, ngx_http_missedcall_body_t *body,
    const char **field);

/*
 * Writes v as json_dumps(v, JSON_COMPACT) would, byte for byte, without
 * its allocations and at several times its speed: at most size bytes go to
 * buf, unterminated.  Returns the length of the whole text (more than size:
 * it was cut, as with snprintf), or 0 for a value holding a real.
 */
size_t ngx_http_missedcall_json_write(const json_t *v, char *buf,
    size_t size);

/*
 * One member of a flat object: a string of len bytes (0: NUL-terminated),
 * an array of nstrs strings, a literal written as is ("true"), or else an
 * integer.
 */
typedef struct {
    const char          *key;
    const char          *str;
    size_t               len;
    const char * const  *strs;
    size_t               nstrs;
    const char          *raw;
    json_int_t           num;
} ngx_http_missedcall_json_member_t;

/*
 * Writes the object of n members, in their order, as json_write() writes
 * the same object packed by jansson, without building it: at most size
 * bytes to buf; returns the length of the whole text, or 0 when a string
 * is not UTF-8 (jansson would not have packed it).
 */
size_t ngx_http_missedcall_json_members(
    const ngx_http_missedcall_json_member_t *m, size_t n, char *buf,
    size_t size);

/* the JSON name of a field */
const char *ngx_http_missedcall_json_field_name(ngx_http_missedcall_field_e f);


#endif /* _NGX_HTTP_MISSEDCALL_JSON_H_INCLUDED_ */
