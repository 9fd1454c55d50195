
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The session store and the flows built on it.  Every state change is one
 * Lua script, so that concurrent requests on any node see a session in one
 * state only.  Caller ids are never compared in the clear: the reserving
 * script stores sha1(salt . suffix) for each caller-id suffix length it
 * accepts, and the verifying script hashes the received digits the same
 * way, so a comparison's timing says nothing about the caller number.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_keys.h"
#include "ngx_http_missedcall_scripts.h"


#define NGX_HTTP_MISSEDCALL_TOKEN_MAX        1024


static void ngx_http_missedcall_request_body(ngx_http_request_t *r);
static void ngx_http_missedcall_reserved(redisReply *reply, void *data);
static void ngx_http_missedcall_called(ngx_http_missedcall_curl_req_t *req);
static void ngx_http_missedcall_confirmed(redisReply *reply, void *data);
static void ngx_http_missedcall_replicated(redisReply *reply, void *data);
static void ngx_http_missedcall_accepted(ngx_http_missedcall_op_t *op);
static void ngx_http_missedcall_undo(ngx_http_missedcall_op_t *op);
static void ngx_http_missedcall_dispatch(ngx_event_t *ev);
static void ngx_http_missedcall_undone(redisReply *reply, void *data);
static void ngx_http_missedcall_verify_body(ngx_http_request_t *r);
static void ngx_http_missedcall_verified(redisReply *reply, void *data);
static void ngx_http_missedcall_invalid_session(ngx_http_missedcall_op_t *op);
static void ngx_http_missedcall_status_done(redisReply *reply, void *data);

static ngx_http_missedcall_body_t *ngx_http_missedcall_parse(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_phone(ngx_http_request_t *r,
    ngx_str_t *value, ngx_str_t *phone);
static ngx_uint_t ngx_http_missedcall_field(ngx_http_missedcall_body_t *body,
    ngx_http_missedcall_field_e f, ngx_str_t *value);
static void ngx_http_missedcall_op_detach(void *data);
static ngx_int_t ngx_http_missedcall_op_key(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_key_e kind, ngx_str_t *id, ngx_str_t *key);
static ngx_int_t ngx_http_missedcall_reply_is(redisReply *reply,
    const char *word, size_t elements);
static void ngx_http_missedcall_args(ngx_str_t *arg, u_char **p,
    ngx_uint_t value);


ngx_int_t
ngx_http_missedcall_request_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r, ngx_http_missedcall_request_body);
}


