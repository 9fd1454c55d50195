
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_DIRECTIVE_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_DIRECTIVE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"


/*
 * The directive handlers the command table names and the handlers the
 * endpoint table names, each defined beside the concern it serves.
 */


/* ngx_http_missedcall_endpoint.c */
char *ngx_http_missedcall_endpoint(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_conf.c */
char *ngx_http_missedcall_secret_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_redis_conf.c */
char *ngx_http_missedcall_redis_server(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_redis_sentinel(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_redis_wait(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_redis_password_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
extern ngx_conf_post_t  ngx_http_missedcall_prefix_post;

/* ngx_http_missedcall_pool.c */
char *ngx_http_missedcall_pool(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_pool_range(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_max_guess_probability(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_missedcall_pool_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_request.c */
ngx_int_t ngx_http_missedcall_request_handler(ngx_http_request_t *r);

/* ngx_http_missedcall_verify.c */
ngx_int_t ngx_http_missedcall_verify_handler(ngx_http_request_t *r);
char *ngx_http_missedcall_match(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_max_failures(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
extern ngx_conf_enum_t  ngx_http_missedcall_verify_by[];

/* ngx_http_missedcall_status.c */
ngx_int_t ngx_http_missedcall_status_handler(ngx_http_request_t *r);

/* ngx_http_missedcall_check.c */
ngx_int_t ngx_http_missedcall_check_handler(ngx_http_request_t *r);

/* ngx_http_missedcall_inbound.c */
ngx_int_t ngx_http_missedcall_twilio_voice_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_missedcall_http_inbound_handler(ngx_http_request_t *r);
extern ngx_conf_enum_t  ngx_http_missedcall_channels[];
extern ngx_conf_enum_t  ngx_http_missedcall_attestations[];

/* ngx_http_missedcall_sms.c */
char *ngx_http_missedcall_fallback(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
extern ngx_conf_post_t  ngx_http_missedcall_code_length_post;

/* ngx_http_missedcall_gateway_twilio.c */
ngx_int_t ngx_http_missedcall_twilio_callback_handler(ngx_http_request_t *r);

/* ngx_http_missedcall_gateway_telnyx.c */
ngx_int_t ngx_http_missedcall_telnyx_webhook_handler(ngx_http_request_t *r);
char *ngx_http_missedcall_telnyx_public_key(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* ngx_http_missedcall_token.c */
char *ngx_http_missedcall_token_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_token_issuer(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_token_audience(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_token_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);

/* ngx_http_missedcall_jwks.c */
ngx_int_t ngx_http_missedcall_jwks_handler(ngx_http_request_t *r);
char *ngx_http_missedcall_jwks_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);

/* ngx_http_missedcall_gateway.c */
char *ngx_http_missedcall_gateway(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_rate(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
extern ngx_conf_post_t  ngx_http_missedcall_ring_post;

/* ngx_http_missedcall_webhook.c */
char *ngx_http_missedcall_webhook(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_limits.c */
char *ngx_http_missedcall_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_resend(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_limit_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev);
char *ngx_http_missedcall_countries(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_app_signature(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_app_signature_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* ngx_http_missedcall_admin.c */
ngx_int_t ngx_http_missedcall_admin_handler(ngx_http_request_t *r);
char *ngx_http_missedcall_admin_token_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* ngx_http_missedcall_metrics.c */
char *ngx_http_missedcall_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_missedcall_metrics_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_MISSEDCALL_DIRECTIVE_H_INCLUDED_ */
