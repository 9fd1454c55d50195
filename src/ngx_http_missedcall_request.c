
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The request flow: a phone asks for a call.  One script checks the limits
 * and reserves a caller number and a session ("calling"); the gateway is
 * asked to place the call; a transaction (confirm.c) confirms the session
 * ("pending") once the call is placed, or the session is undone, so that
 * no session stays behind a call that was not placed.
 *
 *   request_body -> reserve.lua -> reserved -> [dispatch: a call slot]
 *     -> gateway -> called -> confirm (MULTI) -> confirmed -> [WAIT] -> 202
 *                          \-> fail.lua (undo) -> undone -> 4xx/5xx
 *
 * An inbound session (inbound.c) places no call: reserved goes straight
 * to confirm, and the 202 names the number to dial.  An SMS session
 * (sms.c) sends its code instead of placing a call, and a failed call may
 * be followed by one: undone -> reserve.lua again, for an SMS session.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_resp.h"
#include "ngx_http_missedcall_scripts.h"


static void ngx_http_missedcall_request_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_reserve_count(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_key_e kind,
    ngx_str_t *code, ngx_str_t *key);
static void ngx_http_missedcall_reserved(redisReply *reply, void *data);
static void ngx_http_missedcall_dispatch(ngx_event_t *ev);
static void ngx_http_missedcall_called(ngx_http_missedcall_curl_req_t *req);
static void ngx_http_missedcall_confirmed(redisReply *reply, void *data);
static void ngx_http_missedcall_replicated(redisReply *reply, void *data);
static void ngx_http_missedcall_accepted(ngx_http_missedcall_op_t *op);
static void ngx_http_missedcall_undone(redisReply *reply, void *data);


ngx_int_t
ngx_http_missedcall_request_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r, ngx_http_missedcall_request_body);
}


