
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The figures of the calls a worker placed and verified: each number's
 * counts of calls placed and verified, its last use and the end of its
 * run of refusals, and the count of all calls placed, which fail.lua
 * reads to tell a bad number from an outage.  Written once for many
 * calls: a call's own HINCRBY, HSET and INCR were a tenth of what Redis
 * spent on a request, its verified HINCRBY a twentieth of a verify
 * (issue 19).  A worker writes at the end of the event loop's turn that
 * counted the first call, and then at most every
 * NGX_HTTP_MISSEDCALL_TALLY_MS: a quiet worker writes a call's figures
 * when it answers the call's client; a busy one writes a batch for its
 * hundred calls.  This worker's figures go before its fail.lua, on the
 * same connection, so that the script reads them; other workers' are at
 * most that late.  The timer is not cancelable: an exiting worker writes
 * what it has.  A worker that dies loses its last milliseconds.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_phone.h"


#define NGX_HTTP_MISSEDCALL_TALLY_MS       10

/* numbers a batch holds: one more is written at once */
#define NGX_HTTP_MISSEDCALL_TALLY_NUMBERS  32

/* three commands a number, and the count of all calls */
#define NGX_HTTP_MISSEDCALL_TALLY_CMDS                                       \
    (3 * NGX_HTTP_MISSEDCALL_TALLY_NUMBERS + 1)
#define NGX_HTTP_MISSEDCALL_TALLY_ARGS                                       \
    (14 * NGX_HTTP_MISSEDCALL_TALLY_NUMBERS + 3)


typedef struct {
    u_char                               number[NGX_HTTP_MISSEDCALL_E164_LEN];
    size_t                               len;
    ngx_uint_t                           placed;
    ngx_uint_t                           verified;
    int64_t                              last_ms;
} ngx_http_missedcall_tally_number_t;


typedef struct {
    ngx_http_missedcall_main_conf_t     *mcf;
    ngx_uint_t                           n;
    ngx_uint_t                           placed;
    ngx_msec_t                           written;
    ngx_event_t                          event;
    ngx_http_missedcall_tally_number_t   numbers[
                                            NGX_HTTP_MISSEDCALL_TALLY_NUMBERS];
} ngx_http_missedcall_tally_t;


static void ngx_http_missedcall_tally_add(
    ngx_http_missedcall_main_conf_t *mcf, ngx_str_t *number,
    ngx_uint_t placed);
static void ngx_http_missedcall_tally_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_missedcall_tally_send(
    ngx_http_missedcall_tally_t *tl);
static ngx_uint_t ngx_http_missedcall_tally_hincrby(ngx_str_t *a,
    ngx_str_t *key, char *field, ngx_uint_t n, u_char **p);
static void ngx_http_missedcall_tally_written(redisReply *reply, void *data);


static ngx_http_missedcall_tally_t  ngx_http_missedcall_tally_worker;


/* a call placed from number */

void
ngx_http_missedcall_tally_placed(ngx_http_missedcall_main_conf_t *mcf,
    ngx_str_t *number)
{
    ngx_http_missedcall_tally_add(mcf, number, 1);
}


/* a call from number verified */

void
ngx_http_missedcall_tally_verified(ngx_http_missedcall_main_conf_t *mcf,
    ngx_str_t *number)
{
    ngx_http_missedcall_tally_add(mcf, number, 0);
}


static void
ngx_http_missedcall_tally_add(ngx_http_missedcall_main_conf_t *mcf,
    ngx_str_t *number, ngx_uint_t placed)
{
    ngx_uint_t                           i;
    ngx_time_t                          *tp;
    ngx_msec_int_t                       since;
    ngx_http_missedcall_tally_t         *tl = &ngx_http_missedcall_tally_worker;
    ngx_http_missedcall_tally_number_t  *nb;

    if (number->len == 0 || number->len > NGX_HTTP_MISSEDCALL_E164_LEN) {
        return;
    }

    if (tl->event.handler == NULL) {
        tl->event.handler = ngx_http_missedcall_tally_handler;
        tl->event.data = tl;
        tl->event.log = ngx_cycle->log;
        tl->written = ngx_current_msec - NGX_HTTP_MISSEDCALL_TALLY_MS;
    }

    for (i = 0; i < tl->n; i++) {
        if (tl->numbers[i].len == number->len
            && ngx_memcmp(tl->numbers[i].number, number->data, number->len)
               == 0)
        {
            break;
        }
    }

    if (i == NGX_HTTP_MISSEDCALL_TALLY_NUMBERS) {
        ngx_http_missedcall_tally_flush();
        i = 0;
    }

    nb = &tl->numbers[i];

    if (i == tl->n) {
        ngx_memcpy(nb->number, number->data, number->len);
        nb->len = number->len;
        nb->placed = 0;
        nb->verified = 0;
        tl->n++;
    }

    tl->mcf = mcf;

    if (placed) {
        tp = ngx_timeofday();

        nb->placed++;
        nb->last_ms = (int64_t) tp->sec * 1000 + tp->msec;
        tl->placed++;

    } else {
        nb->verified++;
    }

    if (tl->event.timer_set || tl->event.posted) {
        return;
    }

    since = (ngx_msec_int_t) (ngx_current_msec - tl->written);

    if (since >= NGX_HTTP_MISSEDCALL_TALLY_MS) {
        ngx_post_event(&tl->event, &ngx_posted_events);
        return;
    }

    ngx_add_timer(&tl->event, NGX_HTTP_MISSEDCALL_TALLY_MS - since);
}


