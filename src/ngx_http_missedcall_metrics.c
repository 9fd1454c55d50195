
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Counters in a shared memory zone, so that every worker's figures add up
 * and a reload keeps them, served in Prometheus' text format.  The layout
 * is fixed: a counter is an atomic add, with no lock and no allocation.
 * The pool's size, asked of Redis at each scrape, comes with the page
 * (scrape.c).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_metrics.h"
#include "ngx_http_missedcall_strength.h"


#define NGX_HTTP_MISSEDCALL_BUCKETS    7
#define NGX_HTTP_MISSEDCALL_PAGE_MAX   (64 * 1024)


/* what requests end with: "ok", or the error code of the answer */
static char  *ngx_http_missedcall_outcomes[] = {
    "ok",
    "invalid_json", "invalid_field", "missing_field", "body_too_large",
    "method_not_allowed", "not_found", "unauthorized",
    "invalid_phone_number", "invalid_caller_id", "invalid_app_signature",
    "country_not_allowed", "resend_too_soon", "limit_phone", "limit_ip",
    "limit_prefix", "limit_global", "too_many_failures", "invalid_session",
    "caller_id_mismatch",
    "invalid_token", "invalid_signature", "gateway_busy", "gateway_error",
    "gateway_timeout", "pool_empty", "service_unavailable",
    "internal_error",
    "other"
};

#define NGX_HTTP_MISSEDCALL_OUTCOMES                                         \
    (sizeof(ngx_http_missedcall_outcomes) / sizeof(char *))

/* the refusals of abuse protection, among the outcomes, from this one */
#define NGX_HTTP_MISSEDCALL_REFUSALS_FIRST  10
#define NGX_HTTP_MISSEDCALL_REFUSALS_LAST   17


/* a call's result: placed, or the error the client got */
static char  *ngx_http_missedcall_results[] = {
    "placed", "gateway_error", "gateway_timeout", "gateway_busy",
    "invalid_phone_number"
};

#define NGX_HTTP_MISSEDCALL_RESULTS                                          \
    (sizeof(ngx_http_missedcall_results) / sizeof(char *))


static ngx_msec_t  ngx_http_missedcall_buckets[NGX_HTTP_MISSEDCALL_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000
};


static char  *ngx_http_missedcall_counters[][2] = {
    { "missedcall_redis_errors_total",
      "Redis commands that failed: no connection, a timeout, an error" },
    { "missedcall_redis_reconnects_total",
      "Connections to Redis made again after one was lost" },
    { "missedcall_webhooks_sent_total",
      "Webhooks the receiver accepted" },
    { "missedcall_webhooks_retried_total",
      "Webhook attempts that failed and were tried again" },
    { "missedcall_webhooks_failed_total",
      "Webhooks given up after the last attempt" },
    { "missedcall_pool_numbers_kept_total",
      "Numbers the gateway kept refusing, left enabled because the share "
      "of numbers disabled automatically was reached" }
};


typedef struct {
    ngx_atomic_t   requests[NGX_HTTP_MISSEDCALL_ENDPOINTS]
                           [NGX_HTTP_MISSEDCALL_OUTCOMES];
    ngx_atomic_t   calls[NGX_HTTP_MISSEDCALL_GATEWAYS]
                        [NGX_HTTP_MISSEDCALL_RESULTS];
    ngx_atomic_t   latency[NGX_HTTP_MISSEDCALL_GATEWAYS]
                          [NGX_HTTP_MISSEDCALL_BUCKETS + 1];
    ngx_atomic_t   latency_ms[NGX_HTTP_MISSEDCALL_GATEWAYS];
    u_char         names[NGX_HTTP_MISSEDCALL_GATEWAYS]
                        [NGX_HTTP_MISSEDCALL_GATEWAY_NAME + 1];
    ngx_atomic_t   counters[NGX_HTTP_MISSEDCALL_M_COUNTERS];
    ngx_atomic_t   channels[NGX_HTTP_MISSEDCALL_CHANNELS][2];
} ngx_http_missedcall_metrics_t;


static char  *ngx_http_missedcall_channel_names[] = {
    "outbound", "inbound", "sms"
};


/* the two counters of each channel: sessions opened, sessions verified */
static char  *ngx_http_missedcall_channel_counters[][2] = {
    { "missedcall_sessions_total", "Sessions opened" },
    { "missedcall_verified_total", "Sessions verified" }
};


