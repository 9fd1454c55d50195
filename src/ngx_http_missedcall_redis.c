
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * hiredis's async API on nginx's event loop: one connection per worker,
 * made on first use, its socket wrapped in an nginx connection (hiredis
 * reads one buffer per call: events are level-triggered).  hiredis 0.14
 * has no timeouts, so one nginx timer serves as connect timeout and then
 * as reply timeout: when the
 * oldest outstanding reply is late, the connection is dropped and every
 * waiter gets a NULL reply.  After a failure, connecting again waits for a
 * backoff, so a dead Redis costs a fast refusal, not a connect per request.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <hiredis/async.h>
#include <openssl/sha.h>

#include "ngx_http_missedcall_redis.h"
#include "ngx_http_missedcall_redis_client.h"
#include "ngx_http_missedcall_resp.h"
#include "ngx_http_missedcall_scripts.h"
#include "ngx_http_missedcall_socket.h"
#include "ngx_http_missedcall_metrics.h"


#define NGX_HTTP_MISSEDCALL_REDIS_BACKOFF_MIN  100
#define NGX_HTTP_MISSEDCALL_REDIS_BACKOFF_MAX  1000
#define NGX_HTTP_MISSEDCALL_REDIS_ARGS         32   /* of a command in
                                                        a transaction */




typedef struct {
    ngx_http_missedcall_redis_pt           handler;
    void                                  *data;
    ngx_http_missedcall_script_t          *script;
    int                                    argc;
    const char                           **argv;
    size_t                                *argvlen;
    u_char                                 nkeys[NGX_INT_T_LEN];
} ngx_http_missedcall_redis_cmd_t;


static ngx_int_t ngx_http_missedcall_redis_connect(void);
static ngx_int_t ngx_http_missedcall_redis_ready(void);
static ngx_int_t ngx_http_missedcall_redis_send(
    ngx_http_missedcall_redis_cmd_t *cmd);
static int ngx_http_missedcall_redis_write_cmd(redisAsyncContext *ac,
    ngx_http_missedcall_redis_cmd_t *cmd);
static int ngx_http_missedcall_redis_write(redisAsyncContext *ac,
    redisCallbackFn *fn, void *privdata, int argc, const char **argv,
    const size_t *argvlen);
static void ngx_http_missedcall_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_missedcall_redis_script_error(
    ngx_http_missedcall_script_t *script, const char *err);
static void ngx_http_missedcall_redis_setup_reply(redisReply *reply,
    void *data);
static void ngx_http_missedcall_redis_connected(const redisAsyncContext *ac,
    int status);
static void ngx_http_missedcall_redis_disconnected(
    const redisAsyncContext *ac, int status);
static void ngx_http_missedcall_redis_timeout(ngx_event_t *ev);
static void ngx_http_missedcall_redis_read_handler(ngx_event_t *ev);
static void ngx_http_missedcall_redis_write_handler(ngx_event_t *ev);
static void ngx_http_missedcall_redis_add_read(void *privdata);
static void ngx_http_missedcall_redis_del_read(void *privdata);
static void ngx_http_missedcall_redis_add_write(void *privdata);
static void ngx_http_missedcall_redis_del_write(void *privdata);
static void ngx_http_missedcall_redis_cleanup(void *privdata);


ngx_http_missedcall_redis_t  ngx_http_missedcall_redis_client;


ngx_int_t
ngx_http_missedcall_redis_init_process(ngx_cycle_t *cycle,
    ngx_http_missedcall_redis_conf_t *conf,
    ngx_http_missedcall_redis_connect_pt on_connect)
{
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    ngx_memzero(rd, sizeof(ngx_http_missedcall_redis_t));

    rd->conf = conf;
    rd->server.addr = conf->addr;
    rd->server.port = conf->port;
    rd->on_connect = on_connect;
    rd->log = cycle->log;
    rd->backoff = NGX_HTTP_MISSEDCALL_REDIS_BACKOFF_MIN;
    rd->retry_at = ngx_current_msec;

    rd->timer.handler = ngx_http_missedcall_redis_timeout;
    rd->timer.log = cycle->log;
    rd->timer.data = rd;

    return NGX_OK;
}


