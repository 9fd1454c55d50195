
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/rand.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_form.h"
#include "ngx_http_missedcall_keys.h"
#include "ngx_http_missedcall_phone.h"


/* most answers fit: one pass of the writer */
#define NGX_HTTP_MISSEDCALL_JSON_GUESS  512


/* json_write() or json_members(), the same shape */
typedef size_t (*ngx_http_missedcall_writer_pt)(const void *data, size_t n,
    char *buf, size_t size);


static ngx_int_t ngx_http_missedcall_body_text(ngx_http_request_t *r,
    ngx_str_t *body);
static ngx_http_missedcall_body_rc_e ngx_http_missedcall_parse_as_type(
    ngx_http_request_t *r, ngx_str_t *raw, u_char *buf,
    ngx_http_missedcall_body_t *body, const char **field);
static ngx_int_t ngx_http_missedcall_rand_bytes(u_char *buf, size_t len);
static u_char *ngx_http_missedcall_text(ngx_pool_t *pool,
    ngx_http_missedcall_writer_pt write, const void *data, size_t n,
    size_t *len);
static size_t ngx_http_missedcall_json_writer(const void *data, size_t n,
    char *buf, size_t size);
static size_t ngx_http_missedcall_members_writer(const void *data, size_t n,
    char *buf, size_t size);
static ngx_int_t ngx_http_missedcall_send_text(ngx_http_request_t *r,
    ngx_uint_t status, u_char *text, size_t len);


static ngx_str_t  ngx_http_missedcall_json_type =
    ngx_string("application/json");


/*
 * The checks every POST handler makes before reading a body: method, and a
 * declared length over the limit is refused before a byte is read.
 */

ngx_int_t
ngx_http_missedcall_read_body(ngx_http_request_t *r,
    ngx_http_client_body_handler_pt post_handler)
{
    ngx_int_t                        rc;
    ngx_http_missedcall_loc_conf_t  *lcf;

    if (r != r->main) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (!(r->method & NGX_HTTP_POST)) {
        return ngx_http_missedcall_not_allowed(r, "POST");
    }

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (r->headers_in.content_length_n > (off_t) lcf->body_limit) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_missedcall_too_large(r);
    }

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r, post_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/* 413, and the connection closed: the rest of the body is not read */

ngx_int_t
ngx_http_missedcall_too_large(ngx_http_request_t *r)
{
    r->keepalive = 0;

    return ngx_http_missedcall_send_error(r,
                                          NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                          "body_too_large",
                                          "the request body is too large");
}


/*
 * GET and HEAD only, the body discarded.  0: the request was answered,
 * and the handler returns *rc.
 */

ngx_uint_t
ngx_http_missedcall_get_only(ngx_http_request_t *r, ngx_int_t *rc)
{
    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        *rc = ngx_http_missedcall_not_allowed(r, "GET, HEAD");
        return 0;
    }

    *rc = ngx_http_discard_request_body(r);

    return *rc == NGX_OK;
}


ngx_table_elt_t *
ngx_http_missedcall_add_header(ngx_http_request_t *r, char *key, char *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NULL;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value.data = (u_char *) value;
    h->value.len = ngx_strlen(value);

    return h;
}


ngx_int_t
ngx_http_missedcall_not_allowed(ngx_http_request_t *r, char *allow)
{
    if (ngx_http_discard_request_body(r) != NGX_OK
        || ngx_http_missedcall_add_header(r, "Allow", allow) == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_missedcall_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                          "method_not_allowed",
                                          "this method is not allowed here");
}


/*
 * The body, contiguous.  Else the request is answered and finalized, 413
 * over the limit (a chunked body has no declared length, or spilled to a
 * temporary file) or 500, and NGX_ERROR returned: the caller just returns.
 */

ngx_int_t
ngx_http_missedcall_body(ngx_http_request_t *r, ngx_str_t *body)
{
    ngx_int_t  rc;

    rc = ngx_http_missedcall_body_text(r, body);

    if (rc == NGX_OK) {
        return NGX_OK;
    }

    ngx_http_finalize_request(r, rc == NGX_DECLINED
                                 ? ngx_http_missedcall_too_large(r)
                                 : NGX_HTTP_INTERNAL_SERVER_ERROR);
    return NGX_ERROR;
}


/* NGX_DECLINED: over the limit */

