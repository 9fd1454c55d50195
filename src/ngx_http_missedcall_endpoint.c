
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The endpoints a location can serve, in one table: the directive, the
 * content handler, the label metrics count it under, and what it needs
 * configured, checked at "nginx -t".
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"


/*
 * The module's endpoints, one a location: what serves it, how metrics
 * label it, and what it needs configured, refused at "nginx -t".
 */

ngx_http_missedcall_endpoint_t
    ngx_http_missedcall_endpoints[NGX_HTTP_MISSEDCALL_ENDPOINTS] = {

    [NGX_HTTP_MISSEDCALL_EP_REQUEST] =
    { ngx_string("missedcall_request"), "request",
      ngx_http_missedcall_request_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_REDIS|NGX_HTTP_MISSEDCALL_NEEDS_GATEWAY
      |NGX_HTTP_MISSEDCALL_NEEDS_POOL,
      ngx_http_missedcall_sms_check },

    [NGX_HTTP_MISSEDCALL_EP_VERIFY] =
    { ngx_string("missedcall_verify"), "verify",
      ngx_http_missedcall_verify_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_REDIS|NGX_HTTP_MISSEDCALL_NEEDS_KEYS,
      ngx_http_missedcall_token_check },

    [NGX_HTTP_MISSEDCALL_EP_STATUS] =
    { ngx_string("missedcall_status"), "status",
      ngx_http_missedcall_status_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_REDIS,
      NULL },

    [NGX_HTTP_MISSEDCALL_EP_CHECK] =
    { ngx_string("missedcall_check"), "check",
      ngx_http_missedcall_check_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_KEYS,
      NULL },

    [NGX_HTTP_MISSEDCALL_EP_TWILIO] =
    { ngx_string("missedcall_twilio_callback"), "twilio_callback",
      ngx_http_missedcall_twilio_callback_handler,
      0,
      ngx_http_missedcall_twilio_callback_check },

    [NGX_HTTP_MISSEDCALL_EP_ADMIN] =
    { ngx_string("missedcall_admin"), "admin",
      ngx_http_missedcall_admin_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_REDIS|NGX_HTTP_MISSEDCALL_NEEDS_ADMIN_TOKEN,
      NULL },

    [NGX_HTTP_MISSEDCALL_EP_METRICS] =
    { ngx_string("missedcall_metrics"), "metrics",
      ngx_http_missedcall_metrics_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_METRICS_ZONE,
      NULL },

    [NGX_HTTP_MISSEDCALL_EP_JWKS] =
    { ngx_string("missedcall_jwks"), "jwks",
      ngx_http_missedcall_jwks_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_KEYS,
      ngx_http_missedcall_jwks_check },

    [NGX_HTTP_MISSEDCALL_EP_TELNYX] =
    { ngx_string("missedcall_telnyx_webhook"), "telnyx_webhook",
      ngx_http_missedcall_telnyx_webhook_handler,
      0,
      ngx_http_missedcall_telnyx_webhook_check },

    [NGX_HTTP_MISSEDCALL_EP_TWILIO_VOICE] =
    { ngx_string("missedcall_twilio_voice"), "twilio_voice",
      ngx_http_missedcall_twilio_voice_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_REDIS,
      ngx_http_missedcall_twilio_voice_check },

    [NGX_HTTP_MISSEDCALL_EP_HTTP_INBOUND] =
    { ngx_string("missedcall_http_inbound"), "http_inbound",
      ngx_http_missedcall_http_inbound_handler,
      NGX_HTTP_MISSEDCALL_NEEDS_REDIS,
      ngx_http_missedcall_http_inbound_check }
};


