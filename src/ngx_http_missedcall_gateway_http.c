
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The custom HTTP gateway: POST {"to", "from", "call_id", "ring_seconds"}
 * as JSON to the configured URL, with the bearer token from
 * missedcall_gateway_secret_file; any 2xx means the call is placed, a 4xx
 * whose JSON body holds "fault": "caller" blames the caller number.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_phone.h"


static char *ngx_http_missedcall_gateway_http_check(ngx_conf_t *cf,
    ngx_http_missedcall_gateway_conf_t *gw);
static ngx_int_t ngx_http_missedcall_gateway_http_prepare(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_int_t ngx_http_missedcall_gateway_http_answer(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req,
    ngx_uint_t sms);
static ngx_int_t ngx_http_missedcall_gateway_http_result(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_uint_t ngx_http_missedcall_gateway_http_caller(
    ngx_http_missedcall_curl_req_t *req);


ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_http = {
    ngx_string("http"),
    ngx_http_missedcall_gateway_http_check,
    ngx_http_missedcall_gateway_http_prepare,
    ngx_http_missedcall_gateway_http_result,
    ngx_http_missedcall_http_sms_prepare,
    ngx_http_missedcall_http_sms_result
};


static char *
ngx_http_missedcall_gateway_http_check(ngx_conf_t *cf,
    ngx_http_missedcall_gateway_conf_t *gw)
{
    if (gw->url.len == 0) {
        return "\"missedcall_gateway http\" needs a URL";
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_missedcall_gateway_http_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    u_char                              *body, *last;
    size_t                               len;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = op->gw;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"http\" prepares "
                   "call %V", &op->sid, &op->call_id);

    /*
     * Written as is, not built with jansson at ten times the cost: two
     * E.164 numbers and a UUID hold nothing JSON escapes
     */
    if (!ngx_http_missedcall_phone_is_e164(op->phone.data, op->phone.len)
        || !ngx_http_missedcall_phone_is_e164(op->caller.data,
                                              op->caller.len))
    {
        return NGX_ERROR;
    }

    len = sizeof("{\"to\":\"\",\"from\":\"\",\"call_id\":\"\","
                 "\"ring_seconds\":}") - 1
          + op->phone.len + op->caller.len + op->call_id.len + NGX_TIME_T_LEN;

    body = ngx_pnalloc(op->pool, len + 1);
    if (body == NULL) {
        return NGX_ERROR;
    }

    last = ngx_sprintf(body, "{\"to\":\"%V\",\"from\":\"%V\","
                       "\"call_id\":\"%V\",\"ring_seconds\":%M}%Z",
                       &op->phone, &op->caller, &op->call_id,
                       gw->ring / 1000);
    len = last - body - 1;

    return ngx_http_missedcall_http_post(op, req, body, len);
}


/*
 * A call's or a message's JSON to the gateway's URL, with its secret as a
 * bearer token; libcurl keeps a copy of the body, so the transfer does not
 * lean on the op's pool, and the caller may wipe its own.
 */

ngx_int_t
ngx_http_missedcall_http_post(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, u_char *body, size_t len)
{
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = op->gw;

    req->headers = curl_slist_append(req->headers,
                                     "Content-Type: application/json");
    if (req->headers == NULL) {
        return NGX_ERROR;
    }

    if (gw->secret.len
        && ngx_http_missedcall_curl_bearer(req, op->pool, &gw->secret)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* gw->url is a configuration argument, NUL-terminated */
    return ngx_http_missedcall_curl_post(req, (char *) gw->url.data, body,
                                         len);
}


static ngx_int_t
ngx_http_missedcall_gateway_http_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    return ngx_http_missedcall_gateway_http_answer(op, req, 0);
}


ngx_int_t
ngx_http_missedcall_http_sms_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    return ngx_http_missedcall_gateway_http_answer(op, req, 1);
}


/*
 * The gateway's answer to a call or a text message: 2xx done; 422 the
 * phone cannot take it; 429 busy; else the gateway's fault.
 */

static ngx_int_t
ngx_http_missedcall_gateway_http_answer(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, ngx_uint_t sms)
{
    ngx_uint_t  level;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"http\" answered "
                   "%sHTTP %l after %M ms", &op->sid,
                   sms ? "the message " : "", req->status, req->elapsed);

    if (req->status >= 200 && req->status < 300) {
        return NGX_OK;
    }

    /* a phone that cannot be called is the user's business: info only */
    level = (req->status == 422) ? NGX_LOG_INFO : NGX_LOG_ERR;

    ngx_log_error(level, op->log, 0,
                  "missedcall gateway \"http\": %s %V refused with "
                  "HTTP %l after %M ms%s", sms ? "message" : "call",
                  &op->call_id, req->status, req->elapsed,
                  (req->status == 401 || req->status == 403)
                  ? ": check the gateway secret" : "");

    switch (req->status) {

    case 422: /* the number called */
        ngx_http_missedcall_op_fail(op, NGX_HTTP_MISSEDCALL_UNPROCESSABLE,
                                    "invalid_phone_number",
                                    sms ? "this number cannot be sent a "
                                          "text message"
                                        : "this phone number cannot be "
                                          "called");
        return NGX_ERROR;

    case 429:
        ngx_http_missedcall_op_busy(op);
        return NGX_ERROR;

    case 401:
    case 403:
        break;

    default:
        /*
         * Only the gateway's word counts against the caller number: any
         * other refusal may be the number called, which the client picks
         */
        if (!sms && req->status >= 400 && req->status < 500
            && ngx_http_missedcall_gateway_http_caller(req))
        {
            ngx_http_missedcall_op_fault(op, req->status, 0);
        }
    }

    ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY, "gateway_error",
                                sms ? "the message could not be sent"
                                    : "the call could not be placed");

    return NGX_ERROR;
}


/* a refusal's body {"fault": "caller", ...}: the caller number is at fault */

static ngx_uint_t
ngx_http_missedcall_gateway_http_caller(ngx_http_missedcall_curl_req_t *req)
{
    json_t      *json, *fault;
    ngx_uint_t   caller;

    json = json_loadb((const char *) req->body.data, req->body.len, 0, NULL);

    fault = json_is_object(json) ? json_object_get(json, "fault") : NULL;
    caller = json_is_string(fault)
             && ngx_strcmp(json_string_value(fault), "caller") == 0;

    json_decref(json);

    return caller;
}