static ngx_int_t
ngx_http_missedcall_body_text(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char                          *p;
    size_t                           len;
    ngx_buf_t                       *b;
    ngx_chain_t                     *cl;
    ngx_http_missedcall_loc_conf_t  *lcf;

    ngx_str_null(body);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    if (r->request_body->temp_file) {
        return NGX_DECLINED;
    }

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            return NGX_DECLINED;
        }

        len += b->last - b->pos;
    }

    if (len > lcf->body_limit) {
        return NGX_DECLINED;
    }

    if (r->request_body->bufs->next == NULL) {
        body->data = r->request_body->bufs->buf->pos;
        body->len = len;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;
    body->len = len;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    return NGX_OK;
}


/*
 * The compact text of json, NUL-terminated, in pool; json is released.
 * NULL when json is NULL, holds a real, or memory ran out.
 */

u_char *
ngx_http_missedcall_json_text(ngx_pool_t *pool, json_t *json, size_t *len)
{
    u_char  *text;

    if (json == NULL) {
        return NULL;
    }

    text = ngx_http_missedcall_text(pool, ngx_http_missedcall_json_writer,
                                    json, 0, len);
    json_decref(json);

    return text;
}


/*
 * The same of an object of members, written without jansson's objects:
 * the answers of request and verify are most of what is answered.  NULL:
 * a string is not UTF-8, or memory ran out.
 */

u_char *
ngx_http_missedcall_members_text(ngx_pool_t *pool,
    ngx_http_missedcall_json_member_t *m, size_t n, size_t *len)
{
    return ngx_http_missedcall_text(pool, ngx_http_missedcall_members_writer,
                                    m, n, len);
}


/* most texts fit the guess: one pass of the writer */

static u_char *
ngx_http_missedcall_text(ngx_pool_t *pool, ngx_http_missedcall_writer_pt write,
    const void *data, size_t n, size_t *len)
{
    size_t   k;
    u_char  *text;

    k = 0;
    text = ngx_pnalloc(pool, NGX_HTTP_MISSEDCALL_JSON_GUESS);

    if (text) {
        k = write(data, n, (char *) text, NGX_HTTP_MISSEDCALL_JSON_GUESS);

        if (k >= NGX_HTTP_MISSEDCALL_JSON_GUESS) {
            text = ngx_pnalloc(pool, k + 1);
            if (text) {
                (void) write(data, n, (char *) text, k);
            }
        }
    }

    if (text == NULL || k == 0) {
        return NULL;
    }

    text[k] = '\0';
    *len = k;

    return text;
}


static size_t
ngx_http_missedcall_json_writer(const void *data, size_t n, char *buf,
    size_t size)
{
    return ngx_http_missedcall_json_write(data, buf, size);
}


static size_t
ngx_http_missedcall_members_writer(const void *data, size_t n, char *buf,
    size_t size)
{
    return ngx_http_missedcall_json_members(data, n, buf, size);
}


/* sends json (and releases it); the result is for ngx_http_finalize_request */

ngx_int_t
ngx_http_missedcall_send_json(ngx_http_request_t *r, ngx_uint_t status,
    json_t *json)
{
    u_char  *text;
    size_t   len;
    json_t  *error;

    error = json_object_get(json, "error");

    if (json_is_string(error)) {
        ngx_http_missedcall_set_outcome(r, json_string_value(error),
                                        json_string_length(error));

    } else {
        ngx_http_missedcall_set_outcome(r, json ? "ok" : "internal_error",
                                        json ? 2 : 14);
    }

    text = ngx_http_missedcall_json_text(r->pool, json, &len);

    return ngx_http_missedcall_send_text(r, status, text, len);
}


/* a success's answer: text from members_text(), NULL: a 500 */

ngx_int_t
ngx_http_missedcall_send_ok(ngx_http_request_t *r, ngx_uint_t status,
    u_char *text, size_t len)
{
    ngx_http_missedcall_set_outcome(r, "ok", 2);

    return ngx_http_missedcall_send_text(r, status, text, len);
}


/* text: len bytes and room for one more; NULL: no answer but a 500 */