static void
ngx_http_missedcall_request_body(ngx_http_request_t *r)
{
    ngx_str_t                    phone, value;
    ngx_uint_t                   channel;
    ngx_http_missedcall_op_t    *op;
    ngx_http_missedcall_body_t  *body;

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

    if (ngx_http_missedcall_read_phone(r, &value, &phone) != NGX_OK
        || ngx_http_missedcall_channel_read(r, body, &channel) != NGX_OK)
    {
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

    op->channel = channel;
    op->channel_name = ngx_http_missedcall_channel_name(channel);

    if (ngx_http_missedcall_limit_addr(r, op) != NGX_OK) {
        ngx_str_null(&op->addr);
    }

    op->phone.data = ngx_pstrdup(op->pool, &phone);
    op->phone.len = phone.len;

    if (op->addr.data == NULL || op->phone.data == NULL) {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    if (channel == NGX_HTTP_MISSEDCALL_CH_SMS) {
        ngx_http_missedcall_sms_start(r, op, body);
        return;
    }

    ngx_http_missedcall_reserve(op);
}


/* a new session for op's phone: its ids, its limits, reserve.lua */

void
ngx_http_missedcall_reserve(ngx_http_missedcall_op_t *op)
{
    u_char                           salt[16], rnd[16], *p;
    uint64_t                         n;
    ngx_str_t                       *keys, *args, *arg, value;
    ngx_uint_t                       i, nl, nk, na, channel;
    ngx_http_missedcall_limit_t     *limit;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = op->lcf;
    channel = op->channel;

    op->sid.data = ngx_pnalloc(op->pool, NGX_HTTP_MISSEDCALL_UUID_LEN);
    op->sid.len = NGX_HTTP_MISSEDCALL_UUID_LEN;
    op->call_id.data = ngx_pnalloc(op->pool, NGX_HTTP_MISSEDCALL_UUID_LEN);
    op->call_id.len = NGX_HTTP_MISSEDCALL_UUID_LEN;
    op->salt.data = ngx_pnalloc(op->pool, 2 * sizeof(salt));
    op->salt.len = 2 * sizeof(salt);

    /* the keys, then the arguments, in one argv */

    nl = lcf->limits ? lcf->limits->nelts : 0;
    nk = NGX_HTTP_MISSEDCALL_RESERVE_KEYS + nl;
    na = NGX_HTTP_MISSEDCALL_RESERVE_ARGS + 2 * nl;

    keys = ngx_palloc(op->pool, (nk + na) * sizeof(ngx_str_t));
    p = ngx_pnalloc(op->pool, 2 * NGX_INT64_LEN
                              + (4 + 2 * nl) * NGX_INT_T_LEN);

    if (keys == NULL || p == NULL || op->sid.data == NULL
        || op->call_id.data == NULL || op->salt.data == NULL
        || ngx_http_missedcall_uuid(op->sid.data) != NGX_OK
        || ngx_http_missedcall_uuid(op->call_id.data) != NGX_OK
        || ngx_http_missedcall_random(salt, sizeof(salt)) != NGX_OK
        || ngx_http_missedcall_random(rnd, sizeof(rnd)) != NGX_OK
        || ngx_http_missedcall_reserve_count(op, NGX_HTTP_MISSEDCALL_KEY_POOL,
                              NULL, &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_POOL])
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
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_FAILURES,
                              &op->phone,
                              &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_FAILURES])
           != NGX_OK
        || ngx_http_missedcall_limit_keys(op,
                              &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_LIMITS])
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_RESEND] = op->resend_key;

    /* the session's salt: confirm stores it with the session */
    ngx_hex_dump(op->salt.data, salt, sizeof(salt));

    /* the calling codes the phone may have: its first 3, 2 and 1 digits */
    for (i = 0; i < 3; i++) {
        value.data = op->phone.data + 1;
        value.len = 3 - i;

        if (ngx_http_missedcall_reserve_count(op,
                               NGX_HTTP_MISSEDCALL_KEY_POOL_CODE, &value,
                               &keys[NGX_HTTP_MISSEDCALL_RESERVE_KEY_CODE3 + i])
            != NGX_OK)
        {
            ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                           NULL);
            return;
        }
    }

    args = keys + nk;

    /* two draws: the second replaces the first if it is the last caller */
    for (i = 0; i < 2; i++) {
        ngx_memcpy(&n, rnd + 8 * i, sizeof(n));
        arg = &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_RANDOM + i];
        arg->data = p;
        p = ngx_sprintf(p, "%uL", n >> 11);
        arg->len = p - arg->data;
    }

    /* an inbound session places no call: it takes no call slot */
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_INTERVAL],
                             &p, channel == NGX_HTTP_MISSEDCALL_CH_INBOUND
                                 ? 0 : lcf->gateway.interval);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_MAX_DELAY],
                             &p, lcf->gateway.max_delay);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_RESEND_MS],
                             &p, lcf->resend);
    ngx_http_missedcall_args(
                        &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_MAX_FAILURES],
                        &p, lcf->max_failures);

    /* an SMS session draws no caller; its code's hash goes to confirm */
    if (channel == NGX_HTTP_MISSEDCALL_CH_SMS) {
        ngx_str_null(&args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_RANDOM]);

        if (ngx_http_missedcall_sms_code(op, &op->secret) != NGX_OK) {
            ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                           NULL);
            return;
        }
    }

    limit = nl ? lcf->limits->elts : NULL;
    arg = &args[NGX_HTTP_MISSEDCALL_RESERVE_ARG_LIMITS];

    for (i = 0; i < nl; i++) {
        ngx_http_missedcall_args(&arg[2 * i], &p,
                            ngx_http_missedcall_channel_count(op, &limit[i]));
        ngx_http_missedcall_args(&arg[2 * i + 1], &p, limit[i].window);
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: %s call %V, reserve sent",
                   &op->sid, ngx_http_missedcall_channel_name(channel),
                   &op->call_id);

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_reserve, nk,
                                nk + na,
                                keys, ngx_http_missedcall_reserved);
}


/* the count of a pool group (include/pool.lua): its zset's key and ":n" */

