
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Telnyx's Call Control: POST {url}/v2/calls with a JSON body
 * (connection_id, to, from, timeout_secs), the API key as a bearer token;
 * 200 names the call by its call_control_id, an error by errors[].code,
 * mapped here as Twilio's are.  Its webhooks, signed with Ed25519, say
 * when the call was dialed or answered: it is hung up after exactly
 * missedcall_ring_time, or at once when answered.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_telnyx.h"


#define NGX_HTTP_MISSEDCALL_TELNYX_API  "https://api.telnyx.com"


/* a call to hang up: now, or once it has rung long enough */
typedef struct {
    ngx_str_node_t                       sn;      /* by id, while pending */
    ngx_event_t                          timer;
    ngx_http_missedcall_gateway_conf_t  *gw;
    ngx_str_t                            id;
    u_char                               data[128];  /* TELNYX_ID_MAX */
} ngx_http_missedcall_telnyx_call_t;


static char *ngx_http_missedcall_telnyx_check(ngx_conf_t *cf,
    ngx_http_missedcall_gateway_conf_t *gw);
static ngx_int_t ngx_http_missedcall_telnyx_prepare(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_int_t ngx_http_missedcall_telnyx_result(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_int_t ngx_http_missedcall_telnyx_request(ngx_pool_t *pool,
    ngx_http_missedcall_curl_req_t *req,
    ngx_http_missedcall_gateway_conf_t *gw, ngx_str_t *call, u_char *body,
    size_t len);
static void ngx_http_missedcall_telnyx_webhook_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_telnyx_pending(ngx_http_request_t *r,
    ngx_http_missedcall_gateway_conf_t *gw, char *id,
    ngx_http_missedcall_telnyx_event_e event);
static void ngx_http_missedcall_telnyx_hangup(ngx_event_t *ev);
static void ngx_http_missedcall_telnyx_hung_up(
    ngx_http_missedcall_curl_req_t *req);


ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_telnyx = {
    ngx_string("telnyx"),
    ngx_http_missedcall_telnyx_check,
    ngx_http_missedcall_telnyx_prepare,
    ngx_http_missedcall_telnyx_result,
    NULL,   /* no SMS: Telnyx's Messaging API is not built */
    NULL
};


static char *
ngx_http_missedcall_telnyx_check(ngx_conf_t *cf,
    ngx_http_missedcall_gateway_conf_t *gw)
{
    if (gw->connection.len == 0) {
        return "\"missedcall_gateway telnyx\" needs "
               "\"missedcall_telnyx_connection\" with the Call Control "
               "connection (application) id";
    }

    if (gw->secret.len == 0) {
        return "\"missedcall_gateway telnyx\" needs the API key in "
               "\"missedcall_gateway_secret_file\"";
    }

    if (gw->url.len == 0) {
        ngx_str_set(&gw->url, NGX_HTTP_MISSEDCALL_TELNYX_API);
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_missedcall_telnyx_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    u_char                              *body;
    size_t                               len;
    json_t                              *json;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = op->gw;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"telnyx\" prepares "
                   "call %V", &op->sid, &op->call_id);

    json = json_pack("{s:s#, s:s#, s:s#, s:I}",
                     "connection_id", gw->connection.data,
                     (int) gw->connection.len,
                     "to", op->phone.data, (int) op->phone.len,
                     "from", op->caller.data, (int) op->caller.len,
                     "timeout_secs", (json_int_t) (gw->ring / 1000));

    /* its webhooks, here rather than the connection's, when set */
    if (json && gw->webhook_url.len
        && json_object_set_new(json, "webhook_url",
                               json_stringn((char *) gw->webhook_url.data,
                                            gw->webhook_url.len)) != 0)
    {
        json_decref(json);
        json = NULL;
    }

    body = ngx_http_missedcall_json_text(op->pool, json, &len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_missedcall_telnyx_request(op->pool, req, gw, NULL, body,
                                              len);
}


/*
 * {url}/v2/calls, or {url}/v2/calls/{id}/actions/hangup, with the headers
 * Telnyx's own library sends: JSON both ways, the key as a bearer token
 */

static ngx_int_t
ngx_http_missedcall_telnyx_request(ngx_pool_t *pool,
    ngx_http_missedcall_curl_req_t *req,
    ngx_http_missedcall_gateway_conf_t *gw, ngx_str_t *call, u_char *body,
    size_t len)
{
    u_char  *url, *p;

    url = ngx_pnalloc(pool, gw->url.len + sizeof("/v2/calls/")
                            + (call ? call->len : 0)
                            + sizeof("/actions/hangup"));
    if (url == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url, gw->url.data, gw->url.len);

    if (p > url && p[-1] == '/') {
        p--;
    }

    if (call) {
        ngx_sprintf(p, "/v2/calls/%V/actions/hangup%Z", call);

    } else {
        ngx_sprintf(p, "/v2/calls%Z");
    }

    req->headers = curl_slist_append(req->headers,
                                     "Content-Type: application/json");
    req->headers = req->headers
                   ? curl_slist_append(req->headers,
                                       "Accept: application/json")
                   : NULL;

    if (req->headers == NULL
        || ngx_http_missedcall_curl_bearer(req, pool, &gw->secret) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_missedcall_curl_post(req, (char *) url, body, len);
}


static ngx_int_t
ngx_http_missedcall_telnyx_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    ngx_uint_t                            level;
    const char                           *fix;
    ngx_http_missedcall_telnyx_answer_t   answer;
    ngx_http_missedcall_telnyx_fault_e    fault;

    ngx_http_missedcall_telnyx_parse(req->body.data, req->body.len, &answer);

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"telnyx\" answered "
                   "HTTP %l, code %l, after %M ms", &op->sid, req->status,
                   answer.code, req->elapsed);

    if (req->status >= 200 && req->status < 300) {
        op->gateway_sid.len = ngx_strlen(answer.call_control_id);
        op->gateway_sid.data = ngx_pnalloc(op->pool,
                                           op->gateway_sid.len + 1);

        if (op->gateway_sid.data == NULL) {
            ngx_str_null(&op->gateway_sid);

        } else {
            ngx_memcpy(op->gateway_sid.data, answer.call_control_id,
                       op->gateway_sid.len);
        }

        if (op->gateway_sid.len == 0) {
            ngx_log_error(NGX_LOG_WARN, op->log, 0,
                          "missedcall gateway \"%V\": call %V placed, but "
                          "Telnyx's answer has no call_control_id",
                          &op->gw->name, &op->call_id);
        }

        return NGX_OK;
    }

    fault = ngx_http_missedcall_telnyx_fault(answer.code, req->status, &fix);

    if (fault == NGX_HTTP_MISSEDCALL_TELNYX_BUSY) {
        ngx_log_error(NGX_LOG_WARN, op->log, 0,
                      "missedcall gateway \"%V\": call %V: Telnyx is rate "
                      "limiting the account (HTTP %l, code %l)",
                      &op->gw->name, &op->call_id, req->status, answer.code);

        ngx_http_missedcall_op_busy(op);
        return NGX_ERROR;
    }

    /* the attacker picks the number called: never the pool's fault */
    if (fault == NGX_HTTP_MISSEDCALL_TELNYX_PHONE
        || (fault == NGX_HTTP_MISSEDCALL_TELNYX_UNKNOWN
            && req->status == 422 && answer.code == 0))
    {
        level = NGX_LOG_INFO;

        ngx_log_error(level, op->log, 0,
                      "missedcall gateway \"%V\": call %V: number refused, "
                      "code %l: %s: %s", &op->gw->name, &op->call_id,
                      answer.code, answer.title, answer.detail);

        ngx_http_missedcall_op_fail(op, NGX_HTTP_MISSEDCALL_UNPROCESSABLE,
                                    "invalid_phone_number",
                                    "this phone number cannot be called");
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_ERR, op->log, 0,
                  "missedcall gateway \"%V\": call %V refused, HTTP %l, "
                  "code %l: %s: %s%s%s", &op->gw->name, &op->call_id,
                  req->status, answer.code, answer.title, answer.detail,
                  fix ? "; " : "", fix ? fix : "");

    ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY, "gateway_error",
                                "the call could not be placed");

    return NGX_ERROR;
}


/*
 * Telnyx's webhooks: call.initiated starts the ring timer, call.answered
 * hangs up at once; anything else is acknowledged.  Each must carry a
 * fresh Ed25519 signature of "timestamp|body" by Telnyx's key.
 */

/* this worker's calls waiting to be hung up, by call_control_id */
static ngx_rbtree_t       ngx_http_missedcall_telnyx_calls;
static ngx_rbtree_node_t  ngx_http_missedcall_telnyx_sentinel;


ngx_int_t
ngx_http_missedcall_telnyx_webhook_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r,
                                      ngx_http_missedcall_telnyx_webhook_body);
}


