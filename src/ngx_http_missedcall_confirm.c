
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Confirm: the gateway placed the call (or none is to be placed), and the
 * session waits to be proven.  No script: plain commands in one MULTI,
 * sent in one write, cost Redis two thirds of what confirm.lua did
 * (issue 19).  The session is written here, all of it, pending: reserve
 * only drew its caller, so that no session exists before its call is
 * placed (and none stays behind one that was not).  The event is written
 * in the same transaction as the change it reports.
 *
 * A call's session gets its secret here, as C knows the caller only from
 * reserve's answer: how many of the caller's last digits verify compares,
 * and their hash with the session's salt.  The session is one string
 * (src/lua/include/session.lua), set with its expiry in one command: a
 * hash of the same fields and its PEXPIREAT made confirm cost 70% more.  The
 * session key expires at its expiry and the keep after it, the phone's
 * pointer with the session (PXAT, on Redis's clock).  The number's
 * figures are written apart, with other calls' (tally.c).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"


/* the transaction's commands and their arguments, at most */
#define NGX_HTTP_MISSEDCALL_CONFIRM_CMDS  3
#define NGX_HTTP_MISSEDCALL_CONFIRM_ARGS  32

/* the session's fields */
#define NGX_HTTP_MISSEDCALL_CONFIRM_FIELDS  13


typedef struct {
    ngx_uint_t   n;
    ngx_uint_t   nargs;
    ngx_uint_t   argc[NGX_HTTP_MISSEDCALL_CONFIRM_CMDS];
    ngx_str_t    argv[NGX_HTTP_MISSEDCALL_CONFIRM_ARGS];
} ngx_http_missedcall_confirm_t;


static void ngx_http_missedcall_confirm_cmd(ngx_http_missedcall_confirm_t *t,
    char *fmt, ...);
static ngx_int_t ngx_http_missedcall_confirm_tail(
    ngx_http_missedcall_op_t *op, ngx_str_t *tail, ngx_str_t *hash);


/*
 * Sends the transaction; the handler gets EXEC's reply, for
 * ngx_http_missedcall_confirm_done().  NGX_ERROR: nothing was sent;
 * NGX_DECLINED: nor is to be, the session expired meanwhile.
 */

ngx_int_t
ngx_http_missedcall_confirm_send(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_redis_pt handler)
{
    size_t                          len;
    u_char                         *p;
    ngx_uint_t                      i;
    size_t                          fl[NGX_HTTP_MISSEDCALL_CONFIRM_FIELDS];
    ngx_str_t                      *f[NGX_HTTP_MISSEDCALL_CONFIRM_FIELDS];
    const u_char                   *fd[NGX_HTTP_MISSEDCALL_CONFIRM_FIELDS];
    ngx_str_t                       phone, events, value, caller, secret;
    ngx_str_t                       state, attempts, proven;
    ngx_str_t                       tail, hash, at, keep, max, tries;
    ngx_str_t                       gateway, gateway_sid, channel;
    ngx_http_missedcall_confirm_t   t;

    if (op->channel == NGX_HTTP_MISSEDCALL_CH_OUTBOUND) {
        ngx_http_missedcall_tally_placed(op->mcf, &op->caller);
    }

    /*
     * Redis's clock when reserved, and this worker's since: the session
     * still lives, or nothing is written.  The guess is late by reserve's
     * answer's way back: a session that just expired is written, and
     * nothing can verify it.
     */
    if ((ngx_msec_int_t) (ngx_current_msec - op->reserved)
        >= (ngx_msec_int_t) op->lcf->session_ttl)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                       "missedcall request: %V: the session expired while "
                       "its call was placed", &op->sid);
        return NGX_DECLINED;
    }

    ngx_str_null(&gateway);

    if (op->gw) {
        gateway = op->gw->name;
    }

    channel.data = (u_char *) op->channel_name;
    channel.len = ngx_strlen(op->channel_name);

    p = ngx_pnalloc(op->pool, 4 * NGX_INT64_LEN + NGX_INT_T_LEN);

    if (p == NULL
        || ngx_http_missedcall_confirm_tail(op, &tail, &hash) != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PHONE,
                                      &op->phone, &phone) != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_EVENTS,
                                      NULL, &events) != NGX_OK)
    {
        return NGX_ERROR;
    }

    at.data = p;
    p = ngx_sprintf(p, "%L", op->expires_ms);
    at.len = p - at.data;

    /* status still answers for another ttl past the expiry */
    keep.data = p;
    p = ngx_sprintf(p, "%L", op->expires_ms + (int64_t) op->lcf->session_ttl);
    keep.len = p - keep.data;

    ngx_http_missedcall_args(&max, &p, op->mcf->events_max);
    ngx_http_missedcall_args(&tries, &p, op->lcf->max_attempts);

    /* what each channel's session holds: the others' fields stay "" */

    ngx_str_set(&state, "p");
    ngx_str_set(&attempts, "0");
    ngx_str_null(&proven);

    caller = op->caller;
    secret = hash;

    switch (op->channel) {

    case NGX_HTTP_MISSEDCALL_CH_INBOUND:
        ngx_str_null(&gateway);
        ngx_str_null(&gateway_sid);
        break;

    case NGX_HTTP_MISSEDCALL_CH_SMS:
        ngx_str_null(&caller);
        secret = op->secret;
        /* fall through */

    default: /* NGX_HTTP_MISSEDCALL_CH_OUTBOUND */
        gateway_sid = op->gateway_sid;
    }

    /*
     * The fields in session.lua's order, pending; of the gateway's id
     * what a length byte can say (Twilio's and Telnyx's are far shorter)
     */

    if (gateway_sid.len > 255) {
        gateway_sid.len = 255;
    }

    f[0] = &state;
    f[1] = &channel;
    f[2] = &tail;
    f[3] = &op->salt;
    f[4] = &secret;
    f[5] = &caller;
    f[6] = &at;
    f[7] = &op->phone;
    f[8] = &attempts;
    f[9] = &tries;
    f[10] = &proven;
    f[11] = &gateway;
    f[12] = &gateway_sid;

    len = NGX_HTTP_MISSEDCALL_CONFIRM_FIELDS;

    for (i = 0; i < NGX_HTTP_MISSEDCALL_CONFIRM_FIELDS; i++) {
        fd[i] = f[i]->data;
        fl[i] = f[i]->len;
        len += fl[i];
    }

    value.data = ngx_pnalloc(op->pool, len);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    value.len = ngx_http_missedcall_session(value.data, len, fd, fl,
                                            NGX_HTTP_MISSEDCALL_CONFIRM_FIELDS);
    if (value.len == 0) {
        ngx_log_error(NGX_LOG_ALERT, op->log, 0,
                      "missedcall request: %V: a session field is longer "
                      "than 255 bytes", &op->sid);
        return NGX_ERROR;
    }

    t.n = 0;
    t.nargs = 0;

    ngx_http_missedcall_confirm_cmd(&t, "SET %V %V PXAT %V",
                                    &op->session_key, &value, &keep);
    ngx_http_missedcall_confirm_cmd(&t, "SET %V %V PXAT %V", &phone,
                                    &op->sid, &at);

    if (op->mcf->events_max) {
        switch (op->channel) {

        case NGX_HTTP_MISSEDCALL_CH_INBOUND:
            ngx_http_missedcall_confirm_cmd(&t, "XADD %V MAXLEN ~ %V * "
                                     "event inbound_expected session_id %V "
                                     "phone %V caller %V channel %V",
                                     &events, &max, &op->sid, &op->phone,
                                     &op->caller, &channel);
            break;

        case NGX_HTTP_MISSEDCALL_CH_SMS:
            ngx_http_missedcall_confirm_cmd(&t, "XADD %V MAXLEN ~ %V * "
                                     "event sms_sent session_id %V "
                                     "phone %V gateway_sid %V gateway %V "
                                     "channel %V",
                                     &events, &max, &op->sid, &op->phone,
                                     &op->gateway_sid, &gateway, &channel);
            break;

        default: /* NGX_HTTP_MISSEDCALL_CH_OUTBOUND */
            ngx_http_missedcall_confirm_cmd(&t, "XADD %V MAXLEN ~ %V * "
                                     "event call_placed session_id %V "
                                     "phone %V caller %V call_id %V "
                                     "gateway_sid %V gateway %V channel %V",
                                     &events, &max, &op->sid, &op->phone,
                                     &op->caller, &op->call_id,
                                     &op->gateway_sid, &gateway, &channel);
        }
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: confirm sent, %ui commands",
                   &op->sid, t.n);

    return ngx_http_missedcall_redis_multi(t.n, t.argc, t.argv, handler, op);
}


