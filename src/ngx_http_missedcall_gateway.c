
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The missedcall_gateway* directives: which gateway kind places calls,
 * and at what rate.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"


static char *ngx_http_missedcall_ring_check(ngx_conf_t *cf, void *post,
    void *data);


ngx_conf_post_t  ngx_http_missedcall_ring_post = {
    ngx_http_missedcall_ring_check
};


static ngx_http_missedcall_gateway_t  *ngx_http_missedcall_gateways[] = {
    &ngx_http_missedcall_gateway_http,
    &ngx_http_missedcall_gateway_twilio,
    NULL
};


/* missedcall_gateway <type> [<url>]; */

char *
ngx_http_missedcall_gateway(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_str_t                       *value;
    ngx_uint_t                       i;
    ngx_http_missedcall_gateway_t   *gw;

    if (lcf->gateway.type) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 0; ngx_http_missedcall_gateways[i]; i++) {
        gw = ngx_http_missedcall_gateways[i];

        if (gw->name.len == value[1].len
            && ngx_strncmp(gw->name.data, value[1].data, value[1].len) == 0)
        {
            lcf->gateway.type = gw;
            break;
        }
    }

    if (lcf->gateway.type == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": unknown gateway type \"%V\"",
                           &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 2) {
        return NGX_CONF_OK;
    }

    lcf->gateway.url = value[2];

    return ngx_http_missedcall_url(cf, &cmd->name, &value[2]);
}


/* "1r/s", "30r/m": kept as the interval between two calls */

char *
ngx_http_missedcall_rate(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_int_t    n, scale;
    ngx_str_t   *value;
    ngx_msec_t  *interval;

    interval = (ngx_msec_t *) ((u_char *) conf + cmd->offset);

    if (*interval != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;
    scale = 0;

    if (value[1].len > 3
        && ngx_strncmp(value[1].data + value[1].len - 3, "r/s", 3) == 0)
    {
        scale = 1000;

    } else if (value[1].len > 3
               && ngx_strncmp(value[1].data + value[1].len - 3, "r/m", 3)
                  == 0)
    {
        scale = 60000;
    }

    n = scale ? ngx_atoi(value[1].data, value[1].len - 3) : NGX_ERROR;

    if (n <= 0 || n > scale) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid rate \"%V\", such as \"1r/s\" "
                           "or \"30r/m\" is wanted", &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    *interval = scale / n;

    return NGX_CONF_OK;
}


/*
 * Twilio's Timeout is whole seconds from 1 to 600: 500ms would be sent as
 * 0 and 15m refused by Twilio at every call, so "nginx -t" says so now.
 */

static char *
ngx_http_missedcall_ring_check(ngx_conf_t *cf, void *post, void *data)
{
    ngx_msec_t  *ring = data;

    if (*ring < 1000 || *ring > 600000) {
        return "must be between 1s and 600s";
    }

    return NGX_CONF_OK;
}


/* what the client will be told when the op ends in failure */

void
ngx_http_missedcall_op_fail(ngx_http_missedcall_op_t *op, ngx_uint_t status,
    const char *error, const char *message)
{
    op->status = status;
    op->error = error;
    op->message = message;
}


/* the gateway says it is busy: the client may try again in a second */

void
ngx_http_missedcall_op_busy(ngx_http_missedcall_op_t *op)
{
    ngx_http_missedcall_op_fail(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                "gateway_busy",
                                "too many calls right now, try again later");
    op->retry_after = 1;
}


/*
 * The gateway refused the caller number itself (not the phone called, nor
 * the account, nor a busy gateway): why, for the number's record.
 */

void
ngx_http_missedcall_op_fault(ngx_http_missedcall_op_t *op, ngx_int_t status,
    ngx_int_t code)
{
    u_char  *p;

    p = ngx_pnalloc(op->pool, sizeof("HTTP , code ") + 2 * NGX_INT_T_LEN);
    if (p == NULL) {
        return;
    }

    op->fault.data = p;
    p = ngx_sprintf(p, "HTTP %i", status);

    if (code) {
        p = ngx_sprintf(p, ", code %i", code);
    }

    op->fault.len = p - op->fault.data;
}
