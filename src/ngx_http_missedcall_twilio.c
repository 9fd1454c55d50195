
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>
#include <jansson.h>

#include "ngx_http_missedcall_twilio.h"


typedef struct {
    long                                 code;
    ngx_http_missedcall_twilio_fault_e   fault;
    const char                          *fix;     /* for the operator */
} ngx_http_missedcall_twilio_error_t;


/* Twilio's error dictionary, https://www.twilio.com/docs/api/errors */

static const ngx_http_missedcall_twilio_error_t
    ngx_http_missedcall_twilio_errors[] = {

    /* the number called: invalid, unreachable, blocked by Twilio */
    { 21211, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* invalid "To" phone number */
    { 21214, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* "To" phone number cannot be reached */
    { 21216, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* number blocked: high risk or regulation */
    { 21217, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* phone number does not appear to be valid */
    { 21401, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* invalid phone number */
    { 13223, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* Dial: invalid phone number format */
    { 13224, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* Dial: invalid or unsupported number */
    { 13225, NGX_HTTP_MISSEDCALL_TWILIO_PHONE, NULL },
                            /* Dial: restricted number */

    /* the number called, outside what the account may call */
    { 21215, NGX_HTTP_MISSEDCALL_TWILIO_GEO,
      "Twilio's geographic permissions forbid calling this number: check "
      "the Voice geographic permissions or \"missedcall_countries\"" },
    { 13227, NGX_HTTP_MISSEDCALL_TWILIO_GEO,
      "no international permission for this number: check the Voice "
      "geographic permissions or \"missedcall_countries\"" },
    { 32205, NGX_HTTP_MISSEDCALL_TWILIO_GEO,
      "geographic permissions forbid this number: check the Voice "
      "geographic permissions or \"missedcall_countries\"" },
    { 21219, NGX_HTTP_MISSEDCALL_TWILIO_GEO,
      "a trial account calls verified numbers only: upgrade the account" },

    /* the account */
    { 20003, NGX_HTTP_MISSEDCALL_TWILIO_ACCOUNT,
      "authentication failed: check \"missedcall_twilio_account\", "
      "\"missedcall_twilio_api_key\" and the gateway secret" },
    { 20005, NGX_HTTP_MISSEDCALL_TWILIO_ACCOUNT,
      "the Twilio account is not active" },
    { 20404, NGX_HTTP_MISSEDCALL_TWILIO_ACCOUNT,
      "resource not found: check \"missedcall_twilio_account\"" },

    /* the pool number: not the account's, not a valid caller id */
    { 21210, NGX_HTTP_MISSEDCALL_TWILIO_CALLER,
      "the caller number is not verified in the Twilio account: "
      "verify it or take it out of the pool" },
    { 21212, NGX_HTTP_MISSEDCALL_TWILIO_CALLER,
      "the caller number is not a valid Twilio caller id: check the pool" },
    { 13214, NGX_HTTP_MISSEDCALL_TWILIO_CALLER,
      "the caller number is not a valid caller id: check the pool" },

    { 0, NGX_HTTP_MISSEDCALL_TWILIO_UNKNOWN, NULL }
};


ngx_http_missedcall_twilio_fault_e
ngx_http_missedcall_twilio_fault(long code, const char **fix)
{
    const ngx_http_missedcall_twilio_error_t  *e;

    for (e = ngx_http_missedcall_twilio_errors; e->code; e++) {
        if (e->code == code) {
            break;
        }
    }

    *fix = e->fix;

    return e->fault;
}


void
ngx_http_missedcall_twilio_parse(const unsigned char *body, size_t len,
    ngx_http_missedcall_twilio_answer_t *answer)
{
    size_t       i, n;
    json_t      *json, *v;
    const char  *s;

    memset(answer, 0, sizeof(ngx_http_missedcall_twilio_answer_t));

    json = json_loadb((const char *) body, len, 0, NULL);

    if (!json_is_object(json)) {
        json_decref(json);
        return;
    }

    v = json_object_get(json, "sid");

    if (json_is_string(v)
        && json_string_length(v) <= NGX_HTTP_MISSEDCALL_TWILIO_SID_MAX)
    {
        s = json_string_value(v);
        n = json_string_length(v);

        for (i = 0; i < n; i++) {
            if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z')
                  || (s[i] >= 'A' && s[i] <= 'Z')))
            {
                break;
            }
        }

        if (i == n) {
            memcpy(answer->sid, s, n);
        }
    }

    v = json_object_get(json, "code");

    if (json_is_integer(v)) {
        answer->code = (long) json_integer_value(v);
    }

    v = json_object_get(json, "message");

    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);

        /* Twilio's words go to the error log: nothing that forges lines */
        for (i = 0; i < n && i < NGX_HTTP_MISSEDCALL_TWILIO_MESSAGE_MAX; i++) {
            answer->message[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
        }
    }

    json_decref(json);
}


static int
ngx_http_missedcall_twilio_hex(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/* decodes in[0..len) to out; returns the decoded length, never above len */

static size_t
ngx_http_missedcall_twilio_unescape(const unsigned char *in, size_t len,
    unsigned char *out)
{
    int     hi, lo;
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        if (in[i] == '+') {
            out[n++] = ' ';
            continue;
        }

        if (in[i] == '%' && len - i > 2) {
            hi = ngx_http_missedcall_twilio_hex(in[i + 1]);
            lo = ngx_http_missedcall_twilio_hex(in[i + 2]);

            if (hi >= 0 && lo >= 0) {
                out[n++] = (unsigned char) (hi << 4 | lo);
                i += 2;
                continue;
            }
        }

        out[n++] = in[i];
    }

    return n;
}


int
ngx_http_missedcall_twilio_form(const unsigned char *body, size_t len,
    unsigned char *buf, ngx_http_missedcall_twilio_pair_t *pairs,
    size_t max)
{
    size_t                              n, end, eq, i, start;
    unsigned char                      *p;
    ngx_http_missedcall_twilio_pair_t  *pair;

    n = 0;
    p = buf;
    start = 0;

    while (start < len) {
        end = start;

        while (end < len && body[end] != '&') {
            end++;
        }

        if (end > start) {
            if (n == max) {
                return -1;
            }

            eq = start;

            while (eq < end && body[eq] != '=') {
                eq++;
            }

            pair = &pairs[n++];

            pair->key = p;
            pair->key_len = ngx_http_missedcall_twilio_unescape(body + start,
                                                                eq - start, p);
            p += pair->key_len;

            i = (eq < end) ? eq + 1 : end;

            pair->value = p;
            pair->value_len = ngx_http_missedcall_twilio_unescape(body + i,
                                                                  end - i, p);
            p += pair->value_len;
        }

        start = end + 1;
    }

    return (int) n;
}
