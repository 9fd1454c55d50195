
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_json.h"


static ngx_http_missedcall_body_t  body;


static ngx_http_missedcall_body_rc_e
parse(const char *s, size_t len, const char **field)
{
    *field = NULL;

    return ngx_http_missedcall_json_parse_body((const unsigned char *) s, len,
                                               &body, field);
}


static void
invalid_json(const char *s, size_t len, const char *name)
{
    const char  *field;

    ok(parse(s, len, &field) == NGX_HTTP_MISSEDCALL_BODY_INVALID_JSON,
       "invalid JSON: %s", name);
}


/* the writer against jansson's own json_dumps(JSON_COMPACT), then cut */

static void
same_as_jansson(json_t *v, const char *name)
{
    char    *want, buf[512];
    size_t   n, cut;

    want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    n = ngx_http_missedcall_json_write(v, buf, sizeof(buf));

    ok(want && n == strlen(want) && n <= sizeof(buf)
       && memcmp(buf, want, n) == 0,
       "written as jansson writes it: %s", name);

    cut = n / 2;
    memset(buf, '#', sizeof(buf));
    ok(ngx_http_missedcall_json_write(v, buf, cut) == n
       && memcmp(buf, want, cut) == 0 && buf[cut] == '#',
       "cut at %zu bytes, the whole length told: %s", cut, name);

    free(want);
    json_decref(v);
}


/* flat objects written from members: as jansson packs and writes them */

static void
members(void)
{
    char                               buf[512], want[512];
    size_t                             n, i;
    json_t                            *v;
    const char                        *aud[] = { "a\"b", "caf\xc3\xa9" };
    ngx_http_missedcall_json_member_t  m[5];
    static const char                 *bad[][2] = {
        { "\xc0\xaf", "an overlong form" },
        { "\xed\xa0\x80", "a surrogate" },
        { "\xe2\x82", "a sequence cut short" },
        { "\xf4\x90\x80\x80", "past U+10FFFF" }
    };

    memset(m, 0, sizeof(m));
    m[0].key = "sub";
    m[0].str = "+15550100001\n\x01";
    m[1].key = "iat";
    m[1].num = INT64_MIN;
    m[2].key = "exp";
    m[2].num = INT64_MAX;
    m[3].key = "aud";
    m[3].strs = aud;
    m[3].nstrs = 2;
    m[4].key = "iss";
    m[4].str = "\xf0\x9f\x93\x9e \\/";

    v = json_pack("{s:s, s:I, s:I, s:[s, s], s:s}", m[0].key, m[0].str,
                  m[1].key, m[1].num, m[2].key, m[2].num, m[3].key, aud[0],
                  aud[1], m[4].key, m[4].str);
    n = ngx_http_missedcall_json_write(v, want, sizeof(want));
    json_decref(v);

    ok(n && ngx_http_missedcall_json_members(m, 5, buf, sizeof(buf)) == n
       && memcmp(buf, want, n) == 0,
       "members: escapes, extremes, an array, as jansson writes them");

    memset(buf, '#', sizeof(buf));
    ok(ngx_http_missedcall_json_members(m, 5, buf, 10) == n
       && memcmp(buf, want, 10) == 0 && buf[10] == '#',
       "members cut at 10 bytes, the whole length told");

    ok(ngx_http_missedcall_json_members(m, 0, buf, sizeof(buf)) == 2
       && memcmp(buf, "{}", 2) == 0, "no members: {}");

    /* a string of a length, not NUL-terminated; a literal */
    m[0].str = "abcdef";
    m[0].len = 3;
    m[1].key = "ok";
    m[1].raw = "true";
    n = ngx_http_missedcall_json_members(m, 2, buf, sizeof(buf));
    ok(n == sizeof("{\"sub\":\"abc\",\"ok\":true}") - 1
       && memcmp(buf, "{\"sub\":\"abc\",\"ok\":true}", n) == 0,
       "members: a string of a length, a literal");

    /* what jansson refuses to pack: overlong, surrogate, cut, too high */
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m[4].str = bad[i][0];
        ok(ngx_http_missedcall_json_members(m, 5, buf, sizeof(buf)) == 0,
           "%s: refused", bad[i][1]);
    }

    aud[1] = "\xff";
    m[4].str = "ok";
    ok(ngx_http_missedcall_json_members(m, 5, buf, sizeof(buf)) == 0,
       "in an array: refused");
}


