
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_keys.h"


static int
key_is(ngx_http_missedcall_key_e kind, const char *id, const char *want)
{
    size_t         n;
    unsigned char  out[128];

    n = ngx_http_missedcall_key(out, sizeof(out),
                                (const unsigned char *) "mc:", 3, kind,
                                (const unsigned char *) id,
                                id ? strlen(id) : 0);

    return n == strlen(want) && memcmp(out, want, n) == 0;
}


static int
limit_key_is(const char *kind, unsigned long long window, const char *id,
    const char *want)
{
    size_t         n;
    unsigned char  out[128];

    n = ngx_http_missedcall_limit_key(out, sizeof(out),
                                      (const unsigned char *) "mc:", 3, kind,
                                      window, (const unsigned char *) id,
                                      strlen(id));

    return n == strlen(want) && memcmp(out, want, n) == 0;
}


static int
session_is(void)
{
    size_t                len[3];
    unsigned char         out[64];
    const unsigned char  *field[3];

    field[0] = (const unsigned char *) "p";
    len[0] = 1;
    field[1] = (const unsigned char *) "";
    len[1] = 0;
    field[2] = (const unsigned char *) "outbound";
    len[2] = 8;

    return ngx_http_missedcall_session(out, sizeof(out), field, len, 3)
           == 12
           && memcmp(out, "\001p\000\010outbound", 12) == 0;
}


static int
session_refused(void)
{
    size_t                len[1];
    unsigned char         out[300];
    const unsigned char  *field[1];
    static unsigned char  long_field[256];

    field[0] = long_field;
    len[0] = 256;

    if (ngx_http_missedcall_session(out, sizeof(out), field, len, 1) != 0) {
        return 0;
    }

    len[0] = 255;

    return ngx_http_missedcall_session(out, 256, field, len, 1) == 256
           && ngx_http_missedcall_session(out, 255, field, len, 1) == 0;
}


int
main(void)
{
    unsigned char  small[8];

    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_POOL, NULL, "mc:pool"), "pool key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_POOL, "ignored", "mc:pool"),
       "the pool key has no id");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_POOL_ALL, "x", "mc:pool:all"),
       "the set of all numbers has no id");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_POOL_CODE, "44", "mc:pool:cc:44"),
       "the numbers of a calling code");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_NUMBER, "+15550100001",
              "mc:number:+15550100001"),
       "a pool number's hash");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_EVENTS, "x", "mc:events"),
       "the event stream has no id");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_SESSION, "abc", "mc:session:abc"),
       "session key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_PHONE, "+15550100003",
              "mc:phone:+15550100003"),
       "phone key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_LAST, "+15550100003",
              "mc:last:+15550100003"),
       "last caller key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_THROTTLE, "AC01", "mc:throttle:AC01"),
       "throttle key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_RESEND, "+15550100003",
              "mc:resend:+15550100003"),
       "resend key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_LIMIT, "ip:127.0.0.1",
              "mc:limit:ip:127.0.0.1"),
       "limit key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_FAILURES, "+15550100003",
              "mc:failures:+15550100003"),
       "failure budget key");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_RANGES, "ignored", "mc:ranges"),
       "the ranges key has no id");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_RANGES_CODE, "44", "mc:ranges:cc:44"),
       "the ranges of a calling code");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_PLACED, "x", "mc:placed"),
       "the last call placed has no id");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_POOL_AUTO, "x", "mc:pool:auto"),
       "the numbers disabled automatically have no id");
    ok(key_is(NGX_HTTP_MISSEDCALL_KEY_DOWN, "telnyx", "mc:down:telnyx"),
       "a gateway's failure mark");
    ok(limit_key_is("phone", 600000, "+15550100003",
                    "mc:limit:phone:600000:+15550100003"),
       "a limit key holds its window");
    ok(limit_key_is("phone", 86400000, "+15550100003",
                    "mc:limit:phone:86400000:+15550100003"),
       "another window of the same kind: another key");
    ok(limit_key_is("ip", 3600000, "2001:db8:1:2::/64",
                    "mc:limit:ip:3600000:2001:db8:1:2::/64"),
       "an IPv6 client counts per prefix");
    ok(limit_key_is("global", 60000, "", "mc:limit:global:60000"),
       "the global limit has no id");
    ok(ngx_http_missedcall_limit_key(small, sizeof(small),
                                     (const unsigned char *) "mc:", 3,
                                     "phone", 1000,
                                     (const unsigned char *) "+1", 2) == 0,
       "a limit key too long for the buffer: 0");
    ok(ngx_http_missedcall_key(small, sizeof(small),
                               (const unsigned char *) "mc:", 3,
                               NGX_HTTP_MISSEDCALL_KEY_SESSION,
                               (const unsigned char *) "abc", 3) == 0,
       "too small a buffer: 0");

    ok(session_is(), "a session: each field a byte of length then its "
       "bytes");
    ok(session_refused(), "a field longer than 255 bytes, or a buffer too "
       "small: 0");

    return done();
}