static void
ngx_http_missedcall_request_body(ngx_http_request_t *r)
{
    u_char                           salt[16], rnd[8], *p;
    uint64_t                         n;
    ngx_str_t                       *keys, *args, *arg, phone, value;
    ngx_uint_t                       i, nl, nk, na;
    ngx_http_missedcall_limit_t     *limit;
    ngx_http_missedcall_op_t        *op;
    ngx_http_missedcall_body_t      *body;
    ngx_http_missedcall_loc_conf_t  *lcf;

    body = ngx_http_missedcall_parse(r);
    if (body == NULL) {
        return;
    }

    if (!ngx_http_missedcall_field(body, NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER,
                                   &value))
    {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "missing_field",
                                  "\"phone_number\" is required"));
        return;
    }

    if (ngx_http_missedcall_phone(r, &value, &phone) != NGX_OK) {
        return;
    }

    if (!ngx_http_missedcall_signature_ok(r, body)) {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_FORBIDDEN, "invalid_app_signature",
                                  "\"app_signature\" is missing or unknown"));
        return;
    }

    if (!ngx_http_missedcall_country_ok(r, &phone)) {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_FORBIDDEN, "country_not_allowed",
                                  "calls to this country are not allowed"));
        return;
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    lcf = op->lcf;

    op->addr.len = r->connection->addr_text.len;
    op->addr.data = ngx_pstrdup(op->pool, &r->connection->addr_text);
    op->phone.data = ngx_pstrdup(op->pool, &phone);
    op->phone.len = phone.len;
    op->sid.data = ngx_pnalloc(op->pool, NGX_HTTP_MISSEDCALL_UUID_LEN);
    op->sid.len = NGX_HTTP_MISSEDCALL_UUID_LEN;
    op->call_id.data = ngx_pnalloc(op->pool, NGX_HTTP_MISSEDCALL_UUID_LEN);
    op->call_id.len = NGX_HTTP_MISSEDCALL_UUID_LEN;

    /* the keys, then the arguments, in one argv */

    nl = lcf->limits ? lcf->limits->nelts : 0;
    nk = NGX_HTTP_MISSEDCALL_RESERVE_KEYS + nl;
    na = NGX_HTTP_MISSEDCALL_RESERVE_ARGS + 2 * nl;

    keys = ngx_palloc(op->pool, (nk + na) * sizeof(ngx_str_t));
    p = ngx_pnalloc(op->pool, NGX_INT64_LEN + 2 * sizeof(salt)
                              + (8 + 2 * nl) * NGX_INT_T_LEN);

    if (keys == NULL || p == NULL || op->addr.data == NULL
        || op->phone.data == NULL || op->sid.data == NULL
        || op->call_id.data == NULL
        || ngx_http_missedcall_uuid(op->sid.data) != NGX_OK
        || ngx_http_missedcall_uuid(op->call_id.data) != NGX_OK
        || ngx_http_missedcall_random(salt, sizeof(salt)) != NGX_OK
        || ngx_http_missedcall_random(rnd, sizeof(rnd)) != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_POOL, NULL,
                              &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_POOL])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_SESSION,
                                      &op->sid, &op->session_key) != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_LAST,
                          &op->phone,
                          &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_LAST_CALLER])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_THROTTLE,
                              &lcf->gateway.account,
                              &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_THROTTLE])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_RESEND,
                                      &op->phone, &op->resend_key) != NGX_OK
        || ngx_http_missedcall_limit_keys(op,
                              &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_LIMITS])
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_SESSION] = op->session_key;
    keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_RESEND] = op->resend_key;

    /* the calling codes the phone may have: its first 3, 2 and 1 digits */
    for (i = 0; i < 3; i++) {
        value.data = op->phone.data + 1;
        value.len = 3 - i;

        if (ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_POOL_CODE,
                               &value,
                               &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_CODE3 + i])
            != NGX_OK)
        {
            ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                           NULL);
            return;
        }
    }

    args = keys + nk;

    ngx_memcpy(&n, rnd, sizeof(n));
    arg = &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_RANDOM];
    arg->data = p;
    p = ngx_sprintf(p, "%uL", n >> 11);
    arg->len = p - arg->data;

    args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_PHONE] = op->phone;

    arg = &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_TTL];
    arg->data = p;
    p = ngx_sprintf(p, "%M", lcf->session_ttl);
    arg->len = p - arg->data;

    /* an expired session still answers "status" for another ttl */
    args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_KEEP] = *arg;

    arg = &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_SALT];
    arg->data = p;
    p = ngx_hex_dump(p, salt, sizeof(salt));
    arg->len = p - arg->data;

    args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_CALL_ID] = op->call_id;

    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_DIGITS],
                             &p, lcf->match_digits);
    ngx_http_missedcall_args(
                        &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_MAX_ATTEMPTS],
                        &p, lcf->max_attempts);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_INTERVAL],
                             &p, lcf->gateway.interval);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_MAX_DELAY],
                             &p, lcf->gateway.max_delay);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_RESEND_MS],
                             &p, lcf->resend);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_NLIMITS],
                             &p, nl);

    limit = nl ? lcf->limits->elts : NULL;
    arg = &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_LIMITS];

    for (i = 0; i < nl; i++) {
        ngx_http_missedcall_args(&arg[2 * i], &p, limit[i].count);
        ngx_http_missedcall_args(&arg[2 * i + 1], &p, limit[i].window);
    }

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_reserve, nk,
                                nk + na,
                                keys, ngx_http_missedcall_reserved);
}


static void
ngx_http_missedcall_reserved(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    int64_t  wait;

    if (ngx_http_missedcall_reply_is(reply, "pool_empty", 1)) {
        ngx_log_error(NGX_LOG_ERR, op->log, 0,
                      "missedcall: the caller number pool in Redis is empty");
        ngx_http_missedcall_op_error(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                     "pool_empty",
                                     "no caller number is available");
        return;
    }

    if (ngx_http_missedcall_reply_is(reply, "limited", 3)
        && reply->element[1]->type == REDIS_REPLY_INTEGER
        && reply->element[2]->type == REDIS_REPLY_INTEGER)
    {
        ngx_http_missedcall_limited(op, (ngx_uint_t) reply->element[1]->integer,
                                    reply->element[2]->integer);
        ngx_http_missedcall_op_error(op, op->status, op->error, op->message);
        return;
    }

    if (ngx_http_missedcall_reply_is(reply, "throttled", 2)
        && reply->element[1]->type == REDIS_REPLY_INTEGER)
    {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "gateway_busy",
                                    "too many calls are waiting to be "
                                    "placed, try again later");
        op->retry_after = (time_t) (reply->element[1]->integer + 999) / 1000;
        ngx_http_missedcall_op_error(op, op->status, op->error, op->message);
        return;
    }

    if (!ngx_http_missedcall_reply_is(reply, "ok", 4)
        || reply->element[1]->type != REDIS_REPLY_STRING
        || reply->element[2]->type != REDIS_REPLY_INTEGER
        || reply->element[3]->type != REDIS_REPLY_INTEGER)
    {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    op->caller.len = reply->element[1]->len;
    op->caller.data = ngx_pnalloc(op->pool, op->caller.len);
    if (op->caller.data == NULL) {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "internal_error", "internal error");
        ngx_http_missedcall_undo(op);
        return;
    }

    ngx_memcpy(op->caller.data, reply->element[1]->str, op->caller.len);
    op->expires_ms = reply->element[2]->integer;
    wait = reply->element[3]->integer;

    op->delay.handler = ngx_http_missedcall_dispatch;
    op->delay.data = op;
    op->delay.log = ngx_cycle->log;

    if (wait <= 0) {
        ngx_http_missedcall_dispatch(&op->delay);
        return;
    }

    /* the call's slot is later: a timer, so that nothing else waits */
    ngx_add_timer(&op->delay, (ngx_msec_t) wait);
}


