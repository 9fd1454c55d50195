
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Twilio's Programmable Voice: POST .../Accounts/{AccountSid}/Calls.json,
 * form-encoded To, From, Timeout and inline TwiML that hangs up should
 * the call be answered; HTTP Basic auth with the account, or an API key,
 * and its secret.  201 names the call; an error names its code, mapped
 * here to what the client should see and what the operator should fix.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_twilio.h"


#define NGX_HTTP_MISSEDCALL_TWILIO_API  "https://api.twilio.com"



static char *ngx_http_missedcall_twilio_check(ngx_conf_t *cf,
    ngx_http_missedcall_gateway_conf_t *gw);
static ngx_int_t ngx_http_missedcall_twilio_prepare(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_int_t ngx_http_missedcall_twilio_result(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static void ngx_http_missedcall_twilio_callback_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_twilio_signed(ngx_http_request_t *r,
    ngx_str_t *secret, ngx_str_t *url, ngx_array_t *form);
static ngx_array_t *ngx_http_missedcall_twilio_callback_form(
    ngx_pool_t *pool, ngx_str_t *body);
static ngx_int_t ngx_http_missedcall_twilio_signed_as(ngx_str_t *got,
    ngx_str_t *secret, u_char *url, size_t url_len, ngx_array_t *form,
    u_char *data);
static void ngx_http_missedcall_twilio_cancel(ngx_event_t *ev);
static void ngx_http_missedcall_twilio_canceled(
    ngx_http_missedcall_curl_req_t *req);


/* a call to hang up once it has rung long enough */
typedef struct {
    ngx_event_t                          timer;
    ngx_http_missedcall_gateway_conf_t  *gw;
    ngx_str_t                            sid;
    u_char                               data[34];
} ngx_http_missedcall_twilio_ring_t;


ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_twilio = {
    ngx_string("twilio"),
    ngx_http_missedcall_twilio_check,
    ngx_http_missedcall_twilio_prepare,
    ngx_http_missedcall_twilio_result,
    ngx_http_missedcall_twilio_sms_prepare,
    ngx_http_missedcall_twilio_sms_result
};


static char *
ngx_http_missedcall_twilio_check(ngx_conf_t *cf,
    ngx_http_missedcall_gateway_conf_t *gw)
{
    if (!ngx_http_missedcall_twilio_sid_valid(&gw->account, "AC")) {
        return "\"missedcall_gateway twilio\" needs "
               "\"missedcall_twilio_account\" with an Account SID "
               "(AC and 32 hex digits)";
    }

    if (gw->api_key.len
        && !ngx_http_missedcall_twilio_sid_valid(&gw->api_key, "SK"))
    {
        return "\"missedcall_twilio_api_key\" needs an API key SID "
               "(SK and 32 hex digits)";
    }

    if (gw->secret.len == 0) {
        return "\"missedcall_gateway twilio\" needs the auth token or API "
               "key secret in \"missedcall_gateway_secret_file\"";
    }

    if (gw->service.len
        && !ngx_http_missedcall_twilio_sid_valid(&gw->service, "MG"))
    {
        return "\"missedcall_twilio_messaging_service\" needs a Messaging "
               "Service SID (MG and 32 hex digits)";
    }

    if (gw->url.len == 0) {
        ngx_str_set(&gw->url, NGX_HTTP_MISSEDCALL_TWILIO_API);
    }

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_missedcall_twilio_sid_valid(ngx_str_t *sid, const char *prefix)
{
    ngx_uint_t  i;

    if (sid->len != 34 || ngx_strncmp(sid->data, prefix, 2) != 0) {
        return 0;
    }

    for (i = 2; i < sid->len; i++) {
        if (!((sid->data[i] >= '0' && sid->data[i] <= '9')
              || (sid->data[i] >= 'a' && sid->data[i] <= 'f')))
        {
            return 0;
        }
    }

    return 1;
}


static ngx_int_t
ngx_http_missedcall_twilio_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    char                                *to, *from, *twiml, *callback;
    u_char                              *url, *body, *p;
    size_t                               len;
    CURL                                *easy;
    ngx_http_missedcall_gateway_conf_t  *gw;

    static ngx_str_t  hangup = ngx_string("<Response><Hangup/></Response>");

    gw = op->gw;
    easy = req->easy;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"twilio\" prepares "
                   "call %V", &op->sid, &op->call_id);

    url = ngx_http_missedcall_twilio_url(op->pool, gw, "Calls", NULL);
    if (url == NULL) {
        return NGX_ERROR;
    }

    /* "+" must reach Twilio as "%2B": a bare one would read as a space */
    to = curl_easy_escape(easy, (char *) op->phone.data, op->phone.len);
    from = curl_easy_escape(easy, (char *) op->caller.data, op->caller.len);
    twiml = curl_easy_escape(easy, (char *) hangup.data, hangup.len);

    callback = gw->callback.len
               ? curl_easy_escape(easy, (char *) gw->callback.data,
                                  gw->callback.len)
               : NULL;

    body = NULL;

    if (to && from && twiml && (callback || gw->callback.len == 0)) {
        len = sizeof("To=&From=&Timeout=&Twiml=") + ngx_strlen(to)
              + ngx_strlen(from) + NGX_TIME_T_LEN + ngx_strlen(twiml)
              + (callback ? sizeof("&StatusCallback=&StatusCallbackEvent="
                                   "ringing&StatusCallbackMethod=POST")
                            + ngx_strlen(callback)
                          : 0);

        body = ngx_pnalloc(op->pool, len);

        /* in twilio-node's order: t/170 compares our bytes with its */
        if (body) {
            p = ngx_sprintf(body, "To=%s&From=%s", to, from);

            /* then the call is hung up by us, to the second */
            if (callback) {
                p = ngx_sprintf(p, "&StatusCallback=%s&StatusCallbackEvent="
                                "ringing&StatusCallbackMethod=POST",
                                callback);
            }

            p = ngx_sprintf(p, "&Timeout=%T&Twiml=%s",
                            (time_t) (gw->ring / 1000), twiml);
            len = p - body;
        }
    }

    curl_free(to);
    curl_free(from);
    curl_free(twiml);
    curl_free(callback);

    if (body == NULL) {
        return NGX_ERROR;
    }

    req->headers = curl_slist_append(req->headers,
                                     "Accept: application/json");
    if (req->headers == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_missedcall_curl_post(req, (char *) url, body, len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_missedcall_twilio_auth(easy, gw);
}


/*
 * {url}/2010-04-01/Accounts/{account}/{resource}[/{sid}].json,
 * NUL-terminated; the resource is "Calls" or "Messages"
 */

u_char *
ngx_http_missedcall_twilio_url(ngx_pool_t *pool,
    ngx_http_missedcall_gateway_conf_t *gw, const char *resource,
    ngx_str_t *call)
{
    u_char  *url, *p;

    url = ngx_pnalloc(pool, gw->url.len + gw->account.len
                            + (call ? call->len + 1 : 0)
                            + ngx_strlen(resource)
                            + sizeof("/2010-04-01/Accounts//.json"));
    if (url == NULL) {
        return NULL;
    }

    p = ngx_cpymem(url, gw->url.data, gw->url.len);

    if (p > url && p[-1] == '/') {
        p--;
    }

    p = ngx_sprintf(p, "/2010-04-01/Accounts/%V/%s", &gw->account,
                    resource);

    if (call) {
        p = ngx_sprintf(p, "/%V", call);
    }

    ngx_sprintf(p, ".json%Z");

    return url;
}


ngx_int_t
ngx_http_missedcall_twilio_auth(CURL *easy,
    ngx_http_missedcall_gateway_conf_t *gw)
{
    /* the secrets are NUL-terminated: read from a file, or conf args */
    if (curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC)
        != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_USERNAME,
                            gw->api_key.len ? gw->api_key.data
                                            : gw->account.data)
           != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_PASSWORD, gw->secret.data)
           != CURLE_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_missedcall_twilio_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    ngx_uint_t                            level;
    const char                           *fix;
    ngx_http_missedcall_twilio_answer_t   answer;
    ngx_http_missedcall_twilio_fault_e    fault;

    ngx_http_missedcall_twilio_parse(req->body.data, req->body.len, &answer);

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"twilio\" answered "
                   "HTTP %l, code %l, after %M ms", &op->sid, req->status,
                   answer.code, req->elapsed);

    if (req->status == 200 || req->status == 201) {
        ngx_http_missedcall_op_gateway_sid(op, answer.sid);

        /* placed, presumably, but unnamed: kept, with no sid to audit */
        if (op->gateway_sid.len == 0) {
            ngx_log_error(NGX_LOG_WARN, op->log, 0,
                          "missedcall gateway \"twilio\": call %V placed, "
                          "but Twilio's answer has no call sid",
                          &op->call_id);
        }

        return NGX_OK;
    }

    if (req->status == 429 || answer.code == 20429) {
        ngx_log_error(NGX_LOG_WARN, op->log, 0,
                      "missedcall gateway \"twilio\": call %V: Twilio is "
                      "rate limiting the account (HTTP %l, code %l)",
                      &op->call_id, req->status, answer.code);

        ngx_http_missedcall_op_busy(op);
        return NGX_ERROR;
    }

    fault = ngx_http_missedcall_twilio_fault(answer.code, &fix);

    /* the attacker picks the number called: never the pool's fault */
    if (fault == NGX_HTTP_MISSEDCALL_TWILIO_PHONE
        || fault == NGX_HTTP_MISSEDCALL_TWILIO_GEO)
    {
        /* a permission to check is the operator's business: notice */
        level = fix ? NGX_LOG_NOTICE : NGX_LOG_INFO;

        ngx_log_error(level, op->log, 0,
                      "missedcall gateway \"twilio\": call %V: number "
                      "refused, code %l: %s%s%s", &op->call_id, answer.code,
                      answer.message, fix ? "; " : "", fix ? fix : "");

        ngx_http_missedcall_op_fail(op, NGX_HTTP_MISSEDCALL_UNPROCESSABLE,
                                    "invalid_phone_number",
                                    "this phone number cannot be called");
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_ERR, op->log, 0,
                  "missedcall gateway \"twilio\": call %V refused, HTTP %l, "
                  "code %l: %s%s%s", &op->call_id, req->status, answer.code,
                  answer.message, fix ? "; " : "", fix ? fix : "");

    /* only what Twilio names the caller number's fault counts against it */
    if (fault == NGX_HTTP_MISSEDCALL_TWILIO_CALLER) {
        ngx_http_missedcall_op_fault(op, req->status, answer.code);
    }

    ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY, "gateway_error",
                                "the call could not be placed");

    return NGX_ERROR;
}


