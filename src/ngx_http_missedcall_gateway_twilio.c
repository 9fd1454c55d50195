
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

#include "ngx_http_missedcall.h"


#define NGX_HTTP_MISSEDCALL_TWILIO_API  "https://api.twilio.com"
#define NGX_HTTP_MISSEDCALL_TWILIO_SID_MAX  64


typedef struct {
    ngx_int_t                  code;
    ngx_uint_t                 client;    /* the client's number is bad */
    const char                *fix;       /* for the operator */
} ngx_http_missedcall_twilio_error_t;


static char *ngx_http_missedcall_twilio_check(ngx_conf_t *cf,
    ngx_http_missedcall_gateway_conf_t *gw);
static ngx_int_t ngx_http_missedcall_twilio_prepare(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_int_t ngx_http_missedcall_twilio_result(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_int_t ngx_http_missedcall_twilio_sid_valid(ngx_str_t *sid,
    const char *prefix);


ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_twilio = {
    ngx_string("twilio"),
    ngx_http_missedcall_twilio_check,
    ngx_http_missedcall_twilio_prepare,
    ngx_http_missedcall_twilio_result
};


static ngx_http_missedcall_twilio_error_t  ngx_http_missedcall_twilio_errors[]
    = {
    { 21211, 1, NULL },     /* invalid "To" phone number */
    { 21214, 1, NULL },     /* "To" phone number cannot be reached */
    { 21217, 1, NULL },     /* phone number does not appear to be valid */
    { 13223, 1, NULL },     /* invalid phone number format */
    { 13224, 1, NULL },     /* invalid phone number */

    { 20003, 0, "authentication failed: check \"missedcall_twilio_account\", "
                "\"missedcall_twilio_api_key\" and the gateway secret" },
    { 20005, 0, "the Twilio account is not active" },
    { 20404, 0, "resource not found: check \"missedcall_twilio_account\"" },
    { 21210, 0, "the caller number is not verified in the Twilio account: "
                "verify it or take it out of the pool" },
    { 21212, 0, "the caller number is not a valid Twilio caller id: "
                "check the pool" },
    { 21215, 0, "Twilio's geographic permissions forbid calling this "
                "number: check the Voice geographic permissions" },
    { 21216, 0, "the account may not call this number: check the Voice "
                "geographic permissions" },
    { 0, 0, NULL }
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

    if (gw->url.len == 0) {
        ngx_str_set(&gw->url, NGX_HTTP_MISSEDCALL_TWILIO_API);
    }

    return NGX_CONF_OK;
}


static ngx_int_t
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
    char                                *to, *from, *twiml;
    u_char                              *url, *body, *p;
    size_t                               len;
    CURL                                *easy;
    ngx_http_missedcall_gateway_conf_t  *gw;

    static ngx_str_t  hangup = ngx_string("<Response><Hangup/></Response>");

    gw = &op->lcf->gateway;
    easy = req->easy;

    url = ngx_pnalloc(op->pool, gw->url.len + gw->account.len
                                + sizeof("/2010-04-01/Accounts//Calls.json"));
    if (url == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url, gw->url.data, gw->url.len);

    if (p > url && p[-1] == '/') {
        p--;
    }

    ngx_sprintf(p, "/2010-04-01/Accounts/%V/Calls.json%Z", &gw->account);

    /* "+" must reach Twilio as "%2B": a bare one would read as a space */
    to = curl_easy_escape(easy, (char *) op->phone.data, op->phone.len);
    from = curl_easy_escape(easy, (char *) op->caller.data, op->caller.len);
    twiml = curl_easy_escape(easy, (char *) hangup.data, hangup.len);

    body = NULL;

    if (to && from && twiml) {
        len = sizeof("To=&From=&Timeout=&Twiml=") + ngx_strlen(to)
              + ngx_strlen(from) + NGX_TIME_T_LEN + ngx_strlen(twiml);

        body = ngx_pnalloc(op->pool, len);

        if (body) {
            ngx_sprintf(body, "To=%s&From=%s&Timeout=%T&Twiml=%s%Z",
                        to, from, (time_t) (gw->ring / 1000), twiml);
        }
    }

    curl_free(to);
    curl_free(from);
    curl_free(twiml);

    if (body == NULL) {
        return NGX_ERROR;
    }

    req->headers = curl_slist_append(req->headers,
                                     "Accept: application/json");
    if (req->headers == NULL) {
        return NGX_ERROR;
    }

    /* the secrets are NUL-terminated: read from a file, or conf args */
    if (curl_easy_setopt(easy, CURLOPT_URL, url) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body) != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_HTTPHEADER, req->headers)
           != CURLE_OK
        || curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC)
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
    json_t                              *json, *sid, *message;
    ngx_int_t                            code;
    const char                          *text;
    ngx_http_missedcall_twilio_error_t  *e;

    json = json_loadb((char *) req->body.data, req->body.len, 0, NULL);

    if (req->status == 200 || req->status == 201) {
        sid = json_object_get(json, "sid");

        if (json_is_string(sid)
            && json_string_length(sid) <= NGX_HTTP_MISSEDCALL_TWILIO_SID_MAX)
        {
            op->gateway_sid.len = json_string_length(sid);
            op->gateway_sid.data = ngx_pnalloc(op->pool, op->gateway_sid.len);

            if (op->gateway_sid.data) {
                ngx_memcpy(op->gateway_sid.data, json_string_value(sid),
                           op->gateway_sid.len);
                json_decref(json);
                return NGX_OK;
            }
        }

        /* placed, presumably, but unnamed: kept, with no sid to audit */
        ngx_log_error(NGX_LOG_WARN, op->log, 0,
                      "missedcall gateway \"twilio\": call %V placed, "
                      "but Twilio's answer has no call sid", &op->call_id);
        ngx_str_null(&op->gateway_sid);
        json_decref(json);
        return NGX_OK;
    }

    code = json_integer_value(json_object_get(json, "code"));
    message = json_object_get(json, "message");
    text = json_is_string(message) ? json_string_value(message) : "";

    if (req->status == 429 || code == 20429) {
        ngx_log_error(NGX_LOG_WARN, op->log, 0,
                      "missedcall gateway \"twilio\": call %V: Twilio is "
                      "rate limiting the account (HTTP %l, code %i)",
                      &op->call_id, req->status, code);

        ngx_http_missedcall_op_fail(op, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "gateway_busy",
                                    "too many calls right now, try again "
                                    "later");
        op->retry_after = 1;
        json_decref(json);
        return NGX_ERROR;
    }

    for (e = ngx_http_missedcall_twilio_errors; e->code; e++) {
        if (e->code == code) {
            break;
        }
    }

    if (e->code && e->client) {
        ngx_log_error(NGX_LOG_INFO, op->log, 0,
                      "missedcall gateway \"twilio\": call %V: number "
                      "refused, code %i: %s", &op->call_id, code, text);

        ngx_http_missedcall_op_fail(op, NGX_HTTP_UNPROCESSABLE_ENTITY,
                                    "invalid_phone_number",
                                    "this phone number cannot be called");
        json_decref(json);
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_ERR, op->log, 0,
                  "missedcall gateway \"twilio\": call %V refused, HTTP %l, "
                  "code %i: %s%s%s", &op->call_id, req->status, code, text,
                  e->code ? "; " : "", e->code ? e->fix : "");

    ngx_http_missedcall_op_fail(op, NGX_HTTP_BAD_GATEWAY, "gateway_error",
                                "the call could not be placed");
    json_decref(json);

    return NGX_ERROR;
}