static void
ngx_http_missedcall_dispatch(ngx_event_t *ev)
{
    ngx_http_missedcall_op_t *op = ev->data;

    ngx_http_missedcall_curl_req_t      *req;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = &op->lcf->gateway;

    /* the cycle's log: the transfer may outlive the client's connection */
    req = ngx_http_missedcall_curl_create(ngx_cycle->log, gw->timeout,
                                          &gw->ca_file);
    if (req == NULL) {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "internal_error", "internal error");
        ngx_http_missedcall_undo(op);
        return;
    }

    if (gw->type->prepare(op, req) != NGX_OK
        || ngx_http_missedcall_curl_start(req, ngx_http_missedcall_called, op)
           != NGX_OK)
    {
        ngx_http_missedcall_curl_free(req);
        ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY, "gateway_error",
                                    "the call could not be placed");
        ngx_http_missedcall_undo(op);
    }
}


static void
ngx_http_missedcall_called(ngx_http_missedcall_curl_req_t *req)
{
    ngx_http_missedcall_op_t *op = req->data;

    u_char     *p;
    ngx_int_t   rc;
    ngx_str_t   argv[NGX_HTTP_MISSEDCALL_CONFIRM_ARGC], *args;

    if (req->code == CURLE_OK) {
        rc = op->lcf->gateway.type->result(op, req);

    } else {
        ngx_log_error(NGX_LOG_ERR, op->log, 0,
                      "missedcall gateway \"%V\": call %V failed after %M ms: "
                      "%s", &op->lcf->gateway.type->name, &op->call_id,
                      req->elapsed,
                      req->errbuf[0] ? req->errbuf
                                     : curl_easy_strerror(req->code));

        if (req->code == CURLE_OPERATION_TIMEDOUT) {
            ngx_http_missedcall_op_fail(op, NGX_HTTP_GATEWAY_TIME_OUT,
                                        "gateway_timeout",
                                        "the telephony gateway did not "
                                        "answer in time");
        } else {
            ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY,
                                        "gateway_error",
                                        "the call could not be placed");
        }

        rc = NGX_ERROR;
    }

    op->gateway_ms = (ngx_msec_int_t) req->elapsed;
    ngx_http_missedcall_metrics_call(op->lcf->gateway.type
                                     == &ngx_http_missedcall_gateway_twilio,
                                     rc == NGX_OK ? NULL : op->error,
                                     req->elapsed);

    ngx_http_missedcall_curl_free(req);

    if (rc != NGX_OK) {
        ngx_http_missedcall_undo(op);
        return;
    }

    args = argv + NGX_HTTP_MISSEDCALL_CONFIRM_KEYS;
    argv[NGX_HTTP_MISSEDCALL_CONFIRM_KEY_SESSION] = op->session_key;
    args[NGX_HTTP_MISSEDCALL_CONFIRM_ARG_SESSION_ID] = op->sid;
    args[NGX_HTTP_MISSEDCALL_CONFIRM_ARG_GATEWAY_SID] = op->gateway_sid;
    args[NGX_HTTP_MISSEDCALL_CONFIRM_ARG_PHONE] = op->phone;
    args[NGX_HTTP_MISSEDCALL_CONFIRM_ARG_CALLER] = op->caller;
    args[NGX_HTTP_MISSEDCALL_CONFIRM_ARG_CALL_ID] = op->call_id;

    p = ngx_pnalloc(op->pool, NGX_INT_T_LEN);

    if (p == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PHONE,
                              &op->phone,
                              &argv[NGX_HTTP_MISSEDCALL_CONFIRM_KEY_PHONE])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_NUMBER,
                              &op->caller,
                              &argv[NGX_HTTP_MISSEDCALL_CONFIRM_KEY_NUMBER])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_EVENTS,
                              NULL,
                              &argv[NGX_HTTP_MISSEDCALL_CONFIRM_KEY_EVENTS])
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_CONFIRM_ARG_EVENTS_MAX],
                             &p, op->mcf->events_max);

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_confirm,
                                NGX_HTTP_MISSEDCALL_CONFIRM_KEYS,
                                NGX_HTTP_MISSEDCALL_CONFIRM_ARGC, argv,
                                ngx_http_missedcall_confirmed);
}