/*
 * One command: the words of fmt, each "%V" an ngx_str_t * argument.  The
 * other words point into fmt, a literal.
 */

static void
ngx_http_missedcall_confirm_cmd(ngx_http_missedcall_confirm_t *t, char *fmt,
    ...)
{
    u_char     *p, *end;
    va_list     args;
    ngx_str_t  *arg;

    arg = &t->argv[t->nargs];
    p = (u_char *) fmt;

    va_start(args, fmt);

    while (*p) {
        end = (u_char *) ngx_strchr(p, ' ');
        if (end == NULL) {
            end = p + ngx_strlen(p);
        }

        if (end - p == 2 && p[0] == '%' && p[1] == 'V') {
            *arg = *va_arg(args, ngx_str_t *);

        } else {
            arg->data = p;
            arg->len = end - p;
        }

        arg++;
        p = *end ? end + 1 : end;
    }

    va_end(args);

    t->argc[t->n++] = arg - &t->argv[t->nargs];
    t->nargs = arg - t->argv;
}


/* NGX_OK: EXEC's answer holds no error: the session is written */

ngx_int_t
ngx_http_missedcall_confirm_done(ngx_http_missedcall_op_t *op,
    redisReply *reply)
{
    ngx_uint_t  i;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements == 0)
    {
        return NGX_ERROR;
    }

    for (i = 0; i < reply->elements; i++) {
        if (reply->element[i]->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, op->log, 0,
                          "missedcall redis: confirm's command %ui: %s",
                          i + 1, reply->element[i]->str);
            return NGX_ERROR;
        }
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: confirm answered", &op->sid);

    return NGX_OK;
}


