
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_twilio.h"


static ngx_http_missedcall_twilio_answer_t  a;


static void
parse(const char *s)
{
    ngx_http_missedcall_twilio_parse((const unsigned char *) s, strlen(s), &a);
}


static int
fault_is(long code, ngx_http_missedcall_twilio_fault_e want)
{
    const char  *fix;

    return ngx_http_missedcall_twilio_fault(code, &fix) == want;
}


int
main(void)
{
    const char  *fix;

    parse("{\"sid\": \"CA0123456789abcdef0123456789abcdef\", "
          "\"status\": \"queued\"}");
    ok(strcmp(a.sid, "CA0123456789abcdef0123456789abcdef") == 0 && a.code == 0,
       "a 201 answer: the call sid");

    parse("{\"code\": 21211, \"message\": \"The 'To' number is not a valid "
          "phone number.\", \"more_info\": \"https://x\", \"status\": 400}");
    ok(a.code == 21211 && a.sid[0] == '\0', "an error: its code");
    ok(strcmp(a.message, "The 'To' number is not a valid phone number.") == 0,
       "and its message");

    parse("{\"code\": 20003, \"message\": \"a\\nforged [error] line\\r\"}");
    ok(strcmp(a.message, "a?forged [error] line?") == 0,
       "CR and LF cannot forge log lines");

    parse("{\"sid\": \"CA../../x\"}");
    ok(a.sid[0] == '\0', "a sid with other characters is ignored");

    parse("{\"sid\": \"CA0123456789abcdef0123456789abcdef0123456789abcdef"
          "0123456789abcdef\"}");
    ok(a.sid[0] == '\0', "a sid over 64 characters is ignored");

    parse("{\"code\": \"21211\"}");
    ok(a.code == 0, "a code that is not a number is ignored");

    parse("<html>502 Bad Gateway</html>");
    ok(a.code == 0 && a.sid[0] == '\0' && a.message[0] == '\0',
       "not JSON: nothing");

    parse("[1, 2]");
    ok(a.code == 0 && a.sid[0] == '\0', "not an object: nothing");

    ngx_http_missedcall_twilio_parse((const unsigned char *) "", 0, &a);
    ok(a.code == 0, "empty: nothing");

    /* the status callback's form */
    {
        int                                 n;
        unsigned char                       buf[256];
        const char                         *f;
        ngx_http_missedcall_twilio_pair_t   p[4];

        f = "CallSid=CA01&CallStatus=ringing&To=%2B12025550143&"
            "Caller=+1+202&x=%zz%4&&flag";
        n = ngx_http_missedcall_twilio_form((const unsigned char *) f,
                                            strlen(f), buf, p, 4);
        ok(n == -1, "more pairs than room: -1");
    }

    {
        int                                 n;
        unsigned char                       buf[256];
        const char                         *f;
        ngx_http_missedcall_twilio_pair_t   p[8];

        f = "CallSid=CA01&CallStatus=ringing&To=%2B12025550143&"
            "Caller=+1+202&x=%zz%4&&flag";
        n = ngx_http_missedcall_twilio_form((const unsigned char *) f,
                                            strlen(f), buf, p, 8);

        ok(n == 6, "six pairs, the empty one skipped");
        ok(p[0].key_len == 7 && memcmp(p[0].key, "CallSid", 7) == 0
           && p[0].value_len == 4 && memcmp(p[0].value, "CA01", 4) == 0,
           "name=value");
        ok(p[2].value_len == 12 && memcmp(p[2].value, "+12025550143", 12) == 0,
           "%%2B decodes to +");
        ok(p[3].value_len == 6 && memcmp(p[3].value, " 1 202", 6) == 0,
           "+ decodes to a space");
        ok(p[4].value_len == 5 && memcmp(p[4].value, "%zz%4", 5) == 0,
           "malformed escapes stay");
        ok(p[5].key_len == 4 && memcmp(p[5].key, "flag", 4) == 0
           && p[5].value_len == 0,
           "a name without =");
    }

    /* whose fault: only the caller number's own faults may disable it */
    ok(fault_is(21210, NGX_HTTP_MISSEDCALL_TWILIO_CALLER)
       && fault_is(21212, NGX_HTTP_MISSEDCALL_TWILIO_CALLER)
       && fault_is(13214, NGX_HTTP_MISSEDCALL_TWILIO_CALLER),
       "21210, 21212, 13214: the caller number's fault");
    ok(fault_is(21211, NGX_HTTP_MISSEDCALL_TWILIO_PHONE)
       && fault_is(21214, NGX_HTTP_MISSEDCALL_TWILIO_PHONE)
       && fault_is(21216, NGX_HTTP_MISSEDCALL_TWILIO_PHONE)
       && fault_is(21217, NGX_HTTP_MISSEDCALL_TWILIO_PHONE)
       && fault_is(21401, NGX_HTTP_MISSEDCALL_TWILIO_PHONE)
       && fault_is(13223, NGX_HTTP_MISSEDCALL_TWILIO_PHONE)
       && fault_is(13224, NGX_HTTP_MISSEDCALL_TWILIO_PHONE)
       && fault_is(13225, NGX_HTTP_MISSEDCALL_TWILIO_PHONE),
       "invalid, unreachable, blocked destinations: the phone's");
    ok(fault_is(21215, NGX_HTTP_MISSEDCALL_TWILIO_GEO)
       && fault_is(13227, NGX_HTTP_MISSEDCALL_TWILIO_GEO)
       && fault_is(32205, NGX_HTTP_MISSEDCALL_TWILIO_GEO)
       && fault_is(21219, NGX_HTTP_MISSEDCALL_TWILIO_GEO),
       "geographic and trial permissions: the destination's");
    ok(fault_is(20003, NGX_HTTP_MISSEDCALL_TWILIO_ACCOUNT)
       && fault_is(20005, NGX_HTTP_MISSEDCALL_TWILIO_ACCOUNT)
       && fault_is(20404, NGX_HTTP_MISSEDCALL_TWILIO_ACCOUNT),
       "credentials and account state: the account's");
    ok(fault_is(0, NGX_HTTP_MISSEDCALL_TWILIO_UNKNOWN)
       && fault_is(32203, NGX_HTTP_MISSEDCALL_TWILIO_UNKNOWN)
       && fault_is(99999, NGX_HTTP_MISSEDCALL_TWILIO_UNKNOWN),
       "no code or an unknown one: unknown, never the caller's");
    ngx_http_missedcall_twilio_fault(21211, &fix);
    ok(fix == NULL, "a bad destination needs no operator");
    ngx_http_missedcall_twilio_fault(21215, &fix);
    ok(fix && strstr(fix, "geographic"), "a geographic refusal says so");
    ngx_http_missedcall_twilio_fault(21210, &fix);
    ok(fix && strstr(fix, "caller number"),
       "a caller refusal names the caller number");

    /* the callback URL's two forms, as twilio-node tries them */
    {
        size_t           i, bl, pl;
        unsigned char    bare[128], ported[132];
        const char      *cases[][3] = {
            { "https://h.example/cb?x=1", "https://h.example/cb?x=1",
              "https://h.example:443/cb?x=1" },
            { "https://h.example:443/cb", "https://h.example/cb",
              "https://h.example:443/cb" },
            { "http://h.example/cb", "http://h.example/cb",
              "http://h.example:80/cb" },
            { "http://h.example:8080/cb", "http://h.example/cb",
              "http://h.example:8080/cb" },
            { "https://u:pw@h.example/cb", "https://u:pw@h.example/cb",
              "https://u:pw@h.example:443/cb" },
            { "https://[::1]/cb", "https://[::1]/cb", "https://[::1]:443/cb" },
            { "https://[::1]:8443", "https://[::1]", "https://[::1]:8443" },
            { "https://h:/cb", "https://h/cb", "https://h:443/cb" },
        };

        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            ok(ngx_http_missedcall_twilio_url_forms(
                   (const unsigned char *) cases[i][0], strlen(cases[i][0]),
                   bare, &bl, ported, &pl) == 0
               && bl == strlen(cases[i][1])
               && memcmp(bare, cases[i][1], bl) == 0
               && pl == strlen(cases[i][2])
               && memcmp(ported, cases[i][2], pl) == 0,
               "%s: %s and %s", cases[i][0], cases[i][1], cases[i][2]);
        }

        ok(ngx_http_missedcall_twilio_url_forms(
               (const unsigned char *) "ftp://h/cb", 10, bare, &bl, ported,
               &pl) == -1, "not http(s): -1");
        ok(ngx_http_missedcall_twilio_url_forms(
               (const unsigned char *) "https:///cb", 11, bare, &bl, ported,
               &pl) == -1, "no host: -1");
    }

    /* sorted by name, then value; an equal pair once */
    {
        int                                 n;
        size_t                              kept;
        unsigned char                       buf[256];
        const char                         *f;
        ngx_http_missedcall_twilio_pair_t   p[8];

        f = "b=2&a=z&b=10&a=y&Ab=1&b=2&a=";
        n = ngx_http_missedcall_twilio_form((const unsigned char *) f,
                                            strlen(f), buf, p, 8);
        kept = ngx_http_missedcall_twilio_sort(p, (size_t) n);

        ok(n == 7 && kept == 6, "7 pairs, the repeated b=2 once: %zu", kept);
        ok(p[0].key_len == 2 && memcmp(p[0].key, "Ab", 2) == 0,
           "upper case first, as bytes");
        ok(p[1].value_len == 0 && p[2].value_len == 1 && p[2].value[0] == 'y'
           && p[3].value[0] == 'z', "a's values sorted: \"\", y, z");
        ok(p[4].value_len == 2 && memcmp(p[4].value, "10", 2) == 0
           && p[5].value_len == 1 && p[5].value[0] == '2',
           "b's values sorted as strings: 10 before 2");
        ok(ngx_http_missedcall_twilio_sort(p, 0) == 0, "none: 0");
    }

    /* StirVerstat: only a passed validation proves a level */
    {
        size_t       i;
        const char  *v[][2] = {
            { "TN-Validation-Passed-A", "3" },
            { "TN-Validation-Passed-B", "2" },
            { "TN-Validation-Passed-C", "1" },
            { "TN-Validation-Passed-A-Diverted", "3" },
            { "TN-Validation-Passed-B-Passthrough", "2" },
            { "TN-Validation-Failed-A", "0" },
            { "TN-Validation-Failed-B", "0" },
            { "No-TN-Validation", "0" },
            { "NULL", "0" },
            { "", "0" },
            { "TN-Validation-Passed-", "0" },
            { "TN-Validation-Passed-D", "0" },
            { "TN-Validation-Passed-AA", "0" },
            { "tn-validation-passed-a", "0" },
            { "XTN-Validation-Passed-A", "0" },
        };

        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
            ok(ngx_http_missedcall_twilio_attestation(
                   (const unsigned char *) v[i][0], strlen(v[i][0]))
               == (unsigned) (v[i][1][0] - '0'),
               "StirVerstat \"%s\": level %s", v[i][0], v[i][1]);
        }
    }

    /* messaging errors: a clear answer each, the operator's fix */
    {
        const ngx_http_missedcall_twilio_sms_error_t  *e;

        e = ngx_http_missedcall_twilio_sms_error(21610);
        ok(e->status == 422 && strcmp(e->error, "sms_unsubscribed") == 0
           && strstr(e->message, "START") && e->fix == NULL,
           "21610 unsubscribed: 422 sms_unsubscribed, how to come back");
        e = ngx_http_missedcall_twilio_sms_error(21408);
        ok(e->status == 403 && strcmp(e->error, "country_not_allowed") == 0
           && e->fix && strstr(e->fix, "geographic"),
           "21408 region: 403 country_not_allowed, permissions to check");
        e = ngx_http_missedcall_twilio_sms_error(30007);
        ok(e->status == 502 && strcmp(e->error, "sms_filtered") == 0
           && e->fix != NULL, "30007 filtered: 502 sms_filtered");
        ok(ngx_http_missedcall_twilio_sms_error(21614)->status == 422
           && ngx_http_missedcall_twilio_sms_error(30006)->status == 422
           && ngx_http_missedcall_twilio_sms_error(21211)->status == 422,
           "not a mobile, a landline, invalid: 422");
        e = ngx_http_missedcall_twilio_sms_error(21606);
        ok(e->status == 502 && strcmp(e->error, "gateway_error") == 0
           && e->fix && strstr(e->fix, "From"),
           "21606: the sender, for the operator");
        ok(ngx_http_missedcall_twilio_sms_error(20429)->status == 503
           && ngx_http_missedcall_twilio_sms_error(14107)->status == 503,
           "rate limits: 503 gateway_busy");
        e = ngx_http_missedcall_twilio_sms_error(99999);
        ok(e->status == 502 && strcmp(e->error, "gateway_error") == 0
           && e->fix == NULL, "an unknown code: 502 gateway_error");
        e = ngx_http_missedcall_twilio_sms_error(0);
        ok(e->status == 502, "no code: 502");
    }

    ok(strstr(NGX_HTTP_MISSEDCALL_TWILIO_REJECT,
              "<Response><Reject/></Response>") != NULL,
       "the TwiML rejects the call");

    return done();
}
