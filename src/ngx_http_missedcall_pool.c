
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The caller number pool lives in Redis, so that every node draws from the
 * same one.  Each new connection adds the configured numbers (ZADD NX: a
 * number another node added, or one the pool API will manage, is kept).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_keys.h"


static void ngx_http_missedcall_pool_synced(redisReply *reply, void *data);


void
ngx_http_missedcall_pool_sync(void)
{
    u_char                           *key;
    size_t                            size;
    ngx_str_t                        *argv, *number;
    ngx_uint_t                        i, n;
    ngx_pool_t                       *pool;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                              ngx_http_missedcall_module);

    if (mcf->pool == NULL) {
        return;
    }

    /* the adapter copies argv: a scratch pool is enough */
    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        return;
    }

    n = 3 + 2 * mcf->pool->nelts;

    argv = ngx_palloc(pool, n * sizeof(ngx_str_t));
    size = mcf->prefix.len + NGX_HTTP_MISSEDCALL_KEY_NAME_MAX;
    key = ngx_pnalloc(pool, size);

    if (argv == NULL || key == NULL) {
        ngx_destroy_pool(pool);
        return;
    }

    ngx_str_set(&argv[0], "ZADD");
    argv[1].data = key;
    argv[1].len = ngx_http_missedcall_key(key, size, mcf->prefix.data,
                                          mcf->prefix.len,
                                          NGX_HTTP_MISSEDCALL_KEY_POOL,
                                          NULL, 0);
    ngx_str_set(&argv[2], "NX");

    number = mcf->pool->elts;

    for (i = 0; i < mcf->pool->nelts; i++) {
        ngx_str_set(&argv[3 + 2 * i], "0");
        argv[4 + 2 * i] = number[i];
    }

    (void) ngx_http_missedcall_redis_command(n, argv,
                                             ngx_http_missedcall_pool_synced,
                                             NULL);

    ngx_destroy_pool(pool);
}


static void
ngx_http_missedcall_pool_synced(redisReply *reply, void *data)
{
    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "missedcall: %L caller numbers added to the pool",
                      (int64_t) reply->integer);
    }
}
