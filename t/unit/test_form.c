
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_form.h"


static ngx_http_missedcall_body_t  b;
static const char                 *field;
static unsigned char               buf[4096];


static ngx_http_missedcall_body_rc_e
url(const char *s)
{
    field = NULL;
    return ngx_http_missedcall_form_parse_urlencoded(
               (const unsigned char *) s, strlen(s), buf, &b, &field);
}


static ngx_http_missedcall_body_rc_e
multi(const char *s, const char *boundary)
{
    field = NULL;
    return ngx_http_missedcall_form_parse_multipart(
               (const unsigned char *) s, strlen(s),
               (const unsigned char *) boundary, strlen(boundary), &b,
               &field);
}


static int
is(ngx_http_missedcall_field_e f, const char *want)
{
    return b.present[f] && b.len[f] == strlen(want)
           && strcmp(b.value[f], want) == 0;
}


int
main(void)
{
    size_t                blen;
    const char           *ct;
    const unsigned char  *bd;
    char                  big[600];

    /* urlencoded */

    ok(url("phone_number=%2B1+202+555+0143&app_signature=AbCdEfGhIjK")
       == NGX_HTTP_MISSEDCALL_BODY_OK
       && is(NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER, "+1 202 555 0143")
       && is(NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE, "AbCdEfGhIjK"),
       "urlencoded: %%2B and + decoded");
    ok(!b.present[NGX_HTTP_MISSEDCALL_F_SESSION_ID],
       "an absent field is not present");

    ok(url("session_id=abc&received_caller_id=&other=1&&x")
       == NGX_HTTP_MISSEDCALL_BODY_OK
       && is(NGX_HTTP_MISSEDCALL_F_SESSION_ID, "abc")
       && is(NGX_HTTP_MISSEDCALL_F_RECEIVED_CALLER_ID, ""),
       "an empty value is present and empty; unknown fields ignored");

    ok(url("") == NGX_HTTP_MISSEDCALL_BODY_OK
       && !b.present[NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER], "empty body: no field");

    ok(url("phone_number=1&phone_number=2")
       == NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM,
       "a known field twice: INVALID_FORM");
    ok(url("x=1&x=2") == NGX_HTTP_MISSEDCALL_BODY_OK,
       "an unknown field twice is ignored");

    ok(url("phone_number=%00") == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD
       && field && strcmp(field, "phone_number") == 0,
       "a NUL: INVALID_FIELD naming the field");
    ok(url("received_caller_id=%C3%28")
       == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD,
       "invalid UTF-8: INVALID_FIELD");
    ok(url("received_caller_id=%ED%A0%80")
       == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD, "a surrogate: INVALID_FIELD");
    ok(url("received_caller_id=%C0%AF")
       == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD, "overlong: INVALID_FIELD");
    ok(url("app_signature=Ren%C3%A9%F0%9F%93%9E") == NGX_HTTP_MISSEDCALL_BODY_OK,
       "2- and 4-byte UTF-8 pass");
    ok(url("other=%00%FF") == NGX_HTTP_MISSEDCALL_BODY_OK,
       "an unknown field is not checked");

    memset(big, 'a', sizeof(big));
    memcpy(big, "session_id=", 11);
    big[11 + 256] = '\0';
    ok(url(big) == NGX_HTTP_MISSEDCALL_BODY_OK, "256 bytes pass");
    big[11 + 256] = 'a';
    big[11 + 257] = '\0';
    ok(url(big) == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD
       && strcmp(field, "session_id") == 0, "257 bytes: INVALID_FIELD");

    ok(url("phone_number=%2x%4") == NGX_HTTP_MISSEDCALL_BODY_OK
       && is(NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER, "%2x%4"),
       "a malformed escape stays, as in Python's parse_qsl");

    /* the boundary */

    ct = "multipart/form-data; boundary=----WebKitFormBoundaryX3";
    ok(ngx_http_missedcall_form_boundary((const unsigned char *) ct,
           strlen(ct), &bd, &blen) == 0
       && blen == 24 && memcmp(bd, "----WebKitFormBoundaryX3", 24) == 0,
       "boundary=");
    ct = "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b;c\"";
    ok(ngx_http_missedcall_form_boundary((const unsigned char *) ct,
           strlen(ct), &bd, &blen) == 0
       && blen == 5 && memcmp(bd, "a b;c", 5) == 0,
       "quoted, after another parameter, any case");
    ct = "multipart/form-data";
    ok(ngx_http_missedcall_form_boundary((const unsigned char *) ct,
           strlen(ct), &bd, &blen) == -1, "no boundary: -1");
    ct = "multipart/form-data; boundary=";
    ok(ngx_http_missedcall_form_boundary((const unsigned char *) ct,
           strlen(ct), &bd, &blen) == -1, "an empty boundary: -1");
    ct = "multipart/form-datax; boundary=a";
    ok(ngx_http_missedcall_form_boundary((const unsigned char *) ct,
           strlen(ct), &bd, &blen) == -1, "another type: -1");

    /* multipart */

    ok(multi("--XyZ\r\n"
             "Content-Disposition: form-data; name=\"phone_number\"\r\n"
             "\r\n"
             "+1 202 555 0143\r\n"
             "--XyZ\r\n"
             "content-disposition: form-data; name=app_signature\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n"
             "\r\n"
             "AbC\r\ndEf\r\n"
             "--XyZ\r\n"
             "Content-Disposition: form-data; name=\"session_id\"; "
             "filename=\"a.txt\"\r\n"
             "\r\n"
             "from a file\r\n"
             "--XyZ--\r\n", "XyZ") == NGX_HTTP_MISSEDCALL_BODY_OK
       && is(NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER, "+1 202 555 0143")
       && is(NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE, "AbC\r\ndEf"),
       "multipart: fields, a CRLF inside a value kept");
    ok(!b.present[NGX_HTTP_MISSEDCALL_F_SESSION_ID], "a file is not a field");

    ok(multi("preamble\r\n--b\r\n"
             "Content-Disposition: form-data; name=\"session_id\"\r\n\r\n"
             "s1\r\n--b--", "b") == NGX_HTTP_MISSEDCALL_BODY_OK
       && is(NGX_HTTP_MISSEDCALL_F_SESSION_ID, "s1"),
       "a preamble, no CRLF after the end");

    ok(multi("--b\r\n"
             "Content-Disposition: form-data; name=\"session_id\"\r\n\r\n"
             "s1\r\n--b\r\n"
             "Content-Disposition: form-data; name=\"session_id\"\r\n\r\n"
             "s2\r\n--b--\r\n", "b") == NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM,
       "a known field twice: INVALID_FORM");
    ok(multi("--b\r\n"
             "Content-Disposition: form-data; name=\"phone_number\"\r\n\r\n"
             "+1202", "b") == NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM,
       "no closing delimiter: INVALID_FORM");
    ok(multi("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n"
             "+1202\r\n--b--", "b") == NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM,
       "no empty line after the headers: INVALID_FORM");
    ok(multi("{\"phone_number\": \"+1202\"}", "b")
       == NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM, "JSON: INVALID_FORM");
    ok(multi("--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\n"
             "1\r\n--b--", "b") == NGX_HTTP_MISSEDCALL_BODY_INVALID_FORM,
       "not form-data: INVALID_FORM");
    ok(multi("--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--", "b")
       == NGX_HTTP_MISSEDCALL_BODY_OK, "a part without a name is ignored");
    ok(multi("--b\r\n"
             "Content-Disposition: form-data; name=\"received_caller_id\""
             "\r\n\r\n\xff\r\n--b--", "b")
       == NGX_HTTP_MISSEDCALL_BODY_INVALID_FIELD
       && strcmp(field, "received_caller_id") == 0,
       "invalid UTF-8: INVALID_FIELD");

    /* the pairs of a callback */
    {
        int                              n;
        ngx_http_missedcall_form_pair_t  p[4];
        const char                      *f = "a=1&&b&c=%41";

        n = ngx_http_missedcall_form_pairs((const unsigned char *) f,
                                           strlen(f), buf, p, 4);
        ok(n == 3 && p[1].key_len == 1 && p[1].value_len == 0
           && p[2].value_len == 1 && p[2].value[0] == 'A',
           "pairs: empty ones skipped, a name alone, decoded");
        ok(ngx_http_missedcall_form_pairs((const unsigned char *) f,
                                          strlen(f), buf, p, 2) == -1,
           "more than max: -1");
    }

    return done();
}
