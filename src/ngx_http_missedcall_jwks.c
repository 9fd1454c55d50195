
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The JWK Set (RFC 7517) of the public token keys, so that a backend
 * anywhere checks tokens with a JWT library and no shared secret.  It is
 * written once at "nginx -t", verify-only keys included until they leave
 * the configuration, HMAC keys never; a request costs no I/O.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"


#define NGX_HTTP_MISSEDCALL_JWKS_MAX  65536


char *
ngx_http_missedcall_jwks_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    u_char                           *buf;
    size_t                            n;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);

    if (mcf->jwks.data) {
        return NGX_CONF_OK;
    }

    buf = ngx_pnalloc(cf->pool, NGX_HTTP_MISSEDCALL_JWKS_MAX);
    if (buf == NULL) {
        return NGX_CONF_ERROR;
    }

    n = ngx_http_missedcall_jwt_jwks(mcf->keys->elts, mcf->keys->nelts,
                                     (char *) buf,
                                     NGX_HTTP_MISSEDCALL_JWKS_MAX);
    if (n == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": the JWK Set cannot be written",
                           &lcf->endpoint->name);
        return NGX_CONF_ERROR;
    }

    mcf->jwks.data = buf;
    mcf->jwks.len = n;

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_missedcall_jwks_handler(ngx_http_request_t *r)
{
    u_char                           *p;
    ngx_int_t                         rc;
    ngx_buf_t                        *b;
    ngx_chain_t                       out;
    ngx_table_elt_t                  *h;
    ngx_http_missedcall_loc_conf_t   *lcf;
    ngx_http_missedcall_main_conf_t  *mcf;

    if (!ngx_http_missedcall_get_only(r, &rc)) {
        return rc;
    }

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);
    mcf = ngx_http_get_module_main_conf(r, ngx_http_missedcall_module);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "missedcall: jwks, %uz bytes", mcf->jwks.len);

    p = ngx_pnalloc(r->pool, sizeof("public, max-age=") + NGX_TIME_T_LEN);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *ngx_sprintf(p, "public, max-age=%T", lcf->jwks_max_age) = '\0';

    h = ngx_http_missedcall_add_header(r, "Cache-Control", (char *) p);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&r->headers_out.content_type, "application/jwk-set+json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = mcf->jwks.len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the set is read-only, the configuration's */
    b->pos = mcf->jwks.data;
    b->last = mcf->jwks.data + mcf->jwks.len;
    b->memory = 1;
    b->last_buf = (r == r->main);
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}