/*
 * Twilio's status callback: the call rings now, so it is hung up after
 * missedcall_ring_time, exactly, rather than when Twilio's Timeout, which
 * runs about 5 s late, expires.
 */

ngx_int_t
ngx_http_missedcall_twilio_callback_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r,
                                      ngx_http_missedcall_twilio_callback_body);
}


static void
ngx_http_missedcall_twilio_callback_body(ngx_http_request_t *r)
{
    ngx_str_t                            status, sid;
    ngx_array_t                         *form;
    ngx_http_missedcall_loc_conf_t      *lcf;
    ngx_http_missedcall_twilio_ring_t   *ring;
    ngx_http_missedcall_gateway_conf_t  *gw;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);
    gw = &lcf->gateway;

    form = ngx_http_missedcall_twilio_signed_form(r, &gw->callback);
    if (form == NULL) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "missedcall twilio: signed callback, status %s",
                   ngx_http_missedcall_twilio_param(form, "CallStatus",
                                                    &status)
                   ? "given" : "missing");

    if (ngx_http_missedcall_twilio_param(form, "CallStatus", &status)
        && ngx_http_missedcall_twilio_param(form, "CallSid", &sid)
        && status.len == 7
        && ngx_strncmp(status.data, "ringing", 7) == 0
        && ngx_http_missedcall_twilio_sid_valid(&sid, "CA"))
    {
        ring = ngx_calloc(sizeof(ngx_http_missedcall_twilio_ring_t),
                          r->connection->log);
        if (ring == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ring->gw = gw;
        ring->sid.data = ring->data;
        ring->sid.len = sid.len;
        ngx_memcpy(ring->data, sid.data, sid.len);

        ring->timer.handler = ngx_http_missedcall_twilio_cancel;
        ring->timer.data = ring;
        ring->timer.log = ngx_cycle->log;

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "missedcall twilio: call %V ringing, hung up in %M ms",
                       &ring->sid, gw->ring);

        ngx_add_timer(&ring->timer, gw->ring);
    }

    ngx_http_missedcall_set_outcome(r, "ok", 2);

    r->header_only = 1;
    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;

    ngx_http_finalize_request(r, ngx_http_send_header(r));
}


