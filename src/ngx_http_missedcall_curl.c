
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * libcurl's multi API on nginx's event loop: one multi handle per worker;
 * each socket libcurl opens is wrapped in an nginx connection, and
 * libcurl's single timeout is one nginx timer.  Name resolution runs in
 * libcurl's resolver threads.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_missedcall_curl.h"
#include "ngx_http_missedcall_socket.h"


typedef struct {
    CURLM                            *multi;
    ngx_event_t                       timer;
    ngx_queue_t                       active;
    ngx_log_t                        *log;
    int                               running;

    /* finished transfers' handles, reset, for the next ones */
    CURL                             *idle[NGX_HTTP_MISSEDCALL_CURL_EASY_MAX];
    ngx_uint_t                        nidle;
} ngx_http_missedcall_curl_t;


static int ngx_http_missedcall_curl_socket(CURL *easy, curl_socket_t s,
    int what, void *userp, void *socketp);
static int ngx_http_missedcall_curl_timer(CURLM *multi, long timeout_ms,
    void *userp);
static void ngx_http_missedcall_curl_event_handler(ngx_event_t *ev);
static void ngx_http_missedcall_curl_timer_handler(ngx_event_t *ev);
static void ngx_http_missedcall_curl_action(curl_socket_t s, int action);
static void ngx_http_missedcall_curl_abort(void);
static size_t ngx_http_missedcall_curl_write(char *ptr, size_t size,
    size_t nmemb, void *userdata);


static ngx_http_missedcall_curl_t  ngx_http_missedcall_curl;


ngx_int_t
ngx_http_missedcall_curl_init_module(ngx_cycle_t *cycle)
{
    curl_version_info_data  *info;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "missedcall: curl_global_init() failed");
        return NGX_ERROR;
    }

    info = curl_version_info(CURLVERSION_NOW);

    /* a blocking resolver would stall the worker on every call */
    if (!(info->features & CURL_VERSION_ASYNCHDNS)) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "missedcall: libcurl %s has no asynchronous resolver",
                      info->version);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_missedcall_curl_init_process(ngx_cycle_t *cycle)
{
    ngx_http_missedcall_curl_t  *cu = &ngx_http_missedcall_curl;

    ngx_memzero(cu, sizeof(ngx_http_missedcall_curl_t));

    cu->log = cycle->log;
    ngx_queue_init(&cu->active);

    cu->timer.handler = ngx_http_missedcall_curl_timer_handler;
    cu->timer.log = cycle->log;
    cu->timer.data = cu;
    cu->timer.cancelable = 1;

    cu->multi = curl_multi_init();
    if (cu->multi == NULL) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "missedcall: curl_multi_init() failed");
        return NGX_ERROR;
    }

    if (curl_multi_setopt(cu->multi, CURLMOPT_SOCKETFUNCTION,
                          ngx_http_missedcall_curl_socket) != CURLM_OK
        || curl_multi_setopt(cu->multi, CURLMOPT_TIMERFUNCTION,
                             ngx_http_missedcall_curl_timer) != CURLM_OK
        || curl_multi_setopt(cu->multi, CURLMOPT_MAXCONNECTS,
                             (long) NGX_HTTP_MISSEDCALL_CURL_IDLE_MAX)
           != CURLM_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "missedcall: curl_multi_setopt() failed");
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_http_missedcall_curl_exit_process(ngx_cycle_t *cycle)
{
    ngx_queue_t                     *q;
    ngx_http_missedcall_curl_t      *cu = &ngx_http_missedcall_curl;
    ngx_http_missedcall_curl_req_t  *req;

    if (cu->multi == NULL) {
        return;
    }

    while (!ngx_queue_empty(&cu->active)) {
        q = ngx_queue_head(&cu->active);
        req = ngx_queue_data(q, ngx_http_missedcall_curl_req_t, queue);

        ngx_queue_remove(q);
        curl_multi_remove_handle(cu->multi, req->easy);
        ngx_http_missedcall_curl_free(req);
    }

    if (cu->timer.timer_set) {
        ngx_del_timer(&cu->timer);
    }

    while (cu->nidle) {
        curl_easy_cleanup(cu->idle[--cu->nidle]);
    }

    curl_multi_cleanup(cu->multi);
    cu->multi = NULL;
}


