
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_phone.h"


static void
normalizes(const char *in, const char *want)
{
    size_t         n;
    unsigned char  out[NGX_HTTP_MISSEDCALL_E164_LEN];

    n = ngx_http_missedcall_phone_normalize((const unsigned char *) in,
                                            strlen(in), out);

    ok(n == strlen(want) && memcmp(out, want, n) == 0
       && ngx_http_missedcall_phone_is_e164(out, n),
       "normalize '%s' -> %s", in, want);
}


static void
refuses(const char *in, size_t len, const char *name)
{
    unsigned char  out[NGX_HTTP_MISSEDCALL_E164_LEN];

    ok(ngx_http_missedcall_phone_normalize((const unsigned char *) in, len,
                                           out) == 0,
       "normalize refuses %s", name);
}


static void
digits(const char *in, const char *want)
{
    size_t         n;
    unsigned char  out[NGX_HTTP_MISSEDCALL_CALLERID_MAX];

    n = ngx_http_missedcall_callerid_digits((const unsigned char *) in,
                                            strlen(in), out);

    if (want == NULL) {
        ok(n == 0, "caller id '%s' refused", in);
        return;
    }

    ok(n == strlen(want) && memcmp(out, want, n) == 0,
       "caller id '%s' -> %s", in, want);
}


static void
codes(const char *in, int valid)
{
    ok(ngx_http_missedcall_calling_codes_valid((const unsigned char *) in,
                                               strlen(in)) == valid,
       "calling codes \"%s\" %s", in, valid ? "valid" : "refused");
}


static void
member(const char *in, int valid)
{
    ok(ngx_http_missedcall_pool_member_valid((const unsigned char *) in,
                                             strlen(in)) == valid,
       "pool member \"%s\" %s", in, valid ? "valid" : "refused");
}


int
main(void)
{
    char           long_input[100];
    unsigned char  masked[32];

    normalizes("+12025550143", "+12025550143");
    normalizes("+1 (202) 555-0143", "+12025550143");
    normalizes("  +1 202.555.0143", "+12025550143");
    normalizes("12025550143", "+12025550143");
    normalizes("0044 20 7946 0000", "+442079460000");
    normalizes("+683 4002", "+6834002");
    normalizes("+123456789012345", "+123456789012345");
    normalizes("00123456789012345", "+123456789012345");

    refuses("", 0, "empty");
    refuses("   ", 3, "spaces only");
    refuses("()-.", 4, "punctuation only");
    refuses("+123456", 7, "6 digits");
    refuses("+1234567890123456", 17, "16 digits");
    refuses("12345678901234567", 17, "17 digits (once overflowed)");
    refuses("001234567890123456", 18, "16 digits after 00");
    refuses("+0123456789", 11, "country code 0");
    refuses("0123456789", 10, "leading 0 without 00");
    refuses("++12025550143", 13, "two leading +");
    refuses("+1202+5550143", 13, "+ inside");
    refuses("+1202555014a", 12, "a letter");
    refuses("+1202\r\n5550143", 14, "CR LF");
    refuses("+1202\0" "5550143", 12, "a NUL");
    refuses("+1202\t5550143", 13, "a tab");
    refuses("+1202/5550143", 13, "a slash");
    refuses("+12025550143;", 13, "a semicolon");
    refuses("\xef\xbc\x8b" "12025550143", 14, "a fullwidth plus");

    memset(long_input, ' ', sizeof(long_input));
    memcpy(long_input + 80, "+12025550143", 12);
    refuses(long_input, 92, "input over 64 bytes");

    digits("+1 (555) 010-0003", "15550100003");
    digits("(555) 010-0003", "5550100003");
    digits("0015550100003", "0015550100003");
    digits("01115550100003", "01115550100003");
    digits("555/010/0003", "5550100003");
    digits("0003", "0003");
    digits("Unknown", NULL);
    digits("", NULL);
    digits("+", NULL);
    digits("555\t0100003", NULL);
    digits("5550100003#", NULL);
    digits("123456789012345678901", NULL);
    digits("1+5550100003", NULL);

    ngx_http_missedcall_phone_mask((const unsigned char *) "+15550100003", 12,
                                   4, 0, masked);
    ok(memcmp(masked, "+1555010****", 12) == 0, "mask last 4");
    ngx_http_missedcall_phone_mask((const unsigned char *) "+15550100003", 12,
                                   40, 0, masked);
    ok(memcmp(masked, "+***********", 12) == 0, "mask more than the digits");
    ngx_http_missedcall_phone_mask((const unsigned char *) "+15550100003", 12,
                                   4, 1, masked);
    ok(memcmp(masked, "+*******0003", 12) == 0, "keep last 4");
    ngx_http_missedcall_phone_mask((const unsigned char *) "+15550100003", 12,
                                   40, 1, masked);
    ok(memcmp(masked, "+15550100003", 12) == 0, "keep more than the digits");

    codes("1", 1);
    codes("44,353", 1);
    codes("1,7,44,49,353,358,380,998", 1);
    codes("1,7,44,49,353,358,380,998,33", 0);
    codes("", 0);
    codes(",", 0);
    codes("44,", 0);
    codes(",44", 0);
    codes("044", 0);
    codes("4444", 0);
    codes("44,44", 0);
    codes("4,44,4", 0);
    codes("44,4", 1);
    codes("4,44", 1);
    codes("1 ", 0);
    codes("+1", 0);

    ok(ngx_http_missedcall_phone_is_e164((const unsigned char *) "+15550100003",
                                         12),
       "is_e164 accepts E.164");
    ok(!ngx_http_missedcall_phone_is_e164((const unsigned char *) "15550100003",
                                          11),
       "is_e164 wants a +");
    ok(!ngx_http_missedcall_phone_is_e164((const unsigned char *) "+1555 0100",
                                          10),
       "is_e164 refuses a space");

    member("+15550100001", 1);
    member("+15550100000-+15550199999", 1);
    member("+15550100000-+15550100000", 1);
    member("+15550199999-+15550100000", 0);
    member("+1555010000-+15550100000", 0);
    member("+15550100000-15550100000", 0);
    member("+15550100000--15550100000", 0);
    member("+05550100000-+05550100001", 0);
    member("+1555010000a-+1555010000b", 0);
    member("-", 0);
    member("", 0);

    return done();
}
