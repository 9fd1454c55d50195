
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
    &ngx_http_missedcall_gateway_telnyx,
    NULL
};


/*
 * missedcall_gateway <type> [<url>] [name=] [secret_file=] [rate=]
 *     [fail_timeout=]; several lines: tried in order, as failover
 */

char *
ngx_http_missedcall_gateway(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    char                                *rv;
    ngx_str_t                           *value, v, file;
    ngx_uint_t                           i;
    ngx_command_t                        rate;
    ngx_http_missedcall_gateway_t       *gw;
    ngx_http_missedcall_gateway_line_t  *line;

    if (lcf->gateway_lines == NULL) {
        lcf->gateway_lines = ngx_array_create(cf->pool, 2,
                                  sizeof(ngx_http_missedcall_gateway_line_t));
        if (lcf->gateway_lines == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    line = ngx_array_push(lcf->gateway_lines);
    if (line == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(line, sizeof(ngx_http_missedcall_gateway_line_t));
    line->interval = NGX_CONF_UNSET_MSEC;
    line->fail_timeout = NGX_CONF_UNSET_MSEC;

    value = cf->args->elts;

    for (i = 0; ngx_http_missedcall_gateways[i]; i++) {
        gw = ngx_http_missedcall_gateways[i];

        if (gw->name.len == value[1].len
            && ngx_strncmp(gw->name.data, value[1].data, value[1].len) == 0)
        {
            line->type = gw;
            break;
        }
    }

    if (line->type == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": unknown gateway type \"%V\"",
                           &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    line->name = line->type->name;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "name=", 5) == 0) {
            line->name.data = value[i].data + 5;
            line->name.len = value[i].len - 5;

            /* it names a Redis key and a metrics label */
            if (line->name.len == 0
                || line->name.len > NGX_HTTP_MISSEDCALL_GATEWAY_NAME)
            {
                return "has a name of 1 to 32 characters";
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "secret_file=", 12) == 0) {
            file.data = value[i].data + 12;
            file.len = value[i].len - 12;

            rv = ngx_http_missedcall_read_file(cf, &cmd->name, &file,
                                               NGX_HTTP_MISSEDCALL_SECRET_MAX,
                                               &line->secret);
            if (rv != NGX_CONF_OK) {
                return rv;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "rate=", 5) == 0) {
            /* parsed as missedcall_gateway_rate parses its argument */
            v = value[i];
            value[i].data += 5;
            value[i].len -= 5;
            value[1] = value[i];
            value[i] = v;

            rate = *cmd;
            rate.offset = 0;
            rv = ngx_http_missedcall_rate(cf, &rate, &line->interval);
            if (rv != NGX_CONF_OK) {
                return rv;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "fail_timeout=", 13) == 0) {
            v.data = value[i].data + 13;
            v.len = value[i].len - 13;

            line->fail_timeout = ngx_parse_time(&v, 0);
            if (line->fail_timeout == (ngx_msec_t) NGX_ERROR) {
                return "has an invalid \"fail_timeout\"";
            }

            continue;
        }

        if (i == 2 && ngx_strlchr(value[i].data,
                                  value[i].data + value[i].len, '=')
                      == NULL)
        {
            line->url = value[i];

            rv = ngx_http_missedcall_url(cf, &cmd->name, &value[i]);
            if (rv != NGX_CONF_OK) {
                return rv;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid parameter \"%V\"",
                           &cmd->name, &value[i]);
        return NGX_CONF_ERROR;
    }

    /* the first line is the location's gateway, as one line always was */
    if (lcf->gateway.type == NULL) {
        lcf->gateway.type = line->type;
        lcf->gateway.url = line->url;
    }

    return NGX_CONF_OK;
}


/*
 * Each line is merged with the location's settings here, after those
 * were merged: a line says kind, URL, name, secret, rate, fail_timeout.
 */

char *
ngx_http_missedcall_gateways_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf, ngx_http_missedcall_loc_conf_t *prev)
{
    ngx_uint_t                           i, j;
    ngx_http_missedcall_gateway_conf_t  *gw;
    ngx_http_missedcall_gateway_line_t  *line;

    if (conf->gateway_lines == NULL) {
        conf->gateway_lines = prev->gateway_lines;
    }

    ngx_conf_merge_str_value(conf->gateway.connection,
                             prev->gateway.connection, "");
    ngx_conf_merge_str_value(conf->gateway.webhook_url,
                             prev->gateway.webhook_url, "");

    if (conf->gateway.telnyx_key.data == NULL) {
        conf->gateway.telnyx_key = prev->gateway.telnyx_key;
    }

    ngx_conf_merge_value(conf->gateway.tolerance, prev->gateway.tolerance,
                         300);
    ngx_conf_merge_msec_value(conf->gateway.fail_timeout,
                              prev->gateway.fail_timeout, 10000);

    conf->gateways = ngx_array_create(cf->pool, 2,
                                  sizeof(ngx_http_missedcall_gateway_conf_t));
    if (conf->gateways == NULL) {
        return NGX_CONF_ERROR;
    }

    line = conf->gateway_lines ? conf->gateway_lines->elts : NULL;

    for (i = 0; line && i < conf->gateway_lines->nelts; i++) {
        gw = ngx_array_push(conf->gateways);
        if (gw == NULL) {
            return NGX_CONF_ERROR;
        }

        *gw = conf->gateway;
        gw->type = line[i].type;
        gw->url = line[i].url;
        gw->name = line[i].name;

        if (line[i].secret.len) {
            gw->secret = line[i].secret;
        }

        if (line[i].interval != NGX_CONF_UNSET_MSEC) {
            gw->interval = line[i].interval;
        }

        if (line[i].fail_timeout != NGX_CONF_UNSET_MSEC) {
            gw->fail_timeout = line[i].fail_timeout;
        }

        /* the name keys its failure mark and its metrics */
        for (j = 0; j < i; j++) {
            if (line[j].name.len == line[i].name.len
                && ngx_strncmp(line[j].name.data, line[i].name.data,
                               line[i].name.len) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "two gateways are named \"%V\": give "
                                   "one \"name=\"", &line[i].name);
                return NGX_CONF_ERROR;
            }
        }

        gw->metric = ngx_http_missedcall_metrics_gateway(cf, &gw->name);
    }

    return NGX_CONF_OK;
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


/*
 * The gateway gave no HTTP answer: logged, and op's answer set, 504 for
 * a timeout, else 502 with message.  what: "call" or "message".  Returns
 * NGX_ERROR, as a result handler would.
 */

ngx_int_t
ngx_http_missedcall_op_unanswered(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, const char *what,
    const char *message)
{
    ngx_log_error(NGX_LOG_ERR, op->log, 0,
                  "missedcall gateway \"%V\": %s %V failed after %M ms: %s",
                  &op->gw->name, what, &op->call_id, req->elapsed,
                  req->errbuf[0] ? req->errbuf
                                 : curl_easy_strerror(req->code));

    if (req->code == CURLE_OPERATION_TIMEDOUT) {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_GATEWAY_TIME_OUT,
                                    "gateway_timeout",
                                    "the telephony gateway did not answer "
                                    "in time");
    } else {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY,
                                    "gateway_error", message);
    }

    return NGX_ERROR;
}


/* the gateway's id of what it placed or sent, kept in the session */

void
ngx_http_missedcall_op_gateway_sid(ngx_http_missedcall_op_t *op,
    const char *sid)
{
    op->gateway_sid.len = ngx_strlen(sid);
    op->gateway_sid.data = ngx_pnalloc(op->pool, op->gateway_sid.len + 1);

    if (op->gateway_sid.data == NULL) {
        ngx_str_null(&op->gateway_sid);
        return;
    }

    ngx_memcpy(op->gateway_sid.data, sid, op->gateway_sid.len);
}