static ngx_int_t
ngx_http_missedcall_reserve_count(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_key_e kind, ngx_str_t *code, ngx_str_t *key)
{
    ngx_str_t  set;

    if (ngx_http_missedcall_op_key(op, kind, code, &set) != NGX_OK) {
        return NGX_ERROR;
    }

    key->data = ngx_pnalloc(op->pool, set.len + 2);
    if (key->data == NULL) {
        return NGX_ERROR;
    }

    key->len = ngx_sprintf(key->data, "%V:n", &set) - key->data;

    return NGX_OK;
}


static void
ngx_http_missedcall_reserved(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    size_t          len[4];
    int64_t         sec, usec, wait;
    const u_char   *word[4];

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: reserve answered \"%s\"",
                   &op->sid, ngx_http_missedcall_reply_word(reply));

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

    if (ngx_http_missedcall_reply_is(reply, "locked", 2)
        && reply->element[1]->type == REDIS_REPLY_INTEGER)
    {
        ngx_http_missedcall_locked(op, reply->element[1]->integer);
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

    /* "seconds microseconds wait caller": Redis's time when reserved */
    if (reply == NULL || reply->type != REDIS_REPLY_STRING
        || ngx_http_missedcall_resp_words((u_char *) reply->str, reply->len,
                                          4, word, len)
           != 0
        || (sec = ngx_atoof((u_char *) word[0], len[0])) < 0
        || (usec = ngx_atoof((u_char *) word[1], len[1])) < 0
        || (wait = ngx_atoof((u_char *) word[2], len[2])) < 0)
    {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    op->expires_ms = sec * 1000 + usec / 1000
                     + (int64_t) op->lcf->session_ttl;
    op->reserved = ngx_current_msec;

    op->caller.len = len[3];
    op->caller.data = ngx_pnalloc(op->pool, op->caller.len);
    if (op->caller.data == NULL) {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "internal_error", "internal error");
        ngx_http_missedcall_undo(op);
        return;
    }

    ngx_memcpy(op->caller.data, word[3], op->caller.len);

    if (op->channel == NGX_HTTP_MISSEDCALL_CH_INBOUND) {
        ngx_http_missedcall_confirm(op);
        return;
    }

    if (op->channel == NGX_HTTP_MISSEDCALL_CH_SMS) {
        ngx_http_missedcall_sms_send(op);
        return;
    }

    op->delay.handler = ngx_http_missedcall_dispatch;
    op->delay.data = op;
    op->delay.log = ngx_cycle->log;
    op->gw = op->lcf->gateways->elts;

    /* several gateways: the first may be marked down (failover.c) */
    if (op->lcf->gateways->nelts > 1) {
        op->slot_wait = (ngx_msec_t) ngx_max(wait, 0);
        ngx_http_missedcall_failover_pick(op, ngx_http_missedcall_dispatch,
                                          ngx_http_missedcall_undo);
        return;
    }

    if (wait <= 0) {
        ngx_http_missedcall_dispatch(&op->delay);
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: waiting %L ms for a call slot",
                   &op->sid, wait);

    /* the call's slot is later: a timer, so that nothing else waits */
    ngx_add_timer(&op->delay, (ngx_msec_t) wait);
}


static void
ngx_http_missedcall_dispatch(ngx_event_t *ev)
{
    ngx_http_missedcall_op_t *op = ev->data;

    ngx_http_missedcall_curl_req_t      *req;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = op->gw;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: call %V to gateway \"%V\"",
                   &op->sid, &op->call_id, &gw->name);

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

    ngx_int_t  rc;

    rc = (req->code == CURLE_OK)
         ? op->gw->type->result(op, req)
         : ngx_http_missedcall_op_unanswered(op, req, "call",
                                             "the call could not be placed");

    op->gateway_ms = (ngx_msec_int_t) req->elapsed;
    ngx_http_missedcall_metrics_call(op->gw->metric,
                                     rc == NGX_OK ? NULL : op->error,
                                     req->elapsed);

    if (rc != NGX_OK && ngx_http_missedcall_failover_next(op, req)) {
        ngx_http_missedcall_curl_free(req);
        ngx_http_missedcall_failover_pick(op, ngx_http_missedcall_dispatch,
                                          ngx_http_missedcall_undo);
        return;
    }

    ngx_http_missedcall_curl_free(req);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway answered: %s, %M ms",
                   &op->sid, rc == NGX_OK ? "placed" : "not placed",
                   op->gateway_ms);

    if (rc != NGX_OK) {
        /* a client still waiting may get a code instead (sms.c) */
        op->fallback = op->lcf->sms.fallback && op->r != NULL;
        ngx_http_missedcall_undo(op);
        return;
    }

    ngx_http_missedcall_confirm(op);
}


