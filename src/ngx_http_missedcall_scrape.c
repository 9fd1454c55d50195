
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The missedcall_metrics endpoint: the counters of the shared zone as
 * Prometheus' text, with the pool's numbers by state asked of Redis at
 * each scrape.  Without Redis the page still comes, with
 * missedcall_redis_up 0.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_scripts.h"


static void ngx_http_missedcall_metrics_pool(redisReply *reply, void *data);


ngx_int_t
ngx_http_missedcall_metrics_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_str_t                  argv[NGX_HTTP_MISSEDCALL_POOL_SIZE_ARGC];
    ngx_str_t                 *args, none;
    ngx_http_missedcall_op_t  *op;

    if (!ngx_http_missedcall_get_only(r, &rc)) {
        return rc;
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* from here on the op finalizes the request */
    r->main->count++;

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall metrics: pool size script sent");

    ngx_str_null(&none);
    args = argv + NGX_HTTP_MISSEDCALL_POOL_SIZE_KEYS;

    if (!ngx_http_missedcall_redis_configured(&op->mcf->redis)
        || ngx_http_missedcall_key_alloc(op->pool, op->mcf,
                      NGX_HTTP_MISSEDCALL_KEY_POOL_ALL, NULL,
                      &argv[NGX_HTTP_MISSEDCALL_POOL_SIZE_KEY_NUMBERS])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(op->pool, op->mcf,
                      NGX_HTTP_MISSEDCALL_KEY_NUMBER, &none,
                      &args[NGX_HTTP_MISSEDCALL_POOL_SIZE_ARG_NUMBER_PREFIX])
           != NGX_OK
        || ngx_http_missedcall_redis_eval(&ngx_http_missedcall_script_pool_size,
                                          NGX_HTTP_MISSEDCALL_POOL_SIZE_KEYS,
                                          NGX_HTTP_MISSEDCALL_POOL_SIZE_ARGC,
                                          argv,
                                          ngx_http_missedcall_metrics_pool,
                                          op)
           != NGX_OK)
    {
        /* the counters still, without the pool */
        ngx_http_missedcall_metrics_pool(NULL, op);
    }

    return NGX_DONE;
}


static void
ngx_http_missedcall_metrics_pool(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    uint64_t             guesses;
    ngx_int_t            rc;
    ngx_uint_t           digits;
    ngx_array_t         *numbers, *odds;
    ngx_chain_t         *out;
    ngx_http_request_t  *r;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall metrics: pool size answered \"%s\"",
                   ngx_http_missedcall_reply_word(reply));

    guesses = op->mcf->guesses;
    digits = op->mcf->hint_digits;

    r = ngx_http_missedcall_op_end(op);

    if (r == NULL) {
        return;
    }

    if (reply && (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4
                  || reply->element[0]->type != REDIS_REPLY_INTEGER
                  || reply->element[1]->type != REDIS_REPLY_INTEGER
                  || reply->element[2]->type != REDIS_REPLY_INTEGER
                  || reply->element[3]->type != REDIS_REPLY_ARRAY))
    {
        reply = NULL;
    }

    odds = NULL;

    if (reply && guesses) {
        numbers = ngx_http_missedcall_pool_members(r->pool,
                                                reply->element[3]->element,
                                                reply->element[3]->elements);
        odds = numbers ? ngx_http_missedcall_pool_odds(r->pool, numbers,
                                                       guesses, digits, NULL)
                       : NULL;
    }

    out = ngx_http_missedcall_metrics_page(r->pool, r->connection->log,
                                           reply, odds);

    if (out == NULL) {
        ngx_http_missedcall_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_http_missedcall_set_outcome(r, "ok", 2);

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type,
                "text/plain; version=0.0.4; charset=utf-8");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = out->buf->last - out->buf->pos;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        ngx_http_missedcall_finalize(r, rc);
        return;
    }

    ngx_http_missedcall_finalize(r, ngx_http_output_filter(r, out));
}
