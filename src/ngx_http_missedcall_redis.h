
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_REDIS_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <hiredis/hiredis.h>


typedef struct {
    ngx_str_t                  addr;      /* numeric address or unix path,
                                             NUL-terminated */
    ngx_int_t                  port;      /* 0: unix socket */
} ngx_http_missedcall_redis_addr_t;


typedef struct {
    ngx_str_t                  addr;      /* as redis_addr_t; empty: the
                                             sentinels name the master */
    ngx_int_t                  port;
    ngx_array_t               *sentinels; /* redis_addr_t */
    ngx_str_t                  master;    /* the sentinels' master name */
    ngx_str_t                  password;  /* empty: no AUTH */
    ngx_uint_t                 db;
    ngx_msec_t                 timeout;
    ngx_msec_t                 connect_timeout;
    ngx_uint_t                 wait;      /* replicas a session must reach */
    ngx_msec_t                 wait_timeout;
} ngx_http_missedcall_redis_conf_t;


#define ngx_http_missedcall_redis_configured(conf)                           \
    ((conf)->addr.len || (conf)->sentinels)


/* a Lua script, run with EVALSHA and sent whole only on NOSCRIPT */
typedef struct {
    const char                *name;
    const char                *file;      /* its .lua, for the error log */
    ngx_str_t                  body;
    char                       sha1[41];
} ngx_http_missedcall_script_t;


/* reply is NULL when Redis could not answer: down, timed out, closing */
typedef void (*ngx_http_missedcall_redis_pt)(redisReply *reply, void *data);

/* called on every new connection, before any queued command is sent */
typedef void (*ngx_http_missedcall_redis_connect_pt)(void);


ngx_int_t ngx_http_missedcall_redis_init_process(ngx_cycle_t *cycle,
    ngx_http_missedcall_redis_conf_t *conf,
    ngx_http_missedcall_redis_connect_pt on_connect);
void ngx_http_missedcall_redis_exit_process(ngx_cycle_t *cycle);

void ngx_http_missedcall_redis_scripts_init(void);

/*
 * NGX_OK: handler will be called exactly once, from the event loop.
 * NGX_ERROR: Redis is unavailable right now; handler will not be called.
 */
ngx_int_t ngx_http_missedcall_redis_command(ngx_uint_t argc, ngx_str_t *argv,
    ngx_http_missedcall_redis_pt handler, void *data);
/*
 * A transaction: MULTI, n commands (argc[i] arguments each, one after
 * another in argv), EXEC.  The handler gets EXEC's reply, an array of
 * theirs; as for redis_command otherwise.
 */
ngx_int_t ngx_http_missedcall_redis_multi(ngx_uint_t n, ngx_uint_t *argc,
    ngx_str_t *argv, ngx_http_missedcall_redis_pt handler, void *data);
ngx_int_t ngx_http_missedcall_redis_eval(ngx_http_missedcall_script_t *script,
    ngx_uint_t nkeys, ngx_uint_t argc, ngx_str_t *argv,
    ngx_http_missedcall_redis_pt handler, void *data);


#endif /* _NGX_HTTP_MISSEDCALL_REDIS_H_INCLUDED_ */