static void
ngx_http_missedcall_telnyx_webhook_body(ngx_http_request_t *r)
{
    char                                 id[NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX
                                            + 1];
    ngx_str_t                            body, *ts, *sig;
    ngx_uint_t                           i;
    ngx_http_missedcall_loc_conf_t      *lcf;
    ngx_http_missedcall_gateway_conf_t  *gw;
    ngx_http_missedcall_telnyx_event_e   event;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    /* the location's Telnyx gateway, there since "nginx -t" */
    gw = lcf->gateways->elts;

    for (i = 0; i < lcf->gateways->nelts; i++) {
        if (gw[i].type == &ngx_http_missedcall_gateway_telnyx
            && gw[i].telnyx_key.len)
        {
            break;
        }
    }

    if (i == lcf->gateways->nelts) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    gw = &gw[i];

    if (ngx_http_missedcall_body(r, &body) != NGX_OK) {
        return;
    }

    ts = ngx_http_missedcall_header_in(r, "telnyx-timestamp",
                                       sizeof("telnyx-timestamp") - 1);
    sig = ngx_http_missedcall_header_in(r, "telnyx-signature-ed25519",
                                    sizeof("telnyx-signature-ed25519") - 1);

    if (ts == NULL || sig == NULL
        || !ngx_http_missedcall_telnyx_signed(gw->telnyx_key.data,
                                              ts->data, ts->len,
                                              sig->data, sig->len,
                                              body.data, body.len,
                                              ngx_time(), gw->tolerance))
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "missedcall telnyx: webhook with a bad, stale or no "
                      "telnyx-signature-ed25519 refused");
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_FORBIDDEN, "invalid_signature",
                                  "the request is not signed by Telnyx"));
        return;
    }

    event = ngx_http_missedcall_telnyx_event(body.data, body.len, id);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "missedcall telnyx: signed webhook, event %ui, call \"%s\"",
                   (ngx_uint_t) event, id);

    if (event != NGX_HTTP_MISSEDCALL_TELNYX_OTHER && id[0]
        && ngx_http_missedcall_telnyx_pending(r, gw, id, event) != NGX_OK)
    {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_http_missedcall_set_outcome(r, "ok", 2);

    r->header_only = 1;
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = 0;

    ngx_http_finalize_request(r, ngx_http_send_header(r));
}