/*
 * The form of a request Twilio signed for url; else NULL, and the request
 * is answered (413, 500, or 403 to anything Twilio did not sign).
 */

ngx_array_t *
ngx_http_missedcall_twilio_signed_form(ngx_http_request_t *r, ngx_str_t *url)
{
    ngx_str_t                        body;
    ngx_array_t                     *form;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (ngx_http_missedcall_body(r, &body) != NGX_OK) {
        return NULL;
    }

    form = ngx_http_missedcall_twilio_callback_form(r->pool, &body);
    if (form == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NULL;
    }

    if (!ngx_http_missedcall_twilio_signed(r, &lcf->gateway.secret, url,
                                           form))
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "missedcall twilio: request for \"%V\" with a bad or "
                      "no X-Twilio-Signature refused", url);
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_FORBIDDEN, "invalid_signature",
                                  "the request is not signed by Twilio"));
        return NULL;
    }

    return form;
}


/*
 * Twilio's signature: base64(HMAC-SHA1(auth token, URL . each parameter's
 * name and value, sorted)), with the URL as configured, since a proxy in
 * front may change what nginx sees; with and without its port, as
 * Twilio's libraries check it.
 */

static ngx_int_t
ngx_http_missedcall_twilio_signed(ngx_http_request_t *r, ngx_str_t *secret,
    ngx_str_t *url, ngx_array_t *form)
{
    u_char                             *bare, *ported, *data;
    size_t                              size, bare_len, ported_len;
    ngx_str_t                          *got;
    ngx_uint_t                          i;
    ngx_http_missedcall_twilio_pair_t  *pair;

    got = ngx_http_missedcall_header_in(r, "X-Twilio-Signature",
                                        sizeof("X-Twilio-Signature") - 1);

    if (got == NULL) {
        return 0;
    }

    form->nelts = ngx_http_missedcall_twilio_sort(form->elts, form->nelts);

    pair = form->elts;
    size = url->len + sizeof(":65535") - 1;

    for (i = 0; i < form->nelts; i++) {
        size += pair[i].key_len + pair[i].value_len;
    }

    bare = ngx_pnalloc(r->pool, 2 * url->len + 4 + size);
    if (bare == NULL) {
        return 0;
    }

    ported = bare + url->len;
    data = ported + url->len + 4;

    if (ngx_http_missedcall_twilio_url_forms(url->data, url->len, bare,
                                             &bare_len, ported, &ported_len)
        != 0)
    {
        return 0;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "missedcall twilio: signature over \"%*s\" or its port",
                   bare_len, bare);

    /* both are computed, so the time taken tells nothing */
    return ngx_http_missedcall_twilio_signed_as(got, secret, bare, bare_len,
                                                form, data)
           | ngx_http_missedcall_twilio_signed_as(got, secret, ported,
                                                  ported_len, form, data);
}


