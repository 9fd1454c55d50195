
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Redis Sentinel: which server is the master.  The client asks a sentinel
 * in turn, connects to the master it names, and checks with ROLE that the
 * server is the master still: one demoted since is left for the
 * sentinels to name another.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <hiredis/async.h>

#include "ngx_http_missedcall_redis_client.h"


/* a sentinel's answer: ["ip", "port"] of the master, or nil */

void
ngx_http_missedcall_redis_discovered(redisReply *reply, void *data)
{
    ngx_int_t                          port;
    ngx_http_missedcall_redis_t       *rd = &ngx_http_missedcall_redis_client;
    ngx_http_missedcall_redis_addr_t  *sentinel = data;

    port = NGX_ERROR;

    if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
        && reply->element[0]->type == REDIS_REPLY_STRING
        && reply->element[1]->type == REDIS_REPLY_STRING
        && reply->element[0]->len < NGX_SOCKADDR_STRLEN)
    {
        port = ngx_atoi((u_char *) reply->element[1]->str,
                        reply->element[1]->len);
    }

    if (port <= 0 || port > 65535) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "missedcall redis: sentinel %V:%i does not name the "
                      "master \"%V\"", &sentinel->addr, sentinel->port,
                      &rd->conf->master);
        ngx_http_missedcall_redis_failed();

    } else {
        rd->master.addr.data = rd->master_ip;
        rd->master.addr.len = reply->element[0]->len;
        ngx_memcpy(rd->master_ip, reply->element[0]->str,
                   rd->master.addr.len);
        rd->master_ip[rd->master.addr.len] = '\0';
        rd->master.port = port;

        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "missedcall redis: sentinel %V:%i names %V:%i the "
                      "master \"%V\"", &sentinel->addr, sentinel->port,
                      &rd->master.addr, rd->master.port, &rd->conf->master);
    }

    /* freed once this callback returns */
    if (rd->ac) {
        redisAsyncFree(rd->ac);
    }
}


void
ngx_http_missedcall_redis_role(redisReply *reply, void *data)
{
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements
        && reply->element[0]->type == REDIS_REPLY_STRING
        && reply->element[0]->len == 6
        && ngx_strncmp(reply->element[0]->str, "master", 6) == 0)
    {
        return;
    }

    if (reply == NULL) {
        /* the connection failed: the cleanup asks the sentinels again */
        return;
    }

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "missedcall redis: %V:%i is not the master, asking the "
                  "sentinels again", &rd->master.addr, rd->master.port);

    if (rd->ac) {
        redisAsyncFree(rd->ac);
    }
}
