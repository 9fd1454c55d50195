
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * An operation: what one client request asks of Redis and the gateway.
 * It lives in a pool of its own, not the request's: a call placed for a
 * client that went away must still be confirmed or undone in Redis.  It
 * ends by answering the request, if the client is still there.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_sha1.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_phone.h"


static void ngx_http_missedcall_op_detach(void *data);


ngx_http_missedcall_op_t *
ngx_http_missedcall_op_create(ngx_http_request_t *r)
{
    ngx_pool_t                 *pool;
    ngx_pool_cleanup_t         *cln;
    ngx_http_missedcall_op_t   *op;
    ngx_http_missedcall_ctx_t  *ctx;

    ctx = ngx_http_missedcall_get_ctx(r);
    if (ctx == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        return NULL;
    }

    op = ngx_pcalloc(pool, sizeof(ngx_http_missedcall_op_t));
    if (op == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    op->pool = pool;
    op->r = r;
    op->cln = cln;
    op->lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);
    op->mcf = ngx_http_get_module_main_conf(r, ngx_http_missedcall_module);
    op->log = r->connection->log;
    op->gateway_ms = -1;

    cln->handler = ngx_http_missedcall_op_detach;
    cln->data = op;

    ctx->op = op;

    return op;
}


/* the request is gone before its op ended: the op goes on alone */

static void
ngx_http_missedcall_op_detach(void *data)
{
    ngx_http_missedcall_op_t *op = data;

    op->r = NULL;
    op->log = ngx_cycle->log;
}


/*
 * Ends the op: its request, if still there, is returned to be answered
 * and finalized; what the log variables show is copied to it first.
 */

ngx_http_request_t *
ngx_http_missedcall_op_end(ngx_http_missedcall_op_t *op)
{
    u_char                     *p;
    ngx_http_request_t         *r;
    ngx_http_missedcall_ctx_t  *ctx;

    r = op->r;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall %s: op end: %s %V", op->lcf->endpoint->label,
                   r ? "answered" : "client gone", &op->sid);

    if (r) {
        op->cln->handler = NULL;
        op->r = NULL;

        ctx = ngx_http_missedcall_get_ctx(r);

        if (ctx && op->sid.len) {
            ctx->verification_id.data = ngx_pstrdup(r->pool, &op->sid);
            ctx->verification_id.len = ctx->verification_id.data
                                       ? op->sid.len : 0;
        }

        if (ctx && op->phone.len && op->admin == 0) {
            p = ngx_pnalloc(r->pool, op->phone.len);

            if (p) {
                ngx_http_missedcall_phone_mask(op->phone.data, op->phone.len,
                                               4, 1, p);
                ctx->phone_masked.data = p;
                ctx->phone_masked.len = op->phone.len;
            }
        }

        /* a static name: it outlives the op's pool */
        if (ctx && op->channel_name) {
            ctx->channel.data = (u_char *) op->channel_name;
            ctx->channel.len = ngx_strlen(op->channel_name);
        }

        if (ctx && op->gateway_ms >= 0) {
            p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 4);

            if (p) {
                ctx->gateway_time.data = p;
                ctx->gateway_time.len = ngx_sprintf(p, "%T.%03M",
                                              (time_t) op->gateway_ms / 1000,
                                              op->gateway_ms % 1000)
                                        - p;
            }
        }
    }

    ngx_destroy_pool(op->pool);

    return r;
}


void
ngx_http_missedcall_finalize(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t  *c;

    c = r->connection;
    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* answers the client, if it is still there, and ends the op */

void
ngx_http_missedcall_op_respond(ngx_http_missedcall_op_t *op,
    ngx_uint_t status, json_t *json)
{
    u_char              *p;
    time_t               retry_after;
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    retry_after = op->retry_after;

    r = ngx_http_missedcall_op_end(op);

    if (r == NULL) {
        json_decref(json);
        return;
    }

    if (retry_after) {
        p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 1);

        if (p) {
            ngx_sprintf(p, "%T%Z", retry_after);
        }

        if (p == NULL
            || ngx_http_missedcall_add_header(r, "Retry-After", (char *) p)
               == NULL)
        {
            json_decref(json);
            json = NULL;
        }
    }

    if (json) {
        rc = ngx_http_missedcall_send_json(r, status, json);

    } else {
        rc = ngx_http_missedcall_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                            "internal_error",
                                            "internal error");
    }

    ngx_http_missedcall_finalize(r, rc);
}


