
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_VARIABLES_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_VARIABLES_H_INCLUDED_


#include "ngx_http_missedcall.h"


/* per request: the op in flight, and what the variables show */
typedef struct {
    ngx_http_missedcall_op_t          *op;
    ngx_str_t                          phone;     /* verified */
    ngx_str_t                          token_id;
    ngx_str_t                          outcome;   /* "ok" or an error */
    ngx_str_t                          verification_id;
    ngx_str_t                          phone_masked;
    ngx_str_t                          gateway_time;  /* s.ms */
    ngx_str_t                          channel;
} ngx_http_missedcall_ctx_t;


ngx_http_missedcall_ctx_t *ngx_http_missedcall_get_ctx(ngx_http_request_t *r);
void ngx_http_missedcall_set_outcome(ngx_http_request_t *r,
    const char *outcome, size_t len);
ngx_int_t ngx_http_missedcall_add_variables(ngx_conf_t *cf);


#endif /* _NGX_HTTP_MISSEDCALL_VARIABLES_H_INCLUDED_ */