/*
 * One hangup a call: call.initiated sets it after the ring time, a repeat
 * leaves it be, call.answered brings it forward to now.
 */

static ngx_int_t
ngx_http_missedcall_telnyx_pending(ngx_http_request_t *r,
    ngx_http_missedcall_gateway_conf_t *gw, char *id,
    ngx_http_missedcall_telnyx_event_e event)
{
    uint32_t                            hash;
    ngx_str_t                           name;
    ngx_msec_t                          delay;
    ngx_http_missedcall_telnyx_call_t  *call;

    if (ngx_http_missedcall_telnyx_calls.root == NULL) {
        ngx_rbtree_init(&ngx_http_missedcall_telnyx_calls,
                        &ngx_http_missedcall_telnyx_sentinel,
                        ngx_str_rbtree_insert_value);
    }

    name.data = (u_char *) id;
    name.len = ngx_strlen(id);
    hash = ngx_crc32_short(name.data, name.len);

    /* answered: no reason to ring on; dialing: ring exactly so long */
    delay = (event == NGX_HTTP_MISSEDCALL_TELNYX_ANSWERED) ? 1 : gw->ring;

    call = (ngx_http_missedcall_telnyx_call_t *)
               ngx_str_rbtree_lookup(&ngx_http_missedcall_telnyx_calls,
                                     &name, hash);

    if (call) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "missedcall telnyx: call %V: hangup pending, %s",
                       &call->id,
                       delay == 1 ? "sent at once" : "left as it is");

        if (delay == 1) {
            ngx_del_timer(&call->timer);
            ngx_add_timer(&call->timer, delay);
        }

        return NGX_OK;
    }

    call = ngx_calloc(sizeof(ngx_http_missedcall_telnyx_call_t),
                      r->connection->log);
    if (call == NULL) {
        return NGX_ERROR;
    }

    call->gw = gw;
    call->id.data = call->data;
    call->id.len = name.len;
    ngx_memcpy(call->data, id, name.len);

    call->sn.node.key = hash;
    call->sn.str = call->id;
    ngx_rbtree_insert(&ngx_http_missedcall_telnyx_calls, &call->sn.node);

    call->timer.handler = ngx_http_missedcall_telnyx_hangup;
    call->timer.data = call;
    call->timer.log = ngx_cycle->log;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "missedcall telnyx: call %V hung up in %M ms",
                   &call->id, delay);

    ngx_add_timer(&call->timer, delay);

    return NGX_OK;
}


