
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_DIRECTIVE_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_DIRECTIVE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * The directive handlers the command table names, each defined beside the
 * concern it configures.
 */


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
char *ngx_http_missedcall_pool_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_token.c */
char *ngx_http_missedcall_token_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_gateway.c */
char *ngx_http_missedcall_gateway(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_rate(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_webhook.c */
char *ngx_http_missedcall_webhook(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_missedcall_limits.c */
char *ngx_http_missedcall_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_countries(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_app_signature(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_missedcall_app_signature_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* ngx_http_missedcall_admin.c */
char *ngx_http_missedcall_admin_token_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* ngx_http_missedcall_metrics.c */
char *ngx_http_missedcall_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_MISSEDCALL_DIRECTIVE_H_INCLUDED_ */
