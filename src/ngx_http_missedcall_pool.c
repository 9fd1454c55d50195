
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
#include "ngx_http_missedcall_strength.h"


static void ngx_http_missedcall_pool_seeded(redisReply *reply, void *data);
static char *ngx_http_missedcall_pool_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t n);
static char *ngx_http_missedcall_pool_codes(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t *n, ngx_str_t *codes);
static char *ngx_http_missedcall_pool_entry(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *first, ngx_str_t *last, ngx_str_t *codes);
static uint64_t ngx_http_missedcall_pool_choices(ngx_array_t *pool,
    ngx_str_t *code, ngx_uint_t digits);
static uint64_t ngx_http_missedcall_pool_block(uint64_t number,
    ngx_uint_t digits);
static uint64_t ngx_http_missedcall_pool_shared(ngx_array_t *pool,
    ngx_str_t *code, size_t length, uint64_t block, ngx_uint_t digits);
static ngx_uint_t ngx_http_missedcall_pool_serves(
    ngx_http_missedcall_number_t *number, ngx_str_t *code);
static ngx_int_t ngx_http_missedcall_pool_odds_cmp(const void *one,
    const void *two);
static ngx_int_t ngx_http_missedcall_pool_odds_of(ngx_array_t *odds,
    ngx_array_t *numbers, ngx_str_t *code, uint64_t guesses,
    ngx_uint_t digits);