static void
ngx_http_missedcall_confirmed(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    u_char      *p;
    ngx_str_t    argv[3];

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER
        || reply->integer != 1)
    {
        /* placed, but the session expired or Redis went away meanwhile */
        ngx_log_error(NGX_LOG_ERR, op->log, 0,
                      "missedcall: call %V placed but its session could not "
                      "be activated", &op->call_id);
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    if (op->mcf->redis.wait == 0) {
        ngx_http_missedcall_accepted(op);
        return;
    }

    /* 202 only once replicas hold the session: a failover cannot lose it */

    p = ngx_pnalloc(op->pool, 2 * NGX_INT_T_LEN);
    if (p == NULL) {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    ngx_str_set(&argv[0], "WAIT");
    ngx_http_missedcall_args(&argv[1], &p, op->mcf->redis.wait);
    ngx_http_missedcall_args(&argv[2], &p, op->mcf->redis.wait_timeout);

    if (ngx_http_missedcall_redis_command(3, argv,
                                          ngx_http_missedcall_replicated, op)
        != NGX_OK)
    {
        ngx_http_missedcall_replicated(NULL, op);
    }
}


static void
ngx_http_missedcall_replicated(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    if (reply && reply->type == REDIS_REPLY_INTEGER
        && reply->integer >= (long long) op->mcf->redis.wait)
    {
        ngx_http_missedcall_accepted(op);
        return;
    }

    ngx_log_error(NGX_LOG_ERR, op->log, 0,
                  "missedcall: session of call %V reached %L of %ui "
                  "replicas in time, withdrawn", &op->call_id,
                  (int64_t) (reply && reply->type == REDIS_REPLY_INTEGER
                             ? reply->integer : 0),
                  op->mcf->redis.wait);

    /* the caller number did nothing wrong */
    ngx_str_null(&op->caller);

    ngx_http_missedcall_op_fail(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                "service_unavailable",
                                "the session store could not keep the "
                                "session safe, try again");
    ngx_http_missedcall_undo(op);
}


/* the call is placed and its session verifiable: 202 */

static void
ngx_http_missedcall_accepted(ngx_http_missedcall_op_t *op)
{
    u_char      *hint, iso[sizeof("1970-01-01T00:00:00Z")];
    json_t      *json;
    int64_t      left;
    ngx_tm_t     tm;
    ngx_time_t  *tp;
    ngx_uint_t   digits;

    ngx_gmtime((time_t) (op->expires_ms / 1000), &tm);
    ngx_sprintf(iso, "%4d-%02d-%02dT%02d:%02d:%02dZ%Z",
                tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec);

    tp = ngx_timeofday();
    left = op->expires_ms - ((int64_t) tp->sec * 1000 + tp->msec);
    left = ngx_max(left, 0);
    digits = op->lcf->match_digits;

    json = json_pack("{s:s, s:s#, s:s, s:I, s:s}",
                     "detail",
                     "Flash call initiated. Please observe incoming calls.",
                     "session_id", op->sid.data, (int) op->sid.len,
                     "expires_at", iso,
                     "expires_in", (json_int_t) ((left + 999) / 1000),
                     "match", digits ? "last_digits" : "full");

    if (json && digits) {
        hint = ngx_pnalloc(op->pool, op->caller.len);
        if (hint == NULL) {
            json_decref(json);
            json = NULL;

        } else {
            ngx_http_missedcall_phone_mask(op->caller.data, op->caller.len,
                                           digits, 0, hint);

            if (json_object_set_new(json, "caller_hint",
                                    json_stringn((char *) hint,
                                                 op->caller.len))
                || json_object_set_new(json, "digits",
                                       json_integer((json_int_t) digits)))
            {
                json_decref(json);
                json = NULL;
            }
        }
    }

    ngx_log_error(NGX_LOG_INFO, op->log, 0,
                  "missedcall: call %V placed", &op->call_id);

    ngx_http_missedcall_op_respond(op, NGX_HTTP_ACCEPTED, json);
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
 * The call was not placed: no session may stay behind.  The failure counts
 * against the caller number, which is disabled when it keeps failing.
 */

static void
ngx_http_missedcall_undo(ngx_http_missedcall_op_t *op)
{
    u_char     *p;
    ngx_str_t   argv[NGX_HTTP_MISSEDCALL_FAIL_ARGC], *args, none;

    args = argv + NGX_HTTP_MISSEDCALL_FAIL_KEYS;
    argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_SESSION] = op->session_key;
    argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_RESEND] = op->resend_key;
    args[NGX_HTTP_MISSEDCALL_FAIL_ARG_CALLER] = op->caller;
    args[NGX_HTTP_MISSEDCALL_FAIL_ARG_REASON] = op->fault;
    args[NGX_HTTP_MISSEDCALL_FAIL_ARG_SESSION_ID] = op->sid;
    ngx_str_null(&argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_NUMBER]);
    ngx_str_null(&none);

    p = ngx_pnalloc(op->pool, 2 * NGX_INT_T_LEN);

    if (p == NULL
        || (op->caller.len
            && ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_NUMBER,
                              &op->caller,
                              &argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_NUMBER])
               != NGX_OK)
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_POOL, NULL,
                              &argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_POOL])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_EVENTS, NULL,
                              &argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_EVENTS])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PHONE,
                              &op->phone,
                              &argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_PHONE])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_POOL_CODE,
                              &none,
                              &args[NGX_HTTP_MISSEDCALL_FAIL_ARG_CODE_PREFIX])
           != NGX_OK)
    {
        ngx_http_missedcall_undone(NULL, op);
        return;
    }

    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_FAIL_ARG_MAX_FAILURES],
                             &p, op->mcf->max_failures);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_FAIL_ARG_EVENTS_MAX],
                             &p, op->mcf->events_max);

    if (ngx_http_missedcall_redis_eval(&ngx_http_missedcall_script_fail,
                                       NGX_HTTP_MISSEDCALL_FAIL_KEYS,
                                       NGX_HTTP_MISSEDCALL_FAIL_ARGC, argv,
                                       ngx_http_missedcall_undone, op)
        != NGX_OK)
    {
        /* left in state "calling", it never verifies and soon expires */
        ngx_http_missedcall_undone(NULL, op);
    }
}