void
ngx_http_missedcall_redis_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    if (rd->ac) {
        redisAsyncFree(rd->ac);
    }

    rd->conf = NULL;
}


void
ngx_http_missedcall_redis_scripts_init(void)
{
    u_char                         md[SHA_DIGEST_LENGTH];
    ngx_http_missedcall_script_t  **script;

    for (script = ngx_http_missedcall_scripts; *script; script++) {
        SHA1((*script)->body.data, (*script)->body.len, md);
        ngx_hex_dump((u_char *) (*script)->sha1, md, SHA_DIGEST_LENGTH);
        (*script)->sha1[40] = '\0';
    }
}


/*
 * Copies argv into one heap block: the command may outlive the request
 * that issued it, and is sent twice when the script was not cached.
 */

static ngx_http_missedcall_redis_cmd_t *
ngx_http_missedcall_redis_cmd_alloc(ngx_uint_t prefix, ngx_uint_t argc,
    ngx_str_t *argv)
{
    u_char                           *p;
    size_t                            size;
    ngx_uint_t                        i, n;
    ngx_http_missedcall_redis_cmd_t  *cmd;

    n = prefix + argc;
    size = sizeof(ngx_http_missedcall_redis_cmd_t)
           + n * (sizeof(char *) + sizeof(size_t));

    for (i = 0; i < argc; i++) {
        size += argv[i].len;
    }

    cmd = ngx_alloc(size, ngx_http_missedcall_redis_client.log);
    if (cmd == NULL) {
        return NULL;
    }

    ngx_memzero(cmd, sizeof(ngx_http_missedcall_redis_cmd_t));

    cmd->argc = (int) n;
    cmd->argv = (const char **) (cmd + 1);
    cmd->argvlen = (size_t *) (cmd->argv + n);
    p = (u_char *) (cmd->argvlen + n);

    for (i = 0; i < argc; i++) {
        cmd->argv[prefix + i] = (const char *) p;
        cmd->argvlen[prefix + i] = argv[i].len;

        /* an empty argument may have no data at all */
        if (argv[i].len) {
            p = ngx_cpymem(p, argv[i].data, argv[i].len);
        }
    }

    return cmd;
}


ngx_int_t
ngx_http_missedcall_redis_command(ngx_uint_t argc, ngx_str_t *argv,
    ngx_http_missedcall_redis_pt handler, void *data)
{
    ngx_http_missedcall_redis_cmd_t  *cmd;

    cmd = ngx_http_missedcall_redis_cmd_alloc(0, argc, argv);
    if (cmd == NULL) {
        return NGX_ERROR;
    }

    cmd->handler = handler;
    cmd->data = data;

    return ngx_http_missedcall_redis_send(cmd);
}


/*
 * MULTI and the queued commands go without a callback: written at once
 * from argv, nothing to copy, and EXEC's reply says what each did.
 */

ngx_int_t
ngx_http_missedcall_redis_multi(ngx_uint_t n, ngx_uint_t *argc,
    ngx_str_t *argv, ngx_http_missedcall_redis_pt handler, void *data)
{
    size_t                            len[NGX_HTTP_MISSEDCALL_REDIS_ARGS];
    ngx_str_t                         exec;
    ngx_uint_t                        i, j;
    const char                       *arg[NGX_HTTP_MISSEDCALL_REDIS_ARGS];
    ngx_http_missedcall_redis_t      *rd = &ngx_http_missedcall_redis_client;
    ngx_http_missedcall_redis_cmd_t  *cmd;

    ngx_str_set(&exec, "EXEC");

    cmd = ngx_http_missedcall_redis_cmd_alloc(0, 1, &exec);
    if (cmd == NULL) {
        return NGX_ERROR;
    }

    cmd->handler = handler;
    cmd->data = data;

    if (ngx_http_missedcall_redis_ready() != NGX_OK) {
        ngx_free(cmd);
        return NGX_ERROR;
    }

    arg[0] = "MULTI";
    len[0] = sizeof("MULTI") - 1;

    if (ngx_http_missedcall_redis_write(rd->ac, NULL, NULL, 1, arg, len)
        != REDIS_OK)
    {
        ngx_free(cmd);
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        for (j = 0; j < argc[i] && j < NGX_HTTP_MISSEDCALL_REDIS_ARGS; j++) {
            arg[j] = argv[j].len ? (const char *) argv[j].data : "";
            len[j] = argv[j].len;
        }

        if (j < argc[i]
            || ngx_http_missedcall_redis_write(rd->ac, NULL, NULL, (int) j,
                                               arg, len)
               != REDIS_OK)
        {
            break;
        }

        argv += argc[i];
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "missedcall redis: MULTI of %ui commands %s", n,
                   i == n ? "queued" : "failed");

    if (i == n && ngx_http_missedcall_redis_send(cmd) == NGX_OK) {
        return NGX_OK;
    }

    /* a transaction cut short must not stay open on the connection */
    if (rd->ac) {
        redisAsyncFree(rd->ac);
    }

    if (i < n) {
        ngx_free(cmd);
    }

    return NGX_ERROR;
}


