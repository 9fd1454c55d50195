
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Redis's protocol, written by hand: hiredis's own formatter grows its
 * string argument by argument, and took an eighth of a request's
 * instructions.
 */


#include <string.h>

#include "ngx_http_missedcall_resp.h"


/* "*" or "$", the count or length in decimal, CRLF */
#define NGX_HTTP_MISSEDCALL_RESP_HEAD  (1 + 20 + 2)


size_t
ngx_http_missedcall_resp_size(int argc, const size_t *argvlen)
{
    int     i;
    size_t  size;

    size = NGX_HTTP_MISSEDCALL_RESP_HEAD;

    for (i = 0; i < argc; i++) {
        size += NGX_HTTP_MISSEDCALL_RESP_HEAD + argvlen[i] + 2;
    }

    return size;
}


/* "*3" or "$12" and CRLF: a printf would cost more than the rest */

static unsigned char *
ngx_http_missedcall_resp_head(unsigned char *p, char type, size_t n)
{
    int            i;
    unsigned char  digits[20];

    i = 0;

    do {
        digits[i++] = (unsigned char) ('0' + n % 10);
        n /= 10;
    } while (n);

    *p++ = (unsigned char) type;

    while (i) {
        *p++ = digits[--i];
    }

    *p++ = '\r';
    *p++ = '\n';

    return p;
}


unsigned char *
ngx_http_missedcall_resp_write(unsigned char *p, int argc, const char **argv,
    const size_t *argvlen)
{
    int  i;

    p = ngx_http_missedcall_resp_head(p, '*', (size_t) argc);

    for (i = 0; i < argc; i++) {
        p = ngx_http_missedcall_resp_head(p, '$', argvlen[i]);

        /* an empty argument may have no data at all */
        if (argvlen[i]) {
            memcpy(p, argv[i], argvlen[i]);
            p += argvlen[i];
        }

        *p++ = '\r';
        *p++ = '\n';
    }

    return p;
}


int
ngx_http_missedcall_resp_words(const unsigned char *p, size_t len, size_t n,
    const unsigned char **word, size_t *wordlen)
{
    size_t                i;
    const unsigned char  *end, *space;

    end = p + len;

    for (i = 0; i + 1 < n; i++) {
        space = memchr(p, ' ', (size_t) (end - p));
        if (space == NULL) {
            return -1;
        }

        word[i] = p;
        wordlen[i] = (size_t) (space - p);
        p = space + 1;
    }

    word[i] = p;
    wordlen[i] = (size_t) (end - p);

    return 0;
}
