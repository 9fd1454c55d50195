
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_CODE_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_CODE_H_INCLUDED_


/* Pure code: the SMS channel's one-time codes and message bodies */

#include <stddef.h>


#define NGX_HTTP_MISSEDCALL_CODE_MIN       6
#define NGX_HTTP_MISSEDCALL_CODE_MAX       10
#define NGX_HTTP_MISSEDCALL_APP_HASH_LEN   11


/*
 * A code of digits (6 to 10) drawn uniformly from rnd, read as 64-bit
 * words: a word above the largest multiple of 10^digits is skipped, so
 * that no code is likelier than another.  Writes digits characters and a
 * NUL at out.  Returns 1, or 0 when rnd ran out (ask for more) or digits
 * is out of range.
 */
int ngx_http_missedcall_code_make(const unsigned char *rnd, size_t len,
    unsigned digits, char *out);

/*
 * The message: tmpl with each "{code}" replaced by code and, with an app
 * hash, that hash on a last line of its own, where Android's SMS
 * Retriever API looks for it.  Returns the length written at out, or 0
 * when tmpl has no "{code}" or the message does not fit in size.
 */
size_t ngx_http_missedcall_code_body(const char *tmpl, size_t tlen,
    const char *code, const char *hash, size_t hlen, char *out,
    size_t size);

/* an app hash as Android computes it: 11 characters of base64 */
int ngx_http_missedcall_code_app_hash_valid(const char *hash, size_t len);


#endif /* _NGX_HTTP_MISSEDCALL_CODE_H_INCLUDED_ */