ngx_http_missedcall_curl_req_t *
ngx_http_missedcall_curl_create(ngx_log_t *log, ngx_msec_t timeout,
    ngx_str_t *ca_file)
{
    CURL                            *easy;
    ngx_http_missedcall_curl_t      *cu = &ngx_http_missedcall_curl;
    ngx_http_missedcall_curl_req_t  *req;

    req = ngx_calloc(sizeof(ngx_http_missedcall_curl_req_t), log);
    if (req == NULL) {
        return NULL;
    }

    /* a handle kept from an earlier transfer costs a reset, not an init */
    easy = cu->nidle ? cu->idle[--cu->nidle] : curl_easy_init();
    if (easy == NULL) {
        ngx_free(req);
        return NULL;
    }

    req->easy = easy;
    req->log = log;

    if (curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_PRIVATE, req) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION,
                            ngx_http_missedcall_curl_write) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_WRITEDATA, req) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, req->errbuf)
           != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) timeout)
           != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) timeout)
           != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https")
           != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK
        || (ca_file && ca_file->len
            && curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file->data)
               != CURLE_OK))
    {
        ngx_http_missedcall_curl_free(req);
        return NULL;
    }

    /*
     * The first of the call's headers: CURLOPT_USERAGENT would cost
     * libcurl's printf twice a transfer, a header of the list once
     */
    req->headers = curl_slist_append(NULL,
                                     "User-Agent: ngx_http_missedcall_module");
    if (req->headers == NULL) {
        ngx_http_missedcall_curl_free(req);
        return NULL;
    }

    return req;
}


ngx_int_t
ngx_http_missedcall_curl_start(ngx_http_missedcall_curl_req_t *req,
    ngx_http_missedcall_curl_done_pt done, void *data)
{
    ngx_http_missedcall_curl_t  *cu = &ngx_http_missedcall_curl;

    if (cu->multi == NULL) {
        ngx_log_error(NGX_LOG_ALERT, req->log, 0,
                      "missedcall: no curl multi handle in this process");
        return NGX_ERROR;
    }

    req->done = done;
    req->data = data;
    req->start = ngx_current_msec;

    if (curl_multi_add_handle(cu->multi, req->easy) != CURLM_OK) {
        ngx_log_error(NGX_LOG_ALERT, req->log, 0,
                      "missedcall: curl_multi_add_handle() failed");
        return NGX_ERROR;
    }

    ngx_queue_insert_tail(&cu->active, &req->queue);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, req->log, 0,
                   "missedcall curl: %p started", req);

    /* a worker shutting down waits for the calls it placed */
    cu->timer.cancelable = 0;

    return NGX_OK;
}


void
ngx_http_missedcall_curl_free(ngx_http_missedcall_curl_req_t *req)
{
    ngx_http_missedcall_curl_t  *cu = &ngx_http_missedcall_curl;

    /*
     * The reset drops every option, the body's and credentials' copies
     * among them, before the handle waits for another transfer
     */
    if (cu->multi && cu->nidle < NGX_HTTP_MISSEDCALL_CURL_EASY_MAX) {
        curl_easy_reset(req->easy);
        cu->idle[cu->nidle++] = req->easy;

    } else {
        curl_easy_cleanup(req->easy);
    }

    curl_slist_free_all(req->headers);

    if (req->body.data) {
        ngx_free(req->body.data);
    }

    ngx_free(req);
}


static int
ngx_http_missedcall_curl_socket(CURL *easy, curl_socket_t s, int what,
    void *userp, void *socketp)
{
    ngx_connection_t            *c = socketp;
    ngx_http_missedcall_curl_t  *cu = &ngx_http_missedcall_curl;

    if (what == CURL_POLL_REMOVE) {
        if (c) {
            ngx_http_missedcall_socket_release(c);
        }

        return 0;
    }

    if (c == NULL) {
        c = ngx_get_connection(s, cu->log);
        if (c == NULL) {
            return -1;
        }

        c->read->handler = ngx_http_missedcall_curl_event_handler;
        c->write->handler = ngx_http_missedcall_curl_event_handler;
        c->read->log = cu->log;
        c->write->log = cu->log;

        if (curl_multi_assign(cu->multi, s, c) != CURLM_OK) {
            ngx_free_connection(c);
            c->fd = (ngx_socket_t) -1;
            return -1;
        }
    }

    ngx_http_missedcall_socket_watch(c->read, NGX_READ_EVENT,
                                  what & CURL_POLL_IN);
    ngx_http_missedcall_socket_watch(c->write, NGX_WRITE_EVENT,
                                  what & CURL_POLL_OUT);

    return 0;
}


/*
 * libcurl forbids acting from inside this callback: the timer fires later.
 * "At once" (0 ms, as after each new transfer) is the loop's next turn,
 * not the next millisecond; and a timer set already is set anew, as
 * ngx_add_timer() would leave one that differs by less than 300 ms.
 */

static int
ngx_http_missedcall_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    ngx_http_missedcall_curl_t  *cu = &ngx_http_missedcall_curl;

    if (cu->timer.timer_set) {
        ngx_del_timer(&cu->timer);
    }

    if (timeout_ms >= 0) {
        ngx_add_timer(&cu->timer, (ngx_msec_t) timeout_ms);
    }

    return 0;
}


static void
ngx_http_missedcall_curl_event_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    if (c->close) {
        /* worker_shutdown_timeout: every transfer ends now, not later */
        ngx_http_missedcall_curl_abort();
        return;
    }

    /* c may be released inside: nothing of it is used after the call */
    ngx_http_missedcall_curl_action(c->fd,
                                    ev->write ? CURL_CSELECT_OUT
                                              : CURL_CSELECT_IN);
}