/*
 * A placed call's secret: how many of the caller's last digits verify
 * compares, and their hash with the session's salt, as verify.lua hashes
 * the digits received.  Matching "full", all but 3 and at least 6: a
 * caller id often arrives without its country code.  A longer suffix
 * that matches holds this one, so one hash is enough.  None for a session
 * that placed no call.
 */

static ngx_int_t
ngx_http_missedcall_confirm_tail(ngx_http_missedcall_op_t *op,
    ngx_str_t *tail, ngx_str_t *hash)
{
    size_t      n, len;
    ngx_uint_t  digits;

    ngx_str_null(tail);
    ngx_str_null(hash);

    if (op->channel != NGX_HTTP_MISSEDCALL_CH_OUTBOUND) {
        return NGX_OK;
    }

    len = op->caller.len - 1;
    digits = op->lcf->match_digits;
    n = digits ? digits : (len > 9 ? len - 3 : 6);

    tail->data = ngx_pnalloc(op->pool, NGX_INT_T_LEN);
    if (tail->data == NULL) {
        return NGX_ERROR;
    }

    tail->len = ngx_sprintf(tail->data, "%uz", n) - tail->data;

    /* a suffix longer than the caller is all of it, as in Lua */
    n = ngx_min(n, len);

    return ngx_http_missedcall_op_secret(op,
                                         op->caller.data + op->caller.len - n,
                                         n, hash);
}