static void
ngx_http_missedcall_telnyx_hangup(ngx_event_t *ev)
{
    ngx_http_missedcall_telnyx_call_t *call = ev->data;

    ngx_pool_t                      *pool;
    ngx_http_missedcall_curl_req_t  *req;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "missedcall telnyx: call %V: hangup sent", &call->id);

    /* a webhook from now on is about a call being hung up: no second */
    ngx_rbtree_delete(&ngx_http_missedcall_telnyx_calls, &call->sn.node);

    req = ngx_http_missedcall_curl_create(ngx_cycle->log, call->gw->timeout,
                                          &call->gw->ca_file);
    pool = ngx_create_pool(512, ngx_cycle->log);

    if (req == NULL || pool == NULL
        || ngx_http_missedcall_telnyx_request(pool, req, call->gw, &call->id,
                                              (u_char *) "{}", 2)
           != NGX_OK
        || ngx_http_missedcall_curl_start(req,
                                          ngx_http_missedcall_telnyx_hung_up,
                                          call)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "missedcall telnyx: could not hang up call %V",
                      &call->id);

        if (req) {
            ngx_http_missedcall_curl_free(req);
        }

        ngx_free(call);
    }

    if (pool) {
        ngx_destroy_pool(pool);
    }
}


static void
ngx_http_missedcall_telnyx_hung_up(ngx_http_missedcall_curl_req_t *req)
{
    ngx_http_missedcall_telnyx_call_t *call = req->data;

    /* a call that ended already is refused: a notice, no more */
    if (req->code != CURLE_OK || req->status >= 300) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "missedcall telnyx: hanging up call %V: HTTP %l, %s",
                      &call->id, req->status,
                      req->errbuf[0] ? req->errbuf
                                     : curl_easy_strerror(req->code));

    } else {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "missedcall telnyx: call %V hung up", &call->id);
    }

    ngx_http_missedcall_curl_free(req);
    ngx_free(call);
}


/* the webhook location needs a Telnyx gateway with its public key */

char *
ngx_http_missedcall_telnyx_webhook_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    ngx_uint_t                           i;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = lcf->gateways ? lcf->gateways->elts : NULL;

    for (i = 0; gw && i < lcf->gateways->nelts; i++) {
        if (gw[i].type == &ngx_http_missedcall_gateway_telnyx
            && gw[i].telnyx_key.len)
        {
            return NGX_CONF_OK;
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\" requires \"missedcall_gateway telnyx\" and "
                       "\"missedcall_telnyx_public_key_file\"",
                       &lcf->endpoint->name);

    return NGX_CONF_ERROR;
}


/* missedcall_telnyx_public_key_file <file>: base64 or PEM */

char *
ngx_http_missedcall_telnyx_public_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    u_char     *key;
    char       *rv;
    ngx_str_t  *value, text;

    if (lcf->gateway.telnyx_key.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                       NGX_HTTP_MISSEDCALL_SECRET_MAX, &text);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    key = ngx_pnalloc(cf->pool, NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN);
    if (key == NULL) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_missedcall_telnyx_key(text.data, text.len, key) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" holds no Ed25519 public key, "
                           "base64 as Telnyx's portal shows it or PEM",
                           &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    lcf->gateway.telnyx_key.data = key;
    lcf->gateway.telnyx_key.len = NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN;

    return NGX_CONF_OK;
}
