
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Tokens: the keys they are signed with, and signing one for a phone that
 * has just verified.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"


#define NGX_HTTP_MISSEDCALL_TOKEN_MAX  1024


char *
ngx_http_missedcall_token_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    char                           *rv;
    ngx_str_t                      *value, key;
    ngx_uint_t                      i;
    ngx_http_missedcall_jwt_key_t  *k;

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > NGX_HTTP_MISSEDCALL_JWT_KID_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": key id must be 1 to %d characters",
                           &cmd->name, NGX_HTTP_MISSEDCALL_JWT_KID_MAX);
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < value[1].len; i++) {
        if (value[1].data[i] <= ' ' || value[1].data[i] == '"'
            || value[1].data[i] == '\\' || value[1].data[i] >= 0x7f)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": invalid key id \"%V\"",
                               &cmd->name, &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[2],
                                       NGX_HTTP_MISSEDCALL_SECRET_MAX, &key);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (key.len < NGX_HTTP_MISSEDCALL_JWT_KEY_MIN) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": the key in \"%V\" is %uz bytes, "
                           "at least %d are required", &cmd->name, &value[2],
                           key.len, NGX_HTTP_MISSEDCALL_JWT_KEY_MIN);
        return NGX_CONF_ERROR;
    }

    if (mcf->keys == NULL) {
        mcf->keys = ngx_array_create(cf->pool, 2,
                                     sizeof(ngx_http_missedcall_jwt_key_t));
        if (mcf->keys == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    k = mcf->keys->elts;

    for (i = 0; i < mcf->keys->nelts; i++) {
        if (ngx_strcmp(k[i].kid, value[1].data) == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": key id \"%V\" is used twice",
                               &cmd->name, &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    k = ngx_array_push(mcf->keys);
    if (k == NULL) {
        return NGX_CONF_ERROR;
    }

    /* conf args are NUL-terminated */
    k->kid = (const char *) value[1].data;
    k->key = key.data;
    k->key_len = key.len;

    return NGX_CONF_OK;
}


/*
 * Signs a token for claims->sub with the first key: a new jti, issued now,
 * valid for ttl.
 */

ngx_int_t
ngx_http_missedcall_token_issue(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, time_t ttl,
    ngx_http_missedcall_jwt_claims_t *claims, ngx_str_t *token)
{
    ngx_http_missedcall_jwt_key_t  *key;

    token->data = ngx_pnalloc(pool, NGX_HTTP_MISSEDCALL_TOKEN_MAX);

    if (token->data == NULL
        || ngx_http_missedcall_uuid((u_char *) claims->jti) != NGX_OK)
    {
        return NGX_ERROR;
    }

    claims->iat = ngx_time();
    claims->exp = claims->iat + ttl;

    key = mcf->keys->elts;

    token->len = ngx_http_missedcall_jwt_sign(&key[0], claims, NULL,
                                              (char *) token->data,
                                              NGX_HTTP_MISSEDCALL_TOKEN_MAX);

    return token->len ? NGX_OK : NGX_ERROR;
}
