
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The SMS channel: a code of missedcall_sms_code_length digits from
 * OpenSSL's generator, sent by text message; verify takes it back.  Redis
 * only ever holds sha1(salt . code), and the clear code lives in the op
 * until its message is built, then is wiped.  An SMS session is opened
 * three ways: asked for ("channel": "sms"), after a call the gateway
 * could not place (missedcall_fallback sms), or in place of a call the app
 * reports was not received (the same request, naming the call's
 * "session_id"):
 *
 *   [session_id: not_received.lua -> replaced] -> reserve.lua (request.c)
 *     -> send -> sent -> confirm (confirm.c) -> 202
 *                     \-> fail.lua (request.c) -> 4xx/5xx
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_scripts.h"


static void ngx_http_missedcall_sms_replaced(redisReply *reply, void *data);
static void ngx_http_missedcall_sms_no_call(ngx_http_missedcall_op_t *op);
static void ngx_http_missedcall_sms_sent(ngx_http_missedcall_curl_req_t *req);
static void ngx_http_missedcall_sms_wipe(void *data);


/* the longest message: 4 segments of 160 GSM characters */
#define NGX_HTTP_MISSEDCALL_SMS_TEXT_MAX  640


static char *ngx_http_missedcall_code_length_check(ngx_conf_t *cf,
    void *post, void *data);


ngx_conf_post_t  ngx_http_missedcall_code_length_post = {
    ngx_http_missedcall_code_length_check
};


/*
 * A request for an SMS session; with a "session_id", in place of that
 * call session, which the app says never rang.
 */

void
ngx_http_missedcall_sms_start(ngx_http_request_t *r,
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_body_t *body)
{
    u_char                              *p;
    ngx_str_t                           *args, id;
    ngx_http_missedcall_gateway_conf_t  *gw;
    ngx_str_t                  argv[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_ARGC];

    gw = op->lcf->gateways->elts;

    if (gw->type->sms_prepare == NULL) {
        ngx_http_missedcall_op_error(op, NGX_HTTP_BAD_REQUEST,
                                     "invalid_channel",
                                     "this service sends no text messages");
        return;
    }

    if (!ngx_http_missedcall_field(body, NGX_HTTP_MISSEDCALL_F_SESSION_ID,
                                   &id))
    {
        ngx_http_missedcall_reserve(op);
        return;
    }

    if (!op->lcf->sms.fallback) {
        ngx_http_missedcall_op_error(op, NGX_HTTP_BAD_REQUEST,
                                     "invalid_channel",
                                     "a call not received is not replaced "
                                     "by a text message here");
        return;
    }

    args = argv + NGX_HTTP_MISSEDCALL_NOT_RECEIVED_KEYS;
    args[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_ARG_SESSION_ID] = id;
    args[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_ARG_PHONE] = op->phone;

    if (!ngx_http_missedcall_uuid_valid(id.data, id.len)) {
        ngx_http_missedcall_sms_no_call(op);
        return;
    }

    p = ngx_pnalloc(op->pool, NGX_INT_T_LEN);

    if (p == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_SESSION,
                          &id,
                          &argv[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_KEY_SESSION])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PHONE,
                          &op->phone,
                          &argv[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_KEY_PHONE])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_RESEND,
                          &op->phone,
                          &argv[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_KEY_RESEND])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_EVENTS, NULL,
                          &argv[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_KEY_EVENTS])
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    ngx_http_missedcall_args(
                       &args[NGX_HTTP_MISSEDCALL_NOT_RECEIVED_ARG_EVENTS_MAX],
                       &p, op->mcf->events_max);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: call session %V not received, "
                   "not_received sent", &id);

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_not_received,
                                NGX_HTTP_MISSEDCALL_NOT_RECEIVED_KEYS,
                                NGX_HTTP_MISSEDCALL_NOT_RECEIVED_ARGC, argv,
                                ngx_http_missedcall_sms_replaced);
}


static void
ngx_http_missedcall_sms_replaced(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: not_received answered %L",
                   (int64_t) (reply && reply->type == REDIS_REPLY_INTEGER
                              ? reply->integer : -1));

    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1) {
        op->replaced = 1;
        ngx_http_missedcall_reserve(op);
        return;
    }

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    ngx_http_missedcall_sms_no_call(op);
}


static void
ngx_http_missedcall_sms_no_call(ngx_http_missedcall_op_t *op)
{
    ngx_http_missedcall_op_error(op, NGX_HTTP_BAD_REQUEST, "invalid_session",
                                 "no pending call to this phone matches: it "
                                 "is unknown, expired, verified or replaced "
                                 "already");
}


