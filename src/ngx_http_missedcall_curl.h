
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_CURL_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_CURL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <curl/curl.h>


/*
 * Idle connections a worker keeps to gateways and webhook receivers.
 * libcurl's default follows the transfers in flight, so a burst that
 * ends closes most of them and the next one connects again.
 */
#define NGX_HTTP_MISSEDCALL_CURL_IDLE_MAX  256

/* finished transfers' easy handles a worker keeps to reuse */
#define NGX_HTTP_MISSEDCALL_CURL_EASY_MAX  64

/* responses larger than this are cut and reported as CURLE_WRITE_ERROR */
#define NGX_HTTP_MISSEDCALL_CURL_BODY_MAX  65536


typedef struct ngx_http_missedcall_curl_req_s  ngx_http_missedcall_curl_req_t;

typedef void (*ngx_http_missedcall_curl_done_pt)(
    ngx_http_missedcall_curl_req_t *req);


/*
 * One transfer.  Allocated on the heap, not from a request pool: it may
 * outlive the client request that started it.
 */

struct ngx_http_missedcall_curl_req_s {
    CURL                               *easy;
    struct curl_slist                  *headers;  /* freed with the req */

    ngx_http_missedcall_curl_done_pt    done;
    void                               *data;

    /* results, valid in done() */
    CURLcode                            code;
    long                                status;   /* 0: no HTTP answer */
    ngx_str_t                           body;
    ngx_msec_t                          elapsed;

    /* private */
    ngx_queue_t                         queue;    /* in the multi */
    ngx_log_t                          *log;
    ngx_msec_t                          start;
    size_t                              body_alloc;
    char                                errbuf[CURL_ERROR_SIZE];
};


/* master: curl_global_init(), checks for the asynchronous resolver */
ngx_int_t ngx_http_missedcall_curl_init_module(ngx_cycle_t *cycle);

/* worker: one multi handle per worker, driven by nginx events and a timer */
ngx_int_t ngx_http_missedcall_curl_init_process(ngx_cycle_t *cycle);
void ngx_http_missedcall_curl_exit_process(ngx_cycle_t *cycle);

/*
 * Creates a transfer with the common options set: no signals, no
 * redirects, http/https only, total timeout, TLS peer verification
 * (against ca_file when it is not empty, else the system store), and
 * response capture.  The caller then sets URL, method, headers and body.
 */
ngx_http_missedcall_curl_req_t *ngx_http_missedcall_curl_create(
    ngx_log_t *log, ngx_msec_t timeout, ngx_str_t *ca_file);

/*
 * Adds the transfer to the worker's multi handle; done() is called exactly
 * once, later, from the event loop.  NGX_ERROR: not started, no callback.
 */
ngx_int_t ngx_http_missedcall_curl_start(ngx_http_missedcall_curl_req_t *req,
    ngx_http_missedcall_curl_done_pt done, void *data);

/* frees the transfer; never call it on a started transfer before done() */
void ngx_http_missedcall_curl_free(ngx_http_missedcall_curl_req_t *req);

/*
 * A POST of len bytes of body to url (NUL-terminated) with req->headers;
 * libcurl copies the body, so the caller's may be wiped at once.
 */
ngx_int_t ngx_http_missedcall_curl_post(ngx_http_missedcall_curl_req_t *req,
    const char *url, u_char *body, size_t len);

/* adds "Authorization: Bearer <secret>"; no copy of it stays behind */
ngx_int_t ngx_http_missedcall_curl_bearer(ngx_http_missedcall_curl_req_t *req,
    ngx_pool_t *pool, ngx_str_t *secret);


#endif /* _NGX_HTTP_MISSEDCALL_CURL_H_INCLUDED_ */
