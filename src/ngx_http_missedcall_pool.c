
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The caller number pool lives in Redis, so that every node draws from the
 * same one.  The configuration seeds it: each new connection adds the
 * configured numbers Redis does not know yet.  From then on the admin API
 * owns a number: disabling or removing it there sticks, whatever the
 * configuration says, and a removed number stays known as "removed".
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_keys.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_scripts.h"


static void ngx_http_missedcall_pool_seeded(redisReply *reply, void *data);
static char *ngx_http_missedcall_pool_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t n);


void
ngx_http_missedcall_pool_sync(void)
{
    ngx_str_t                        *argv, *args;
    ngx_uint_t                        i, n;
    ngx_pool_t                       *pool;
    ngx_http_missedcall_number_t     *number;
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

    n = NGX_HTTP_MISSEDCALL_SEED_KEYS + NGX_HTTP_MISSEDCALL_SEED_ARGS
        + 2 * mcf->pool->nelts;

    argv = ngx_palloc(pool, n * sizeof(ngx_str_t));

    if (argv == NULL
        || ngx_http_missedcall_pool_argv(pool, mcf, argv) != NGX_OK)
    {
        ngx_destroy_pool(pool);
        return;
    }

    number = mcf->pool->elts;
    args = argv + NGX_HTTP_MISSEDCALL_SEED_KEYS;

    for (i = 0; i < mcf->pool->nelts; i++) {
        args[NGX_HTTP_MISSEDCALL_SEED_ARG_NUMBERS + 2 * i] = number[i].number;
        args[NGX_HTTP_MISSEDCALL_SEED_ARG_NUMBERS + 2 * i + 1] =
                                                             number[i].codes;
    }

    (void) ngx_http_missedcall_redis_eval(&ngx_http_missedcall_script_seed,
                                          NGX_HTTP_MISSEDCALL_SEED_KEYS, n,
                                          argv,
                                          ngx_http_missedcall_pool_seeded,
                                          NULL);

    ngx_destroy_pool(pool);
}


static void
ngx_http_missedcall_pool_seeded(redisReply *reply, void *data)
{
    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "missedcall: %L caller numbers added to the pool",
                      (int64_t) reply->integer);
    }
}


/*
 * The keys and key prefixes both scripts take first: admin's header names
 * the same ones as seed's, in the same order.
 */

ngx_int_t
ngx_http_missedcall_pool_argv(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_str_t *argv)
{
    ngx_str_t  *args;

    static ngx_str_t  none = ngx_null_string;

    args = argv + NGX_HTTP_MISSEDCALL_SEED_KEYS;

    if (ngx_http_missedcall_key_alloc(pool, mcf, NGX_HTTP_MISSEDCALL_KEY_POOL,
                              NULL, &argv[NGX_HTTP_MISSEDCALL_SEED_KEY_POOL])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_POOL_ALL, NULL,
                          &argv[NGX_HTTP_MISSEDCALL_SEED_KEY_NUMBERS])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_NUMBER, &none,
                          &args[NGX_HTTP_MISSEDCALL_SEED_ARG_NUMBER_PREFIX])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_POOL_CODE, &none,
                          &args[NGX_HTTP_MISSEDCALL_SEED_ARG_CODE_PREFIX])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* missedcall_pool <e164> ... [codes=<code>,...]; */

char *
ngx_http_missedcall_pool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    return ngx_http_missedcall_pool_add(cf, &cmd->name,
                                        (ngx_str_t *) cf->args->elts + 1,
                                        cf->args->nelts - 1);
}


/* the same arguments, a line at a time; "#" comments */

