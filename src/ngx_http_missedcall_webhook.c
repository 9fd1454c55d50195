
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * A signed webhook on each verification, through the curl driver.  It
 * lives on its own, apart from the request that caused it, and is tried
 * again a bounded number of times, 1 s, 2 s, 4 s... apart.  The retry timer
 * does not hold a worker that is shutting down: the event stream, written
 * with the verification itself, stays the record a backend can replay.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"


#define NGX_HTTP_MISSEDCALL_SIG_HEADER  "X-Missedcall-Signature: sha256="


typedef struct {
    ngx_pool_t                         *pool;
    ngx_http_missedcall_webhook_conf_t *conf;
    u_char                             *body;    /* NUL-terminated */
    u_char                             *signature;  /* the header line */
    ngx_str_t                           sid;
    ngx_uint_t                          attempt;
    ngx_event_t                         timer;
} ngx_http_missedcall_webhook_t;


static void ngx_http_missedcall_webhook_post(ngx_event_t *ev);
static void ngx_http_missedcall_webhook_done(
    ngx_http_missedcall_curl_req_t *req);


/*
 * The hex HMAC-SHA256 of data with secret, written at out (64 bytes): the
 * signature of the module's webhooks, and of the inbound calls an HTTP
 * gateway sends.  NULL: no HMAC.
 */

u_char *
ngx_http_missedcall_webhook_sign(ngx_str_t *secret, u_char *data,
    size_t len, u_char *out)
{
    u_char        md[EVP_MAX_MD_SIZE];
    unsigned int  mdlen;

    if (HMAC(EVP_sha256(), secret->data, (int) secret->len, data, len, md,
             &mdlen) == NULL)
    {
        return NULL;
    }

    return ngx_hex_dump(out, md, mdlen);
}


void
ngx_http_missedcall_webhook_send(ngx_http_missedcall_op_t *op,
    ngx_str_t *token_id, ngx_str_t *event_id)
{
    u_char                          *p;
    json_t                         *json;
    size_t                          len;
    ngx_pool_t                     *pool;
    ngx_http_missedcall_webhook_t  *wh;

    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        return;
    }

    wh = ngx_pcalloc(pool, sizeof(ngx_http_missedcall_webhook_t));
    if (wh == NULL) {
        goto failed;
    }

    json = json_pack("{s:s, s:s#, s:s#, s:s#, s:I}",
                     "event", "verified",
                     "session_id", op->sid.data, (int) op->sid.len,
                     "phone_number", op->phone.data, (int) op->phone.len,
                     "token_id", token_id->data, (int) token_id->len,
                     "timestamp", (json_int_t) ngx_time());

    if (json && event_id->len
        && json_object_set_new(json, "event_id",
                               json_stringn((char *) event_id->data,
                                            event_id->len)))
    {
        json_decref(json);
        json = NULL;
    }

    wh->body = ngx_http_missedcall_json_text(pool, json, &len);
    wh->signature = ngx_pnalloc(pool, sizeof(NGX_HTTP_MISSEDCALL_SIG_HEADER)
                                      + 2 * EVP_MAX_MD_SIZE);
    wh->sid.data = ngx_pstrdup(pool, &op->sid);

    if (wh->body == NULL || wh->signature == NULL || wh->sid.data == NULL) {
        goto failed;
    }

    p = ngx_cpymem(wh->signature, NGX_HTTP_MISSEDCALL_SIG_HEADER,
                   sizeof(NGX_HTTP_MISSEDCALL_SIG_HEADER) - 1);
    p = ngx_http_missedcall_webhook_sign(&op->lcf->webhook.secret, wh->body,
                                         len, p);
    if (p == NULL) {
        goto failed;
    }

    *p = '\0';

    wh->pool = pool;
    wh->conf = &op->lcf->webhook;
    wh->sid.len = op->sid.len;

    wh->timer.handler = ngx_http_missedcall_webhook_post;
    wh->timer.data = wh;
    wh->timer.log = ngx_cycle->log;

    /* a worker shutting down does not wait for a retry */
    wh->timer.cancelable = 1;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall webhook: %V: queued", &wh->sid);

    ngx_http_missedcall_webhook_post(&wh->timer);
    return;

