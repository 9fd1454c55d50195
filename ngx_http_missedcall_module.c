
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/sha.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_phone.h"


#define NGX_HTTP_MISSEDCALL_SECRET_MAX  4096


static char *ngx_http_missedcall_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_redis_password_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_missedcall_redis_sentinel(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_missedcall_redis_wait(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_missedcall_redis_addr(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *value, in_port_t default_port,
    ngx_http_missedcall_redis_addr_t *a);
static char *ngx_http_missedcall_pool(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_pool_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_token_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_handler(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_gateway(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_secret_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_missedcall_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_rate(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_countries(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_app_signature(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_missedcall_app_signature_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_missedcall_signature_add(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, u_char *sig, size_t len);
static void ngx_http_missedcall_pool_strength(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_array_t *pool);
static char *ngx_http_missedcall_match(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_read_file(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *file, size_t max, ngx_str_t *out);
static ngx_uint_t ngx_http_missedcall_next_line(u_char **p, u_char *last,
    ngx_str_t *line);
static char *ngx_http_missedcall_pool_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t n);
static char *ngx_http_missedcall_admin_token_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_missedcall_webhook(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_missedcall_url(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *url);

static ngx_int_t ngx_http_missedcall_preconfiguration(ngx_conf_t *cf);
static void *ngx_http_missedcall_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_missedcall_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_missedcall_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_missedcall_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_missedcall_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_missedcall_init_process(ngx_cycle_t *cycle);
static void ngx_http_missedcall_exit_process(ngx_cycle_t *cycle);


static char *ngx_http_missedcall_prefix_check(ngx_conf_t *cf, void *post,
    void *data);

static ngx_conf_post_t  ngx_http_missedcall_prefix_post = {
    ngx_http_missedcall_prefix_check
};

static ngx_conf_num_bounds_t  ngx_http_missedcall_db_bounds = {
    ngx_conf_check_num_bounds, 0, 1023
};

static ngx_conf_num_bounds_t  ngx_http_missedcall_attempts_bounds = {
    ngx_conf_check_num_bounds, 1, 100
};


static ngx_command_t  ngx_http_missedcall_commands[] = {

    { ngx_string("missedcall_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_redis_sentinel"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_missedcall_redis_sentinel,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_redis_wait"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_missedcall_redis_wait,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_redis_password_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_redis_password_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_redis_db"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_missedcall_main_conf_t, redis.db),
      &ngx_http_missedcall_db_bounds },

    { ngx_string("missedcall_redis_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_missedcall_main_conf_t, redis.timeout),
      NULL },

    { ngx_string("missedcall_redis_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_missedcall_main_conf_t, prefix),
      &ngx_http_missedcall_prefix_post },

    { ngx_string("missedcall_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_missedcall_pool,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_pool_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_pool_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_pool_max_failures"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_missedcall_main_conf_t, max_failures),
      NULL },

    { ngx_string("missedcall_events_max_length"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_missedcall_main_conf_t, events_max),
      NULL },

    { ngx_string("missedcall_token_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_missedcall_token_key,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_request"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_MISSEDCALL_REQUEST,
      NULL },

    { ngx_string("missedcall_verify"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_MISSEDCALL_VERIFY,
      NULL },

    { ngx_string("missedcall_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_MISSEDCALL_STATUS,
      NULL },

    { ngx_string("missedcall_check"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_MISSEDCALL_CHECK,
      NULL },

    { ngx_string("missedcall_twilio_callback"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_MISSEDCALL_TWILIO,
      NULL },

    { ngx_string("missedcall_metrics_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_metrics_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_MISSEDCALL_METRICS,
      NULL },

    { ngx_string("missedcall_admin"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_MISSEDCALL_ADMIN,
      NULL },

    { ngx_string("missedcall_admin_token_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_admin_token_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_twilio_status_callback"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.callback),
      NULL },

    { ngx_string("missedcall_gateway"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_missedcall_gateway,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_gateway_secret_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_secret_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.secret),
      NULL },

    { ngx_string("missedcall_gateway_secret"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_secret,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.secret),
      NULL },

    { ngx_string("missedcall_twilio_account"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.account),
      NULL },

    { ngx_string("missedcall_twilio_api_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.api_key),
      NULL },

    { ngx_string("missedcall_gateway_rate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_rate,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.interval),
      NULL },

    { ngx_string("missedcall_gateway_max_delay"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.max_delay),
      NULL },

    { ngx_string("missedcall_ring_time"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.ring),
      NULL },

    { ngx_string("missedcall_gateway_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.timeout),
      NULL },

    { ngx_string("missedcall_gateway_ca_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.ca_file),
      NULL },

    { ngx_string("missedcall_session_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, session_ttl),
      NULL },

    { ngx_string("missedcall_match"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF
                        |NGX_CONF_TAKE12,
      ngx_http_missedcall_match,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_max_attempts"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, max_attempts),
      &ngx_http_missedcall_attempts_bounds },

    { ngx_string("missedcall_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE23,
      ngx_http_missedcall_limit,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_resend"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, resend),
      NULL },

    { ngx_string("missedcall_countries"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_missedcall_countries,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_app_signature"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_missedcall_app_signature,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_app_signature_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_app_signature_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_app_signature_required"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, signature_required),
      NULL },

    { ngx_string("missedcall_body_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, body_limit),
      NULL },

    { ngx_string("missedcall_token_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, token_ttl),
      NULL },

    { ngx_string("missedcall_token_leeway"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, token_leeway),
      NULL },

    { ngx_string("missedcall_webhook"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_missedcall_webhook,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_webhook_secret_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_secret_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, webhook.secret),
      NULL },

    { ngx_string("missedcall_token_cookie"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, token_cookie),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_missedcall_module_ctx = {
    ngx_http_missedcall_preconfiguration,  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_missedcall_create_main_conf,  /* create main configuration */
    ngx_http_missedcall_init_main_conf,    /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_missedcall_create_loc_conf,   /* create location configuration */
    ngx_http_missedcall_merge_loc_conf     /* merge location configuration */
};


ngx_module_t  ngx_http_missedcall_module = {
    NGX_MODULE_V1,
    &ngx_http_missedcall_module_ctx,       /* module context */
    ngx_http_missedcall_commands,          /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_missedcall_init_module,       /* init module */
    ngx_http_missedcall_init_process,      /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_missedcall_exit_process,      /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* indexed by ngx_http_missedcall_loc_conf_t.handler */
static char  *ngx_http_missedcall_handler_names[] = {
    NULL,
    "missedcall_request",
    "missedcall_verify",
    "missedcall_status",
    "missedcall_check",
    "missedcall_twilio_callback",
    "missedcall_admin",
    "missedcall_metrics"
};


static ngx_http_missedcall_gateway_t  *ngx_http_missedcall_gateways[] = {
    &ngx_http_missedcall_gateway_http,
    &ngx_http_missedcall_gateway_twilio,
    NULL
};


static char *
ngx_http_missedcall_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_str_t                         *value;
    ngx_http_missedcall_redis_addr_t   a;

    if (ngx_http_missedcall_redis_configured(&mcf->redis)) {
        return "is duplicate, or goes with \"missedcall_redis_sentinel\"";
    }

    value = cf->args->elts;

    if (ngx_http_missedcall_redis_addr(cf, &cmd->name, &value[1], 6379, &a)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    mcf->redis.addr = a.addr;
    mcf->redis.port = a.port;

    return NGX_CONF_OK;
}


/* missedcall_redis_sentinel <master name> <address> ...; */

static char *
ngx_http_missedcall_redis_sentinel(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_str_t                         *value;
    ngx_uint_t                         i;
    ngx_http_missedcall_redis_addr_t  *a;

    if (ngx_http_missedcall_redis_configured(&mcf->redis)) {
        return "is duplicate, or goes with \"missedcall_redis\"";
    }

    value = cf->args->elts;

    mcf->redis.master = value[1];
    mcf->redis.sentinels = ngx_array_create(cf->pool, cf->args->nelts - 2,
                                    sizeof(ngx_http_missedcall_redis_addr_t));
    if (mcf->redis.sentinels == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        a = ngx_array_push(mcf->redis.sentinels);
        if (a == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_missedcall_redis_addr(cf, &cmd->name, &value[i], 26379,
                                           a)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

        if (a->port == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": sentinels are reached over TCP",
                               &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* missedcall_redis_wait <replicas> <timeout>; */

static char *
ngx_http_missedcall_redis_wait(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (mcf->redis.wait) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);
    if (n == NGX_ERROR || n < 1 || n > 16) {
        return "needs 1 to 16 replicas";
    }

    mcf->redis.wait = (ngx_uint_t) n;
    mcf->redis.wait_timeout = ngx_parse_time(&value[2], 0);

    if (mcf->redis.wait_timeout == (ngx_msec_t) NGX_ERROR
        || mcf->redis.wait_timeout == 0)
    {
        return "needs a timeout, such as 100ms";
    }

    return NGX_CONF_OK;
}


/* an address, resolved here, once: hiredis would resolve names blocking */

static char *
ngx_http_missedcall_redis_addr(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *value, in_port_t default_port,
    ngx_http_missedcall_redis_addr_t *a)
{
    u_char     *p;
    ngx_url_t   u;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = *value;
    u.default_port = default_port;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": %s in \"%V\"",
                           name, u.err ? u.err : "invalid address", value);
        return NGX_CONF_ERROR;
    }

    if (u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": no address for \"%V\"", name, value);
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    if (u.family == AF_UNIX) {
        /* "unix:/path": the path follows the scheme */
        a->addr.len = u.url.len - 5;
        ngx_memcpy(p, u.url.data + 5, a->addr.len);
        a->port = 0;

    } else {
        a->addr.len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen,
                                    p, NGX_SOCKADDR_STRLEN, 0);
        a->port = ngx_inet_get_port(u.addrs[0].sockaddr);

        /* "[::1]" as printed; hiredis wants the bare address */
        if (p[0] == '[') {
            a->addr.len -= 2;
            ngx_memmove(p, p + 1, a->addr.len);
        }
    }

    p[a->addr.len] = '\0';
    a->addr.data = p;

    return NGX_CONF_OK;
}


static char *
ngx_http_missedcall_redis_password_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_str_t  *value;

    if (mcf->redis.password.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                         NGX_HTTP_MISSEDCALL_SECRET_MAX,
                                         &mcf->redis.password);
}


/*
 * Every key of the module shares the prefix's hash tag, so that a Lua
 * script touching several of them runs on one Redis Cluster slot.
 */

static char *
ngx_http_missedcall_prefix_check(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *prefix = data;

    u_char  *open, *close;

    open = ngx_strlchr(prefix->data, prefix->data + prefix->len, '{');
    close = open ? ngx_strlchr(open, prefix->data + prefix->len, '}') : NULL;

    if (close == NULL || close == open + 1) {
        return "needs a hash tag, such as \"{missedcall}:\"";
    }

    return NGX_CONF_OK;
}


/* missedcall_pool <e164> ... [codes=<code>,...]; */

static char *
ngx_http_missedcall_pool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    return ngx_http_missedcall_pool_add(cf, &cmd->name,
                                        (ngx_str_t *) cf->args->elts + 1,
                                        cf->args->nelts - 1);
}


/* the same arguments, a line at a time; "#" comments */

static char *
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


/*
 * The next line of a file, trimmed; blank lines and "#" comments are
 * skipped.  0: no more lines.
 */

static ngx_uint_t
ngx_http_missedcall_next_line(u_char **p, u_char *last, ngx_str_t *line)
{
    u_char  *eol, *start, *end;

    while (*p < last) {
        eol = ngx_strlchr(*p, last, '\n');
        if (eol == NULL) {
            eol = last;
        }

        start = *p;
        end = eol;
        *p = (eol < last) ? eol + 1 : last;

        while (start < end && (*start == ' ' || *start == '\t')) {
            start++;
        }

        while (end > start && (end[-1] == ' ' || end[-1] == '\t'
                               || end[-1] == '\r'))
        {
            end--;
        }

        if (start < end && *start != '#') {
            line->data = start;
            line->len = end - start;
            return 1;
        }
    }

    return 0;
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


static char *
ngx_http_missedcall_token_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    char                           *rv;
    ngx_str_t                      *value, key;
    ngx_uint_t                      i;
    ngx_http_missedcall_jwt_key_t  *k;

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > NGX_HTTP_MISSEDCALL_JWT_KID_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": key id must be 1 to %d characters",
                           &cmd->name, NGX_HTTP_MISSEDCALL_JWT_KID_MAX);
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < value[1].len; i++) {
        if (value[1].data[i] <= ' ' || value[1].data[i] == '"'
            || value[1].data[i] == '\\' || value[1].data[i] >= 0x7f)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": invalid key id \"%V\"",
                               &cmd->name, &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[2],
                                       NGX_HTTP_MISSEDCALL_SECRET_MAX, &key);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (key.len < NGX_HTTP_MISSEDCALL_JWT_KEY_MIN) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": the key in \"%V\" is %uz bytes, "
                           "at least %d are required", &cmd->name, &value[2],
                           key.len, NGX_HTTP_MISSEDCALL_JWT_KEY_MIN);
        return NGX_CONF_ERROR;
    }

    if (mcf->keys == NULL) {
        mcf->keys = ngx_array_create(cf->pool, 2,
                                     sizeof(ngx_http_missedcall_jwt_key_t));
        if (mcf->keys == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    k = mcf->keys->elts;

    for (i = 0; i < mcf->keys->nelts; i++) {
        if (ngx_strcmp(k[i].kid, value[1].data) == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": key id \"%V\" is used twice",
                               &cmd->name, &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    k = ngx_array_push(mcf->keys);
    if (k == NULL) {
        return NGX_CONF_ERROR;
    }

    /* conf args are NUL-terminated */
    k->kid = (const char *) value[1].data;
    k->key = key.data;
    k->key_len = key.len;

    return NGX_CONF_OK;
}


static char *
ngx_http_missedcall_handler(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_http_core_loc_conf_t         *clcf;
    ngx_http_missedcall_main_conf_t  *mcf;

    if (lcf->handler) {
        return "is duplicate";
    }

    lcf->handler = cmd->offset;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);
    mcf->handlers |= 1 << lcf->handler;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    switch (lcf->handler) {

    case NGX_HTTP_MISSEDCALL_REQUEST:
        clcf->handler = ngx_http_missedcall_request_handler;
        break;

    case NGX_HTTP_MISSEDCALL_VERIFY:
        clcf->handler = ngx_http_missedcall_verify_handler;
        break;

    case NGX_HTTP_MISSEDCALL_STATUS:
        clcf->handler = ngx_http_missedcall_status_handler;
        break;

    case NGX_HTTP_MISSEDCALL_TWILIO:
        clcf->handler = ngx_http_missedcall_twilio_callback_handler;
        break;

    case NGX_HTTP_MISSEDCALL_ADMIN:
        clcf->handler = ngx_http_missedcall_admin_handler;
        break;

    case NGX_HTTP_MISSEDCALL_METRICS:
        clcf->handler = ngx_http_missedcall_metrics_handler;
        break;

    default: /* NGX_HTTP_MISSEDCALL_CHECK */
        clcf->handler = ngx_http_missedcall_check_handler;
        break;
    }

    return NGX_CONF_OK;
}


/* missedcall_gateway <type> [<url>]; */

static char *
ngx_http_missedcall_gateway(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_str_t                       *value;
    ngx_uint_t                       i;
    ngx_http_missedcall_gateway_t   *gw;

    if (lcf->gateway.type) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 0; ngx_http_missedcall_gateways[i]; i++) {
        gw = ngx_http_missedcall_gateways[i];

        if (gw->name.len == value[1].len
            && ngx_strncmp(gw->name.data, value[1].data, value[1].len) == 0)
        {
            lcf->gateway.type = gw;
            break;
        }
    }

    if (lcf->gateway.type == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": unknown gateway type \"%V\"",
                           &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 2) {
        return NGX_CONF_OK;
    }

    lcf->gateway.url = value[2];

    return ngx_http_missedcall_url(cf, &cmd->name, &value[2]);
}


static char *
ngx_http_missedcall_url(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *url)
{
    if (ngx_strncasecmp(url->data, (u_char *) "http://", 7) != 0
        && ngx_strncasecmp(url->data, (u_char *) "https://", 8) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" is not an http:// or https:// URL",
                           name, url);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* missedcall_webhook <url> [retries=<n>] [timeout=<time>]; */

static char *
ngx_http_missedcall_webhook(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value, s;
    ngx_uint_t   i;

    if (lcf->webhook.url.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_http_missedcall_url(cf, &cmd->name, &value[1]) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    lcf->webhook.url = value[1];

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "retries=", 8) == 0) {
            n = ngx_atoi(value[i].data + 8, value[i].len - 8);

            if (n == NGX_ERROR || n > 10) {
                goto invalid;
            }

            lcf->webhook.retries = (ngx_uint_t) n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "timeout=", 8) == 0) {
            s.data = value[i].data + 8;
            s.len = value[i].len - 8;

            n = ngx_parse_time(&s, 0);

            if (n == NGX_ERROR || n == 0) {
                goto invalid;
            }

            lcf->webhook.timeout = (ngx_msec_t) n;
            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\": invalid parameter \"%V\", expected "
                       "\"retries=0..10\" or \"timeout=<time>\"",
                       &cmd->name, &value[i]);
    return NGX_CONF_ERROR;
}


static char *
ngx_http_missedcall_secret_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_str_t  *field, *value;

    field = (ngx_str_t *) ((u_char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                         NGX_HTTP_MISSEDCALL_SECRET_MAX, field);
}


/* works, but the secret then sits in nginx.conf and its backups */

static char *
ngx_http_missedcall_secret(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t  *field, *value;

    field = (ngx_str_t *) ((u_char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "is empty";
    }

    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "\"%V\" keeps a secret in the configuration, "
                       "\"%V_file\" keeps it in a file of its own",
                       &cmd->name, &cmd->name);

    *field = value[1];

    return NGX_CONF_OK;
}


/* "1r/s", "30r/m": kept as the interval between two calls */

static char *
ngx_http_missedcall_rate(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_int_t    n, scale;
    ngx_str_t   *value;
    ngx_msec_t  *interval;

    interval = (ngx_msec_t *) ((u_char *) conf + cmd->offset);

    if (*interval != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;
    scale = 0;

    if (value[1].len > 3
        && ngx_strncmp(value[1].data + value[1].len - 3, "r/s", 3) == 0)
    {
        scale = 1000;

    } else if (value[1].len > 3
               && ngx_strncmp(value[1].data + value[1].len - 3, "r/m", 3)
                  == 0)
    {
        scale = 60000;
    }

    n = scale ? ngx_atoi(value[1].data, value[1].len - 3) : NGX_ERROR;

    if (n <= 0 || n > scale) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid rate \"%V\", such as \"1r/s\" "
                           "or \"30r/m\" is wanted", &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    *interval = scale / n;

    return NGX_CONF_OK;
}


/* missedcall_limit phone|ip|prefix|global <count>/<window> [<digits>]; */

static char *
ngx_http_missedcall_limit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    u_char                       *slash;
    ngx_int_t                     n;
    ngx_str_t                    *value, window;
    ngx_uint_t                    i;
    ngx_http_missedcall_limit_t  *limit;

    static char  *kinds[] = { "phone", "ip", "prefix", "global", NULL };

    value = cf->args->elts;

    if (lcf->limits == NGX_CONF_UNSET_PTR) {
        lcf->limits = ngx_array_create(cf->pool, 4,
                                       sizeof(ngx_http_missedcall_limit_t));
        if (lcf->limits == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    limit = ngx_array_push(lcf->limits);
    if (limit == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 0; kinds[i]; i++) {
        if (ngx_strcmp(value[1].data, kinds[i]) == 0) {
            break;
        }
    }

    if (kinds[i] == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": unknown limit \"%V\", \"phone\", "
                           "\"ip\", \"prefix\" or \"global\" is wanted",
                           &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    limit->kind = i;

    slash = ngx_strlchr(value[2].data, value[2].data + value[2].len, '/');
    n = slash ? ngx_atoi(value[2].data, slash - value[2].data) : NGX_ERROR;

    if (slash) {
        window.data = slash + 1;
        window.len = value[2].data + value[2].len - window.data;
        limit->window = ngx_parse_time(&window, 0);
    }

    if (n <= 0 || limit->window == (ngx_msec_t) NGX_ERROR
        || limit->window < 1000)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid \"%V\", calls per window such "
                           "as \"5/1h\" are wanted (a window of 1s or more)",
                           &cmd->name, &value[2]);
        return NGX_CONF_ERROR;
    }

    limit->count = n;
    limit->digits = 0;

    if (limit->kind == NGX_HTTP_MISSEDCALL_LIMIT_PREFIX) {
        n = (cf->args->nelts == 4) ? ngx_atoi(value[3].data, value[3].len)
                                   : NGX_ERROR;

        if (n < 1 || n > NGX_HTTP_MISSEDCALL_E164_MAX) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"prefix\" takes the number of "
                               "leading digits counted together, 1 to %d",
                               &cmd->name, NGX_HTTP_MISSEDCALL_E164_MAX);
            return NGX_CONF_ERROR;
        }

        limit->digits = n;

    } else if (cf->args->nelts == 4) {
        return "takes a digit count for \"prefix\" only";
    }

    return NGX_CONF_OK;
}


/* missedcall_countries allow|deny <calling code> ...; */

static char *
ngx_http_missedcall_countries(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_str_t   *value, *code;
    ngx_uint_t   i, j;

    if (lcf->countries != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "allow") == 0) {
        lcf->countries_allow = 1;

    } else if (ngx_strcmp(value[1].data, "deny") == 0) {
        lcf->countries_allow = 0;

    } else {
        return "takes \"allow\" or \"deny\", then calling codes";
    }

    lcf->countries = ngx_array_create(cf->pool, cf->args->nelts,
                                      sizeof(ngx_str_t));
    if (lcf->countries == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        for (j = 0; j < value[i].len; j++) {
            if (value[i].data[j] < '0' || value[i].data[j] > '9') {
                break;
            }
        }

        if (value[i].len == 0 || value[i].len > 3 || j != value[i].len
            || value[i].data[0] == '0')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is not a calling code such "
                               "as \"1\" or \"44\"", &cmd->name, &value[i]);
            return NGX_CONF_ERROR;
        }

        code = ngx_array_push(lcf->countries);
        if (code == NULL) {
            return NGX_CONF_ERROR;
        }

        *code = value[i];
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_missedcall_app_signature(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char        *rv;
    ngx_str_t   *value;
    ngx_uint_t   i;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        rv = ngx_http_missedcall_signature_add(cf, conf, value[i].data,
                                               value[i].len);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


/* one signature a line; blank lines and "#" comments are skipped */

static char *
ngx_http_missedcall_app_signature_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char       *rv;
    u_char     *p, *last;
    ngx_str_t  *value, text, line;

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1], 1024 * 1024,
                                       &text);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    p = text.data;
    last = text.data + text.len;

    while (ngx_http_missedcall_next_line(&p, last, &line)) {
        rv = ngx_http_missedcall_signature_add(cf, conf, line.data, line.len);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


/* the admin API's bearer token, kept as its SHA-256 digest */

static char *
ngx_http_missedcall_admin_token_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    char       *rv;
    ngx_str_t  *value, token;

    if (lcf->admin_token) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                       NGX_HTTP_MISSEDCALL_SECRET_MAX, &token);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (token.len < 16) {
        ngx_explicit_memzero(token.data, token.len);
        return "needs a token of at least 16 characters";
    }

    lcf->admin_token = ngx_pnalloc(cf->pool, SHA256_DIGEST_LENGTH);
    if (lcf->admin_token == NULL) {
        return NGX_CONF_ERROR;
    }

    SHA256(token.data, token.len, lcf->admin_token);
    ngx_explicit_memzero(token.data, token.len);

    return NGX_CONF_OK;
}


/*
 * Kept as SHA-256 digests, so that every comparison is of 32 bytes and
 * takes the same time whatever the signature's length.
 */

static char *
ngx_http_missedcall_signature_add(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, u_char *sig, size_t len)
{
    u_char  *digest;

    if (lcf->signatures == NGX_CONF_UNSET_PTR) {
        lcf->signatures = ngx_array_create(cf->pool, 4, SHA256_DIGEST_LENGTH);
        if (lcf->signatures == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    digest = ngx_array_push(lcf->signatures);
    if (digest == NULL) {
        return NGX_CONF_ERROR;
    }

    SHA256(sig, len, digest);

    return NGX_CONF_OK;
}


/*
 * A guess of the caller id succeeds with about attempts / numbers it could
 * be; in last-digits mode only the pool numbers that share the hint count.
 */

static void
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


/* missedcall_match full | last <digits>; */

static char *
ngx_http_missedcall_match(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (lcf->match_digits != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "full") == 0) {
        lcf->match_digits = 0;
        return NGX_CONF_OK;
    }

    if (cf->args->nelts == 3 && ngx_strcmp(value[1].data, "last") == 0) {
        n = ngx_atoi(value[2].data, value[2].len);

        if (n >= 3 && n <= 8) {
            lcf->match_digits = n;
            return NGX_CONF_OK;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"last\" takes 3 to 8 digits, not \"%V\"",
                           &cmd->name, &value[2]);
        return NGX_CONF_ERROR;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\" takes \"full\" or \"last <digits>\"",
                       &cmd->name);
    return NGX_CONF_ERROR;
}


/*
 * Reads a small file whole at configuration time, in the master, before
 * the workers drop privileges; surrounding white space is trimmed so that
 * a trailing newline is not part of a secret.  Never logs the content.
 */

static char *
ngx_http_missedcall_read_file(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *file, size_t max, ngx_str_t *out)
{
    u_char           *p;
    size_t            size;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         path;
    ngx_file_info_t   fi;

    path = *file;

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": cannot open \"%V\"", name, &path);
        return NGX_CONF_ERROR;
    }

    p = NULL;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": cannot stat \"%V\"", name, &path);
        goto failed;
    }

    size = (size_t) ngx_file_size(&fi);

    if (size > max) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" is larger than %uz bytes",
                           name, &path, max);
        goto failed;
    }

    p = ngx_pnalloc(cf->pool, size + 1);
    if (p == NULL) {
        goto failed;
    }

    n = ngx_read_fd(fd, p, size);

    if (n == -1 || (size_t) n != size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": cannot read \"%V\"", name, &path);
        goto failed;
    }

    ngx_close_file(fd);

    while (size && (p[size - 1] == '\n' || p[size - 1] == '\r'
                    || p[size - 1] == ' ' || p[size - 1] == '\t'))
    {
        size--;
    }

    while (size && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
        size--;
    }

    if (size == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" is empty", name, &path);
        return NGX_CONF_ERROR;
    }

    p[size] = '\0';
    out->data = p;
    out->len = size;

    return NGX_CONF_OK;

failed:

    ngx_close_file(fd);
    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_http_missedcall_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_missedcall_add_variables(cf);
}


static void *
ngx_http_missedcall_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_missedcall_main_conf_t));
    if (mcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mcf->redis.addr = { 0, NULL };
     *     mcf->redis.sentinels = NULL;
     *     mcf->redis.wait = 0;
     *     mcf->redis.password = { 0, NULL };
     *     mcf->prefix = { 0, NULL };
     *     mcf->pool = NULL;
     *     mcf->keys = NULL;
     */

    mcf->redis.db = NGX_CONF_UNSET_UINT;
    mcf->redis.timeout = NGX_CONF_UNSET_MSEC;
    mcf->max_failures = NGX_CONF_UNSET;
    mcf->events_max = NGX_CONF_UNSET;

    return mcf;
}


static char *
ngx_http_missedcall_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_conf_init_uint_value(mcf->redis.db, 0);
    ngx_conf_init_msec_value(mcf->redis.timeout, 1000);
    mcf->redis.connect_timeout = mcf->redis.timeout;
    if (mcf->redis.wait && mcf->redis.wait_timeout >= mcf->redis.timeout) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the timeout of \"missedcall_redis_wait\" must "
                           "be shorter than \"missedcall_redis_timeout\"");
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_value(mcf->max_failures, 5);
    ngx_conf_init_value(mcf->events_max, 100000);

    if (mcf->max_failures < 0 || mcf->events_max < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"missedcall_pool_max_failures\" and "
                           "\"missedcall_events_max_length\" cannot be "
                           "negative");
        return NGX_CONF_ERROR;
    }

    if (mcf->prefix.data == NULL) {
        ngx_str_set(&mcf->prefix, "{missedcall}:");
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_missedcall_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_missedcall_loc_conf_t));
    if (lcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     lcf->handler = 0;
     *     lcf->gateway.type = NULL;
     *     lcf->gateway.url = { 0, NULL };
     *     lcf->gateway.account = { 0, NULL };
     *     lcf->gateway.api_key = { 0, NULL };
     *     lcf->gateway.secret = { 0, NULL };
     *     lcf->gateway.ca_file = { 0, NULL };
     *     lcf->token_cookie = { 0, NULL };
     *     lcf->admin_token = NULL;
     *     lcf->webhook.url = { 0, NULL };
     *     lcf->webhook.secret = { 0, NULL };
     */

    lcf->gateway.timeout = NGX_CONF_UNSET_MSEC;
    lcf->gateway.ring = NGX_CONF_UNSET_MSEC;
    lcf->gateway.interval = NGX_CONF_UNSET_MSEC;
    lcf->gateway.max_delay = NGX_CONF_UNSET_MSEC;
    lcf->session_ttl = NGX_CONF_UNSET_MSEC;
    lcf->match_digits = NGX_CONF_UNSET_UINT;
    lcf->max_attempts = NGX_CONF_UNSET_UINT;
    lcf->limits = NGX_CONF_UNSET_PTR;
    lcf->resend = NGX_CONF_UNSET_MSEC;
    lcf->countries = NGX_CONF_UNSET_PTR;
    lcf->signatures = NGX_CONF_UNSET_PTR;
    lcf->signature_required = NGX_CONF_UNSET;
    lcf->body_limit = NGX_CONF_UNSET_SIZE;
    lcf->token_ttl = NGX_CONF_UNSET;
    lcf->token_leeway = NGX_CONF_UNSET;
    lcf->webhook.retries = NGX_CONF_UNSET_UINT;
    lcf->webhook.timeout = NGX_CONF_UNSET_MSEC;

    return lcf;
}


static char *
ngx_http_missedcall_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_missedcall_loc_conf_t *prev = parent;
    ngx_http_missedcall_loc_conf_t *conf = child;

    char                             *rv;
    const char                       *need;
    ngx_http_missedcall_main_conf_t  *mcf;

    if (conf->gateway.type == NULL) {
        conf->gateway.type = prev->gateway.type;
        conf->gateway.url = prev->gateway.url;
    }

    ngx_conf_merge_str_value(conf->gateway.account, prev->gateway.account, "");
    ngx_conf_merge_str_value(conf->gateway.api_key, prev->gateway.api_key, "");
    ngx_conf_merge_str_value(conf->gateway.secret, prev->gateway.secret, "");
    ngx_conf_merge_str_value(conf->gateway.callback, prev->gateway.callback,
                             "");
    ngx_conf_merge_msec_value(conf->gateway.timeout, prev->gateway.timeout,
                              5000);
    ngx_conf_merge_msec_value(conf->gateway.ring, prev->gateway.ring, 5000);

    /* Twilio starts an account's calls at 1 per second unless told more */
    ngx_conf_merge_msec_value(conf->gateway.interval, prev->gateway.interval,
                              conf->gateway.type
                              == &ngx_http_missedcall_gateway_twilio
                              ? 1000 : 0);
    ngx_conf_merge_msec_value(conf->gateway.max_delay,
                              prev->gateway.max_delay, 5000);
    ngx_conf_merge_str_value(conf->gateway.ca_file, prev->gateway.ca_file, "");
    ngx_conf_merge_msec_value(conf->session_ttl, prev->session_ttl, 120000);
    ngx_conf_merge_uint_value(conf->match_digits, prev->match_digits, 0);
    ngx_conf_merge_uint_value(conf->max_attempts, prev->max_attempts, 3);
    ngx_conf_merge_ptr_value(conf->limits, prev->limits, NULL);
    ngx_conf_merge_msec_value(conf->resend, prev->resend, 0);
    ngx_conf_merge_value(conf->signature_required, prev->signature_required,
                         0);

    if (conf->countries == NGX_CONF_UNSET_PTR) {
        conf->countries = prev->countries;
        conf->countries_allow = prev->countries_allow;
    }

    if (conf->countries == NGX_CONF_UNSET_PTR) {
        conf->countries = NULL;
    }

    ngx_conf_merge_ptr_value(conf->signatures, prev->signatures, NULL);

    if (conf->signature_required && conf->signatures == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"missedcall_app_signature_required\" needs "
                           "\"missedcall_app_signature\" or "
                           "\"missedcall_app_signature_file\"");
        return NGX_CONF_ERROR;
    }
    ngx_conf_merge_size_value(conf->body_limit, prev->body_limit, 4096);
    ngx_conf_merge_sec_value(conf->token_ttl, prev->token_ttl, 3600);
    ngx_conf_merge_sec_value(conf->token_leeway, prev->token_leeway, 30);
    ngx_conf_merge_str_value(conf->token_cookie, prev->token_cookie, "");

    if (conf->admin_token == NULL) {
        conf->admin_token = prev->admin_token;
    }

    if (conf->webhook.url.data == NULL) {
        conf->webhook.url = prev->webhook.url;
    }

    ngx_conf_merge_str_value(conf->webhook.secret, prev->webhook.secret, "");
    ngx_conf_merge_uint_value(conf->webhook.retries, prev->webhook.retries,
                              3);
    ngx_conf_merge_msec_value(conf->webhook.timeout, prev->webhook.timeout,
                              5000);

    /* verified as the gateway is: the system store, or the CA file */
    conf->webhook.ca_file = conf->gateway.ca_file;

    if (conf->webhook.url.len && conf->webhook.secret.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"missedcall_webhook\" requires "
                           "\"missedcall_webhook_secret_file\"");
        return NGX_CONF_ERROR;
    }

    if (conf->session_ttl < 1000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"missedcall_session_ttl\" must be at least 1s");
        return NGX_CONF_ERROR;
    }

    if (conf->token_ttl < 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"missedcall_token_ttl\" must be at least 1s");
        return NGX_CONF_ERROR;
    }

    if (conf->handler == 0) {
        return NGX_CONF_OK;
    }

    /* what each handler needs, refused at "nginx -t" when missing */

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);
    need = NULL;

    if (conf->handler == NGX_HTTP_MISSEDCALL_TWILIO) {
        if (conf->gateway.type != &ngx_http_missedcall_gateway_twilio
            || conf->gateway.callback.len == 0
            || conf->gateway.secret.len == 0)
        {
            need = "missedcall_gateway twilio\", "
                   "\"missedcall_twilio_status_callback\" and its secret";

        } else if (conf->gateway.api_key.len) {
            /* Twilio signs callbacks with the account's auth token */
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"missedcall_twilio_callback\" checks "
                               "signatures with the auth token: it cannot "
                               "go with \"missedcall_twilio_api_key\"");
            return NGX_CONF_ERROR;
        }

    } else if (conf->handler == NGX_HTTP_MISSEDCALL_METRICS) {
        need = mcf->metrics_zone ? NULL : "missedcall_metrics_zone";

    } else if (conf->handler != NGX_HTTP_MISSEDCALL_CHECK
               && !ngx_http_missedcall_redis_configured(&mcf->redis))
    {
        need = "missedcall_redis";

    } else if (conf->handler == NGX_HTTP_MISSEDCALL_REQUEST
               && conf->gateway.type == NULL)
    {
        need = "missedcall_gateway";

    } else if (conf->handler == NGX_HTTP_MISSEDCALL_REQUEST
               && mcf->pool == NULL
               && !(mcf->handlers & (1 << NGX_HTTP_MISSEDCALL_ADMIN)))
    {
        /* else the admin API fills the pool */
        need = "missedcall_pool\", \"missedcall_pool_file\" or "
               "\"missedcall_admin";

    } else if (conf->handler == NGX_HTTP_MISSEDCALL_ADMIN
               && conf->admin_token == NULL)
    {
        need = "missedcall_admin_token_file";

    } else if ((conf->handler == NGX_HTTP_MISSEDCALL_VERIFY
                || conf->handler == NGX_HTTP_MISSEDCALL_CHECK)
               && mcf->keys == NULL)
    {
        need = "missedcall_token_key";
    }

    if (need == NULL && conf->handler == NGX_HTTP_MISSEDCALL_REQUEST) {
        rv = conf->gateway.type->check(cf, &conf->gateway);

        if (rv != NGX_CONF_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", rv);
            return NGX_CONF_ERROR;
        }

        /* a pool filled with the admin API alone is not known here */
        if (mcf->pool) {
            ngx_http_missedcall_pool_strength(cf, conf, mcf->pool);
        }
    }

    if (need) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\" requires \"%s\" to be configured",
                           ngx_http_missedcall_handler_names[conf->handler],
                           need);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_missedcall_init_module(ngx_cycle_t *cycle)
{
    ngx_http_missedcall_redis_scripts_init();

    return ngx_http_missedcall_curl_init_module(cycle);
}


static ngx_int_t
ngx_http_missedcall_init_process(ngx_cycle_t *cycle)
{
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(cycle,
                                              ngx_http_missedcall_module);

    if (mcf == NULL) {
        return NGX_OK;
    }

    ngx_http_missedcall_metrics_init_process(cycle);

    if (!ngx_http_missedcall_redis_configured(&mcf->redis)) {
        return NGX_OK;
    }

    if (ngx_http_missedcall_curl_init_process(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_missedcall_redis_init_process(cycle, &mcf->redis,
                                               ngx_http_missedcall_pool_sync);
}


static void
ngx_http_missedcall_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_missedcall_redis_exit_process(cycle);
    ngx_http_missedcall_curl_exit_process(cycle);
}