static void
ngx_http_missedcall_undone(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_WARN, op->log, 0,
                      "missedcall: session of failed call %V not deleted, "
                      "it expires unverifiable", &op->call_id);

    } else if (reply->integer > 0) {
        ngx_log_error(NGX_LOG_ERR, op->log, 0,
                      "missedcall: caller number %V disabled: %L calls in a "
                      "row refused by the gateway, the last: %V",
                      &op->caller, (int64_t) reply->integer, &op->fault);
    }

    ngx_http_missedcall_op_error(op, op->status, op->error, op->message);
}


ngx_int_t
ngx_http_missedcall_verify_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r, ngx_http_missedcall_verify_body);
}


static void
ngx_http_missedcall_verify_body(ngx_http_request_t *r)
{
    u_char                      *p;
    ngx_str_t                    argv[NGX_HTTP_MISSEDCALL_VERIFY_ARGC];
    ngx_str_t                   *args, id, digits, phone, value;
    ngx_http_missedcall_op_t    *op;
    ngx_http_missedcall_body_t  *body;

    body = ngx_http_missedcall_parse(r);
    if (body == NULL) {
        return;
    }

    if (!ngx_http_missedcall_field(body,
                                   NGX_HTTP_MISSEDCALL_F_RECEIVED_CALLER_ID,
                                   &value))
    {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "missing_field",
                                  "\"received_caller_id\" is required"));
        return;
    }

    digits.data = ngx_pnalloc(r->pool, NGX_HTTP_MISSEDCALL_CALLERID_MAX);

    if (digits.data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    digits.len = ngx_http_missedcall_callerid_digits(value.data, value.len,
                                                     digits.data);

    if (digits.len == 0) {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_caller_id",
                                  "\"received_caller_id\" is not a phone "
                                  "number"));
        return;
    }

    phone.len = 0;

    if (!ngx_http_missedcall_field(body, NGX_HTTP_MISSEDCALL_F_SESSION_ID,
                                   &id))
    {
        if (!ngx_http_missedcall_field(body,
                                       NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER,
                                       &value))
        {
            ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                      NGX_HTTP_BAD_REQUEST, "missing_field",
                                      "\"session_id\" or \"phone_number\" "
                                      "is required"));
            return;
        }

        if (ngx_http_missedcall_phone(r, &value, &phone) != NGX_OK) {
            return;
        }
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    args = argv + NGX_HTTP_MISSEDCALL_VERIFY_KEYS;
    ngx_str_null(&argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_SESSION]);
    ngx_str_null(&argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_PHONE]);
    args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_DIGITS] = digits;
    ngx_str_null(&args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_SESSION_ID]);

    if (phone.len) {
        if (ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PHONE,
                                &phone,
                                &argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_PHONE])
            != NGX_OK)
        {
            ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                           NULL);
            return;
        }

    } else if (!ngx_http_missedcall_uuid_valid(id.data, id.len)) {
        /* no such session can exist: the same answer as any unknown one */
        ngx_http_missedcall_invalid_session(op);
        return;

    } else if (ngx_http_missedcall_op_key(op,
                                  NGX_HTTP_MISSEDCALL_KEY_SESSION, &id,
                                  &argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_SESSION])
               != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    p = ngx_pnalloc(op->pool, NGX_INT_T_LEN);

    if (p == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_EVENTS,
                          NULL, &argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_EVENTS])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_SESSION,
                          &args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_SESSION_ID],
                          &args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_SESSION_PREFIX])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_NUMBER,
                          &args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_SESSION_ID],
                          &args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_NUMBER_PREFIX])
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    if (argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_SESSION].len) {
        args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_SESSION_ID] = id;
    }

    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_EVENTS_MAX],
                             &p, op->mcf->events_max);

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_verify,
                                NGX_HTTP_MISSEDCALL_VERIFY_KEYS,
                                NGX_HTTP_MISSEDCALL_VERIFY_ARGC, argv,
                                ngx_http_missedcall_verified);
}