/* Redis is there, or is being connected to: commands may be queued */

static ngx_int_t
ngx_http_missedcall_redis_ready(void)
{
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    if (rd->conf == NULL
        || (rd->ac == NULL && ngx_http_missedcall_redis_connect() != NGX_OK))
    {
        ngx_http_missedcall_metrics_inc(NGX_HTTP_MISSEDCALL_M_REDIS_ERRORS);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_missedcall_redis_eval(ngx_http_missedcall_script_t *script,
    ngx_uint_t nkeys, ngx_uint_t argc, ngx_str_t *argv,
    ngx_http_missedcall_redis_pt handler, void *data)
{
    ngx_http_missedcall_redis_cmd_t  *cmd;

    cmd = ngx_http_missedcall_redis_cmd_alloc(3, argc, argv);
    if (cmd == NULL) {
        return NGX_ERROR;
    }

    cmd->handler = handler;
    cmd->data = data;
    cmd->script = script;
    cmd->argv[0] = "EVALSHA";
    cmd->argvlen[0] = sizeof("EVALSHA") - 1;
    cmd->argv[1] = script->sha1;
    cmd->argvlen[1] = 40;
    cmd->argv[2] = (const char *) cmd->nkeys;
    cmd->argvlen[2] = ngx_sprintf(cmd->nkeys, "%ui", nkeys) - cmd->nkeys;

    return ngx_http_missedcall_redis_send(cmd);
}


static ngx_int_t
ngx_http_missedcall_redis_send(ngx_http_missedcall_redis_cmd_t *cmd)
{
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    if (ngx_http_missedcall_redis_ready() != NGX_OK) {
        ngx_free(cmd);
        return NGX_ERROR;
    }

    if (ngx_http_missedcall_redis_write_cmd(rd->ac, cmd) != REDIS_OK) {
        /* the context is closing: its waiters are being failed */
        ngx_free(cmd);
        return NGX_ERROR;
    }

    if (rd->pending++ == 0 && rd->connected) {
        ngx_add_timer(&rd->timer, rd->conf->timeout);
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "missedcall redis: %*s \"%s\" sent, %ui pending",
                   cmd->argvlen[0], cmd->argv[0],
                   cmd->script ? cmd->script->name : "", rd->pending);

    return NGX_OK;
}


/* a command with its reply handler */

static int
ngx_http_missedcall_redis_write_cmd(redisAsyncContext *ac,
    ngx_http_missedcall_redis_cmd_t *cmd)
{
    return ngx_http_missedcall_redis_write(ac, ngx_http_missedcall_redis_reply,
                                           cmd, cmd->argc, cmd->argv,
                                           cmd->argvlen);
}


/* a command in Redis's protocol (resp.c), for hiredis to send as it is */

static int
ngx_http_missedcall_redis_write(redisAsyncContext *ac, redisCallbackFn *fn,
    void *privdata, int argc, const char **argv, const size_t *argvlen)
{
    int      rc;
    u_char  *buf, *p;

    buf = ngx_alloc(ngx_http_missedcall_resp_size(argc, argvlen),
                    ngx_http_missedcall_redis_client.log);
    if (buf == NULL) {
        return REDIS_ERR;
    }

    p = ngx_http_missedcall_resp_write(buf, argc, argv, argvlen);

    rc = redisAsyncFormattedCommand(ac, fn, privdata, (const char *) buf,
                                    p - buf);
    ngx_free(buf);

    return rc;
}


static void
ngx_http_missedcall_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                       *reply = r;
    ngx_http_missedcall_redis_t      *rd = &ngx_http_missedcall_redis_client;
    ngx_http_missedcall_redis_cmd_t  *cmd = privdata;

    rd->pending--;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "missedcall redis: %*s \"%s\" reply, type %d",
                   cmd->argvlen[0], cmd->argv[0],
                   cmd->script ? cmd->script->name : "",
                   reply ? reply->type : -1);

    if (reply && rd->connected) {
        /* a reply came: the next oldest one gets a full timeout */
        if (rd->pending) {
            ngx_add_timer(&rd->timer, rd->conf->timeout);

        } else if (rd->timer.timer_set) {
            ngx_del_timer(&rd->timer);
        }
    }

    if (reply && cmd->script
        && reply->type == REDIS_REPLY_ERROR
        && ngx_strncmp(reply->str, "NOSCRIPT", 8) == 0)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                       "missedcall redis: loading script \"%s\"",
                       cmd->script->name);

        cmd->argv[0] = "EVAL";
        cmd->argvlen[0] = sizeof("EVAL") - 1;
        cmd->argv[1] = (const char *) cmd->script->body.data;
        cmd->argvlen[1] = cmd->script->body.len;

        if (ngx_http_missedcall_redis_write_cmd(ac, cmd) == REDIS_OK) {
            if (rd->pending++ == 0) {
                ngx_add_timer(&rd->timer, rd->conf->timeout);
            }

            return;
        }

        reply = NULL;
    }

    if (reply && reply->type == REDIS_REPLY_ERROR) {
        if (cmd->script) {
            ngx_http_missedcall_redis_script_error(cmd->script, reply->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                          "missedcall redis: error reply: %s", reply->str);
        }

        /* a master demoted under us: never write to it, find the new one */
        if (rd->conf->sentinels
            && ngx_strncmp(reply->str, "READONLY", 8) == 0)
        {
            redisAsyncFree(ac);
        }
    }

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        ngx_http_missedcall_metrics_inc(NGX_HTTP_MISSEDCALL_M_REDIS_ERRORS);
    }

    cmd->handler(reply, cmd->data);
    ngx_free(cmd);
}