/*
 * After a failed call, fail.lua has undone its session: the same client
 * gets an SMS session instead, its answer the SMS's.
 */

void
ngx_http_missedcall_sms_fallback(ngx_http_missedcall_op_t *op)
{
    ngx_log_error(NGX_LOG_INFO, op->log, 0,
                  "missedcall: call %V failed (%s), a code is sent by SMS "
                  "instead", &op->call_id, op->error);

    op->channel = NGX_HTTP_MISSEDCALL_CH_SMS;
    op->channel_name = ngx_http_missedcall_channel_name(op->channel);
    op->status = 0;
    op->error = NULL;
    op->message = NULL;
    op->retry_after = 0;
    ngx_str_null(&op->caller);
    ngx_str_null(&op->fault);
    ngx_str_null(&op->gateway_sid);

    ngx_http_missedcall_reserve(op);
}


/*
 * Draws op's code into op->code and sets *hash to its secret,
 * sha1(salt . code) in hex, as confirm stores and verify.lua compares
 * it.
 */

ngx_int_t
ngx_http_missedcall_sms_code(ngx_http_missedcall_op_t *op, ngx_str_t *hash)
{
    u_char               rnd[64];
    ngx_uint_t           i;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(op->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    /* whatever becomes of the op, the code does not outlive it */
    cln->handler = ngx_http_missedcall_sms_wipe;
    cln->data = op;

    /* 8 words: the odds that all fall in the biased tail are nil */
    for (i = 0; i < 4; i++) {
        if (ngx_http_missedcall_random(rnd, sizeof(rnd)) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_http_missedcall_code_make(rnd, sizeof(rnd),
                                          op->lcf->sms.code_length,
                                          (char *) op->code))
        {
            break;
        }
    }

    ngx_explicit_memzero(rnd, sizeof(rnd));

    if (i == 4) {
        return NGX_ERROR;
    }

    return ngx_http_missedcall_op_secret(op, op->code,
                                         op->lcf->sms.code_length, hash);
}


static void
ngx_http_missedcall_sms_wipe(void *data)
{
    ngx_http_missedcall_op_t *op = data;

    ngx_explicit_memzero(op->code, sizeof(op->code));
}


/* the session is reserved: its message goes to the first gateway */

void
ngx_http_missedcall_sms_send(ngx_http_missedcall_op_t *op)
{
    u_char                              *text;
    ngx_int_t                            rc;
    ngx_str_t                            body;
    ngx_http_missedcall_curl_req_t      *req;
    ngx_http_missedcall_sms_conf_t      *sms;
    ngx_http_missedcall_gateway_conf_t  *gw;

    sms = &op->lcf->sms;
    gw = op->lcf->gateways->elts;
    op->gw = gw;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: message %V to gateway \"%V\"",
                   &op->sid, &op->call_id, &gw->name);

    text = ngx_pnalloc(op->pool, NGX_HTTP_MISSEDCALL_SMS_TEXT_MAX);

    /* the cycle's log: the transfer may outlive the client's connection */
    req = ngx_http_missedcall_curl_create(ngx_cycle->log, gw->timeout,
                                          &gw->ca_file);
    rc = NGX_ERROR;

    if (text && req) {
        body.data = text;
        body.len = ngx_http_missedcall_code_body((char *) sms->text.data,
                                            sms->text.len, (char *) op->code,
                                            (char *) sms->app_hash.data,
                                            sms->app_hash.len, (char *) text,
                                            NGX_HTTP_MISSEDCALL_SMS_TEXT_MAX);

        rc = body.len ? gw->type->sms_prepare(op, req, &body) : NGX_ERROR;

        ngx_explicit_memzero(text, NGX_HTTP_MISSEDCALL_SMS_TEXT_MAX);
    }

    ngx_explicit_memzero(op->code, sizeof(op->code));

    if (rc != NGX_OK
        || ngx_http_missedcall_curl_start(req, ngx_http_missedcall_sms_sent,
                                          op)
           != NGX_OK)
    {
        if (req) {
            ngx_http_missedcall_curl_free(req);
        }

        ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY, "gateway_error",
                                    "the message could not be sent");
        ngx_http_missedcall_undo(op);
    }
}


static void
ngx_http_missedcall_sms_sent(ngx_http_missedcall_curl_req_t *req)
{
    ngx_http_missedcall_op_t *op = req->data;

    ngx_int_t  rc;

    rc = (req->code == CURLE_OK)
         ? op->gw->type->sms_result(op, req)
         : ngx_http_missedcall_op_unanswered(op, req, "message",
                                             "the message could not be sent");

    op->gateway_ms = (ngx_msec_int_t) req->elapsed;
    ngx_http_missedcall_curl_free(req);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway answered: %s, %M ms",
                   &op->sid, rc == NGX_OK ? "sent" : "not sent",
                   op->gateway_ms);

    if (rc != NGX_OK) {
        ngx_http_missedcall_undo(op);
        return;
    }

    ngx_http_missedcall_confirm(op);
}