/* the call is placed, or none is to be: the session waits to be proven */

void
ngx_http_missedcall_confirm(ngx_http_missedcall_op_t *op)
{
    if (ngx_http_missedcall_confirm_send(op, ngx_http_missedcall_confirmed)
        != NGX_OK)
    {
        ngx_http_missedcall_confirmed(NULL, op);
    }
}


static void
ngx_http_missedcall_confirmed(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    u_char      *p;
    ngx_str_t    argv[3];

    if (ngx_http_missedcall_confirm_done(op, reply) != NGX_OK) {
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

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: WAIT %ui replicas sent",
                   &op->sid, op->mcf->redis.wait);

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

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: WAIT answered %L replicas",
                   &op->sid,
                   (int64_t) (reply && reply->type == REDIS_REPLY_INTEGER
                              ? reply->integer : -1));

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
    u_char                             *hint;
    u_char                              iso[sizeof("1970-01-01T00:00:00Z")];
    size_t                              n;
    int64_t                             left;
    ngx_tm_t                            tm;
    ngx_time_t                         *tp;
    ngx_uint_t                          digits;
    ngx_http_missedcall_json_member_t   m[7];

    ngx_gmtime((time_t) (op->expires_ms / 1000), &tm);
    ngx_sprintf(iso, "%4d-%02d-%02dT%02d:%02d:%02dZ%Z",
                tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec);

    tp = ngx_timeofday();
    left = op->expires_ms - ((int64_t) tp->sec * 1000 + tp->msec);
    left = ngx_max(left, 0);
    digits = op->lcf->match_digits;

    ngx_http_missedcall_metrics_channel(op->channel, 0);

    if (op->channel == NGX_HTTP_MISSEDCALL_CH_INBOUND) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                       "missedcall request: %V: inbound, 202", &op->sid);

        ngx_http_missedcall_op_respond(op, NGX_HTTP_ACCEPTED,
                        ngx_http_missedcall_inbound_answer(op, iso, left));
        return;
    }

    if (op->channel == NGX_HTTP_MISSEDCALL_CH_SMS) {
        ngx_log_error(NGX_LOG_INFO, op->log, 0,
                      "missedcall: message %V sent", &op->call_id);

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                       "missedcall request: %V: sms, 202", &op->sid);

        ngx_http_missedcall_op_respond(op, NGX_HTTP_ACCEPTED,
                            ngx_http_missedcall_sms_answer(op, iso, left));
        return;
    }

    ngx_log_error(NGX_LOG_INFO, op->log, 0,
                  "missedcall: call %V placed", &op->call_id);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: accepted, 202", &op->sid);

    ngx_memzero(m, sizeof(m));
    m[0].key = "detail";
    m[0].str = "Flash call initiated. Please observe incoming calls.";
    m[1].key = "session_id";
    m[1].str = (char *) op->sid.data;
    m[1].len = op->sid.len;
    m[2].key = "expires_at";
    m[2].str = (char *) iso;
    m[3].key = "expires_in";
    m[3].num = (left + 999) / 1000;
    m[4].key = "match";
    m[4].str = digits ? "last_digits" : "full";
    n = 5;

    if (digits) {
        hint = ngx_pnalloc(op->pool, op->caller.len);
        if (hint == NULL) {
            ngx_http_missedcall_op_error(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                         "internal_error", "internal error");
            return;
        }

        ngx_http_missedcall_phone_mask(op->caller.data, op->caller.len,
                                       digits, 0, hint);

        m[5].key = "caller_hint";
        m[5].str = (char *) hint;
        m[5].len = op->caller.len;
        m[6].key = "digits";
        m[6].num = digits;
        n = 7;
    }

    ngx_http_missedcall_op_respond_members(op, NGX_HTTP_ACCEPTED, m, n);
}