static ngx_int_t
ngx_http_missedcall_twilio_signed_as(ngx_str_t *got, ngx_str_t *secret,
    u_char *url, size_t url_len, ngx_array_t *form, u_char *data)
{
    u_char                             *p, mac[EVP_MAX_MD_SIZE], b64[64];
    ngx_str_t                           want, raw;
    ngx_uint_t                          i;
    unsigned int                        len;
    ngx_http_missedcall_twilio_pair_t  *pair;

    pair = form->elts;
    p = ngx_cpymem(data, url, url_len);

    for (i = 0; i < form->nelts; i++) {
        p = ngx_cpymem(p, pair[i].key, pair[i].key_len);
        p = ngx_cpymem(p, pair[i].value, pair[i].value_len);
    }

    len = 0;

    if (HMAC(EVP_sha1(), secret->data, (int) secret->len, data, p - data,
             mac, &len) == NULL)
    {
        return 0;
    }

    raw.data = mac;
    raw.len = len;
    want.data = b64;
    ngx_encode_base64(&want, &raw);

    return got->len == want.len
           && CRYPTO_memcmp(got->data, want.data, want.len) == 0;
}


/*
 * The callback's parameters, decoded by the pure parser: as many as the
 * body holds (each takes two bytes at least), bounded by the body limit
 * only, as Twilio adds parameters without notice.
 */

