
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_RESP_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_RESP_H_INCLUDED_


/*
 * Pure code: a command in Redis's protocol (RESP), an array of bulk
 * strings, written at once into a buffer sized beforehand; and a script's
 * answer of words in one string, which costs Redis less than a table.
 */

#include <stddef.h>


/* the bytes the command takes, at most */
size_t ngx_http_missedcall_resp_size(int argc, const size_t *argvlen);

/* writes the command at p; answers the end of what it wrote */
unsigned char *ngx_http_missedcall_resp_write(unsigned char *p, int argc,
    const char **argv, const size_t *argvlen);

/*
 * Splits len bytes at p into n words, each followed by one space but the
 * last, which is the rest and may be empty: 0, or -1 for fewer words.
 */
int ngx_http_missedcall_resp_words(const unsigned char *p, size_t len,
    size_t n, const unsigned char **word, size_t *wordlen);


#endif /* _NGX_HTTP_MISSEDCALL_RESP_H_INCLUDED_ */
