
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_CONF_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_CONF_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_HTTP_MISSEDCALL_SECRET_MAX  4096


char *ngx_http_missedcall_read_file(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *file, size_t max, ngx_str_t *out);
ngx_uint_t ngx_http_missedcall_next_line(u_char **p, u_char *last,
    ngx_str_t *line);
char *ngx_http_missedcall_url(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *url);
ngx_int_t ngx_http_missedcall_parse_rate(ngx_str_t *value, ngx_uint_t *count,
    ngx_msec_t *window);


#endif /* _NGX_HTTP_MISSEDCALL_CONF_H_INCLUDED_ */
