
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Ordered failover between a location's gateways, as upstream servers
 * with "backup": a timeout, a connection error, a 5xx or a busy gateway
 * moves the call to the next gateway within the same request; a refusal
 * of the number called does not, since every gateway would refuse it.
 * A gateway that failed is marked in Redis for fail_timeout, so that all
 * workers and nodes skip it meanwhile; each takes its own call slots.
 *
 *   called (failed) -> failover_next: mark -> failover_pick -> slot.lua
 *     -> picked: ok -> [wait] -> dispatch | down, throttled -> next one
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_scripts.h"


/* what a pick must remember across its Redis round trip */
typedef struct {
    ngx_http_missedcall_op_t    *op;
    ngx_event_handler_pt         dispatch;
    void                       (*fail)(ngx_http_missedcall_op_t *op);
} ngx_http_missedcall_pick_t;


static void ngx_http_missedcall_failover_marked(redisReply *reply,
    void *data);
static void ngx_http_missedcall_failover_picked(redisReply *reply,
    void *data);


/*
 * After a failed call: whether the next gateway should try it.  The
 * failed one is marked for its fail_timeout either way.
 */

ngx_uint_t
ngx_http_missedcall_failover_next(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    ngx_str_t                            argv[5];
    ngx_uint_t                           failed;
    ngx_http_missedcall_gateway_conf_t  *gw;
    u_char                              *p;

    failed = req->code != CURLE_OK || req->status >= 500
             || op->status == NGX_HTTP_SERVICE_UNAVAILABLE;

    if (!failed || op->lcf->gateways->nelts < 2) {
        return 0;
    }

    gw = op->gw;

    p = ngx_pnalloc(op->pool, NGX_INT_T_LEN);

    ngx_str_set(&argv[0], "SET");
    ngx_str_set(&argv[2], "1");
    ngx_str_set(&argv[3], "PX");

    if (p != NULL && gw->fail_timeout
        && ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_DOWN,
                                      &gw->name, &argv[1]) == NGX_OK)
    {
        ngx_http_missedcall_args(&argv[4], &p, gw->fail_timeout);

        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                       "missedcall request: %V: gateway \"%V\" marked "
                       "down for %M ms", &op->sid, &gw->name,
                       gw->fail_timeout);

        /* the mark is best effort: the next request may try it again */
        (void) ngx_http_missedcall_redis_command(5, argv,
                                        ngx_http_missedcall_failover_marked,
                                        op);
    }

    if (op->attempt + 1 >= op->lcf->gateways->nelts) {
        return 0;
    }

    ngx_log_error(NGX_LOG_WARN, op->log, 0,
                  "missedcall gateway \"%V\": call %V failed over to the "
                  "next gateway", &gw->name, &op->call_id);

    op->attempt++;

    /* what the failed gateway said is not the next one's answer */
    op->status = 0;
    op->error = NULL;
    op->message = NULL;
    op->retry_after = 0;
    ngx_str_null(&op->gateway_sid);

    return 1;
}


static void
ngx_http_missedcall_failover_marked(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: failure mark %s", &op->sid,
                   reply && reply->type == REDIS_REPLY_STATUS
                   ? "set" : "not set");
}


/*
 * Gateway op->attempt, unless it is marked down, takes its call slot
 * (the first one's was taken by reserve.lua: its interval is 0 here).
 */

void
ngx_http_missedcall_failover_pick(ngx_http_missedcall_op_t *op,
    ngx_event_handler_pt dispatch, void (*fail)(ngx_http_missedcall_op_t *))
{
    u_char                              *p;
    ngx_str_t                            argv[NGX_HTTP_MISSEDCALL_SLOT_ARGC];
    ngx_str_t                           *args, *id;
    ngx_http_missedcall_pick_t          *pick;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = &((ngx_http_missedcall_gateway_conf_t *)
           op->lcf->gateways->elts)[op->attempt];
    op->gw = gw;

    args = argv + NGX_HTTP_MISSEDCALL_SLOT_KEYS;
    pick = ngx_palloc(op->pool, sizeof(ngx_http_missedcall_pick_t));
    p = ngx_pnalloc(op->pool, 2 * NGX_INT_T_LEN);

    /* Twilio's rate is the account's; another kind's, the gateway's */
    id = gw->account.len ? &gw->account : &gw->name;

    if (pick == NULL || p == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_DOWN,
                          &gw->name, &argv[NGX_HTTP_MISSEDCALL_SLOT_KEY_DOWN])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_THROTTLE,
                              id, &argv[NGX_HTTP_MISSEDCALL_SLOT_KEY_THROTTLE])
           != NGX_OK)
    {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "internal_error", "internal error");
        fail(op);
        return;
    }

    pick->op = op;
    pick->dispatch = dispatch;
    pick->fail = fail;

    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_SLOT_ARG_INTERVAL], &p,
                             op->attempt ? gw->interval : 0);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_SLOT_ARG_MAX_DELAY],
                             &p, gw->max_delay);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: slot of gateway %ui \"%V\" sent",
                   &op->sid, op->attempt, &gw->name);

    if (ngx_http_missedcall_redis_eval(&ngx_http_missedcall_script_slot,
                                       NGX_HTTP_MISSEDCALL_SLOT_KEYS,
                                       NGX_HTTP_MISSEDCALL_SLOT_ARGC, argv,
                                       ngx_http_missedcall_failover_picked,
                                       pick)
        != NGX_OK)
    {
        ngx_http_missedcall_failover_picked(NULL, pick);
    }
}


static void
ngx_http_missedcall_failover_picked(redisReply *reply, void *data)
{
    ngx_http_missedcall_pick_t *pick = data;

    int64_t                    ms;
    ngx_http_missedcall_op_t  *op;

    op = pick->op;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: slot of \"%V\" answered \"%s\"",
                   &op->sid, &op->gw->name,
                   ngx_http_missedcall_reply_word(reply));

    if (reply == NULL
        || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || reply->element[1]->type != REDIS_REPLY_INTEGER)
    {
        ngx_http_missedcall_op_fail(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "service_unavailable",
                                    "the session store is unavailable");
        pick->fail(op);
        return;
    }

    ms = reply->element[1]->integer;

    op->delay.handler = pick->dispatch;
    op->delay.data = op;
    op->delay.log = ngx_cycle->log;

    if (ngx_http_missedcall_reply_is(reply, "ok", 2)) {

        /* the first gateway's slot was taken with the session */
        if (op->attempt == 0) {
            ms = op->slot_wait;
        }

        if (ms <= 0) {
            pick->dispatch(&op->delay);
            return;
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                       "missedcall request: %V: waiting %L ms for a call "
                       "slot", &op->sid, ms);

        ngx_add_timer(&op->delay, (ngx_msec_t) ms);
        return;
    }

    /* down lately, or too busy: the next one, if any */
    if (ngx_http_missedcall_reply_is(reply, "throttled", 2)) {
        ngx_http_missedcall_op_busy(op);
        op->retry_after = (time_t) (ms + 999) / 1000;
    }

    if (op->attempt + 1 < op->lcf->gateways->nelts) {
        op->attempt++;
        ngx_http_missedcall_failover_pick(op, pick->dispatch, pick->fail);
        return;
    }

    /* every gateway failed lately: the last one is tried all the same */
    if (ngx_http_missedcall_reply_is(reply, "down", 2)) {
        pick->dispatch(&op->delay);
        return;
    }

    pick->fail(op);
}