static void
ngx_http_missedcall_verified(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    char                              *token;
    size_t                             len;
    json_t                            *json;
    ngx_str_t                          jti, eid;
    redisReply                        *e;
    ngx_http_missedcall_ctx_t         *ctx;
    ngx_http_missedcall_jwt_key_t     *key;
    ngx_http_missedcall_jwt_claims_t   claims;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    /* the session's id comes last, for $missedcall_verification_id */
    e = reply->elements > 1 ? reply->element[reply->elements - 1] : NULL;

    if (e && e->type == REDIS_REPLY_STRING
        && ngx_http_missedcall_uuid_valid((u_char *) e->str, e->len))
    {
        op->sid.len = e->len;
        op->sid.data = ngx_pnalloc(op->pool, e->len);

        if (op->sid.data == NULL) {
            op->sid.len = 0;

        } else {
            ngx_memcpy(op->sid.data, e->str, e->len);
        }
    }

    if (ngx_http_missedcall_reply_is(reply, "mismatch", 3)
        && reply->element[1]->type == REDIS_REPLY_INTEGER)
    {
        json = json_pack("{s:s, s:s, s:s, s:I}",
                         "error", "caller_id_mismatch",
                         "message", "the caller id does not match",
                         "detail", "the caller id does not match",
                         "attempts_left",
                         (json_int_t) reply->element[1]->integer);
        ngx_http_missedcall_op_respond(op, NGX_HTTP_BAD_REQUEST, json);
        return;
    }

    if (ngx_http_missedcall_reply_is(reply, "burned", 2)) {
        json = json_pack("{s:s, s:s, s:s, s:i}",
                         "error", "caller_id_mismatch",
                         "message", "the caller id does not match; no "
                                    "attempts are left, request a new call",
                         "detail", "the caller id does not match; no "
                                   "attempts are left, request a new call",
                         "attempts_left", 0);
        ngx_http_missedcall_op_respond(op, NGX_HTTP_BAD_REQUEST, json);
        return;
    }

    if (!ngx_http_missedcall_reply_is(reply, "ok", 4)
        || reply->element[2]->type != REDIS_REPLY_STRING
        || reply->element[1]->type != REDIS_REPLY_STRING
        || reply->element[1]->len > NGX_HTTP_MISSEDCALL_JWT_SUB_MAX)
    {
        ngx_http_missedcall_invalid_session(op);
        return;
    }

    /* the session is consumed: issue the token */

    ngx_memzero(&claims, sizeof(claims));
    ngx_memcpy(claims.sub, reply->element[1]->str, reply->element[1]->len);

    op->phone.len = reply->element[1]->len;
    op->phone.data = (u_char *) claims.sub;

    jti.len = NGX_HTTP_MISSEDCALL_UUID_LEN;
    jti.data = (u_char *) claims.jti;

    token = ngx_pnalloc(op->pool, NGX_HTTP_MISSEDCALL_TOKEN_MAX);

    if (token == NULL || ngx_http_missedcall_uuid(jti.data) != NGX_OK) {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    claims.iat = ngx_time();
    claims.exp = claims.iat + op->lcf->token_ttl;

    key = op->mcf->keys->elts;

    len = ngx_http_missedcall_jwt_sign(&key[0], &claims, NULL, token,
                                       NGX_HTTP_MISSEDCALL_TOKEN_MAX);
    if (len == 0) {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    if (op->r) {
        ctx = ngx_http_missedcall_get_ctx(op->r);

        if (ctx) {
            ctx->phone.len = ngx_strlen(claims.sub);
            ctx->phone.data = ngx_pnalloc(op->r->pool, ctx->phone.len);
            ctx->token_id.len = jti.len;
            ctx->token_id.data = ngx_pnalloc(op->r->pool, jti.len);

            if (ctx->phone.data && ctx->token_id.data) {
                ngx_memcpy(ctx->phone.data, claims.sub, ctx->phone.len);
                ngx_memcpy(ctx->token_id.data, jti.data, jti.len);

            } else {
                ngx_str_null(&ctx->phone);
                ngx_str_null(&ctx->token_id);
            }
        }
    }

    if (op->lcf->webhook.url.len) {
        eid.data = (u_char *) reply->element[2]->str;
        eid.len = reply->element[2]->len;

        ngx_http_missedcall_webhook_send(op, &jti, &eid);
    }

    json = json_pack("{s:s, s:b, s:s, s:s#, s:s, s:I}",
                     "detail", "Verification successful.",
                     "verified", 1,
                     "phone_number", claims.sub,
                     "token", token, (int) len,
                     "token_type", "Bearer",
                     "expires_in", (json_int_t) op->lcf->token_ttl);

    ngx_http_missedcall_op_respond(op, NGX_HTTP_OK, json);
}


/* unknown, expired, used, burned or malformed: one answer reveals nothing */

static void
ngx_http_missedcall_invalid_session(ngx_http_missedcall_op_t *op)
{
    ngx_http_missedcall_op_error(op, NGX_HTTP_BAD_REQUEST, "invalid_session",
                                 "no pending verification matches: it is "
                                 "unknown, expired or already used");
}


ngx_int_t
ngx_http_missedcall_status_handler(ngx_http_request_t *r)
{
    u_char                    *p, *last;
    ngx_int_t                  rc;
    ngx_str_t                  id, key;
    ngx_http_missedcall_op_t  *op;

    if (!ngx_http_missedcall_get_only(r, &rc)) {
        return rc;
    }

    /* the id is the last segment of ".../status/<id>[/]" */

    last = r->uri.data + r->uri.len;

    if (last > r->uri.data && last[-1] == '/') {
        last--;
    }

    for (p = last; p > r->uri.data && p[-1] != '/'; p--) { /* void */ }

    id.data = p;
    id.len = last - p;

    if (!ngx_http_missedcall_uuid_valid(id.data, id.len)) {
        return ngx_http_missedcall_send_error(r, NGX_HTTP_NOT_FOUND,
                                              "not_found",
                                              "no such session");
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* from here on the op finalizes the request */
    r->main->count++;

    op->sid.data = ngx_pstrdup(op->pool, &id);
    op->sid.len = id.len;

    if (op->sid.data == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_SESSION,
                                      &id, &key)
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return NGX_DONE;
    }

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_status,
                                NGX_HTTP_MISSEDCALL_STATUS_KEYS,
                                NGX_HTTP_MISSEDCALL_STATUS_ARGC, &key,
                                ngx_http_missedcall_status_done);

    return NGX_DONE;
}


static void
ngx_http_missedcall_status_done(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    json_t     *json;
    int64_t     left;
    ngx_str_t   state;
    ngx_uint_t  verified, expired;

    if (reply && reply->type == REDIS_REPLY_NIL) {
        ngx_http_missedcall_op_error(op, NGX_HTTP_NOT_FOUND, "not_found",
                                     "no such session");
        return;
    }

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[1]->type != REDIS_REPLY_INTEGER)
    {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    state.data = (u_char *) reply->element[0]->str;
    state.len = reply->element[0]->len;
    left = reply->element[1]->integer;

    verified = (state.len == 8
                && ngx_strncmp(state.data, "verified", 8) == 0);
    expired = !verified && left <= 0;

    if (expired) {
        ngx_str_set(&state, "expired");

    } else if (state.len == 6 && ngx_strncmp(state.data, "burned", 6) == 0) {
        ngx_str_set(&state, "failed");
    }

    json = json_pack("{s:s#, s:s#, s:b, s:b, s:I}",
                     "session_id", op->sid.data, (int) op->sid.len,
                     "status", state.data, (int) state.len,
                     "is_verified", (int) verified,
                     "is_expired", (int) expired,
                     "time_remaining_seconds",
                     (json_int_t) (verified || left <= 0
                                   ? 0 : (left + 999) / 1000));

    ngx_http_missedcall_op_respond(op, NGX_HTTP_OK, json);
}


/*
 * Reads the body and parses it.  NULL: the request was answered and
 * finalized here.
 */

static ngx_http_missedcall_body_t *
ngx_http_missedcall_parse(ngx_http_request_t *r)
{
    u_char                         *msg;
    ngx_int_t                       rc;
    ngx_str_t                       raw;
    const char                     *field;
    ngx_http_missedcall_body_t     *body;
    ngx_http_missedcall_body_rc_e   brc;

    rc = ngx_http_missedcall_body(r, &raw);

    if (rc == NGX_DECLINED) {
        ngx_http_finalize_request(r, ngx_http_missedcall_too_large(r));
        return NULL;
    }

    body = ngx_palloc(r->pool, sizeof(ngx_http_missedcall_body_t));

    if (rc != NGX_OK || body == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NULL;
    }

    field = NULL;
    brc = ngx_http_missedcall_json_parse_body(raw.data, raw.len, body,
                                              &field);

    if (brc == NGX_HTTP_MISSEDCALL_BODY_OK) {
        return body;
    }

    if (brc == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD && field) {
        msg = ngx_pnalloc(r->pool, 128);
        if (msg == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return NULL;
        }

        ngx_sprintf(msg, "\"%s\" must be a string of at most %d bytes%Z",
                    field, NGX_HTTP_MISSEDCALL_FIELD_MAX);

        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_field",
                                  (char *) msg));
        return NULL;
    }

    ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                              NGX_HTTP_BAD_REQUEST, "invalid_json",
                              "the body must be a JSON object"));
    return NULL;
}