char *
ngx_http_missedcall_pool_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char        *rv;
    u_char      *p, *last;
    ngx_str_t   *value, text, line, args[16];
    ngx_uint_t   n;

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                       1024 * 1024, &text);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    p = text.data;
    last = text.data + text.len;

    while (ngx_http_missedcall_next_line(&p, last, &line)) {

        for (n = 0; line.len; n++) {
            if (n == 16) {
                return "has a line of more than 16 words";
            }

            args[n].data = line.data;

            while (line.len && line.data[0] != ' ' && line.data[0] != '\t') {
                line.data++;
                line.len--;
            }

            args[n].len = line.data - args[n].data;

            while (line.len && (line.data[0] == ' ' || line.data[0] == '\t')) {
                line.data++;
                line.len--;
            }
        }

        rv = ngx_http_missedcall_pool_add(cf, &cmd->name, args, n);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_missedcall_pool_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t n)
{
    ngx_str_t                         codes;
    ngx_uint_t                        i, j;
    ngx_http_missedcall_number_t     *number;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);

    ngx_str_null(&codes);

    if (n > 1 && args[n - 1].len > 6
        && ngx_strncmp(args[n - 1].data, "codes=", 6) == 0)
    {
        codes.data = args[n - 1].data + 6;
        codes.len = args[n - 1].len - 6;
        n--;

        if (!ngx_http_missedcall_calling_codes_valid(codes.data, codes.len)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": invalid \"codes=%V\": up to %d "
                               "calling codes such as \"codes=44,353\"",
                               name, &codes, NGX_HTTP_MISSEDCALL_CODES_MAX);
            return NGX_CONF_ERROR;
        }
    }

    if (mcf->pool == NULL) {
        mcf->pool = ngx_array_create(cf->pool, 8,
                                     sizeof(ngx_http_missedcall_number_t));
        if (mcf->pool == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    for (i = 0; i < n; i++) {

        /* written exactly as E.164, so what is configured is dialed */
        if (!ngx_http_missedcall_phone_is_e164(args[i].data, args[i].len)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is not an E.164 number "
                               "such as \"+15550100200\"", name, &args[i]);
            return NGX_CONF_ERROR;
        }

        number = mcf->pool->elts;

        for (j = 0; j < mcf->pool->nelts; j++) {
            if (number[j].number.len == args[i].len
                && ngx_strncmp(number[j].number.data, args[i].data,
                               args[i].len) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"%V\": \"%V\" is listed twice",
                                   name, &args[i]);
                return NGX_CONF_ERROR;
            }
        }

        number = ngx_array_push(mcf->pool);
        if (number == NULL) {
            return NGX_CONF_ERROR;
        }

        number->number.len = args[i].len;
        number->number.data = ngx_pstrdup(cf->pool, &args[i]);
        number->codes.len = codes.len;
        number->codes.data = ngx_pstrdup(cf->pool, &codes);

        if (number->number.data == NULL
            || (codes.len && number->codes.data == NULL))
        {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/*
 * A guess of the caller id succeeds with about attempts / numbers it could
 * be; in last-digits mode only the pool numbers that share the hint count.
 */

void
ngx_http_missedcall_pool_strength(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_array_t *pool)
{
    size_t                         cut;
    ngx_str_t                     *a, *b;
    ngx_uint_t                     i, j, same, fewest;
    ngx_http_missedcall_number_t  *n;

    n = pool->elts;
    fewest = pool->nelts;

    for (i = 0; lcf->match_digits && i < pool->nelts; i++) {
        same = 0;
        a = &n[i].number;
        cut = a->len > lcf->match_digits ? a->len - lcf->match_digits : 0;

        for (j = 0; j < pool->nelts; j++) {
            b = &n[j].number;

            if (b->len == a->len && ngx_strncmp(b->data, a->data, cut) == 0) {
                same++;
            }
        }

        fewest = ngx_min(fewest, same);
    }

    if (lcf->max_attempts * 100 > fewest) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "a guessed caller id succeeds with probability "
                           "%ui%% (%ui attempts, %ui possible numbers%s): "
                           "add pool numbers or lower "
                           "\"missedcall_max_attempts\"",
                           ngx_min(100, lcf->max_attempts * 100 / fewest),
                           lcf->max_attempts, fewest,
                           lcf->match_digits ? " sharing the hint" : "");
    }
}