failed:

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                  "missedcall webhook: session %V: not sent, out of memory",
                  &op->sid);
    ngx_destroy_pool(pool);
}


static void
ngx_http_missedcall_webhook_post(ngx_event_t *ev)
{
    ngx_http_missedcall_webhook_t *wh = ev->data;

    ngx_http_missedcall_curl_req_t  *req;

    wh->attempt++;

    req = ngx_http_missedcall_curl_create(ngx_cycle->log, wh->conf->timeout,
                                          &wh->conf->ca_file);
    if (req == NULL) {
        goto failed;
    }

    req->headers = curl_slist_append(req->headers,
                                     "Content-Type: application/json");
    if (req->headers) {
        req->headers = curl_slist_append(req->headers,
                                         (char *) wh->signature);
    }

    /* the URL is a configuration argument, NUL-terminated */
    if (req->headers == NULL
        || curl_easy_setopt(req->easy, CURLOPT_URL, wh->conf->url.data)
           != CURLE_OK
        || curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->headers)
           != CURLE_OK
        || curl_easy_setopt(req->easy, CURLOPT_POSTFIELDS, wh->body)
           != CURLE_OK
        || ngx_http_missedcall_curl_start(req,
                                          ngx_http_missedcall_webhook_done,
                                          wh)
           != NGX_OK)
    {
        ngx_http_missedcall_curl_free(req);
        goto failed;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "missedcall webhook: %V: try %ui sent", &wh->sid,
                   wh->attempt);

    return;

failed:

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                  "missedcall webhook: session %V: could not be sent",
                  &wh->sid);
    ngx_destroy_pool(wh->pool);
}


static void
ngx_http_missedcall_webhook_done(ngx_http_missedcall_curl_req_t *req)
{
    ngx_http_missedcall_webhook_t *wh = req->data;

    long        status;
    CURLcode    code;

    code = req->code;
    status = req->status;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "missedcall webhook: %V: try %ui answered HTTP %l",
                   &wh->sid, wh->attempt, status);

    ngx_http_missedcall_curl_free(req);

    if (code == CURLE_OK && status >= 200 && status < 300) {
        ngx_http_missedcall_metrics_inc(NGX_HTTP_MISSEDCALL_M_WEBHOOKS_SENT);
        ngx_destroy_pool(wh->pool);
        return;
    }

    if (wh->attempt <= wh->conf->retries && !ngx_exiting) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "missedcall webhook: session %V: attempt %ui failed "
                      "(%s, HTTP %l), trying again in %ui s", &wh->sid,
                      wh->attempt, curl_easy_strerror(code), status,
                      (ngx_uint_t) 1 << (wh->attempt - 1));

        ngx_http_missedcall_metrics_inc(
                                     NGX_HTTP_MISSEDCALL_M_WEBHOOKS_RETRIED);
        ngx_add_timer(&wh->timer, 1000 << (wh->attempt - 1));
        return;
    }

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                  "missedcall webhook: session %V: given up after %ui "
                  "attempts (%s, HTTP %l); the event stream keeps it",
                  &wh->sid, wh->attempt, curl_easy_strerror(code), status);

    ngx_http_missedcall_metrics_inc(NGX_HTTP_MISSEDCALL_M_WEBHOOKS_FAILED);
    ngx_destroy_pool(wh->pool);
}


/* missedcall_webhook <url> [retries=<n>] [timeout=<time>]; */

char *
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


/* the webhook a location inherits; its secret is required */

char *
ngx_http_missedcall_webhook_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev)
{
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

    return NGX_CONF_OK;
}
