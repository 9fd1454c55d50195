
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The gateways' text messages.  Twilio's Programmable Messaging: POST
 * .../Accounts/{AccountSid}/Messages.json, form-encoded To, From or
 * MessagingServiceSid, and Body, in the order and encoding of Twilio's own
 * library; its errors mapped by twilio.c.  The custom HTTP gateway: a JSON
 * POST {"channel": "sms", "to", "message_id", "text"} to its URL.  The
 * text holds the code: it is never logged, and every copy made here is
 * wiped once libcurl holds its own.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_twilio.h"


static ngx_int_t ngx_http_missedcall_sms_from(ngx_http_missedcall_op_t *op,
    u_char *from, size_t *len);


ngx_int_t
ngx_http_missedcall_twilio_sms_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, ngx_str_t *text)
{
    char                                *to, *sender, *msg;
    u_char                              *url, *body, *p;
    u_char                               from[NGX_HTTP_MISSEDCALL_E164_MAX
                                              + 2];
    size_t                               len, flen;
    ngx_int_t                            rc;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = op->gw;
    flen = 0;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"twilio\" prepares "
                   "message %V", &op->sid, &op->call_id);

    url = ngx_http_missedcall_twilio_url(op->pool, gw, "Messages", NULL);
    if (url == NULL) {
        return NGX_ERROR;
    }

    /* a Messaging Service picks its sender; else a pool number sends */
    if (gw->service.len == 0
        && ngx_http_missedcall_sms_from(op, from, &flen) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* twilio-node's form encoding: all but A-Z a-z 0-9 - . _ ~ escaped */
    to = curl_easy_escape(req->easy, (char *) op->phone.data, op->phone.len);
    sender = gw->service.len
             ? curl_easy_escape(req->easy, (char *) gw->service.data,
                                gw->service.len)
             : curl_easy_escape(req->easy, (char *) from, flen);
    msg = curl_easy_escape(req->easy, (char *) text->data, text->len);

    rc = NGX_ERROR;

    req->headers = curl_slist_append(req->headers,
                                     "Accept: application/json");
    req->headers = req->headers
                   ? curl_slist_append(req->headers, "Content-Type: "
                                       "application/x-www-form-urlencoded")
                   : NULL;

    if (to && sender && msg && req->headers) {
        len = sizeof("To=&MessagingServiceSid=&Body=") + ngx_strlen(to)
              + ngx_strlen(sender) + ngx_strlen(msg);

        body = ngx_pnalloc(op->pool, len);

        if (body) {
            p = ngx_sprintf(body, "To=%s&%s=%s&Body=%s", to,
                            gw->service.len ? "MessagingServiceSid" : "From",
                            sender, msg);

            rc = ngx_http_missedcall_curl_post(req, (char *) url, body,
                                               p - body);

            ngx_explicit_memzero(body, p - body);
        }
    }

    if (msg) {
        ngx_explicit_memzero(msg, ngx_strlen(msg));
    }

    curl_free(to);
    curl_free(sender);
    curl_free(msg);

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_missedcall_twilio_auth(req->easy, gw);
}


/*
 * A sender from the configured pool, at random, among the numbers whose
 * calling codes (none: any) include the phone's; NGX_DECLINED: none fits.
 * A number disabled in Redis may be drawn: a Messaging Service, which
 * knows its senders, is the better choice.
 */

static ngx_int_t
ngx_http_missedcall_sms_from(ngx_http_missedcall_op_t *op, u_char *from,
    size_t *len)
{
    u_char                        *p, *last;
    uint64_t                       total, pick, n;
    ngx_uint_t                     i, fits;
    ngx_http_missedcall_number_t  *number;

    if (op->mcf->pool == NULL
        || ngx_http_missedcall_random((u_char *) &pick, sizeof(pick))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    number = op->mcf->pool->elts;

    for (total = 0, i = 0; i < 2; i++) {

        for (n = 0; n < op->mcf->pool->nelts; n++) {
            fits = (number[n].codes.len == 0);
            p = number[n].codes.data;
            last = p + number[n].codes.len;

            while (!fits && p < last) {
                for (*len = 0; p + *len < last && p[*len] != ','; (*len)++) {
                    /* void */
                }

                fits = (op->phone.len > *len
                        && ngx_strncmp(op->phone.data + 1, p, *len) == 0);
                p += *len + 1;
            }

            if (!fits) {
                continue;
            }

            /* first pass: count; second: find the pick */
            if (i == 0) {
                total += number[n].last - number[n].first + 1;
                continue;
            }

            if (pick <= number[n].last - number[n].first) {
                /* E.164 has no leading zero: the digits are the value */
                *len = ngx_sprintf(from, "+%uL", number[n].first + pick)
                       - from;
                return NGX_OK;
            }

            pick -= number[n].last - number[n].first + 1;
        }

        if (total == 0) {
            ngx_log_error(NGX_LOG_ERR, op->log, 0,
                          "missedcall: no pool number's calling codes fit "
                          "the phone to text it: set "
                          "\"missedcall_twilio_messaging_service\"");
            return NGX_ERROR;
        }

        pick %= total;
    }

    return NGX_ERROR;
}


ngx_int_t
ngx_http_missedcall_twilio_sms_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    ngx_uint_t                                     level;
    ngx_http_missedcall_twilio_answer_t            answer;
    const ngx_http_missedcall_twilio_sms_error_t  *e;

    ngx_http_missedcall_twilio_parse(req->body.data, req->body.len, &answer);

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"twilio\" answered "
                   "the message HTTP %l, code %l, after %M ms", &op->sid,
                   req->status, answer.code, req->elapsed);

    if (req->status == 200 || req->status == 201) {
        ngx_http_missedcall_op_gateway_sid(op, answer.sid);

        return NGX_OK;
    }

    e = ngx_http_missedcall_twilio_sms_error(req->status == 429 ? 20429
                                                                : answer.code);

    /* the recipient's business is info; the operator's, or unknown, error */
    level = (e->fix || e->code == 0) ? NGX_LOG_ERR : NGX_LOG_INFO;

    ngx_log_error(level, op->log, 0,
                  "missedcall gateway \"twilio\": message %V refused, "
                  "HTTP %l, code %l: %s%s%s", &op->call_id, req->status,
                  answer.code, answer.message, e->fix ? "; " : "",
                  e->fix ? e->fix : "");

    ngx_http_missedcall_op_fail(op, e->status, e->error, e->message);

    if (e->status == NGX_HTTP_SERVICE_UNAVAILABLE) {
        op->retry_after = 1;
    }

    return NGX_ERROR;
}


ngx_int_t
ngx_http_missedcall_http_sms_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, ngx_str_t *text)
{
    u_char                              *body;
    size_t                               len;
    json_t                              *json;
    ngx_int_t                            rc;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall request: %V: gateway \"http\" prepares "
                   "message %V", &op->sid, &op->call_id);

    json = json_pack("{s:s, s:s#, s:s#, s:s#}",
                     "channel", "sms",
                     "to", op->phone.data, (int) op->phone.len,
                     "message_id", op->call_id.data, (int) op->call_id.len,
                     "text", text->data, (int) text->len);

    body = ngx_http_missedcall_json_text(op->pool, json, &len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_missedcall_http_post(op, req, body, len);

    /* the code is in it: libcurl's copy is the only one left */
    ngx_explicit_memzero(body, len);

    return rc;
}