void
ngx_http_missedcall_pool_sync(void)
{
    ngx_str_t                        *argv, *args;
    ngx_uint_t                        i, n, nnumbers;
    ngx_pool_t                       *pool;
    ngx_http_missedcall_number_t     *number;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                              ngx_http_missedcall_module);

    /* none configured: seed still counts a pool kept by an older version */
    nnumbers = mcf->pool ? mcf->pool->nelts : 0;

    /* the adapter copies argv: a scratch pool is enough */
    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        return;
    }

    n = NGX_HTTP_MISSEDCALL_SEED_KEYS + NGX_HTTP_MISSEDCALL_SEED_ARGS
        + 2 * nnumbers;

    argv = ngx_palloc(pool, n * sizeof(ngx_str_t));

    if (argv == NULL
        || ngx_http_missedcall_pool_argv(pool, mcf, argv) != NGX_OK)
    {
        ngx_destroy_pool(pool);
        return;
    }

    number = nnumbers ? mcf->pool->elts : NULL;
    args = argv + NGX_HTTP_MISSEDCALL_SEED_KEYS;

    for (i = 0; i < nnumbers; i++) {
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
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_RANGES, NULL,
                          &argv[NGX_HTTP_MISSEDCALL_SEED_KEY_RANGES])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_RANGES_CODE, &none,
                          &args[NGX_HTTP_MISSEDCALL_SEED_ARG_RANGE_PREFIX])
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
    char        *rv;
    ngx_str_t    codes;
    ngx_uint_t   i;

    if (ngx_http_missedcall_pool_codes(cf, name, args, &n, &codes)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < n; i++) {
        rv = ngx_http_missedcall_pool_entry(cf, name, &args[i], &args[i],
                                            &codes);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


/*
 * missedcall_pool_range <first> <last> [codes=<code>,...];
 * a block of numbers a carrier lets the site present, kept in Redis as
 * one member, "first-last", whatever its size
 */

char *
ngx_http_missedcall_pool_range(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_str_t   *value, codes;
    ngx_uint_t   n;

    value = cf->args->elts;
    n = cf->args->nelts - 1;

    if (ngx_http_missedcall_pool_codes(cf, &cmd->name, value + 1, &n, &codes)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (n != 2) {
        return "takes the first and the last number of a range";
    }

    return ngx_http_missedcall_pool_entry(cf, &cmd->name, &value[1],
                                          &value[2], &codes);
}


/* a last "codes=44,353" argument: *n then counts the others */

static char *
ngx_http_missedcall_pool_codes(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t *n, ngx_str_t *codes)
{
    ngx_str_t  *last;

    ngx_str_null(codes);

    last = &args[*n - 1];

    if (*n < 2 || last->len <= 6 || ngx_strncmp(last->data, "codes=", 6) != 0)
    {
        return NGX_CONF_OK;
    }

    codes->data = last->data + 6;
    codes->len = last->len - 6;
    (*n)--;

    if (!ngx_http_missedcall_calling_codes_valid(codes->data, codes->len)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid \"codes=%V\": up to %d "
                           "calling codes such as \"codes=44,353\"",
                           name, codes, NGX_HTTP_MISSEDCALL_CODES_MAX);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * One number, or a range when first and last differ: written exactly as
 * E.164, so that what is configured is dialed, of one length, and apart
 * from every other entry, so that no number counts twice in the strength.
 */

static char *
ngx_http_missedcall_pool_entry(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *first, ngx_str_t *last, ngx_str_t *codes)
{
    u_char                           *p;
    uint64_t                          lo, hi;
    ngx_uint_t                        i;
    ngx_http_missedcall_number_t     *number;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);

    for (i = 0; i < 2; i++) {
        if (!ngx_http_missedcall_phone_is_e164(i ? last->data : first->data,
                                               i ? last->len : first->len))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is not an E.164 number "
                               "such as \"+15550100200\"",
                               name, i ? last : first);
            return NGX_CONF_ERROR;
        }
    }

    lo = (uint64_t) ngx_atoi(first->data + 1, first->len - 1);
    hi = (uint64_t) ngx_atoi(last->data + 1, last->len - 1);

    if (first->len != last->len || lo > hi) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" to \"%V\" is not a range of "
                           "numbers of one length, the first the lower",
                           name, first, last);
        return NGX_CONF_ERROR;
    }

    if (mcf->pool == NULL) {
        mcf->pool = ngx_array_create(cf->pool, 8,
                                     sizeof(ngx_http_missedcall_number_t));
        if (mcf->pool == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    number = mcf->pool->elts;

    for (i = 0; i < mcf->pool->nelts; i++) {
        if (number[i].digits == first->len - 1
            && lo <= number[i].last && number[i].first <= hi)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is listed twice",
                               name, first);
            return NGX_CONF_ERROR;
        }
    }

    number = ngx_array_push(mcf->pool);
    if (number == NULL) {
        return NGX_CONF_ERROR;
    }

    number->first = lo;
    number->last = hi;
    number->digits = first->len - 1;

    /* a range is kept as "first-last" */
    number->number.len = (lo == hi) ? first->len : first->len + 1 + last->len;
    number->number.data = ngx_pnalloc(cf->pool, number->number.len);
    number->codes.len = codes->len;
    number->codes.data = ngx_pstrdup(cf->pool, codes);

    if (number->number.data == NULL
        || (codes->len && number->codes.data == NULL))
    {
        return NGX_CONF_ERROR;
    }

    p = ngx_cpymem(number->number.data, first->data, first->len);

    if (lo != hi) {
        *p++ = '-';
        ngx_memcpy(p, last->data, last->len);
    }

    return NGX_CONF_OK;
}


/* "1%", "0.05%": the most odds a day a location may give an attacker */

