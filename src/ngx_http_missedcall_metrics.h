
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_METRICS_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <hiredis/hiredis.h>


/* gateway names counted apart, and their length */
#define NGX_HTTP_MISSEDCALL_GATEWAYS      16
#define NGX_HTTP_MISSEDCALL_GATEWAY_NAME  32


/* sessions opened and verified are counted by channel (CH_*) */
#define NGX_HTTP_MISSEDCALL_CHANNELS  3


/* plain counters, beside the labelled ones */
typedef enum {
    NGX_HTTP_MISSEDCALL_M_REDIS_ERRORS = 0,
    NGX_HTTP_MISSEDCALL_M_REDIS_RECONNECTS,
    NGX_HTTP_MISSEDCALL_M_WEBHOOKS_SENT,
    NGX_HTTP_MISSEDCALL_M_WEBHOOKS_RETRIED,
    NGX_HTTP_MISSEDCALL_M_WEBHOOKS_FAILED,
    NGX_HTTP_MISSEDCALL_M_NUMBERS_KEPT,
    NGX_HTTP_MISSEDCALL_M_COUNTERS
} ngx_http_missedcall_counter_e;


void ngx_http_missedcall_metrics_init_process(ngx_cycle_t *cycle);

void ngx_http_missedcall_metrics_inc(ngx_http_missedcall_counter_e counter);

/* what a request of an endpoint ended with: "ok" or an error code */
const char *ngx_http_missedcall_metrics_outcome(ngx_uint_t endpoint,
    const char *outcome, size_t len);

/* a call the gateway answered, or not; error NULL: placed */
void ngx_http_missedcall_metrics_call(ngx_uint_t gateway, const char *error,
    ngx_msec_t elapsed);

/* a session of a channel opened (verified 0) or verified (1) */
void ngx_http_missedcall_metrics_channel(ngx_uint_t channel,
    ngx_uint_t verified);

/* the metrics slot of a gateway's name, at configuration time */
ngx_uint_t ngx_http_missedcall_metrics_gateway(ngx_conf_t *cf,
    ngx_str_t *name);

/* numbers: pool_size.lua's answer, or NULL; odds: the pool's, or NULL */
ngx_chain_t *ngx_http_missedcall_metrics_page(ngx_pool_t *pool,
    ngx_log_t *log, redisReply *numbers, ngx_array_t *odds);


#endif /* _NGX_HTTP_MISSEDCALL_METRICS_H_INCLUDED_ */
