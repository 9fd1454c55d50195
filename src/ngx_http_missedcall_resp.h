
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_RESP_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_RESP_H_INCLUDED_


/*
 * Pure code: a command in Redis's protocol (RESP), an array of bulk
 * strings, written at once into a buffer sized beforehand.
 */

#include <stddef.h>


/* the bytes the command takes, at most */
size_t ngx_http_missedcall_resp_size(int argc, const size_t *argvlen);

/* writes the command at p; answers the end of what it wrote */
unsigned char *ngx_http_missedcall_resp_write(unsigned char *p, int argc,
    const char **argv, const size_t *argvlen);


#endif /* _NGX_HTTP_MISSEDCALL_RESP_H_INCLUDED_ */