/*
 * The call was not placed: no session may stay behind.  The failure counts
 * against the caller number, which is disabled when it keeps failing.
 */

void
ngx_http_missedcall_undo(ngx_http_missedcall_op_t *op)
{
    u_char     *p;
    ngx_str_t   argv[NGX_HTTP_MISSEDCALL_FAIL_ARGC], *args, none;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: undo of call %V sent", &op->sid,
                   &op->call_id);

    args = argv + NGX_HTTP_MISSEDCALL_FAIL_KEYS;
    argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_SESSION] = op->session_key;
    argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_RESEND] = op->resend_key;
    args[NGX_HTTP_MISSEDCALL_FAIL_ARG_CALLER] = op->caller;
    args[NGX_HTTP_MISSEDCALL_FAIL_ARG_REASON] = op->fault;
    args[NGX_HTTP_MISSEDCALL_FAIL_ARG_SESSION_ID] = op->sid;
    ngx_str_null(&argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_NUMBER]);
    ngx_str_null(&none);

    p = ngx_pnalloc(op->pool, 3 * NGX_INT_T_LEN);

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
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PLACED, NULL,
                              &argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_PLACED])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_POOL_AUTO,
                              NULL, &argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_AUTO])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_RANGES, NULL,
                              &argv[NGX_HTTP_MISSEDCALL_FAIL_KEY_RANGES])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_RANGES_CODE,
                              &none,
                              &args[NGX_HTTP_MISSEDCALL_FAIL_ARG_RANGE_PREFIX])
           != NGX_OK)
    {
        ngx_http_missedcall_undone(NULL, op);
        return;
    }

    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_FAIL_ARG_MAX_FAILURES],
                             &p, op->mcf->max_failures);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_FAIL_ARG_EVENTS_MAX],
                             &p, op->mcf->events_max);
    ngx_http_missedcall_args(
                            &args[NGX_HTTP_MISSEDCALL_FAIL_ARG_MAX_DISABLED],
                            &p, op->mcf->max_disabled);

    /* the script reads the calls placed: this worker's are written first */
    ngx_http_missedcall_tally_flush();

    if (ngx_http_missedcall_redis_eval(&ngx_http_missedcall_script_fail,
                                       NGX_HTTP_MISSEDCALL_FAIL_KEYS,
                                       NGX_HTTP_MISSEDCALL_FAIL_ARGC, argv,
                                       ngx_http_missedcall_undone, op)
        != NGX_OK)
    {
        /* no session was written: the resend mark expires by itself */
        ngx_http_missedcall_undone(NULL, op);
    }
}


static void
ngx_http_missedcall_undone(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: undone, answering %ui", &op->sid,
                   op->status);

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_WARN, op->log, 0,
                      "missedcall: undoing call %V failed in Redis: what "
                      "it left there expires by itself", &op->call_id);

    } else if (reply->integer > 0) {
        ngx_log_error(NGX_LOG_ERR, op->log, 0,
                      "missedcall: caller number %V disabled: %L calls in a "
                      "row refused by the gateway, the last: %V",
                      &op->caller, (int64_t) reply->integer, &op->fault);

    } else if (reply->integer < 0) {
        /* the gateway may be lying or broken: a person decides */
        ngx_log_error(NGX_LOG_ERR, op->log, 0,
                      "missedcall: caller number %V not disabled: %L calls "
                      "in a row refused by the gateway, the last: %V, but "
                      "%i%% of the pool is disabled automatically already",
                      &op->caller, (int64_t) -reply->integer, &op->fault,
                      op->mcf->max_disabled);

        ngx_http_missedcall_metrics_inc(NGX_HTTP_MISSEDCALL_M_NUMBERS_KEPT);
    }

    if (op->fallback && op->channel == NGX_HTTP_MISSEDCALL_CH_OUTBOUND) {
        ngx_http_missedcall_sms_fallback(op);
        return;
    }

    ngx_http_missedcall_op_error(op, op->status, op->error, op->message);
}