char *
ngx_http_missedcall_max_guess_probability(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_uint_t  *ppm = (ngx_uint_t *) ((u_char *) conf + cmd->offset);

    ngx_int_t   n;
    ngx_str_t  *value;

    if (*ppm != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = (value[1].len > 1 && value[1].data[value[1].len - 1] == '%')
        ? ngx_atofp(value[1].data, value[1].len - 1, 4) : NGX_ERROR;

    if (n == NGX_ERROR || n > 1000000) {
        return "takes a percentage such as \"1%\" or \"0.05%\"";
    }

    /* ten-thousandths of a percent are millionths */
    *ppm = (ngx_uint_t) n;

    return NGX_CONF_OK;
}


/*
 * The numbers a phone of calling code may be called from: those serving
 * the code, or the whole pool for code NULL.  In last-digits mode only
 * the numbers sharing the hint count: the fewest of them, found at the
 * edges of the entries, since a block of 10^digits inside a range is full.
 */

static uint64_t
ngx_http_missedcall_pool_choices(ngx_array_t *pool, ngx_str_t *code,
    ngx_uint_t digits)
{
    uint64_t                       n, fewest, shared, block;
    ngx_uint_t                     i, k;
    ngx_http_missedcall_number_t  *num;

    num = pool->elts;
    n = 0;
    fewest = NGX_HTTP_MISSEDCALL_UNBOUNDED;

    for (i = 0; i < pool->nelts; i++) {
        if (!ngx_http_missedcall_pool_serves(&num[i], code)) {
            continue;
        }

        n += num[i].last - num[i].first + 1;

        for (k = 0; digits && k < 2; k++) {
            block = ngx_http_missedcall_pool_block(k ? num[i].last
                                                     : num[i].first, digits);
            shared = ngx_http_missedcall_pool_shared(pool, code,
                                                     num[i].digits, block,
                                                     digits);
            fewest = ngx_min(fewest, shared);
        }
    }

    return ngx_min(n, fewest);
}


static uint64_t
ngx_http_missedcall_pool_block(uint64_t number, ngx_uint_t digits)
{
    while (digits--) {
        number /= 10;
    }

    return number;
}


/* the numbers of code's entries of a length in one block of the hint */

static uint64_t
ngx_http_missedcall_pool_shared(ngx_array_t *pool, ngx_str_t *code,
    size_t length, uint64_t block, ngx_uint_t digits)
{
    uint64_t                       lo, hi, size, shared;
    ngx_uint_t                     i;
    ngx_http_missedcall_number_t  *num;

    for (size = 1; digits; digits--) {
        size *= 10;
    }

    lo = block * size;
    hi = lo + size - 1;
    shared = 0;
    num = pool->elts;

    for (i = 0; i < pool->nelts; i++) {
        if (num[i].digits == length
            && num[i].first <= hi && lo <= num[i].last
            && ngx_http_missedcall_pool_serves(&num[i], code))
        {
            shared += ngx_min(hi, num[i].last) - ngx_max(lo, num[i].first)
                      + 1;
        }
    }

    return shared;
}


static ngx_uint_t
ngx_http_missedcall_pool_serves(ngx_http_missedcall_number_t *number,
    ngx_str_t *code)
{
    u_char  *p, *last, *end;

    if (code == NULL) {
        return 1;
    }

    p = number->codes.data;
    last = p + number->codes.len;

    while (p < last) {
        end = ngx_strlchr(p, last, ',');
        if (end == NULL) {
            end = last;
        }

        if ((size_t) (end - p) == code->len
            && ngx_strncmp(p, code->data, code->len) == 0)
        {
            return 1;
        }

        p = end + 1;
    }

    return 0;
}


/*
 * The odds of a phone of each calling code some numbers serve, after the
 * odds of any phone (the whole pool, code empty): "nginx -t", the admin
 * API's warning and the metrics page count them alike.  worst, unless
 * NULL: the highest, the whole pool's on a tie.
 */

ngx_array_t *
ngx_http_missedcall_pool_odds(ngx_pool_t *pool, ngx_array_t *numbers,
    uint64_t guesses, ngx_uint_t digits, ngx_http_missedcall_odds_t **worst)
{
    u_char                        *p, *last, *end;
    ngx_str_t                      code;
    ngx_uint_t                     i;
    ngx_array_t                   *odds;
    ngx_http_missedcall_odds_t    *o;
    ngx_http_missedcall_number_t  *num;

    odds = ngx_array_create(pool, 8, sizeof(ngx_http_missedcall_odds_t));

    if (odds == NULL
        || ngx_http_missedcall_pool_odds_of(odds, numbers, NULL, guesses,
                                            digits)
           != NGX_OK)
    {
        return NULL;
    }

    num = numbers->elts;

    for (i = 0; i < numbers->nelts; i++) {
        p = num[i].codes.data;
        last = p + num[i].codes.len;

        for ( /* void */ ; p < last; p = end + 1) {
            end = ngx_strlchr(p, last, ',');
            if (end == NULL) {
                end = last;
            }

            code.data = p;
            code.len = end - p;

            if (ngx_http_missedcall_pool_odds_of(odds, numbers, &code,
                                                 guesses, digits)
                != NGX_OK)
            {
                return NULL;
            }
        }
    }

    /* the codes in order, whatever order Redis listed the numbers in */
    ngx_sort((ngx_http_missedcall_odds_t *) odds->elts + 1, odds->nelts - 1,
             sizeof(ngx_http_missedcall_odds_t),
             ngx_http_missedcall_pool_odds_cmp);

    if (worst) {
        o = odds->elts;
        *worst = &o[0];

        for (i = 1; i < odds->nelts; i++) {
            if (o[i].ppm > (*worst)->ppm) {
                *worst = &o[i];
            }
        }
    }

    return odds;
}


static ngx_int_t
ngx_http_missedcall_pool_odds_cmp(const void *one, const void *two)
{
    const ngx_http_missedcall_odds_t  *a = one, *b = two;

    return ngx_memn2cmp(a->code.data, b->code.data, a->code.len,
                        b->code.len);
}


/* the odds of a code (NULL: any phone), unless counted already */

static ngx_int_t
ngx_http_missedcall_pool_odds_of(ngx_array_t *odds, ngx_array_t *numbers,
    ngx_str_t *code, uint64_t guesses, ngx_uint_t digits)
{
    ngx_uint_t                   k;
    ngx_http_missedcall_odds_t  *o;

    o = odds->elts;

    for (k = 1; code && k < odds->nelts; k++) {
        if (o[k].code.len == code->len
            && ngx_strncmp(o[k].code.data, code->data, code->len) == 0)
        {
            return NGX_OK;
        }
    }

    o = ngx_array_push(odds);
    if (o == NULL) {
        return NGX_ERROR;
    }

    if (code) {
        o->code = *code;

    } else {
        ngx_str_null(&o->code);
    }

    o->callers = ngx_http_missedcall_pool_choices(numbers, code, digits);
    o->ppm = ngx_http_missedcall_odds_ppm(guesses, o->callers);

    return NGX_OK;
}


/*
 * Pairs of an enabled member ("+first" or "+first-+last") and its calling
 * codes, as scripts answer them; NULL: out of memory or not such a list.
 */

ngx_array_t *
ngx_http_missedcall_pool_members(ngx_pool_t *pool, redisReply **element,
    size_t n)
{
    u_char                        *p;
    size_t                         i, k, half;
    ngx_array_t                   *numbers;
    redisReply                    *m, *c;
    ngx_http_missedcall_number_t  *num;

    numbers = ngx_array_create(pool, n / 2 + 1,
                               sizeof(ngx_http_missedcall_number_t));
    if (numbers == NULL) {
        return NULL;
    }

    for (i = 0; i + 1 < n; i += 2) {
        m = element[i];
        c = element[i + 1];

        if (m->type != REDIS_REPLY_STRING || c->type != REDIS_REPLY_STRING
            || !ngx_http_missedcall_pool_member_valid((u_char *) m->str,
                                                     m->len))
        {
            return NULL;
        }

        num = ngx_array_push(numbers);
        p = ngx_pnalloc(pool, c->len);

        if (num == NULL || (c->len && p == NULL)) {
            return NULL;
        }

        /* the codes as the configuration writes them: "44,353" */
        for (k = 0; k < c->len; k++) {
            p[k] = (c->str[k] >= '0' && c->str[k] <= '9') ? c->str[k] : ',';
        }

        num->codes.data = p;
        num->codes.len = c->len;
        ngx_str_null(&num->number);

        half = ngx_http_missedcall_phone_is_e164((u_char *) m->str, m->len)
               ? m->len : m->len / 2;

        num->digits = half - 1;
        num->first = (uint64_t) ngx_atoi((u_char *) m->str + 1, half - 1);
        num->last = (half == m->len) ? num->first
                    : (uint64_t) ngx_atoi((u_char *) m->str + half + 2,
                                          half - 1);
    }

    return numbers;
}


/*
 * Wrong guesses an attacker can make at one phone in any 24 hours: the
 * attempts of each session times the sessions the phone and global limits
 * and the resend rule let through, capped by the failure budget.
 */

uint64_t
ngx_http_missedcall_guesses(ngx_http_missedcall_loc_conf_t *lcf)
{
    uint64_t                      sessions, failures;
    ngx_uint_t                    i;
    ngx_http_missedcall_limit_t  *limit;

    sessions = NGX_HTTP_MISSEDCALL_UNBOUNDED;

    if (lcf->resend) {
        sessions = ngx_http_missedcall_per_day(1, lcf->resend, 0);
    }

    limit = lcf->limits ? lcf->limits->elts : NULL;

    for (i = 0; limit && i < lcf->limits->nelts; i++) {
        if (limit[i].kind == NGX_HTTP_MISSEDCALL_LIMIT_PHONE
            || limit[i].kind == NGX_HTTP_MISSEDCALL_LIMIT_GLOBAL)
        {
            sessions = ngx_min(sessions,
                               ngx_http_missedcall_per_day(limit[i].count,
                                                           limit[i].window,
                                                           0));
        }
    }

    /* every failure restarts the budget's window */
    failures = lcf->max_failures
               ? ngx_http_missedcall_per_day(lcf->max_failures,
                                             lcf->failures_window, 1)
               : NGX_HTTP_MISSEDCALL_UNBOUNDED;

    return ngx_http_missedcall_guesses_per_day(lcf->max_attempts, sessions,
                                               failures);
}


/*
 * The attacker's odds a day at the worst calling code: a code that some
 * numbers serve draws from those alone, any other phone from the whole
 * pool.  Printed by "nginx -t", refused above the location's bound.
 */

char *
ngx_http_missedcall_pool_strength(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_array_t *pool)
{
    uint64_t                     guesses;
    ngx_array_t                 *odds;
    ngx_http_missedcall_odds_t  *worst;

    guesses = ngx_http_missedcall_guesses(lcf);

    odds = ngx_http_missedcall_pool_odds(cf->temp_pool, pool, guesses,
                                         lcf->match_digits, &worst);
    if (odds == NULL) {
        return NGX_CONF_ERROR;
    }


    /* a warning, so that "nginx -t" shows it on every test */
    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "a patient attacker takes over a phone with odds of "
                       "%ui.%04ui%% a day at worst (%s%V: %uL numbers%s, "
                       "%ui attempts a session, %s%uL wrong guesses a day)",
                       (ngx_uint_t) (worst->ppm / 10000),
                       (ngx_uint_t) (worst->ppm % 10000),
                       worst->code.len ? "calling code " : "the whole pool",
                       &worst->code, worst->callers,
                       lcf->match_digits ? " sharing the hint" : "",
                       lcf->max_attempts,
                       guesses == NGX_HTTP_MISSEDCALL_UNBOUNDED
                       ? "unbounded: " : "",
                       guesses == NGX_HTTP_MISSEDCALL_UNBOUNDED
                       ? (uint64_t) 0 : guesses);

    if (worst->ppm > lcf->max_guess_ppm) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the odds are above "
                           "\"missedcall_max_guess_probability\" "
                           "(%ui.%04ui%%): add pool numbers or a range, "
                           "or lower \"missedcall_max_attempts\", the "
                           "limits or \"missedcall_max_failures\"",
                           lcf->max_guess_ppm / 10000,
                           lcf->max_guess_ppm % 10000);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