char *
ngx_http_missedcall_endpoint(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_uint_t                        i;
    ngx_http_core_loc_conf_t         *clcf;
    ngx_http_missedcall_endpoint_t   *ep;
    ngx_http_missedcall_main_conf_t  *mcf;

    if (lcf->endpoint) {
        return "is duplicate";
    }

    for (i = 0; i < NGX_HTTP_MISSEDCALL_ENDPOINTS; i++) {
        ep = &ngx_http_missedcall_endpoints[i];

        if (ep->name.len == cmd->name.len
            && ngx_strncmp(ep->name.data, cmd->name.data, cmd->name.len) == 0)
        {
            break;
        }
    }

    if (i == NGX_HTTP_MISSEDCALL_ENDPOINTS) {
        return "is not an endpoint";
    }

    lcf->endpoint = ep;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);
    mcf->endpoints |= 1 << i;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ep->handler;

    return NGX_CONF_OK;
}


/* what the location's endpoint needs, in the order it is reported */

char *
ngx_http_missedcall_endpoint_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    char                                *rv;
    ngx_uint_t                           needs, i;
    const char                          *need;
    ngx_http_missedcall_main_conf_t     *mcf;
    ngx_http_missedcall_gateway_conf_t  *gw;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);
    needs = lcf->endpoint->needs;
    need = NULL;

    if ((needs & NGX_HTTP_MISSEDCALL_NEEDS_METRICS_ZONE)
        && mcf->metrics_zone == NULL)
    {
        need = "missedcall_metrics_zone";

    } else if ((needs & NGX_HTTP_MISSEDCALL_NEEDS_REDIS)
               && !ngx_http_missedcall_redis_configured(&mcf->redis))
    {
        need = "missedcall_redis";

    } else if ((needs & NGX_HTTP_MISSEDCALL_NEEDS_GATEWAY)
               && lcf->gateway.type == NULL)
    {
        need = "missedcall_gateway";

    } else if ((needs & NGX_HTTP_MISSEDCALL_NEEDS_POOL)
               && mcf->pool == NULL
               && !(mcf->endpoints & (1 << NGX_HTTP_MISSEDCALL_EP_ADMIN)))
    {
        /* else the admin API fills the pool */
        need = "missedcall_pool\", \"missedcall_pool_file\" or "
               "\"missedcall_admin";

    } else if ((needs & NGX_HTTP_MISSEDCALL_NEEDS_ADMIN_TOKEN)
               && lcf->admin_token == NULL)
    {
        need = "missedcall_admin_token_file";

    } else if ((needs & NGX_HTTP_MISSEDCALL_NEEDS_KEYS) && mcf->keys == NULL) {
        need = "missedcall_token_key";
    }

    if (need) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" requires \"%s\" to be configured",
                           &lcf->endpoint->name, need);
        return NGX_CONF_ERROR;
    }

    if (needs & NGX_HTTP_MISSEDCALL_NEEDS_GATEWAY) {
        gw = lcf->gateways->elts;

        for (i = 0; i < lcf->gateways->nelts; i++) {
            rv = gw[i].type->check(cf, &gw[i]);

            if (rv != NGX_CONF_OK) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", rv);
                return NGX_CONF_ERROR;
            }
        }

        /* the first, checked, is the location's gateway */
        lcf->gateway = gw[0];
    }

    /* for the admin API and the metrics: the weakest location's figures */
    if (needs & NGX_HTTP_MISSEDCALL_NEEDS_POOL) {
        mcf->guesses = ngx_max(mcf->guesses, ngx_http_missedcall_guesses(lcf));
        mcf->hint_digits = ngx_max(mcf->hint_digits, lcf->match_digits);

        mcf->max_guess_ppm = ngx_min(mcf->max_guess_ppm, lcf->max_guess_ppm);
    }

    /* a pool filled with the admin API alone is not known here */
    if ((needs & NGX_HTTP_MISSEDCALL_NEEDS_POOL) && mcf->pool
        && ngx_http_missedcall_pool_strength(cf, lcf, mcf->pool)
           != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    return lcf->endpoint->check ? lcf->endpoint->check(cf, lcf)
                                : NGX_CONF_OK;
}