static char  *ngx_http_missedcall_states[] = {
    "enabled", "disabled", "removed"
};


static void ngx_http_missedcall_metrics_slots(
    ngx_http_missedcall_main_conf_t *mcf, ngx_http_missedcall_metrics_t *m);
static ngx_int_t ngx_http_missedcall_metrics_init_zone(
    ngx_shm_zone_t *shm_zone, void *data);
static u_char *ngx_http_missedcall_metrics_odds(u_char *p, u_char *last,
    ngx_array_t *odds);


/* this worker's view of the zone; NULL: no zone */
static ngx_http_missedcall_metrics_t  *ngx_http_missedcall_metrics;
static ngx_http_missedcall_main_conf_t  *ngx_http_missedcall_metrics_conf;


/* missedcall_metrics_zone zone=<name>:<size>; */

char *
ngx_http_missedcall_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    u_char     *p;
    ssize_t     size;
    ngx_str_t  *value, name, s;

    if (mcf->metrics_zone) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strncmp(value[1].data, "zone=", 5) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\", expected "
                           "\"zone=name:size\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    name.data = value[1].data + 5;
    p = (u_char *) ngx_strchr(name.data, ':');

    if (p == NULL || p == name.data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone \"%V\", expected \"zone=name:size\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    name.len = p - name.data;
    s.data = p + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small, at least %uzk",
                           &value[1], 8 * ngx_pagesize / 1024);
        return NGX_CONF_ERROR;
    }

    mcf->metrics_zone = ngx_shared_memory_add(cf, &name, size,
                                              &ngx_http_missedcall_module);
    if (mcf->metrics_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (mcf->metrics_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is already in use", &name);
        return NGX_CONF_ERROR;
    }

    mcf->metrics_zone->init = ngx_http_missedcall_metrics_init_zone;
    mcf->metrics_zone->data = mcf;

    return NGX_CONF_OK;
}


/* data: the same zone of the cycle before a reload, its counters kept */

static ngx_int_t
ngx_http_missedcall_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t                  *shpool;
    ngx_http_missedcall_metrics_t    *m;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = shm_zone->data;
    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (data) {
        m = data;

    } else if (shm_zone->shm.exists) {
        m = shpool->data;

    } else {
        m = ngx_slab_calloc(shpool, sizeof(ngx_http_missedcall_metrics_t));
        if (m == NULL) {
            return NGX_ERROR;
        }

        shpool->data = m;
    }

    shm_zone->data = m;

    ngx_http_missedcall_metrics_slots(mcf, m);

    return NGX_OK;
}


/*
 * Each gateway name's counters: its slot from before a reload, else a
 * free one, else one of a name no longer configured, counted anew.  In
 * the master, before the workers of this configuration start.
 */

static void
ngx_http_missedcall_metrics_slots(ngx_http_missedcall_main_conf_t *mcf,
    ngx_http_missedcall_metrics_t *m)
{
    ngx_str_t   *names;
    ngx_uint_t   i, k, r, used[NGX_HTTP_MISSEDCALL_GATEWAYS];

    ngx_memzero(used, sizeof(used));
    names = mcf->gateway_names ? mcf->gateway_names->elts : NULL;

    for (i = 0; names && i < mcf->gateway_names->nelts; i++) {
        mcf->gateway_slots[i] = NGX_HTTP_MISSEDCALL_GATEWAYS;

        for (k = 0; k < NGX_HTTP_MISSEDCALL_GATEWAYS; k++) {
            if (ngx_strlen(m->names[k]) == names[i].len
                && ngx_strncmp(m->names[k], names[i].data, names[i].len) == 0)
            {
                mcf->gateway_slots[i] = k;
                used[k] = 1;
                break;
            }
        }
    }

    for (i = 0; names && i < mcf->gateway_names->nelts; i++) {
        if (mcf->gateway_slots[i] != NGX_HTTP_MISSEDCALL_GATEWAYS) {
            continue;
        }

        /* free slots first: their names are "" and used by no one */
        for (k = 0; k < NGX_HTTP_MISSEDCALL_GATEWAYS; k++) {
            if (!used[k] && m->names[k][0] == '\0') {
                break;
            }
        }

        if (k == NGX_HTTP_MISSEDCALL_GATEWAYS) {
            for (k = 0; used[k]; k++) { /* void */ }
        }

        used[k] = 1;
        mcf->gateway_slots[i] = k;

        for (r = 0; r < NGX_HTTP_MISSEDCALL_RESULTS; r++) {
            m->calls[k][r] = 0;
        }

        for (r = 0; r <= NGX_HTTP_MISSEDCALL_BUCKETS; r++) {
            m->latency[k][r] = 0;
        }

        m->latency_ms[k] = 0;
        ngx_memzero(m->names[k], sizeof(m->names[k]));
        ngx_memcpy(m->names[k], names[i].data, names[i].len);
    }
}