static ngx_int_t
ngx_http_missedcall_send_text(ngx_http_request_t *r, ngx_uint_t status,
    u_char *text, size_t len)
{
    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the NUL's place takes the line feed */
    text[len++] = LF;

    /* answers carry sessions and tokens: no cache may keep them */
    if (ngx_http_missedcall_add_header(r, "Cache-Control", "no-store")
        == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_missedcall_send_body(r, status,
                                         &ngx_http_missedcall_json_type,
                                         text, len);
}


/* sends len bytes at data, which outlive the request's answer, as type */

ngx_int_t
ngx_http_missedcall_send_body(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, u_char *data, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = data;
    b->last = data + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = status;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_length_n = len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * {"error": code, "message": text}, and "detail" too: clients written for
 * drf-missed-call-auth read Django REST framework's field.
 */

json_t *
ngx_http_missedcall_error_json(const char *error, const char *message)
{
    return json_pack("{s:s, s:s, s:s}", "error", error, "message", message,
                     "detail", message);
}


ngx_int_t
ngx_http_missedcall_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *error, const char *message)
{
    return ngx_http_missedcall_send_json(r, status,
                               ngx_http_missedcall_error_json(error, message));
}


/* the key of kind for id, allocated in pool */

ngx_int_t
ngx_http_missedcall_key_alloc(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_uint_t kind, ngx_str_t *id,
    ngx_str_t *key)
{
    size_t  size;

    size = mcf->prefix.len + NGX_HTTP_MISSEDCALL_KEY_NAME_MAX
           + (id ? id->len : 0);

    key->data = ngx_pnalloc(pool, size);
    if (key->data == NULL) {
        return NGX_ERROR;
    }

    key->len = ngx_http_missedcall_key(key->data, size, mcf->prefix.data,
                                       mcf->prefix.len,
                                       (ngx_http_missedcall_key_e) kind,
                                       id ? id->data : NULL,
                                       id ? id->len : 0);

    return key->len ? NGX_OK : NGX_ERROR;
}


/*
 * OpenSSL 3 spends as much on a RAND_bytes() call as on a kilobyte of its
 * output: bytes are drawn a kilobyte at a time, each handed out once and
 * wiped.  The process that drew them owns them: a forked worker draws its
 * own, or two workers would hand out the same ids.
 */

ngx_int_t
ngx_http_missedcall_random(u_char *buf, size_t len)
{
    static u_char     pool[1024];
    static size_t     left;
    static ngx_pid_t  owner;

    if (left < len || owner != ngx_pid) {
        if (len > sizeof(pool)) {
            return ngx_http_missedcall_rand_bytes(buf, len);
        }

        if (ngx_http_missedcall_rand_bytes(pool, sizeof(pool)) != NGX_OK) {
            left = 0;
            return NGX_ERROR;
        }

        left = sizeof(pool);
        owner = ngx_pid;
    }

    ngx_memcpy(buf, pool + sizeof(pool) - left, len);
    ngx_explicit_memzero(pool + sizeof(pool) - left, len);
    left -= len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_missedcall_rand_bytes(u_char *buf, size_t len)
{
    if (RAND_bytes(buf, (int) len) != 1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "missedcall: RAND_bytes() failed");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the form ngx_http_missedcall_uuid() writes, and nothing else */

ngx_uint_t
ngx_http_missedcall_uuid_valid(u_char *p, size_t len)
{
    size_t  i;

    if (len != NGX_HTTP_MISSEDCALL_UUID_LEN) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (p[i] != '-') {
                return 0;
            }

        } else if (!((p[i] >= '0' && p[i] <= '9')
                     || (p[i] >= 'a' && p[i] <= 'f')))
        {
            return 0;
        }
    }

    return 1;
}


/* a random (version 4) UUID: 122 random bits, the form drf clients expect */

ngx_int_t
ngx_http_missedcall_uuid(u_char *out)
{
    u_char      b[16], hex[32], *p;
    ngx_uint_t  i;

    if (ngx_http_missedcall_random(b, sizeof(b)) != NGX_OK) {
        return NGX_ERROR;
    }

    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;

    ngx_hex_dump(hex, b, sizeof(b));

    /* 8-4-4-4-12 */
    p = out;

    for (i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20) {
            *p++ = '-';
        }

        *p++ = hex[i];
    }

    return NGX_OK;
}


/*
 * The body as its Content-Type says, as Django REST framework parses it:
 * a urlencoded or multipart form, else JSON (whatever the type, as before
 * forms were accepted).
 */

