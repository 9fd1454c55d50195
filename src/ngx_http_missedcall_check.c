
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The auth_request target: verifies a token with no I/O at all, so that
 * guarding a backend costs a few microseconds and survives Redis outages.
 * An app sends one token many times: each worker keeps the claims of the
 * tokens it verified lately, so that a repeat costs a hash, a constant-time
 * compare of the whole token and the time checks, not a JWT verification.
 * Only verified tokens are kept; a reload starts new workers, new caches.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/crypto.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_phone.h"


#define NGX_HTTP_MISSEDCALL_CACHE_SIZE       1024
#define NGX_HTTP_MISSEDCALL_CACHED_MAX       512


typedef struct {
    size_t                             len;      /* 0: empty */

    /* what it was verified against: a location with others checks again */
    ngx_http_missedcall_jwt_rules_t   *rules;
    ngx_http_missedcall_jwt_claims_t   claims;
    u_char                             token[NGX_HTTP_MISSEDCALL_CACHED_MAX];
} ngx_http_missedcall_cached_t;


static ngx_http_missedcall_jwt_rc_e ngx_http_missedcall_check_token(
    ngx_str_t *token, ngx_http_missedcall_main_conf_t *mcf,
    ngx_http_missedcall_loc_conf_t *lcf,
    ngx_http_missedcall_jwt_claims_t *claims);
static ngx_int_t ngx_http_missedcall_token(ngx_http_request_t *r,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_str_t *token);
static ngx_int_t ngx_http_missedcall_unauthorized(ngx_http_request_t *r,
    const char *message);


/* per worker, direct-mapped, allocated on first use */
static ngx_http_missedcall_cached_t  *ngx_http_missedcall_cache;


ngx_int_t
ngx_http_missedcall_check_handler(ngx_http_request_t *r)
{
    size_t                             len;
    ngx_str_t                          token;
    ngx_http_missedcall_ctx_t         *ctx;
    ngx_http_missedcall_main_conf_t   *mcf;
    ngx_http_missedcall_loc_conf_t    *lcf;
    ngx_http_missedcall_jwt_rc_e       rc;
    ngx_http_missedcall_jwt_claims_t   claims;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);
    mcf = ngx_http_get_module_main_conf(r, ngx_http_missedcall_module);

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_missedcall_token(r, lcf, &token) != NGX_OK) {
        return ngx_http_missedcall_unauthorized(r, "no token");
    }

    rc = ngx_http_missedcall_check_token(&token, mcf, lcf, &claims);

    len = ngx_strlen(claims.sub);

    if (rc == NGX_HTTP_MISSEDCALL_JWT_OK
        && !ngx_http_missedcall_phone_is_e164((u_char *) claims.sub, len))
    {
        rc = NGX_HTTP_MISSEDCALL_JWT_MALFORMED;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "missedcall check: %s, jti \"%s\"",
                   ngx_http_missedcall_jwt_strerror(rc),
                   rc == NGX_HTTP_MISSEDCALL_JWT_OK ? claims.jti : "");

    if (rc != NGX_HTTP_MISSEDCALL_JWT_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "missedcall: token refused: %s",
                      ngx_http_missedcall_jwt_strerror(rc));

        return ngx_http_missedcall_unauthorized(r, "invalid token");
    }

    ctx = ngx_http_missedcall_get_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->phone.data = ngx_pnalloc(r->pool, len);
    ctx->token_id.len = ngx_strlen(claims.jti);
    ctx->token_id.data = ngx_pnalloc(r->pool, ctx->token_id.len + 1);

    if (ctx->phone.data == NULL || ctx->token_id.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->phone.len = len;
    ngx_memcpy(ctx->phone.data, claims.sub, len);
    ngx_memcpy(ctx->token_id.data, claims.jti, ctx->token_id.len);

    ngx_http_missedcall_set_outcome(r, "ok", 2);

    return NGX_HTTP_NO_CONTENT;
}


static ngx_http_missedcall_jwt_rc_e
ngx_http_missedcall_check_token(ngx_str_t *token,
    ngx_http_missedcall_main_conf_t *mcf, ngx_http_missedcall_loc_conf_t *lcf,
    ngx_http_missedcall_jwt_claims_t *claims)
{
    ngx_http_missedcall_cached_t  *c;
    ngx_http_missedcall_jwt_rc_e   rc;

    if (ngx_http_missedcall_cache == NULL) {
        ngx_http_missedcall_cache = ngx_calloc(
                                     NGX_HTTP_MISSEDCALL_CACHE_SIZE
                                     * sizeof(ngx_http_missedcall_cached_t),
                                     ngx_cycle->log);
    }

    c = NULL;

    if (ngx_http_missedcall_cache
        && token->len <= NGX_HTTP_MISSEDCALL_CACHED_MAX)
    {
        c = &ngx_http_missedcall_cache[ngx_murmur_hash2(token->data,
                                                        token->len)
                                       % NGX_HTTP_MISSEDCALL_CACHE_SIZE];

        /* the whole token, in constant time: a cached one is a secret */
        if (c->len == token->len && c->rules == lcf->token_rules
            && CRYPTO_memcmp(c->token, token->data, token->len) == 0)
        {
            *claims = c->claims;

            return ngx_http_missedcall_jwt_check_time(claims,
                                                  (int64_t) ngx_time(),
                                                  (int64_t) lcf->token_leeway);
        }
    }

    rc = ngx_http_missedcall_jwt_verify((char *) token->data, token->len,
                                        mcf->keys->elts, mcf->keys->nelts,
                                        lcf->token_rules,
                                        (int64_t) ngx_time(),
                                        (int64_t) lcf->token_leeway, claims);

    if (rc == NGX_HTTP_MISSEDCALL_JWT_OK && c) {
        c->len = token->len;
        c->rules = lcf->token_rules;
        ngx_memcpy(c->token, token->data, token->len);
        c->claims = *claims;
    }

    return rc;
}


/* "Authorization: Bearer <token>", else the configured cookie */

static ngx_int_t
ngx_http_missedcall_token(ngx_http_request_t *r,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_str_t *token)
{
    ngx_str_t  auth;

    if (r->headers_in.authorization) {
        auth = r->headers_in.authorization->value;

        if (auth.len > 7
            && ngx_strncasecmp(auth.data, (u_char *) "Bearer ", 7) == 0)
        {
            token->data = auth.data + 7;
            token->len = auth.len - 7;

            while (token->len && token->data[0] == ' ') {
                token->data++;
                token->len--;
            }

            return token->len ? NGX_OK : NGX_DECLINED;
        }

        return NGX_DECLINED;
    }

    if (lcf->token_cookie.len == 0) {
        return NGX_DECLINED;
    }

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies,
                                          &lcf->token_cookie, token)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    return token->len ? NGX_OK : NGX_DECLINED;
}


static ngx_int_t
ngx_http_missedcall_unauthorized(ngx_http_request_t *r, const char *message)
{
    ngx_table_elt_t  *h;

    h = ngx_http_missedcall_add_header(r, "WWW-Authenticate",
                                       "Bearer error=\"invalid_token\"");
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.www_authenticate = h;

    return ngx_http_missedcall_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                          "invalid_token", message);
}

