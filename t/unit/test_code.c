
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_code.h"


int
main(void)
{
    size_t          n, i;
    char            code[16], out[64];
    unsigned char   rnd[16];
    unsigned long   counts[10];

    /* a word read big-endian: 0x...01 is code 000001 */
    memset(rnd, 0, sizeof(rnd));
    rnd[7] = 1;
    ok(ngx_http_missedcall_code_make(rnd, 8, 6, code) == 1
       && strcmp(code, "000001") == 0, "leading zeros kept: %s", code);

    /* 2^64 - 1 is above the last multiple of 10^6: skipped */
    memset(rnd, 0xff, 8);
    memset(rnd + 8, 0, 8);
    rnd[15] = 42;
    ok(ngx_http_missedcall_code_make(rnd, 16, 6, code) == 1
       && strcmp(code, "000042") == 0,
       "a word in the biased tail is skipped, the next used: %s", code);
    ok(ngx_http_missedcall_code_make(rnd, 8, 6, code) == 0,
       "only biased words: 0, more randomness wanted");
    ok(ngx_http_missedcall_code_make(rnd, 7, 6, code) == 0,
       "less than a word: 0");
    ok(ngx_http_missedcall_code_make(rnd + 8, 8, 5, code) == 0
       && ngx_http_missedcall_code_make(rnd + 8, 8, 11, code) == 0,
       "5 or 11 digits: refused");
    ok(ngx_http_missedcall_code_make(rnd + 8, 8, 10, code) == 1
       && strlen(code) == 10, "10 digits: %s", code);

    /* every digit in every place over a sweep of words */
    memset(counts, 0, sizeof(counts));
    for (i = 0; i < 1000; i++) {
        memset(rnd, 0, 8);
        rnd[5] = (unsigned char) (i >> 8);
        rnd[6] = (unsigned char) (i * 37);
        rnd[7] = (unsigned char) (i * 101);
        ngx_http_missedcall_code_make(rnd, 8, 6, code);
        counts[code[5] - '0']++;
    }
    for (i = 0, n = 0; i < 10; i++) {
        n += counts[i] > 0;
    }
    ok(n == 10, "the last digit takes all 10 values");

    /* bodies */
    n = ngx_http_missedcall_code_body("Your code is {code}.", 20, "123456",
                                      "", 0, out, sizeof(out));
    ok(n == 20 && memcmp(out, "Your code is 123456.", 20) == 0,
       "the code in the template");
    n = ngx_http_missedcall_code_body("<#> {code} is your code", 23,
                                      "123456", "FA+9qCX9VSu", 11, out,
                                      sizeof(out));
    ok(n == 23 + 1 + 11
       && memcmp(out, "<#> 123456 is your code\nFA+9qCX9VSu", 35) == 0,
       "the app hash on a last line");
    n = ngx_http_missedcall_code_body("{code} {code}", 13, "12", "", 0, out,
                                      sizeof(out));
    ok(n == 5 && memcmp(out, "12 12", 5) == 0, "each {code} replaced");
    ok(ngx_http_missedcall_code_body("no code here", 12, "1", "", 0, out,
                                     sizeof(out)) == 0,
       "a template without {code}: 0");
    ok(ngx_http_missedcall_code_body("code {code}", 11, "123456", "", 0,
                                     out, 10) == 0,
       "too long for the buffer: 0");
    ok(ngx_http_missedcall_code_body("{cod", 4, "1", "", 0, out,
                                     sizeof(out)) == 0,
       "a cut mark is no mark");

    ok(ngx_http_missedcall_code_app_hash_valid("FA+9qCX9VSu", 11),
       "an 11-character base64 app hash");
    ok(!ngx_http_missedcall_code_app_hash_valid("FA+9qCX9VS", 10)
       && !ngx_http_missedcall_code_app_hash_valid("FA+9qCX9VS!", 11)
       && !ngx_http_missedcall_code_app_hash_valid("FA+9qCX9VS\n", 11),
       "a short one, a bad character, a line feed: refused");

    return done();
}