static ngx_http_missedcall_body_rc_e
ngx_http_missedcall_parse_as_type(ngx_http_request_t *r, ngx_str_t *raw,
    u_char *buf, ngx_http_missedcall_body_t *body, const char **field)
{
    size_t            n, blen;
    ngx_str_t        *type;
    const u_char     *boundary;

    static ngx_str_t  urlencoded =
                          ngx_string("application/x-www-form-urlencoded");

    if (r->headers_in.content_type == NULL) {
        return ngx_http_missedcall_json_parse_body(raw->data, raw->len, body,
                                                   field);
    }

    type = &r->headers_in.content_type->value;

    for (n = 0; n < type->len && type->data[n] != ';' && type->data[n] != ' ';
         n++)
    {
        /* void */
    }

    if (n == urlencoded.len
        && ngx_strncasecmp(type->data, urlencoded.data, n) == 0)
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "missedcall: urlencoded form body");

        return ngx_http_missedcall_form_parse_urlencoded(raw->data, raw->len,
                                                         buf, body, field);
    }

    if (n == sizeof("multipart/form-data") - 1
        && ngx_strncasecmp(type->data, (u_char *) "multipart/form-data", n)
           == 0)
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "missedcall: multipart form body");

        if (ngx_http_missedcall_form_boundary(type->data, type->len,
                                              &boundary, &blen)
            != 0)
        {
            return NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM;
        }

        return ngx_http_missedcall_form_parse_multipart(raw->data, raw->len,
                                                        boundary, blen, body,
                                                        field);
    }

    return ngx_http_missedcall_json_parse_body(raw->data, raw->len, body,
                                               field);
}


/*
 * Reads the body and parses it.  NULL: the request was answered and
 * finalized here.
 */

ngx_http_missedcall_body_t *
ngx_http_missedcall_parse(ngx_http_request_t *r)
{
    u_char                         *msg, *buf;
    ngx_str_t                       raw;
    const char                     *field;
    ngx_http_missedcall_body_t     *body;
    ngx_http_missedcall_body_rc_e   brc;

    if (ngx_http_missedcall_body(r, &raw) != NGX_OK) {
        return NULL;
    }

    body = ngx_palloc(r->pool, sizeof(ngx_http_missedcall_body_t));

    /* where a urlencoded form is decoded */
    buf = ngx_pnalloc(r->pool, raw.len + 1);

    if (body == NULL || buf == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NULL;
    }

    field = NULL;
    brc = ngx_http_missedcall_parse_as_type(r, &raw, buf, body, &field);

    if (brc == NGX_HTTP_MISSEDCALL_BODY_OK) {
        return body;
    }

    if (brc == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD && field) {
        msg = ngx_pnalloc(r->pool, 128);
        if (msg == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return NULL;
        }

        ngx_sprintf(msg, "\"%s\" must be a string of at most %d bytes%Z",
                    field, NGX_HTTP_MISSEDCALL_FIELD_MAX);

        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_field",
                                  (char *) msg));
        return NULL;
    }

    if (brc == NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM) {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_form",
                                  "the body must be a well-formed form "
                                  "giving each field once"));
        return NULL;
    }

    ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                              NGX_HTTP_BAD_REQUEST, "invalid_json",
                              "the body must be a JSON object"));
    return NULL;
}


/* E.164 from what the client sent; NGX_DONE: refused and answered */

ngx_int_t
ngx_http_missedcall_read_phone(ngx_http_request_t *r, ngx_str_t *value,
    ngx_str_t *phone)
{
    phone->data = ngx_pnalloc(r->pool, NGX_HTTP_MISSEDCALL_E164_LEN);
    if (phone->data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NGX_DONE;
    }

    phone->len = ngx_http_missedcall_phone_normalize(value->data, value->len,
                                                     phone->data);
    if (phone->len == 0) {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_phone_number",
                                  "\"phone_number\" is not a phone number in "
                                  "international format"));
        return NGX_DONE;
    }

    return NGX_OK;
}


ngx_uint_t
ngx_http_missedcall_field(ngx_http_missedcall_body_t *body,
    ngx_http_missedcall_field_e f, ngx_str_t *value)
{
    value->data = (u_char *) body->value[f];
    value->len = body->len[f];

    return body->present[f];
}


/* a request header's value, the last if repeated, or NULL */

ngx_str_t *
ngx_http_missedcall_header_in(ngx_http_request_t *r, char *name, size_t len)
{
    ngx_str_t        *value;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    value = NULL;
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {
        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            value = &h[i].value;
        }
    }

    return value;
}