/* E.164 from what the client sent; NGX_DONE: refused and answered */

static ngx_int_t
ngx_http_missedcall_phone(ngx_http_request_t *r, ngx_str_t *value,
    ngx_str_t *phone)
{
    phone->data = ngx_pnalloc(r->pool, NGX_HTTP_MISSEDCALL_E164_LEN);
    if (phone->data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NGX_DONE;
    }

    phone->len = ngx_http_missedcall_phone_normalize(value->data, value->len,
                                                     phone->data);
    if (phone->len == 0) {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_phone_number",
                                  "\"phone_number\" is not a phone number in "
                                  "international format"));
        return NGX_DONE;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_http_missedcall_field(ngx_http_missedcall_body_t *body,
    ngx_http_missedcall_field_e f, ngx_str_t *value)
{
    value->data = (u_char *) body->value[f];
    value->len = body->len[f];

    return body->present[f];
}


ngx_http_missedcall_op_t *
ngx_http_missedcall_op_create(ngx_http_request_t *r)
{
    ngx_pool_t                 *pool;
    ngx_pool_cleanup_t         *cln;
    ngx_http_missedcall_op_t   *op;
    ngx_http_missedcall_ctx_t  *ctx;

    ctx = ngx_http_missedcall_get_ctx(r);
    if (ctx == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        return NULL;
    }

    op = ngx_pcalloc(pool, sizeof(ngx_http_missedcall_op_t));
    if (op == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    op->pool = pool;
    op->r = r;
    op->cln = cln;
    op->lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);
    op->mcf = ngx_http_get_module_main_conf(r, ngx_http_missedcall_module);
    op->log = r->connection->log;
    op->gateway_ms = -1;

    cln->handler = ngx_http_missedcall_op_detach;
    cln->data = op;

    ctx->op = op;

    return op;
}


