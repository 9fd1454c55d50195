
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdlib.h>
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


int
ngx_http_missedcall_twilio_url_forms(const unsigned char *url, size_t len,
    unsigned char *bare, size_t *bare_len, unsigned char *ported,
    size_t *ported_len)
{
    size_t                i, host, end, colon;
    const unsigned char  *port;
    size_t                port_len;

    if (len > 8 && memcmp(url, "https://", 8) == 0) {
        host = 8;
        port = (const unsigned char *) "443";

    } else if (len > 7 && memcmp(url, "http://", 7) == 0) {
        host = 7;
        port = (const unsigned char *) "80";

    } else {
        return -1;
    }

    port_len = strlen((const char *) port);

    /* the authority ends at the path, query or fragment */
    end = host;

    while (end < len && url[end] != '/' && url[end] != '?' && url[end] != '#')
    {
        end++;
    }

    /* the port's colon: after any user info and an IPv6 literal's "]" */
    colon = end;

    for (i = end; i > host; i--) {
        if (url[i - 1] == ':') {
            colon = i - 1;
            break;
        }

        if (url[i - 1] == ']' || url[i - 1] == '@'
            || url[i - 1] < '0' || url[i - 1] > '9')
        {
            break;
        }
    }

    for (i = host; i < colon; i++) {
        if (url[i] == '@') {
            host = i + 1;
        }
    }

    if (colon == host) {
        return -1;
    }

    /* "host:" has the scheme's port, as in a browser */
    if (end - colon > 1) {
        port = url + colon + 1;
        port_len = end - colon - 1;
    }

    memcpy(bare, url, colon);
    memcpy(bare + colon, url + end, len - end);
    *bare_len = colon + len - end;

    memcpy(ported, url, colon);
    ported[colon] = ':';

    if (port_len) {
        memcpy(ported + colon + 1, port, port_len);
    }

    memcpy(ported + colon + 1 + port_len, url + end, len - end);
    *ported_len = colon + 1 + port_len + len - end;

    return 0;
}


static int
ngx_http_missedcall_twilio_bytes_cmp(const unsigned char *a, size_t a_len,
    const unsigned char *b, size_t b_len)
{
    int  rc;

    rc = memcmp(a, b, a_len < b_len ? a_len : b_len);

    if (rc != 0 || a_len == b_len) {
        return rc;
    }

    return a_len < b_len ? -1 : 1;
}


static int
ngx_http_missedcall_twilio_pair_cmp(const void *one, const void *two)
{
    int                                       rc;
    const ngx_http_missedcall_twilio_pair_t  *a = one, *b = two;

    rc = ngx_http_missedcall_twilio_bytes_cmp(a->key, a->key_len, b->key,
                                              b->key_len);
    if (rc != 0) {
        return rc;
    }

    return ngx_http_missedcall_twilio_bytes_cmp(a->value, a->value_len,
                                                b->value, b->value_len);
}


size_t
ngx_http_missedcall_twilio_sort(ngx_http_missedcall_twilio_pair_t *pairs,
    size_t n)
{
    size_t  i, kept;

    if (n == 0) {
        return 0;
    }

    qsort(pairs, n, sizeof(ngx_http_missedcall_twilio_pair_t),
          ngx_http_missedcall_twilio_pair_cmp);

    kept = 1;

    for (i = 1; i < n; i++) {
        if (ngx_http_missedcall_twilio_pair_cmp(&pairs[kept - 1], &pairs[i])
            != 0)
        {
            pairs[kept++] = pairs[i];
        }
    }

    return kept;
}


unsigned
ngx_http_missedcall_twilio_attestation(const unsigned char *v, size_t len)
{
    static const char  passed[] = "TN-Validation-Passed-";

    size_t  n;

    n = sizeof(passed) - 1;

    if (len < n + 1 || memcmp(v, passed, n) != 0
        || (len > n + 1 && v[n + 1] != '-'))
    {
        return NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_NONE;
    }

    switch (v[n]) {
    case 'A':
        return NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_A;
    case 'B':
        return NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_B;
    case 'C':
        return NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_C;
    default:
        return NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_NONE;
    }
}


/* Twilio's messaging errors, https://www.twilio.com/docs/api/errors */

static const ngx_http_missedcall_twilio_sms_error_t
    ngx_http_missedcall_twilio_sms_errors[] = {

    /* the recipient said STOP: only its own START lifts it */
    { 21610, 422, "sms_unsubscribed",
      "this number has unsubscribed from our text messages; sending START "
      "to our number subscribes it again", NULL },

    /* the recipient cannot get a text message */
    { 21211, 422, "invalid_phone_number",
      "this number cannot be sent a text message", NULL },
    { 21614, 422, "invalid_phone_number",
      "this number is not a mobile number", NULL },
    { 21612, 422, "invalid_phone_number",
      "this number cannot be reached by text message", NULL },
    { 30003, 422, "invalid_phone_number",
      "this number is unreachable", NULL },
    { 30005, 422, "invalid_phone_number",
      "this number is unknown or no longer in service", NULL },
    { 30006, 422, "invalid_phone_number",
      "this number is a landline or cannot receive text messages", NULL },

    /* a region the account may not message */
    { 21408, 403, "country_not_allowed",
      "text messages to this country are not allowed",
      "the region is not enabled: check the Messaging geographic "
      "permissions or \"missedcall_countries\"" },

    /* the carrier took the message for spam */
    { 30007, 502, "sms_filtered",
      "the carrier filtered the message; try a flash call",
      "carrier filtering: check the message template and the sender's "
      "registration" },
    { 30034, 502, "sms_filtered",
      "the carrier refused the message; try a flash call",
      "the sender is not registered for A2P 10DLC: register it" },

    /* the account and the sender */
    { 20003, 502, "gateway_error", "the message could not be sent",
      "authentication failed: check \"missedcall_twilio_account\", "
      "\"missedcall_twilio_api_key\" and the gateway secret" },
    { 21606, 502, "gateway_error", "the message could not be sent",
      "the From number cannot send text messages: choose another" },
    { 21659, 502, "gateway_error", "the message could not be sent",
      "the From number is not a Twilio number of the account" },
    { 21701, 502, "gateway_error", "the message could not be sent",
      "the Messaging Service does not exist: check its SID" },
    { 21703, 502, "gateway_error", "the message could not be sent",
      "the Messaging Service has no number to send from" },
    { 21704, 502, "gateway_error", "the message could not be sent",
      "the Messaging Service's sender pool is empty or misconfigured" },
    { 21617, 502, "gateway_error", "the message could not be sent",
      "the body is too long: shorten the message template" },

    /* Twilio rate limits */
    { 20429, 503, "gateway_busy", "too many messages, try again later",
      NULL },
    { 14107, 503, "gateway_busy", "too many messages, try again later",
      NULL },

    { 0, 502, "gateway_error", "the message could not be sent", NULL }
};


const ngx_http_missedcall_twilio_sms_error_t *
ngx_http_missedcall_twilio_sms_error(long code)
{
    const ngx_http_missedcall_twilio_sms_error_t  *e;

    for (e = ngx_http_missedcall_twilio_sms_errors; e->code; e++) {
        if (e->code == code) {
            break;
        }
    }

    return e;
}
