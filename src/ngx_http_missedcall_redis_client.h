
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_REDIS_CLIENT_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_REDIS_CLIENT_H_INCLUDED_


/* The worker's Redis client, shared by redis.c and sentinel.c alone. */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <hiredis/async.h>

#include "ngx_http_missedcall_redis.h"


typedef struct {
    redisAsyncContext                     *ac;
    ngx_connection_t                      *conn;
    ngx_http_missedcall_redis_conf_t      *conf;
    ngx_http_missedcall_redis_connect_pt   on_connect;
    ngx_log_t                             *log;
    ngx_event_t                            timer;
    ngx_uint_t                             pending;
    ngx_uint_t                             connected;
    ngx_uint_t                             writing;
    ngx_uint_t                             connects;
    ngx_msec_t                             backoff;
    ngx_msec_t                             retry_at;

    ngx_http_missedcall_redis_addr_t      *peer;     /* connected to */
    ngx_http_missedcall_redis_addr_t       server;   /* missedcall_redis */

    /* with sentinels: the master they named, and whom to ask next */
    ngx_uint_t                             to_sentinel;
    ngx_uint_t                             next_sentinel;
    ngx_http_missedcall_redis_addr_t       master;   /* addr.len 0: ask */
    u_char                                 master_ip[NGX_SOCKADDR_STRLEN];
} ngx_http_missedcall_redis_t;


extern ngx_http_missedcall_redis_t  ngx_http_missedcall_redis_client;

void ngx_http_missedcall_redis_failed(void);

/* the sentinels' answers, while the master is looked for (sentinel.c) */
void ngx_http_missedcall_redis_discovered(redisReply *reply, void *data);
void ngx_http_missedcall_redis_role(redisReply *reply, void *data);


#endif /* _NGX_HTTP_MISSEDCALL_REDIS_CLIENT_H_INCLUDED_ */
