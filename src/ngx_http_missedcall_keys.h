
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_KEYS_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_KEYS_H_INCLUDED_


/* Pure code: the Redis key schema, in one place */

#include <stddef.h>


typedef enum {
    NGX_HTTP_MISSEDCALL_KEY_POOL = 0,   /* <prefix>pool: zset of the
                                           numbers calls are placed from */
    NGX_HTTP_MISSEDCALL_KEY_POOL_ALL,   /* <prefix>pool:all: set of every
                                           number known, enabled or not */
    NGX_HTTP_MISSEDCALL_KEY_POOL_CODE,  /* <prefix>pool:cc:<code>: zset of
                                           the enabled numbers serving a
                                           calling code */
    NGX_HTTP_MISSEDCALL_KEY_NUMBER,     /* <prefix>number:<e164>: hash of
                                           a pool number's state, figures */
    NGX_HTTP_MISSEDCALL_KEY_EVENTS,     /* <prefix>events: stream */
    NGX_HTTP_MISSEDCALL_KEY_SESSION,    /* <prefix>session:<id>: string,
                                           ngx_http_missedcall_session */
    NGX_HTTP_MISSEDCALL_KEY_PHONE,      /* <prefix>phone:<e164>: newest id */
    NGX_HTTP_MISSEDCALL_KEY_LAST,       /* <prefix>last:<e164>: last caller */
    NGX_HTTP_MISSEDCALL_KEY_THROTTLE,   /* <prefix>throttle:<account>: the
                                           next free call slot, ms */
    NGX_HTTP_MISSEDCALL_KEY_RESEND,     /* <prefix>resend:<e164>: a call
                                           was placed lately */
    NGX_HTTP_MISSEDCALL_KEY_LIMIT,      /* <prefix>limit:<kind>:<window>:<id>:
                                           calls counted in a window, built
                                           by ngx_http_missedcall_limit_key */
    NGX_HTTP_MISSEDCALL_KEY_FAILURES,   /* <prefix>failures:<e164>: wrong
                                           guesses across sessions */
    NGX_HTTP_MISSEDCALL_KEY_RANGES,     /* <prefix>ranges: zset of the
                                           enabled ranges, "first-last" */
    NGX_HTTP_MISSEDCALL_KEY_RANGES_CODE,/* <prefix>ranges:cc:<code>: zset
                                           of the enabled ranges serving a
                                           calling code */
    NGX_HTTP_MISSEDCALL_KEY_PLACED,     /* <prefix>placed: the count of
                                           calls placed */
    NGX_HTTP_MISSEDCALL_KEY_POOL_AUTO,  /* <prefix>pool:auto: set of the
                                           numbers disabled automatically */
    NGX_HTTP_MISSEDCALL_KEY_DOWN        /* <prefix>down:<gateway>: it failed
                                           lately, skipped till it expires */
} ngx_http_missedcall_key_e;


/* the longest name */
#define NGX_HTTP_MISSEDCALL_KEY_NAME_MAX  (sizeof("ranges:cc:") - 1)


/*
 * Writes the key of kind for id (ignored for the pool, the set of all
 * numbers, the events, the ranges, the last call placed and the numbers
 * disabled automatically) to out; returns its length, or 0 when it does
 * not fit in size.
 */
size_t ngx_http_missedcall_key(unsigned char *out, size_t size,
    const unsigned char *prefix, size_t prefix_len,
    ngx_http_missedcall_key_e kind, const unsigned char *id, size_t id_len);


/*
 * Writes <prefix>limit:<kind>:<window ms>[:<id>] to out: each (kind,
 * window) counts in a key of its own, so that limits of one kind stack.
 * Returns its length, or 0 when it does not fit in size.
 */
size_t ngx_http_missedcall_limit_key(unsigned char *out, size_t size,
    const unsigned char *prefix, size_t prefix_len, const char *kind,
    unsigned long long window, const unsigned char *id, size_t id_len);


/*
 * A session as Redis keeps it (src/lua/include/session.lua): each of the
 * n fields a byte of its length then its bytes.  Writes it to out;
 * returns its length, or 0 when it does not fit in size or a field is
 * longer than a byte can say.
 */
size_t ngx_http_missedcall_session(unsigned char *out, size_t size,
    const unsigned char *const *field, const size_t *len, size_t n);


#endif /* _NGX_HTTP_MISSEDCALL_KEYS_H_INCLUDED_ */