/*
 * Redis names the line of a script's error "user_script:N", and line N of
 * a script is line N of its .lua file.
 */

static void
ngx_http_missedcall_redis_script_error(ngx_http_missedcall_script_t *script,
    const char *err)
{
    u_char     *p, *last, at[1 + NGX_INT_T_LEN];
    ngx_int_t   line;

    last = at;
    p = (u_char *) ngx_strstr(err, "user_script:");

    if (p) {
        p += sizeof("user_script:") - 1;

        for (line = 0; *p >= '0' && *p <= '9'; p++) {
            line = line * 10 + *p - '0';
        }

        last = ngx_sprintf(at, ":%i", line);
    }

    ngx_log_error(NGX_LOG_ERR, ngx_http_missedcall_redis_client.log, 0,
                  "missedcall redis: script \"%s\" (%s%*s) failed: %s",
                  script->name, script->file, last - at, at, err);
}


static ngx_int_t
ngx_http_missedcall_redis_connect(void)
{
    u_char                             db[NGX_INT_T_LEN];
    ngx_str_t                          argv[3];
    ngx_connection_t                  *c;
    redisAsyncContext                 *ac;
    ngx_http_missedcall_redis_t       *rd = &ngx_http_missedcall_redis_client;
    ngx_http_missedcall_redis_addr_t  *a;
    ngx_http_missedcall_redis_conf_t  *conf = rd->conf;

    /* an exiting worker finishes with what it has, and opens nothing */
    if (ngx_exiting
        || (ngx_msec_int_t) (rd->retry_at - ngx_current_msec) > 0)
    {
        return NGX_ERROR;
    }

    /* with sentinels, the master they name, or else one of them to ask */
    rd->to_sentinel = conf->sentinels && rd->master.addr.len == 0;

    if (rd->to_sentinel) {
        a = conf->sentinels->elts;
        a += rd->next_sentinel++ % conf->sentinels->nelts;

    } else if (conf->sentinels) {
        a = &rd->master;

    } else {
        a = &rd->server;
    }

    rd->peer = a;

    if (a->port) {
        ac = redisAsyncConnect((char *) a->addr.data, (int) a->port);

    } else {
        ac = redisAsyncConnectUnix((char *) a->addr.data);
    }

    if (ac == NULL) {
        ngx_log_error(NGX_LOG_ALERT, rd->log, 0,
                      "missedcall redis: no memory for a connection");
        ngx_http_missedcall_redis_failed();
        return NGX_ERROR;
    }

    if (ac->err) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "missedcall redis: connect to \"%V\" failed: %s",
                      &a->addr, ac->errstr);
        redisAsyncFree(ac);
        ngx_http_missedcall_redis_failed();
        return NGX_ERROR;
    }

    c = ngx_get_connection(ac->c.fd, rd->log);
    if (c == NULL) {
        redisAsyncFree(ac);
        ngx_http_missedcall_redis_failed();
        return NGX_ERROR;
    }

    c->data = ac;
    c->read->handler = ngx_http_missedcall_redis_read_handler;
    c->write->handler = ngx_http_missedcall_redis_write_handler;
    c->read->log = rd->log;
    c->write->log = rd->log;

    rd->ac = ac;
    rd->conn = c;
    rd->connected = 0;

    ac->ev.data = rd;
    ac->ev.addRead = ngx_http_missedcall_redis_add_read;
    ac->ev.delRead = ngx_http_missedcall_redis_del_read;
    ac->ev.addWrite = ngx_http_missedcall_redis_add_write;
    ac->ev.delWrite = ngx_http_missedcall_redis_del_write;
    ac->ev.cleanup = ngx_http_missedcall_redis_cleanup;

    redisAsyncSetConnectCallback(ac, ngx_http_missedcall_redis_connected);
    redisAsyncSetDisconnectCallback(ac,
                                    ngx_http_missedcall_redis_disconnected);

    ngx_add_timer(&rd->timer, conf->connect_timeout);

    if (rd->to_sentinel) {
        /* the command that needed Redis fails: the next one finds it */
        ngx_str_set(&argv[0], "SENTINEL");
        ngx_str_set(&argv[1], "get-master-addr-by-name");
        argv[2] = conf->master;

        (void) ngx_http_missedcall_redis_command(3, argv,
                                      ngx_http_missedcall_redis_discovered, a);
        return NGX_ERROR;
    }

    /* queued first, so they precede every command of this connection */

    if (conf->password.len) {
        ngx_str_set(&argv[0], "AUTH");
        argv[1] = conf->password;

        if (ngx_http_missedcall_redis_command(2, argv,
                                  ngx_http_missedcall_redis_setup_reply, "AUTH")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (conf->db) {
        ngx_str_set(&argv[0], "SELECT");
        argv[1].data = db;
        argv[1].len = ngx_sprintf(db, "%ui", conf->db) - db;

        if (ngx_http_missedcall_redis_command(2, argv,
                                ngx_http_missedcall_redis_setup_reply, "SELECT")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /* what a sentinel named may have been demoted since */
    if (conf->sentinels) {
        ngx_str_set(&argv[0], "ROLE");

        if (ngx_http_missedcall_redis_command(1, argv,
                                          ngx_http_missedcall_redis_role, NULL)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (rd->on_connect) {
        rd->on_connect();
    }

    return rd->ac ? NGX_OK : NGX_ERROR;
}


/* connecting again waits for the backoff, which doubles each time */

void
ngx_http_missedcall_redis_failed(void)
{
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    rd->retry_at = ngx_current_msec + rd->backoff;
    rd->backoff = ngx_min(rd->backoff * 2,
                          NGX_HTTP_MISSEDCALL_REDIS_BACKOFF_MAX);
}


static void
ngx_http_missedcall_redis_setup_reply(redisReply *reply, void *data)
{
    /* the reply text never holds the password: safe to log */
    if (reply && reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, ngx_http_missedcall_redis_client.log, 0,
                      "missedcall redis: %s refused, check "
                      "\"missedcall_redis\" settings", (char *) data);
    }
}


static void
ngx_http_missedcall_redis_connected(const redisAsyncContext *ac, int status)
{
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    if (status != REDIS_OK) {
        /* hiredis frees the context right after this callback */
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "missedcall redis: connect to \"%V\" failed: %s",
                      &rd->peer->addr, ac->errstr);
        return;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "missedcall redis: connected");

    if (rd->connects++) {
        ngx_http_missedcall_metrics_inc(
                                     NGX_HTTP_MISSEDCALL_M_REDIS_RECONNECTS);
    }

    rd->connected = 1;
    rd->backoff = NGX_HTTP_MISSEDCALL_REDIS_BACKOFF_MIN;

    if (rd->pending) {
        ngx_add_timer(&rd->timer, rd->conf->timeout);

    } else if (rd->timer.timer_set) {
        ngx_del_timer(&rd->timer);
    }
}


static void
ngx_http_missedcall_redis_disconnected(const redisAsyncContext *ac,
    int status)
{
    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, ngx_http_missedcall_redis_client.log, 0,
                      "missedcall redis: connection lost: %s", ac->errstr);
    }
}


static void
ngx_http_missedcall_redis_timeout(ngx_event_t *ev)
{
    ngx_http_missedcall_redis_t  *rd = ev->data;

    ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                  "missedcall redis: %s timed out, %ui commands pending",
                  rd->connected ? "reply" : "connect", rd->pending);

    if (rd->ac) {
        redisAsyncFree(rd->ac);
    }
}