static void
ngx_http_missedcall_curl_timer_handler(ngx_event_t *ev)
{
    ngx_http_missedcall_curl_action(CURL_SOCKET_TIMEOUT, 0);
}


/* lets libcurl progress, then hands finished transfers to their owners */

static void
ngx_http_missedcall_curl_action(curl_socket_t s, int action)
{
    CURL                            *easy;
    CURLMsg                         *msg;
    CURLcode                         code;
    int                              left;
    ngx_http_missedcall_curl_t      *cu = &ngx_http_missedcall_curl;
    ngx_http_missedcall_curl_req_t  *req;

    (void) curl_multi_socket_action(cu->multi, s, action, &cu->running);

    while ((msg = curl_multi_info_read(cu->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }

        easy = msg->easy_handle;
        code = msg->data.result;
        req = NULL;

        (void) curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &req);

        if (req == NULL) {
            continue;
        }

        req->code = code;
        req->elapsed = ngx_current_msec - req->start;
        (void) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &req->status);

        ngx_log_debug5(NGX_LOG_DEBUG_HTTP, req->log, 0,
                       "missedcall curl: %p done, code %d, status %l, "
                       "%M ms: %s", req, code, req->status, req->elapsed,
                       req->errbuf);

        curl_multi_remove_handle(cu->multi, easy);
        ngx_queue_remove(&req->queue);

        req->done(req);
    }

    cu->timer.cancelable = ngx_queue_empty(&cu->active);
}


/* ends every transfer as failed, each owner told as usual */

static void
ngx_http_missedcall_curl_abort(void)
{
    ngx_queue_t                     *q;
    ngx_http_missedcall_curl_t      *cu = &ngx_http_missedcall_curl;
    ngx_http_missedcall_curl_req_t  *req;

    while (!ngx_queue_empty(&cu->active)) {
        q = ngx_queue_head(&cu->active);
        req = ngx_queue_data(q, ngx_http_missedcall_curl_req_t, queue);

        ngx_queue_remove(q);
        curl_multi_remove_handle(cu->multi, req->easy);

        req->code = CURLE_ABORTED_BY_CALLBACK;
        req->status = 0;
        req->elapsed = ngx_current_msec - req->start;
        ngx_cpystrn((u_char *) req->errbuf,
                    (u_char *) "aborted: the worker is shutting down",
                    CURL_ERROR_SIZE);

        req->done(req);
    }

    cu->timer.cancelable = 1;
}


static size_t
ngx_http_missedcall_curl_write(char *ptr, size_t size, size_t nmemb,
    void *userdata)
{
    u_char                          *p;
    size_t                           n, alloc;
    ngx_http_missedcall_curl_req_t  *req = userdata;

    n = size * nmemb;

    if (req->body.len + n > NGX_HTTP_MISSEDCALL_CURL_BODY_MAX) {
        return 0;
    }

    if (req->body.len + n > req->body_alloc) {
        alloc = ngx_max(req->body_alloc * 2, req->body.len + n);
        alloc = ngx_max(alloc, 1024);
        alloc = ngx_min(alloc, NGX_HTTP_MISSEDCALL_CURL_BODY_MAX);

        p = ngx_alloc(alloc, req->log);
        if (p == NULL) {
            return 0;
        }

        if (req->body.data) {
            ngx_memcpy(p, req->body.data, req->body.len);
            ngx_free(req->body.data);
        }

        req->body.data = p;
        req->body_alloc = alloc;
    }

    ngx_memcpy(req->body.data + req->body.len, ptr, n);
    req->body.len += n;

    return n;
}


ngx_int_t
ngx_http_missedcall_curl_post(ngx_http_missedcall_curl_req_t *req,
    const char *url, u_char *body, size_t len)
{
    if (curl_easy_setopt(req->easy, CURLOPT_URL, url) != CURLE_OK
        || curl_easy_setopt(req->easy, CURLOPT_POSTFIELDSIZE, (long) len)
           != CURLE_OK
        || curl_easy_setopt(req->easy, CURLOPT_COPYPOSTFIELDS, body)
           != CURLE_OK
        || curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->headers)
           != CURLE_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_missedcall_curl_bearer(ngx_http_missedcall_curl_req_t *req,
    ngx_pool_t *pool, ngx_str_t *secret)
{
    u_char  *p;
    size_t   size;

    size = sizeof("Authorization: Bearer ") + secret->len;

    p = ngx_pnalloc(pool, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(p, "Authorization: Bearer %V%Z", secret);

    req->headers = curl_slist_append(req->headers, (char *) p);

    /* the copy in the list is enough: no secret stays in the pool */
    ngx_explicit_memzero(p, size);

    return req->headers ? NGX_OK : NGX_ERROR;
}
