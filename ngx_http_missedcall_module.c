
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_directive.h"



static ngx_int_t ngx_http_missedcall_preconfiguration(ngx_conf_t *cf);
static void *ngx_http_missedcall_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_missedcall_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_missedcall_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_missedcall_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_missedcall_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_missedcall_init_process(ngx_cycle_t *cycle);
static void ngx_http_missedcall_exit_process(ngx_cycle_t *cycle);


static ngx_conf_num_bounds_t  ngx_http_missedcall_db_bounds = {
    ngx_conf_check_num_bounds, 0, 1023
};

static ngx_conf_num_bounds_t  ngx_http_missedcall_attempts_bounds = {
    ngx_conf_check_num_bounds, 1, 100
};

static ngx_conf_num_bounds_t  ngx_http_missedcall_percent_bounds = {
    ngx_conf_check_num_bounds, 0, 100
};

static ngx_conf_num_bounds_t  ngx_http_missedcall_ipv6_prefix_bounds = {
    ngx_conf_check_num_bounds, 32, 128
};


static ngx_command_t  ngx_http_missedcall_commands[] = {

    { ngx_string("missedcall_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_redis_server,
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

    { ngx_string("missedcall_pool_range"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE23,
      ngx_http_missedcall_pool_range,
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
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2|NGX_CONF_TAKE3|NGX_CONF_TAKE4,
      ngx_http_missedcall_token_key,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_token_issuer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_token_issuer,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_token_audience"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_missedcall_token_audience,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_jwks"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_jwks_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, jwks_max_age),
      NULL },

    { ngx_string("missedcall_request"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_verify"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_check"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_twilio_callback"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_metrics_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_metrics_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_admin"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_admin_token_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_admin_token_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_twilio_voice"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_http_inbound"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_twilio_voice_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.voice),
      NULL },

    { ngx_string("missedcall_channel"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, channel),
      &ngx_http_missedcall_channels },

    { ngx_string("missedcall_fallback"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_fallback,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_sms_code_length"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, sms.code_length),
      &ngx_http_missedcall_code_length_post },

    { ngx_string("missedcall_sms_template"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, sms.text),
      NULL },

    { ngx_string("missedcall_sms_app_hash"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, sms.app_hash),
      NULL },

    { ngx_string("missedcall_twilio_messaging_service"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.service),
      NULL },

    { ngx_string("missedcall_inbound_attestation"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, attestation),
      &ngx_http_missedcall_attestations },

    { ngx_string("missedcall_twilio_status_callback"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.callback),
      NULL },

    { ngx_string("missedcall_gateway"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
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
      &ngx_http_missedcall_ring_post },

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

    { ngx_string("missedcall_max_failures"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_max_failures,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_verify_by"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, verify_by),
      &ngx_http_missedcall_verify_by },

    { ngx_string("missedcall_max_guess_probability"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_max_guess_probability,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, max_guess_ppm),
      NULL },

    { ngx_string("missedcall_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE123,
      ngx_http_missedcall_limit,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_resend"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_resend,
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

    { ngx_string("missedcall_limit_ipv6_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, ipv6_prefix),
      &ngx_http_missedcall_ipv6_prefix_bounds },

    { ngx_string("missedcall_pool_max_disabled"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_missedcall_main_conf_t, max_disabled),
      &ngx_http_missedcall_percent_bounds },

    { ngx_string("missedcall_telnyx_connection"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.connection),
      NULL },

    { ngx_string("missedcall_telnyx_public_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_missedcall_telnyx_public_key,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_telnyx_webhook_tolerance"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.tolerance),
      NULL },

    { ngx_string("missedcall_telnyx_webhook_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.webhook_url),
      NULL },

    { ngx_string("missedcall_telnyx_webhook"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_missedcall_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("missedcall_gateway_fail_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_missedcall_loc_conf_t, gateway.fail_timeout),
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
     *     mcf->jwks = { 0, NULL };
     */

    mcf->redis.db = NGX_CONF_UNSET_UINT;
    mcf->redis.timeout = NGX_CONF_UNSET_MSEC;
    mcf->max_failures = NGX_CONF_UNSET;
    mcf->max_disabled = NGX_CONF_UNSET;
    mcf->events_max = NGX_CONF_UNSET;
    mcf->max_guess_ppm = NGX_CONF_UNSET_UINT;

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
    ngx_conf_init_value(mcf->max_disabled, 10);
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
     *     lcf->endpoint = NULL;
     *     lcf->gateway.type = NULL;
     *     lcf->gateway.url = { 0, NULL };
     *     lcf->gateway.account = { 0, NULL };
     *     lcf->gateway.api_key = { 0, NULL };
     *     lcf->gateway.secret = { 0, NULL };
     *     lcf->gateway.ca_file = { 0, NULL };
     *     lcf->token_cookie = { 0, NULL };
     *     lcf->token_rules = NULL;
     *     lcf->admin_token = NULL;
     *     lcf->webhook.url = { 0, NULL };
     *     lcf->webhook.secret = { 0, NULL };
     */

    lcf->gateway.timeout = NGX_CONF_UNSET_MSEC;
    lcf->gateway.ring = NGX_CONF_UNSET_MSEC;
    lcf->gateway.interval = NGX_CONF_UNSET_MSEC;
    lcf->gateway.max_delay = NGX_CONF_UNSET_MSEC;
    lcf->gateway.tolerance = NGX_CONF_UNSET;
    lcf->gateway.fail_timeout = NGX_CONF_UNSET_MSEC;
    lcf->session_ttl = NGX_CONF_UNSET_MSEC;
    lcf->match_digits = NGX_CONF_UNSET_UINT;
    lcf->max_attempts = NGX_CONF_UNSET_UINT;
    lcf->max_failures = NGX_CONF_UNSET_UINT;
    lcf->verify_by = NGX_CONF_UNSET_UINT;
    lcf->channel = NGX_CONF_UNSET_UINT;
    lcf->attestation = NGX_CONF_UNSET_UINT;
    lcf->sms.code_length = NGX_CONF_UNSET_UINT;
    lcf->sms.fallback = NGX_CONF_UNSET_UINT;
    lcf->max_guess_ppm = NGX_CONF_UNSET_UINT;
    lcf->limits = NGX_CONF_UNSET_PTR;
    lcf->resend = NGX_CONF_UNSET_MSEC;
    lcf->ipv6_prefix = NGX_CONF_UNSET_UINT;
    lcf->countries = NGX_CONF_UNSET_PTR;
    lcf->signatures = NGX_CONF_UNSET_PTR;
    lcf->signature_required = NGX_CONF_UNSET;
    lcf->body_limit = NGX_CONF_UNSET_SIZE;
    lcf->token_ttl = NGX_CONF_UNSET;
    lcf->token_leeway = NGX_CONF_UNSET;
    lcf->jwks_max_age = NGX_CONF_UNSET;
    lcf->webhook.retries = NGX_CONF_UNSET_UINT;
    lcf->webhook.timeout = NGX_CONF_UNSET_MSEC;

    return lcf;
}


static char *
ngx_http_missedcall_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_missedcall_loc_conf_t *prev = parent;
    ngx_http_missedcall_loc_conf_t *conf = child;

    if (conf->gateway.type == NULL) {
        conf->gateway.type = prev->gateway.type;
        conf->gateway.url = prev->gateway.url;
    }

    ngx_conf_merge_str_value(conf->gateway.account, prev->gateway.account, "");
    ngx_conf_merge_str_value(conf->gateway.api_key, prev->gateway.api_key, "");
    ngx_conf_merge_str_value(conf->gateway.secret, prev->gateway.secret, "");
    ngx_conf_merge_str_value(conf->gateway.callback, prev->gateway.callback,
                             "");
    ngx_conf_merge_str_value(conf->gateway.voice, prev->gateway.voice, "");
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

    /* the Messaging Service first: each gateway copies it */
    if (ngx_http_missedcall_sms_merge(cf, conf, prev) != NGX_CONF_OK
        || ngx_http_missedcall_gateways_merge(cf, conf, prev) != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    ngx_conf_merge_msec_value(conf->session_ttl, prev->session_ttl, 120000);
    ngx_conf_merge_uint_value(conf->match_digits, prev->match_digits, 0);
    ngx_conf_merge_uint_value(conf->max_attempts, prev->max_attempts, 3);

    if (conf->max_failures == NGX_CONF_UNSET_UINT) {
        conf->max_failures = prev->max_failures;
        conf->failures_window = prev->failures_window;
    }

    /* 10 wrong guesses a day: NIST SP 800-63B's 100 is for secrets of
       more than a million values, a caller id is one of a pool */
    if (conf->max_failures == NGX_CONF_UNSET_UINT) {
        conf->max_failures = 10;
        conf->failures_window = 86400000;
    }

    ngx_conf_merge_uint_value(conf->verify_by, prev->verify_by,
                              NGX_HTTP_MISSEDCALL_VERIFY_BY_BOTH);
    ngx_conf_merge_uint_value(conf->channel, prev->channel,
                              NGX_HTTP_MISSEDCALL_CH_OUTBOUND);
    ngx_conf_merge_uint_value(conf->attestation, prev->attestation, 0);
    ngx_conf_merge_uint_value(conf->max_guess_ppm, prev->max_guess_ppm,
                              10000);

    if (ngx_http_missedcall_limit_merge(cf, conf, prev) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

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
    ngx_http_missedcall_token_merge(conf, prev);
    ngx_conf_merge_sec_value(conf->jwks_max_age, prev->jwks_max_age, 300);

    if (conf->admin_token == NULL) {
        conf->admin_token = prev->admin_token;
    }

    if (ngx_http_missedcall_webhook_merge(cf, conf, prev) != NGX_CONF_OK) {
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

    if (conf->endpoint == NULL) {
        return NGX_CONF_OK;
    }

    return ngx_http_missedcall_endpoint_check(cf, conf);
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
