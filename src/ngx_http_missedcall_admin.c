
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The pool admin API.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/sha.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"


/* the admin API's bearer token, kept as its SHA-256 digest */

char *
ngx_http_missedcall_admin_token_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    char       *rv;
    ngx_str_t  *value, token;

    if (lcf->admin_token) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                       NGX_HTTP_MISSEDCALL_SECRET_MAX, &token);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (token.len < 16) {
        ngx_explicit_memzero(token.data, token.len);
        return "needs a token of at least 16 characters";
    }

    lcf->admin_token = ngx_pnalloc(cf->pool, SHA256_DIGEST_LENGTH);
    if (lcf->admin_token == NULL) {
        return NGX_CONF_ERROR;
    }

    SHA256(token.data, token.len, lcf->admin_token);
    ngx_explicit_memzero(token.data, token.len);

    return NGX_CONF_OK;
}