int
main(void)
{
    char        *deep, ascii[128];
    size_t       i, n;
    json_t      *real;
    const char  *field, *s;

    s = "{\"phone_number\": \"+1 202 555 0143\", \"app_signature\": \"Ab1\","
        " \"extra\": [1, {\"x\": null}]}";
    ok(parse(s, strlen(s), &field) == NGX_HTTP_MISSEDCALL_BODY_OK,
       "a request body");
    ok(body.present[NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER]
       && strcmp(body.value[NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER],
                 "+1 202 555 0143") == 0
       && body.len[NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER] == 15,
       "phone_number copied");
    ok(strcmp(body.value[NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE], "Ab1") == 0,
       "app_signature copied");
    ok(!body.present[NGX_HTTP_MISSEDCALL_F_SESSION_ID]
       && !body.present[NGX_HTTP_MISSEDCALL_F_RECEIVED_CALLER_ID],
       "absent fields are absent");

    s = "{\"session_id\": \"abc\", \"received_caller_id\": \"\\u002b1555\"}";
    ok(parse(s, strlen(s), &field) == NGX_HTTP_MISSEDCALL_BODY_OK
       && strcmp(body.value[NGX_HTTP_MISSEDCALL_F_RECEIVED_CALLER_ID],
                 "+1555") == 0,
       "a verify body, escapes decoded");
    ok(!body.present[NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER],
       "fields of an earlier parse do not linger");

    s = "{}";
    ok(parse(s, 2, &field) == NGX_HTTP_MISSEDCALL_BODY_OK, "empty object");

    invalid_json("", 0, "empty");
    invalid_json("[]", 2, "an array");
    invalid_json("\"x\"", 3, "a string");
    invalid_json("phone=1", 7, "a form");
    invalid_json("{\"a\": 1} x", 10, "trailing garbage");
    invalid_json("{\"a\": 1", 7, "truncated");
    invalid_json("{\"a\": \"\xff\xfe\"}", 11, "invalid UTF-8");
    invalid_json("{\"a\": \"\\u0000\"}", 15, "an escaped NUL");
    invalid_json("{\"a\": 1, \"a\": 2}", 16, "duplicate keys");
    invalid_json("{\"a\": 1}\0", 9, "a raw NUL after the object");

    n = 100000;
    deep = malloc(2 * n);
    if (deep == NULL) {
        return 1;
    }

    for (i = 0; i < n; i++) {
        deep[i] = '[';
        deep[2 * n - 1 - i] = ']';
    }

    invalid_json(deep, 2 * n, "100000 levels deep");

    memcpy(deep, "{\"a\":", 5);
    invalid_json(deep, n, "unterminated depth");
    free(deep);

    s = "{\"phone_number\": 12025550143}";
    ok(parse(s, strlen(s), &field) == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD
       && field && strcmp(field, "phone_number") == 0,
       "a number where a string is wanted, named");

    s = "{\"received_caller_id\": null}";
    ok(parse(s, strlen(s), &field) == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD
       && field && strcmp(field, "received_caller_id") == 0,
       "null where a string is wanted");

    s = "{\"session_id\": [\"x\"]}";
    ok(parse(s, strlen(s), &field) == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD,
       "an array where a string is wanted");

    deep = malloc(400);
    if (deep == NULL) {
        return 1;
    }

    n = (size_t) sprintf(deep, "{\"app_signature\": \"%0*d\"}",
                         NGX_HTTP_MISSEDCALL_FIELD_MAX + 1, 0);
    ok(parse(deep, n, &field) == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD,
       "a field over %d bytes", NGX_HTTP_MISSEDCALL_FIELD_MAX);

    n = (size_t) sprintf(deep, "{\"app_signature\": \"%0*d\"}",
                         NGX_HTTP_MISSEDCALL_FIELD_MAX, 0);
    ok(parse(deep, n, &field) == NGX_HTTP_MISSEDCALL_BODY_OK
       && body.len[NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE]
          == NGX_HTTP_MISSEDCALL_FIELD_MAX,
       "a field of exactly %d bytes", NGX_HTTP_MISSEDCALL_FIELD_MAX);
    free(deep);

    for (n = 0; n < 128; n++) {
        ascii[n] = (char) (n + 1);
    }

    same_as_jansson(json_stringn(ascii, 127),
                    "every ASCII character but NUL");
    same_as_jansson(json_string("caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x93"
                                "\x9e \\/\""),
                    "UTF-8, U+2028, an emoji, a slash");
    same_as_jansson(json_pack("{s:s, s:b, s:b, s:n, s:I, s:I, s:[], s:{}, "
                              "s:[i, [s, {s:s}], {}]}",
                              "status", "verified", "yes", 1, "no", 0,
                              "none", "max", (json_int_t) INT64_MAX,
                              "min", (json_int_t) INT64_MIN, "empty", "nil",
                              "nested", 1, "x", "k", "v"),
                    "literals, extremes, nesting, empty containers");
    same_as_jansson(json_pack("{s:s, s:s, s:s}", "z", "1", "a", "2", "m", "3"),
                    "keys in the order they were set");
    same_as_jansson(json_integer(-7), "a bare integer");

    real = json_pack("[i, f]", 1, 1.5);
    ok(ngx_http_missedcall_json_write(real, ascii, sizeof(ascii)) == 0,
       "a real: refused");
    json_decref(real);

    members();

    ok(strcmp(ngx_http_missedcall_json_field_name(
                  NGX_HTTP_MISSEDCALL_F_RECEIVED_CALLER_ID),
              "received_caller_id") == 0,
       "field names");

    return done();
}
