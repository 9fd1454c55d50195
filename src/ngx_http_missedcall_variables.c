
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The per-request context and the $missedcall_* variables it feeds: what
 * a request verified, how it ended, which session it was about.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_variables.h"


static ngx_int_t ngx_http_missedcall_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_variable_t  ngx_http_missedcall_vars[] = {

    { ngx_string("missedcall_phone"), NULL,
      ngx_http_missedcall_variable,
      offsetof(ngx_http_missedcall_ctx_t, phone),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("missedcall_token_id"), NULL,
      ngx_http_missedcall_variable,
      offsetof(ngx_http_missedcall_ctx_t, token_id),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("missedcall_status"), NULL,
      ngx_http_missedcall_variable,
      offsetof(ngx_http_missedcall_ctx_t, outcome),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("missedcall_verification_id"), NULL,
      ngx_http_missedcall_variable,
      offsetof(ngx_http_missedcall_ctx_t, verification_id),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("missedcall_phone_masked"), NULL,
      ngx_http_missedcall_variable,
      offsetof(ngx_http_missedcall_ctx_t, phone_masked),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("missedcall_gateway_time"), NULL,
      ngx_http_missedcall_variable,
      offsetof(ngx_http_missedcall_ctx_t, gateway_time),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("missedcall_channel"), NULL,
      ngx_http_missedcall_variable,
      offsetof(ngx_http_missedcall_ctx_t, channel),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_http_missedcall_ctx_t *
ngx_http_missedcall_get_ctx(ngx_http_request_t *r)
{
    ngx_http_missedcall_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_missedcall_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_missedcall_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_missedcall_module);
    }

    return ctx;
}


/*
 * What a request ended with, kept for $missedcall_status and counted in
 * the metrics of the location's endpoint.
 */

void
ngx_http_missedcall_set_outcome(ngx_http_request_t *r, const char *outcome,
    size_t len)
{
    ngx_http_missedcall_ctx_t       *ctx;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (lcf->endpoint == NULL) {
        return;
    }

    outcome = ngx_http_missedcall_metrics_outcome(
                            lcf->endpoint - ngx_http_missedcall_endpoints,
                            outcome, len);

    ctx = ngx_http_missedcall_get_ctx(r);

    if (ctx) {
        ctx->outcome.data = (u_char *) outcome;
        ctx->outcome.len = ngx_strlen(outcome);
    }
}


ngx_int_t
ngx_http_missedcall_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_missedcall_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_missedcall_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                  *s;
    ngx_http_missedcall_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_missedcall_module);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((u_char *) ctx + data);

    if (s->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = s->len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = s->data;

    return NGX_OK;
}