void
ngx_http_missedcall_metrics_init_process(ngx_cycle_t *cycle)
{
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(cycle,
                                              ngx_http_missedcall_module);

    ngx_http_missedcall_metrics = mcf && mcf->metrics_zone
                                  ? mcf->metrics_zone->data : NULL;
    ngx_http_missedcall_metrics_conf = mcf;
}


/*
 * A gateway's metrics slot, by its name: gateways of one name in several
 * locations count together; names past the slots count in the last one.
 */

ngx_uint_t
ngx_http_missedcall_metrics_gateway(ngx_conf_t *cf, ngx_str_t *name)
{
    ngx_uint_t                        i;
    ngx_str_t                        *names, *n;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);

    if (mcf->gateway_names == NULL) {
        mcf->gateway_names = ngx_array_create(cf->pool, 4, sizeof(ngx_str_t));
        if (mcf->gateway_names == NULL) {
            return 0;
        }
    }

    names = mcf->gateway_names->elts;

    for (i = 0; i < mcf->gateway_names->nelts; i++) {
        if (names[i].len == name->len
            && ngx_strncmp(names[i].data, name->data, name->len) == 0)
        {
            return i;
        }
    }

    if (i == NGX_HTTP_MISSEDCALL_GATEWAYS) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "more than %d gateway names: \"%V\" counts in "
                           "the metrics of \"%V\"",
                           NGX_HTTP_MISSEDCALL_GATEWAYS, name, &names[i - 1]);
        return i - 1;
    }

    if (name->len > NGX_HTTP_MISSEDCALL_GATEWAY_NAME) {
        return 0;
    }

    n = ngx_array_push(mcf->gateway_names);
    if (n == NULL) {
        return 0;
    }

    *n = *name;

    return i;
}


void
ngx_http_missedcall_metrics_inc(ngx_http_missedcall_counter_e counter)
{
    if (ngx_http_missedcall_metrics) {
        (void) ngx_atomic_fetch_add(
                         &ngx_http_missedcall_metrics->counters[counter], 1);
    }
}


void
ngx_http_missedcall_metrics_channel(ngx_uint_t channel, ngx_uint_t verified)
{
    if (ngx_http_missedcall_metrics && channel < NGX_HTTP_MISSEDCALL_CHANNELS)
    {
        (void) ngx_atomic_fetch_add(
               &ngx_http_missedcall_metrics->channels[channel][verified], 1);
    }
}


/*
 * Counts what a request of an endpoint ended with, and answers the
 * outcome as the table spells it, which outlives any request.
 */

const char *
ngx_http_missedcall_metrics_outcome(ngx_uint_t endpoint, const char *outcome,
    size_t len)
{
    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_MISSEDCALL_OUTCOMES - 1; i++) {
        if (ngx_strlen(ngx_http_missedcall_outcomes[i]) == len
            && ngx_strncmp(ngx_http_missedcall_outcomes[i], outcome, len)
               == 0)
        {
            break;
        }
    }

    if (ngx_http_missedcall_metrics) {
        (void) ngx_atomic_fetch_add(
                      &ngx_http_missedcall_metrics->requests[endpoint][i], 1);
    }

    return ngx_http_missedcall_outcomes[i];
}


void
ngx_http_missedcall_metrics_call(ngx_uint_t gateway, const char *error,
    ngx_msec_t elapsed)
{
    ngx_uint_t                      i, b;
    ngx_http_missedcall_metrics_t  *m;

    m = ngx_http_missedcall_metrics;

    if (m == NULL) {
        return;
    }

    for (i = 0; error && i < NGX_HTTP_MISSEDCALL_RESULTS - 1; i++) {
        if (ngx_strcmp(ngx_http_missedcall_results[i + 1], error) == 0) {
            break;
        }
    }

    i = error ? ngx_min(i + 1, NGX_HTTP_MISSEDCALL_RESULTS - 1) : 0;

    for (b = 0; b < NGX_HTTP_MISSEDCALL_BUCKETS; b++) {
        if (elapsed <= ngx_http_missedcall_buckets[b]) {
            break;
        }
    }

    if (gateway >= NGX_HTTP_MISSEDCALL_GATEWAYS) {
        return;
    }

    gateway = ngx_http_missedcall_metrics_conf->gateway_slots[gateway];

    (void) ngx_atomic_fetch_add(&m->calls[gateway][i], 1);
    (void) ngx_atomic_fetch_add(&m->latency[gateway][b], 1);
    (void) ngx_atomic_fetch_add(&m->latency_ms[gateway], elapsed);
}


