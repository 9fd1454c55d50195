
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_resp.h"


static int
written(int argc, const char **argv, const size_t *len, const char *want)
{
    unsigned char  buf[512], *end;
    size_t         size;

    size = ngx_http_missedcall_resp_size(argc, len);
    memset(buf, 0xff, sizeof(buf));
    end = ngx_http_missedcall_resp_write(buf, argc, argv, len);

    return (size_t) (end - buf) <= size
           && (size_t) (end - buf) == strlen(want)
           && memcmp(buf, want, end - buf) == 0;
}


int
main(void)
{
    const char  *get[] = { "GET", "k" };
    size_t       get_len[] = { 3, 1 };
    const char  *set[] = { "SET", "a\r\nb", "" };
    size_t       set_len[] = { 3, 4, 0 };
    const char  *nul[] = { "HSET", "h\0x" };
    size_t       nul_len[] = { 4, 3 };
    const char  *exec[] = { "EXEC" };
    size_t       exec_len[] = { 4 };
    char         big[300];
    const char  *bigv[] = { big };
    size_t       big_len[] = { sizeof(big) };
    char         want[400];

    ok(written(2, get, get_len, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"),
       "GET k: an array of two bulk strings");
    ok(written(3, set, set_len,
               "*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$0\r\n\r\n"),
       "CR LF inside an argument is data; an empty argument is $0");
    ok(written(1, exec, exec_len, "*1\r\n$4\r\nEXEC\r\n"), "EXEC alone");

    {
        unsigned char  buf[64], *end;

        end = ngx_http_missedcall_resp_write(buf, 2, nul, nul_len);
        ok(end - buf == 23 && memcmp(buf + 14, "$3\r\nh\0x\r\n", 9) == 0,
           "a NUL byte inside an argument is written, not a terminator");
    }

    memset(big, 'x', sizeof(big));
    strcpy(want, "*1\r\n$300\r\n");
    memcpy(want + 10, big, sizeof(big));
    strcpy(want + 10 + sizeof(big), "\r\n");
    ok(written(1, bigv, big_len, want), "a 300-byte argument, its length "
       "in three digits");

    {
        const unsigned char  *w[3];
        size_t                wl[3];
        const char           *a = "1764182400000 250 +15550100001";

        ok(ngx_http_missedcall_resp_words((const unsigned char *) a,
                                          strlen(a), 3, w, wl) == 0
           && wl[0] == 13 && memcmp(w[0], a, 13) == 0
           && wl[1] == 3 && memcmp(w[1], "250", 3) == 0
           && wl[2] == 12 && memcmp(w[2], "+15550100001", 12) == 0,
           "an answer's three words");
        ok(ngx_http_missedcall_resp_words((const unsigned char *) "17 0 ",
                                          5, 3, w, wl) == 0
           && wl[0] == 2 && wl[1] == 1 && wl[2] == 0,
           "the last word may be empty");
        ok(ngx_http_missedcall_resp_words((const unsigned char *) "a b c d",
                                          7, 3, w, wl) == 0
           && wl[2] == 3 && memcmp(w[2], "c d", 3) == 0,
           "the last word is the rest, spaces and all");
        ok(ngx_http_missedcall_resp_words((const unsigned char *) "17 0",
                                          4, 3, w, wl) == -1,
           "fewer words: refused");
        ok(ngx_http_missedcall_resp_words((const unsigned char *) "", 0, 1,
                                          w, wl) == 0 && wl[0] == 0,
           "one word may be nothing");
    }

    return done();
}