/* the 202 of an SMS session: the code's length, and why, if a fallback */

json_t *
ngx_http_missedcall_sms_answer(ngx_http_missedcall_op_t *op,
    u_char *expires_at, int64_t left)
{
    json_t  *json;

    json = json_pack("{s:s, s:s#, s:s, s:I, s:s, s:I}",
                     "detail",
                     op->fallback ? "The call could not be placed: a code "
                                    "was sent by text message instead."
                                  : "A code was sent by text message.",
                     "session_id", op->sid.data, (int) op->sid.len,
                     "expires_at", expires_at,
                     "expires_in", (json_int_t) ((left + 999) / 1000),
                     "channel", "sms",
                     "digits", (json_int_t) op->lcf->sms.code_length);

    if (json && (op->fallback || op->replaced)
        && json_object_set_new(json, "fallback",
                               json_string(op->fallback
                                           ? "call_failed"
                                           : "call_not_received")))
    {
        json_decref(json);
        return NULL;
    }

    return json;
}


/* the SMS settings a location inherits, their values checked */

char *
ngx_http_missedcall_sms_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev)
{
    char                            text[NGX_HTTP_MISSEDCALL_SMS_TEXT_MAX];
    ngx_http_missedcall_sms_conf_t  *sms;

    static char  longest[] = "0000000000";

    sms = &conf->sms;

    ngx_conf_merge_uint_value(sms->code_length, prev->sms.code_length,
                              NGX_HTTP_MISSEDCALL_CODE_MIN);
    ngx_conf_merge_str_value(sms->text, prev->sms.text,
                             "Your verification code is {code}");
    ngx_conf_merge_str_value(sms->app_hash, prev->sms.app_hash, "");
    ngx_conf_merge_uint_value(sms->fallback, prev->sms.fallback, 0);
    ngx_conf_merge_str_value(conf->gateway.service, prev->gateway.service,
                             "");

    if (sms->app_hash.len
        && !ngx_http_missedcall_code_app_hash_valid(
                                            (char *) sms->app_hash.data,
                                            sms->app_hash.len))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"missedcall_sms_app_hash\" \"%V\" is not an "
                           "app hash: 11 characters of base64, as Android's "
                           "AppSignatureHelper prints it", &sms->app_hash);
        return NGX_CONF_ERROR;
    }

    /* the longest code and the hash must fit the message */
    if (ngx_http_missedcall_code_body((char *) sms->text.data, sms->text.len,
                                      longest, (char *) sms->app_hash.data,
                                      sms->app_hash.len, text, sizeof(text))
        == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"missedcall_sms_template\" needs \"{code}\" and "
                           "at most %d characters with the code and the app "
                           "hash", NGX_HTTP_MISSEDCALL_SMS_TEXT_MAX);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* a request location that may send SMS needs a gateway that sends them */

char *
ngx_http_missedcall_sms_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = lcf->gateways->nelts ? lcf->gateways->elts : NULL;

    if (gw && gw->type->sms_prepare == NULL
        && (lcf->channel == NGX_HTTP_MISSEDCALL_CH_SMS || lcf->sms.fallback))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\" needs a first gateway that sends text "
                           "messages, \"twilio\" or \"http\", not \"%V\"",
                           lcf->sms.fallback ? "missedcall_fallback sms"
                                             : "missedcall_channel sms",
                           &gw->type->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* what nginx -t says names the directive: "... directive takes ..." */

static char *
ngx_http_missedcall_code_length_check(ngx_conf_t *cf, void *post,
    void *data)
{
    ngx_uint_t  *n = data;

    if (*n < NGX_HTTP_MISSEDCALL_CODE_MIN || *n > NGX_HTTP_MISSEDCALL_CODE_MAX)
    {
        return "takes 6 to 10 digits";
    }

    return NGX_CONF_OK;
}


/* missedcall_fallback sms | off; */

char *
ngx_http_missedcall_fallback(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_str_t  *value;

    if (lcf->sms.fallback != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "sms") == 0) {
        lcf->sms.fallback = 1;

    } else if (ngx_strcmp(value[1].data, "off") == 0) {
        lcf->sms.fallback = 0;

    } else {
        return "takes \"sms\" or \"off\"";
    }

    return NGX_CONF_OK;
}