/*
 * A patient attacker's odds a day for a phone of each calling code some
 * numbers serve, and of any other ("all": the whole pool), counted as
 * "nginx -t" counts them, at the weakest request location.
 */

static u_char *
ngx_http_missedcall_metrics_odds(u_char *p, u_char *last, ngx_array_t *odds)
{
    ngx_uint_t                   i;
    ngx_http_missedcall_odds_t  *o;

    p = ngx_slprintf(p, last,
                     "# HELP missedcall_guess_odds A patient attacker's odds "
                     "of taking over a phone within a day, by calling code."
                     "\n# TYPE missedcall_guess_odds gauge\n");

    o = odds->elts;

    for (i = 0; i < odds->nelts; i++) {
        p = ngx_slprintf(p, last, "missedcall_guess_odds{code=\"%V%s\"} "
                         "%uL.%06uL\n", &o[i].code,
                         o[i].code.len ? "" : "all",
                         o[i].ppm / 1000000, o[i].ppm % 1000000);
    }

    return p;
}


/* the Prometheus page */

ngx_chain_t *
ngx_http_missedcall_metrics_page(ngx_pool_t *pool, ngx_log_t *log,
    redisReply *numbers, ngx_array_t *odds)
{
    u_char                         *p, *last;
    ngx_buf_t                      *b;
    ngx_uint_t                      e, i, g, k;
    ngx_atomic_t                    n, sum;
    ngx_chain_t                    *out;
    ngx_http_missedcall_metrics_t  *m;

    ngx_str_t                      *gateways;
    ngx_uint_t                      s, ngw, *slots;

    m = ngx_http_missedcall_metrics;
    gateways = NULL;
    slots = ngx_http_missedcall_metrics_conf->gateway_slots;
    ngw = 0;

    if (ngx_http_missedcall_metrics_conf->gateway_names) {
        gateways = ngx_http_missedcall_metrics_conf->gateway_names->elts;
        ngw = ngx_http_missedcall_metrics_conf->gateway_names->nelts;
    }

    b = ngx_create_temp_buf(pool, NGX_HTTP_MISSEDCALL_PAGE_MAX);
    out = ngx_alloc_chain_link(pool);

    if (m == NULL || b == NULL || out == NULL) {
        return NULL;
    }

    p = b->pos;
    last = b->end;

    p = ngx_slprintf(p, last,
                     "# HELP missedcall_requests_total Requests answered, "
                     "by endpoint and outcome (ok or the error code).\n"
                     "# TYPE missedcall_requests_total counter\n");

    for (e = 0; e < NGX_HTTP_MISSEDCALL_ENDPOINTS; e++) {
        for (i = 0; i < NGX_HTTP_MISSEDCALL_OUTCOMES; i++) {
            n = m->requests[e][i];

            /* every endpoint's "ok", else only what happened */
            if (n || i == 0) {
                p = ngx_slprintf(p, last,
                                 "missedcall_requests_total{endpoint=\"%s\","
                                 "outcome=\"%s\"} %uA\n",
                                 ngx_http_missedcall_endpoints[e].label,
                                 ngx_http_missedcall_outcomes[i], n);
            }
        }
    }

    p = ngx_slprintf(p, last,
                     "# HELP missedcall_refusals_total Calls refused by "
                     "abuse protection, by limit.\n"
                     "# TYPE missedcall_refusals_total counter\n");

    for (i = NGX_HTTP_MISSEDCALL_REFUSALS_FIRST;
         i <= NGX_HTTP_MISSEDCALL_REFUSALS_LAST;
         i++)
    {
        n = 0;

        for (e = 0; e < NGX_HTTP_MISSEDCALL_ENDPOINTS; e++) {
            n += m->requests[e][i];
        }

        p = ngx_slprintf(p, last, "missedcall_refusals_total{limit=\"%s\"} "
                         "%uA\n", ngx_http_missedcall_outcomes[i], n);
    }

    p = ngx_slprintf(p, last,
                     "# HELP missedcall_calls_total Calls sent to the "
                     "gateway, by gateway and result.\n"
                     "# TYPE missedcall_calls_total counter\n");

    for (g = 0; g < ngw; g++) {
        s = slots[g];

        for (i = 0; i < NGX_HTTP_MISSEDCALL_RESULTS; i++) {
            p = ngx_slprintf(p, last,
                             "missedcall_calls_total{gateway=\"%V\","
                             "result=\"%s\"} %uA\n", &gateways[g],
                             ngx_http_missedcall_results[i],
                             m->calls[s][i]);
        }
    }

    p = ngx_slprintf(p, last,
                     "# HELP missedcall_gateway_latency_seconds Time the "
                     "gateway took to answer a call request.\n"
                     "# TYPE missedcall_gateway_latency_seconds histogram\n");

    for (g = 0; g < ngw; g++) {
        s = slots[g];
        sum = 0;

        for (k = 0; k <= NGX_HTTP_MISSEDCALL_BUCKETS; k++) {
            sum += m->latency[s][k];

            if (k < NGX_HTTP_MISSEDCALL_BUCKETS) {
                p = ngx_slprintf(p, last,
                                 "missedcall_gateway_latency_seconds_bucket"
                                 "{gateway=\"%V\",le=\"%M.%03M\"} %uA\n",
                                 &gateways[g],
                                 ngx_http_missedcall_buckets[k] / 1000,
                                 ngx_http_missedcall_buckets[k] % 1000, sum);
            }
        }

        n = m->latency_ms[s];

        p = ngx_slprintf(p, last,
                         "missedcall_gateway_latency_seconds_bucket"
                         "{gateway=\"%V\",le=\"+Inf\"} %uA\n"
                         "missedcall_gateway_latency_seconds_sum"
                         "{gateway=\"%V\"} %uA.%03uA\n"
                         "missedcall_gateway_latency_seconds_count"
                         "{gateway=\"%V\"} %uA\n",
                         &gateways[g], sum, &gateways[g], n / 1000, n % 1000,
                         &gateways[g], sum);
    }

    for (k = 0; k < 2; k++) {
        p = ngx_slprintf(p, last, "# HELP %s %s, by channel.\n"
                         "# TYPE %s counter\n",
                         ngx_http_missedcall_channel_counters[k][0],
                         ngx_http_missedcall_channel_counters[k][1],
                         ngx_http_missedcall_channel_counters[k][0]);

        for (i = 0; i < NGX_HTTP_MISSEDCALL_CHANNELS; i++) {
            p = ngx_slprintf(p, last, "%s{channel=\"%s\"} %uA\n",
                             ngx_http_missedcall_channel_counters[k][0],
                             ngx_http_missedcall_channel_names[i],
                             m->channels[i][k]);
        }
    }

    for (i = 0; i < NGX_HTTP_MISSEDCALL_M_COUNTERS; i++) {
        p = ngx_slprintf(p, last, "# HELP %s %s.\n# TYPE %s counter\n%s %uA\n",
                         ngx_http_missedcall_counters[i][0],
                         ngx_http_missedcall_counters[i][1],
                         ngx_http_missedcall_counters[i][0],
                         ngx_http_missedcall_counters[i][0],
                         m->counters[i]);
    }

    p = ngx_slprintf(p, last,
                     "# HELP missedcall_redis_up Whether Redis answered "
                     "this scrape.\n"
                     "# TYPE missedcall_redis_up gauge\n"
                     "missedcall_redis_up %d\n", numbers ? 1 : 0);

    if (numbers) {
        p = ngx_slprintf(p, last,
                         "# HELP missedcall_pool_numbers Caller numbers of "
                         "the pool, by state.\n"
                         "# TYPE missedcall_pool_numbers gauge\n");

        for (i = 0; i < 3; i++) {
            p = ngx_slprintf(p, last,
                             "missedcall_pool_numbers{state=\"%s\"} %L\n",
                             ngx_http_missedcall_states[i],
                             (int64_t) numbers->element[i]->integer);
        }
    }

    if (odds) {
        p = ngx_http_missedcall_metrics_odds(p, last, odds);
    }

    if (p == last) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "missedcall metrics: the page is too long");
        return NULL;
    }

    b->last = p;
    b->last_buf = 1;
    b->last_in_chain = 1;

    out->buf = b;
    out->next = NULL;

    return out;
}
