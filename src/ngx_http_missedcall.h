
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>

#include "ngx_http_missedcall_redis.h"
#include "ngx_http_missedcall_curl.h"
#include "ngx_http_missedcall_jwt.h"


#define NGX_HTTP_MISSEDCALL_REQUEST  1
#define NGX_HTTP_MISSEDCALL_VERIFY   2
#define NGX_HTTP_MISSEDCALL_STATUS   3
#define NGX_HTTP_MISSEDCALL_CHECK    4

#define NGX_HTTP_MISSEDCALL_UUID_LEN  36


typedef struct ngx_http_missedcall_gateway_s  ngx_http_missedcall_gateway_t;
typedef struct ngx_http_missedcall_op_s       ngx_http_missedcall_op_t;


typedef struct {
    ngx_http_missedcall_redis_conf_t   redis;     /* addr.len 0: none */
    ngx_str_t                          prefix;
    ngx_array_t                       *pool;      /* ngx_str_t, E.164 */
    ngx_array_t                       *keys;      /* jwt_key_t, [0] signs */
} ngx_http_missedcall_main_conf_t;


typedef struct {
    ngx_http_missedcall_gateway_t     *type;      /* NULL: none */
    ngx_str_t                          url;
    ngx_str_t                          token;     /* secret */
    ngx_msec_t                         timeout;
    ngx_str_t                          ca_file;
} ngx_http_missedcall_gateway_conf_t;


typedef struct {
    ngx_uint_t                         handler;
    ngx_http_missedcall_gateway_conf_t gateway;
    ngx_msec_t                         session_ttl;
    ngx_uint_t                         match_digits;  /* 0: whole caller id */
    ngx_uint_t                         max_attempts;
    size_t                             body_limit;
    time_t                             token_ttl;
    time_t                             token_leeway;
    ngx_str_t                          token_cookie;
} ngx_http_missedcall_loc_conf_t;


/* what the gateway answered, in the client's terms */
typedef enum {
    NGX_HTTP_MISSEDCALL_CALL_PLACED = 0,
    NGX_HTTP_MISSEDCALL_CALL_FAILED,          /* 502 */
    NGX_HTTP_MISSEDCALL_CALL_TIMEOUT          /* 504 */
} ngx_http_missedcall_call_rc_e;


struct ngx_http_missedcall_gateway_s {
    ngx_str_t                          name;

    /* sets URL, headers and body of the transfer placing op's call */
    ngx_int_t                        (*prepare)(ngx_http_missedcall_op_t *op,
                                         ngx_http_missedcall_curl_req_t *req);
    ngx_http_missedcall_call_rc_e    (*result)(ngx_http_missedcall_op_t *op,
                                         ngx_http_missedcall_curl_req_t *req);
};


/*
 * One client operation.  It lives in a pool of its own, not the request's:
 * a call placed for a client that went away must still be confirmed or
 * undone in Redis.  r is NULL once the request is gone.
 */

struct ngx_http_missedcall_op_s {
    ngx_pool_t                        *pool;
    ngx_http_request_t                *r;
    ngx_pool_cleanup_t                *cln;     /* in r's pool: detaches */
    ngx_http_missedcall_loc_conf_t    *lcf;
    ngx_http_missedcall_main_conf_t   *mcf;
    ngx_log_t                         *log;

    ngx_str_t                          phone;
    ngx_str_t                          sid;
    ngx_str_t                          call_id;
    ngx_str_t                          caller;
    ngx_str_t                          session_key;
    int64_t                            expires_ms;

    ngx_uint_t                         status;   /* answer once undone */
    const char                        *error;
    const char                        *message;
};


/* per request: the verified phone for variables, and the op in flight */
typedef struct {
    ngx_http_missedcall_op_t          *op;
    ngx_str_t                          phone;
    ngx_str_t                          token_id;
} ngx_http_missedcall_ctx_t;


extern ngx_module_t  ngx_http_missedcall_module;

extern ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_http;


/* src/ngx_http_missedcall_http.c: request and response plumbing */
ngx_int_t ngx_http_missedcall_read_body(ngx_http_request_t *r,
    ngx_http_client_body_handler_pt post_handler);
ngx_int_t ngx_http_missedcall_body(ngx_http_request_t *r, ngx_str_t *body);
ngx_int_t ngx_http_missedcall_send_json(ngx_http_request_t *r,
    ngx_uint_t status, json_t *json);
ngx_int_t ngx_http_missedcall_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *error, const char *message);
json_t *ngx_http_missedcall_error_json(const char *error,
    const char *message);
ngx_table_elt_t *ngx_http_missedcall_add_header(ngx_http_request_t *r,
    char *key, char *value);
ngx_int_t ngx_http_missedcall_not_allowed(ngx_http_request_t *r,
    char *allow);
ngx_uint_t ngx_http_missedcall_uuid_valid(u_char *p, size_t len);
ngx_http_missedcall_ctx_t *ngx_http_missedcall_get_ctx(ngx_http_request_t *r);
ngx_int_t ngx_http_missedcall_random(u_char *buf, size_t len);
ngx_int_t ngx_http_missedcall_uuid(u_char *out);

/* src/ngx_http_missedcall_session.c: the flows */
ngx_int_t ngx_http_missedcall_request_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_missedcall_verify_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_missedcall_status_handler(ngx_http_request_t *r);
void ngx_http_missedcall_scripts_init(void);

/* src/ngx_http_missedcall_pool.c */
void ngx_http_missedcall_pool_sync(void);

/* src/ngx_http_missedcall_check.c */
ngx_int_t ngx_http_missedcall_check_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_missedcall_add_variables(ngx_conf_t *cf);


#endif /* _NGX_HTTP_MISSEDCALL_H_INCLUDED_ */