/* a success's answer, from members (no Retry-After: nothing is busy) */

void
ngx_http_missedcall_op_respond_members(ngx_http_missedcall_op_t *op,
    ngx_uint_t status, ngx_http_missedcall_json_member_t *m, size_t n)
{
    u_char              *text;
    size_t               len;
    ngx_http_request_t  *r;

    /* written first: the members point into the op's pool, which ends */
    text = op->r ? ngx_http_missedcall_members_text(op->r->pool, m, n, &len)
                 : NULL;

    r = ngx_http_missedcall_op_end(op);

    if (r) {
        ngx_http_missedcall_finalize(r,
                      ngx_http_missedcall_send_ok(r, status, text, len));
    }
}


void
ngx_http_missedcall_op_error(ngx_http_missedcall_op_t *op, ngx_uint_t status,
    const char *error, const char *message)
{
    ngx_http_missedcall_op_respond(op, status,
                                   ngx_http_missedcall_error_json(error,
                                                                  message));
}


void
ngx_http_missedcall_op_unavailable(ngx_http_missedcall_op_t *op)
{
    ngx_http_missedcall_op_error(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                 "service_unavailable",
                                 "the session store is unavailable");
}


/* runs a script for op; Redis unavailable right now: a 503 at once */

void
ngx_http_missedcall_op_eval(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_script_t *script, ngx_uint_t nkeys, ngx_uint_t argc,
    ngx_str_t *argv, ngx_http_missedcall_redis_pt handler)
{
    if (ngx_http_missedcall_redis_eval(script, nkeys, argc, argv, handler, op)
        != NGX_OK)
    {
        ngx_http_missedcall_op_unavailable(op);
    }
}


ngx_int_t
ngx_http_missedcall_op_key(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_key_e kind, ngx_str_t *id, ngx_str_t *key)
{
    return ngx_http_missedcall_key_alloc(op->pool, op->mcf, kind, id, key);
}


/*
 * A session's secret: sha1(salt . data) in hex, in op's pool, as verify.lua
 * hashes what it receives, so that Redis never holds a caller's digits or
 * a code in the clear.
 */

ngx_int_t
ngx_http_missedcall_op_secret(ngx_http_missedcall_op_t *op, u_char *data,
    size_t len, ngx_str_t *hash)
{
    u_char      md[20];
    ngx_sha1_t  sha1;

    hash->data = ngx_pnalloc(op->pool, 2 * sizeof(md));
    if (hash->data == NULL) {
        return NGX_ERROR;
    }

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, op->salt.data, op->salt.len);
    ngx_sha1_update(&sha1, data, len);
    ngx_sha1_final(md, &sha1);
    ngx_explicit_memzero(&sha1, sizeof(sha1));

    hash->len = ngx_hex_dump(hash->data, md, sizeof(md)) - hash->data;

    return NGX_OK;
}


/* a number argument, printed at *p */

void
ngx_http_missedcall_args(ngx_str_t *arg, u_char **p, ngx_uint_t value)
{
    arg->data = *p;
    *p = ngx_sprintf(*p, "%ui", value);
    arg->len = *p - arg->data;
}


/* an array reply of the given size whose first element is word */

ngx_int_t
ngx_http_missedcall_reply_is(redisReply *reply, const char *word,
    size_t elements)
{
    size_t  len;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != elements
        || reply->element[0]->type != REDIS_REPLY_STRING)
    {
        return 0;
    }

    len = ngx_strlen(word);

    return reply->element[0]->len == len
           && ngx_strncmp(reply->element[0]->str, word, len) == 0;
}


/* for debug logs: the first word of a script's answer */

const char *
ngx_http_missedcall_reply_word(redisReply *reply)
{
    if (reply == NULL) {
        return "(no reply)";
    }

    if (reply->type == REDIS_REPLY_ARRAY && reply->elements
        && reply->element[0]->type == REDIS_REPLY_STRING)
    {
        return reply->element[0]->str;
    }

    /* a script's success in one string: its words may be secrets */
    if (reply->type == REDIS_REPLY_STRING) {
        return "ok";
    }

    return reply->type == REDIS_REPLY_ERROR ? "(error)" : "(other)";
}