static void
ngx_http_missedcall_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    if (c->close) {
        /* worker_shutdown_timeout: what waits fails now, not later */
        redisAsyncFree(c->data);
        return;
    }

    redisAsyncHandleRead(c->data);
}


static void
ngx_http_missedcall_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t             *c = ev->data;
    ngx_http_missedcall_redis_t  *rd = &ngx_http_missedcall_redis_client;

    rd->writing = 1;
    redisAsyncHandleWrite(c->data);
    rd->writing = 0;
}


static void
ngx_http_missedcall_redis_add_read(void *privdata)
{
    ngx_http_missedcall_redis_t  *rd = privdata;

    ngx_http_missedcall_socket_watch(rd->conn->read, NGX_READ_EVENT, 1);
}


static void
ngx_http_missedcall_redis_del_read(void *privdata)
{
    ngx_http_missedcall_redis_t  *rd = privdata;

    ngx_http_missedcall_socket_watch(rd->conn->read, NGX_READ_EVENT, 0);
}


/*
 * A command of a connected context is written once this pass of the event
 * loop ends, with every other command the pass made: one write, and no
 * epoll_ctl, for many requests.  Only what the socket did not take, and
 * the connect, wait for epoll.
 */

static void
ngx_http_missedcall_redis_add_write(void *privdata)
{
    ngx_event_t                  *wev;
    ngx_http_missedcall_redis_t  *rd = privdata;

    wev = rd->conn->write;

    if (rd->writing || !(rd->ac->c.flags & REDIS_CONNECTED)) {
        ngx_http_missedcall_socket_watch(wev, NGX_WRITE_EVENT, 1);
        return;
    }

    if (!wev->posted && !wev->active) {
        ngx_post_event(wev, &ngx_posted_events);
    }
}


static void
ngx_http_missedcall_redis_del_write(void *privdata)
{
    ngx_http_missedcall_redis_t  *rd = privdata;

    ngx_http_missedcall_socket_watch(rd->conn->write, NGX_WRITE_EVENT, 0);
}


/* hiredis calls this once, whatever ends the context; it closes the fd */

static void
ngx_http_missedcall_redis_cleanup(void *privdata)
{
    ngx_connection_t             *c;
    ngx_http_missedcall_redis_t  *rd = privdata;

    c = rd->conn;

    if (c) {
        ngx_http_missedcall_socket_release(c);
    }

    if (rd->timer.timer_set) {
        ngx_del_timer(&rd->timer);
    }

    if (!rd->connected) {
        ngx_http_missedcall_redis_failed();
    }

    /* a master's connection ended: ask the sentinels before the next */
    if (!rd->to_sentinel) {
        rd->master.addr.len = 0;
    }

    rd->ac = NULL;
    rd->conn = NULL;
    rd->connected = 0;
    rd->pending = 0;
}