/* the request is gone before its op ended: the op goes on alone */

static void
ngx_http_missedcall_op_detach(void *data)
{
    ngx_http_missedcall_op_t *op = data;

    op->r = NULL;
    op->log = ngx_cycle->log;
}


/*
 * Ends the op: its request, if still there, is returned to be answered
 * and finalized; what the log variables show is copied to it first.
 */

ngx_http_request_t *
ngx_http_missedcall_op_end(ngx_http_missedcall_op_t *op)
{
    u_char                     *p;
    ngx_http_request_t         *r;
    ngx_http_missedcall_ctx_t  *ctx;

    r = op->r;

    if (r) {
        op->cln->handler = NULL;
        op->r = NULL;

        ctx = ngx_http_missedcall_get_ctx(r);

        if (ctx && op->sid.len) {
            ctx->verification_id.data = ngx_pstrdup(r->pool, &op->sid);
            ctx->verification_id.len = ctx->verification_id.data
                                       ? op->sid.len : 0;
        }

        if (ctx && op->phone.len && op->admin == 0) {
            p = ngx_pnalloc(r->pool, op->phone.len);

            if (p) {
                ngx_http_missedcall_phone_mask(op->phone.data, op->phone.len,
                                               4, 1, p);
                ctx->phone_masked.data = p;
                ctx->phone_masked.len = op->phone.len;
            }
        }

        if (ctx && op->gateway_ms >= 0) {
            p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 4);

            if (p) {
                ctx->gateway_time.data = p;
                ctx->gateway_time.len = ngx_sprintf(p, "%T.%03M",
                                              (time_t) op->gateway_ms / 1000,
                                              op->gateway_ms % 1000)
                                        - p;
            }
        }
    }

    ngx_destroy_pool(op->pool);

    return r;
}


void
ngx_http_missedcall_finalize(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t  *c;

    c = r->connection;
    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* answers the client, if it is still there, and ends the op */

void
ngx_http_missedcall_op_respond(ngx_http_missedcall_op_t *op,
    ngx_uint_t status, json_t *json)
{
    u_char              *p;
    time_t               retry_after;
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    retry_after = op->retry_after;

    r = ngx_http_missedcall_op_end(op);

    if (r == NULL) {
        json_decref(json);
        return;
    }

    if (retry_after) {
        p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 1);

        if (p) {
            ngx_sprintf(p, "%T%Z", retry_after);
        }

        if (p == NULL
            || ngx_http_missedcall_add_header(r, "Retry-After", (char *) p)
               == NULL)
        {
            json_decref(json);
            json = NULL;
        }
    }

    if (json) {
        rc = ngx_http_missedcall_send_json(r, status, json);

    } else {
        rc = ngx_http_missedcall_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                            "internal_error",
                                            "internal error");
    }

    ngx_http_missedcall_finalize(r, rc);
}


void
ngx_http_missedcall_op_error(ngx_http_missedcall_op_t *op, ngx_uint_t status,
    const char *error, const char *message)
{
    ngx_http_missedcall_op_respond(op, status,
                                   ngx_http_missedcall_error_json(error,
                                                                  message));
}


void
ngx_http_missedcall_op_unavailable(ngx_http_missedcall_op_t *op)
{
    ngx_http_missedcall_op_error(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "service_unavailable",
                                 "the session store is unavailable");
}


/* runs a script for op; Redis unavailable right now: a 503 at once */

void
ngx_http_missedcall_op_eval(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_script_t *script, ngx_uint_t nkeys, ngx_uint_t argc,
    ngx_str_t *argv, ngx_http_missedcall_redis_pt handler)
{
    if (ngx_http_missedcall_redis_eval(script, nkeys, argc, argv, handler, op)
        != NGX_OK)
    {
        ngx_http_missedcall_op_unavailable(op);
    }
}


static ngx_int_t
ngx_http_missedcall_op_key(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_key_e kind, ngx_str_t *id, ngx_str_t *key)
{
    return ngx_http_missedcall_key_alloc(op->pool, op->mcf, kind, id, key);
}


/* a number argument, printed at *p */

static void
ngx_http_missedcall_args(ngx_str_t *arg, u_char **p, ngx_uint_t value)
{
    arg->data = *p;
    *p = ngx_sprintf(*p, "%ui", value);
    arg->len = *p - arg->data;
}


/* an array reply of the given size whose first element is word */

static ngx_int_t
ngx_http_missedcall_reply_is(redisReply *reply, const char *word,
    size_t elements)
{
    size_t  len;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != elements
        || reply->element[0]->type != REDIS_REPLY_STRING)
    {
        return 0;
    }

    len = ngx_strlen(word);

    return reply->element[0]->len == len
           && ngx_strncmp(reply->element[0]->str, word, len) == 0;
}