/* writes what is counted now, if anything */

void
ngx_http_missedcall_tally_flush(void)
{
    ngx_http_missedcall_tally_t  *tl = &ngx_http_missedcall_tally_worker;

    if (tl->event.timer_set) {
        ngx_del_timer(&tl->event);
    }

    if (tl->event.posted) {
        ngx_delete_posted_event(&tl->event);
    }

    if (tl->n == 0) {
        return;
    }

    if (ngx_http_missedcall_tally_send(tl) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "missedcall redis: the figures of %ui numbers "
                      "could not be written", tl->n);
    }

    tl->n = 0;
    tl->placed = 0;
    tl->written = ngx_current_msec;
}


static void
ngx_http_missedcall_tally_handler(ngx_event_t *ev)
{
    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "missedcall tally: writing");

    ngx_http_missedcall_tally_flush();
}


/*
 * For each number HINCRBY <number> placed N and HSET <number> fails 0
 * last_used <ms> (a placed call ends a run of refusals: fail.lua), and
 * HINCRBY <number> verified N; INCRBY <placed> N.
 */

static ngx_int_t
ngx_http_missedcall_tally_send(ngx_http_missedcall_tally_t *tl)
{
    u_char                              *p, *buf;
    size_t                               size;
    ngx_int_t                            rc;
    ngx_str_t                           *a, key;
    ngx_uint_t                           i, n;
    ngx_uint_t                           argc[NGX_HTTP_MISSEDCALL_TALLY_CMDS];
    ngx_str_t                            argv[NGX_HTTP_MISSEDCALL_TALLY_ARGS];
    ngx_http_missedcall_tally_number_t  *nb;

    size = (tl->n + 1) * (tl->mcf->prefix.len
                          + NGX_HTTP_MISSEDCALL_KEY_NAME_MAX
                          + NGX_HTTP_MISSEDCALL_E164_LEN
                          + 3 * NGX_INT64_LEN);

    buf = ngx_alloc(size, ngx_cycle->log);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    p = buf;
    a = argv;
    n = 0;

    for (i = 0; i < tl->n; i++) {
        nb = &tl->numbers[i];

        key.data = p;
        key.len = ngx_http_missedcall_key(p, buf + size - p,
                                          tl->mcf->prefix.data,
                                          tl->mcf->prefix.len,
                                          NGX_HTTP_MISSEDCALL_KEY_NUMBER,
                                          nb->number, nb->len);
        p += key.len;

        if (nb->placed) {
            argc[n++] = ngx_http_missedcall_tally_hincrby(a, &key, "placed",
                                                          nb->placed, &p);
            a += 4;

            ngx_str_set(&a[0], "HSET");
            a[1] = key;
            ngx_str_set(&a[2], "fails");
            ngx_str_set(&a[3], "0");
            ngx_str_set(&a[4], "last_used");
            a[5].data = p;
            p = ngx_sprintf(p, "%L", nb->last_ms);
            a[5].len = p - a[5].data;

            argc[n++] = 6;
            a += 6;
        }

        if (nb->verified) {
            argc[n++] = ngx_http_missedcall_tally_hincrby(a, &key, "verified",
                                                          nb->verified, &p);
            a += 4;
        }
    }

    if (tl->placed) {
        ngx_str_set(&a[0], "INCRBY");
        a[1].data = p;
        a[1].len = ngx_http_missedcall_key(p, buf + size - p,
                                           tl->mcf->prefix.data,
                                           tl->mcf->prefix.len,
                                           NGX_HTTP_MISSEDCALL_KEY_PLACED,
                                           NULL, 0);
        p += a[1].len;
        a[2].data = p;
        p = ngx_sprintf(p, "%ui", tl->placed);
        a[2].len = p - a[2].data;
        argc[n++] = 3;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "missedcall tally: %ui numbers, %ui placed",
                   tl->n, tl->placed);

    /* hiredis copies the commands as they are written */
    rc = ngx_http_missedcall_redis_multi(n, argc, argv,
                                         ngx_http_missedcall_tally_written,
                                         (void *) (uintptr_t) tl->n);

    ngx_free(buf);

    return rc;
}


/* HINCRBY key field n in a, n printed at *p: its 4 arguments */

static ngx_uint_t
ngx_http_missedcall_tally_hincrby(ngx_str_t *a, ngx_str_t *key, char *field,
    ngx_uint_t n, u_char **p)
{
    ngx_str_set(&a[0], "HINCRBY");
    a[1] = *key;
    a[2].data = (u_char *) field;
    a[2].len = ngx_strlen(field);
    a[3].data = *p;
    *p = ngx_sprintf(*p, "%ui", n);
    a[3].len = *p - a[3].data;

    return 4;
}


static void
ngx_http_missedcall_tally_written(redisReply *reply, void *data)
{
    ngx_uint_t  n = (uintptr_t) data;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "missedcall redis: the figures of %ui numbers "
                      "were not written", n);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "missedcall tally: %ui numbers written", n);
}