static ngx_array_t *
ngx_http_missedcall_twilio_callback_form(ngx_pool_t *pool, ngx_str_t *body)
{
    int           n;
    u_char       *buf;
    size_t        max;
    ngx_array_t  *form;

    buf = ngx_pnalloc(pool, body->len + 1);
    if (buf == NULL) {
        return NULL;
    }

    max = body->len / 2 + 1;

    form = ngx_array_create(pool, max,
                            sizeof(ngx_http_missedcall_twilio_pair_t));
    if (form == NULL) {
        return NULL;
    }

    n = ngx_http_missedcall_twilio_form(body->data, body->len, buf,
                                        form->elts, max);

    form->nelts = n > 0 ? n : 0;

    return form;
}


ngx_int_t
ngx_http_missedcall_twilio_param(ngx_array_t *form, char *name,
    ngx_str_t *value)
{
    size_t                              len;
    ngx_uint_t                          i;
    ngx_http_missedcall_twilio_pair_t  *pair;

    len = ngx_strlen(name);
    pair = form->elts;

    for (i = 0; i < form->nelts; i++) {
        if (pair[i].key_len == len
            && ngx_strncmp(pair[i].key, name, len) == 0)
        {
            value->data = (u_char *) pair[i].value;
            value->len = pair[i].value_len;
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_missedcall_twilio_cancel(ngx_event_t *ev)
{
    ngx_http_missedcall_twilio_ring_t *ring = ev->data;

    u_char                          *url;
    ngx_pool_t                      *pool;
    ngx_http_missedcall_curl_req_t  *req;

    req = ngx_http_missedcall_curl_create(ngx_cycle->log, ring->gw->timeout,
                                          &ring->gw->ca_file);
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "missedcall twilio: call %V: ring time over, cancel sent",
                   &ring->sid);

    pool = ngx_create_pool(512, ngx_cycle->log);
    url = pool ? ngx_http_missedcall_twilio_url(pool, ring->gw, "Calls",
                                                &ring->sid)
               : NULL;

    /* a ringing call is "canceled"; one answered already hangs up itself */
    if (req == NULL || url == NULL
        || ngx_http_missedcall_curl_post(req, (char *) url,
                                         (u_char *) "Status=canceled",
                                         sizeof("Status=canceled") - 1)
           != NGX_OK
        || ngx_http_missedcall_twilio_auth(req->easy, ring->gw) != NGX_OK
        || ngx_http_missedcall_curl_start(req,
                                         ngx_http_missedcall_twilio_canceled,
                                         ring)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "missedcall twilio: could not cancel call %V",
                      &ring->sid);

        if (req) {
            ngx_http_missedcall_curl_free(req);
        }

        ngx_free(ring);
    }

    if (pool) {
        ngx_destroy_pool(pool);
    }
}


static void
ngx_http_missedcall_twilio_canceled(ngx_http_missedcall_curl_req_t *req)
{
    ngx_http_missedcall_twilio_ring_t *ring = req->data;

    if (req->code != CURLE_OK || req->status >= 300) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "missedcall twilio: cancelling call %V: HTTP %l, %s",
                      &ring->sid, req->status,
                      req->errbuf[0] ? req->errbuf
                                     : curl_easy_strerror(req->code));

    } else {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "missedcall twilio: call %V hung up after %M ms of "
                      "ringing", &ring->sid, ring->gw->ring);
    }

    ngx_http_missedcall_curl_free(req);
    ngx_free(ring);
}


/* the status callback location checks Twilio's signatures */

char *
ngx_http_missedcall_twilio_callback_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    return ngx_http_missedcall_twilio_signing_check(cf, lcf,
                                          &lcf->gateway.callback,
                                          "missedcall_twilio_status_callback");
}


/* a location checking Twilio's signatures over url, set by directive */

char *
ngx_http_missedcall_twilio_signing_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_str_t *url, char *directive)
{
    if (lcf->gateway.type != &ngx_http_missedcall_gateway_twilio
        || url->len == 0
        || lcf->gateway.secret.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" requires \"missedcall_gateway twilio\", "
                           "\"%s\" and its secret to be configured",
                           &lcf->endpoint->name, directive);
        return NGX_CONF_ERROR;
    }

    /* Twilio signs callbacks with the account's auth token */
    if (lcf->gateway.api_key.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" checks signatures with the auth token: "
                           "it cannot go with \"missedcall_twilio_api_key\"",
                           &lcf->endpoint->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
