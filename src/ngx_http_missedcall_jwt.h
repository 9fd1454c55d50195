
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_JWT_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_JWT_H_INCLUDED_


/* Pure code (OpenSSL and jansson only): HS256 JSON Web Tokens, RFC 7519 */

#include <stddef.h>
#include <stdint.h>


/* bytes: nginx -t refuses a shorter key */
#define NGX_HTTP_MISSEDCALL_JWT_KEY_MIN   32
#define NGX_HTTP_MISSEDCALL_JWT_KID_MAX   64
#define NGX_HTTP_MISSEDCALL_JWT_SUB_MAX   64
#define NGX_HTTP_MISSEDCALL_JWT_JTI_MAX   64
#define NGX_HTTP_MISSEDCALL_JWT_MAX       2048   /* longer tokens: refused */


typedef struct {
    const char           *kid;        /* NUL-terminated */
    const unsigned char  *key;
    size_t                key_len;
} ngx_http_missedcall_jwt_key_t;


typedef struct {
    char                  kid[NGX_HTTP_MISSEDCALL_JWT_KID_MAX + 1];
    char                  sub[NGX_HTTP_MISSEDCALL_JWT_SUB_MAX + 1];
    char                  jti[NGX_HTTP_MISSEDCALL_JWT_JTI_MAX + 1];
    int64_t               iat;        /* 0 when absent */
    int64_t               exp;
    int64_t               nbf;        /* 0 when absent */
} ngx_http_missedcall_jwt_claims_t;


typedef enum {
    NGX_HTTP_MISSEDCALL_JWT_OK = 0,
    NGX_HTTP_MISSEDCALL_JWT_MALFORMED,     /* not 3 base64url parts of JSON */
    NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,       /* not HS256: "none" neither */
    NGX_HTTP_MISSEDCALL_JWT_UNKNOWN_KID,
    NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
    NGX_HTTP_MISSEDCALL_JWT_EXPIRED,       /* exp missing or past */
    NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID  /* nbf (or iat) in the future */
} ngx_http_missedcall_jwt_rc_e;


/*
 * Signs {"alg":"HS256","typ":"JWT","kid":key->kid} and the claims sub, iat,
 * exp, jti (and iss when not NULL).  Writes a NUL-terminated token to out.
 * Returns its length, 0 when it does not fit in size.
 */
size_t ngx_http_missedcall_jwt_sign(const ngx_http_missedcall_jwt_key_t *key,
    const ngx_http_missedcall_jwt_claims_t *claims, const char *iss,
    char *out, size_t size);

/*
 * Verifies token (len bytes, need not be NUL-terminated): the header's alg
 * must be HS256; its kid selects the key (no kid: keys[0]); the signature
 * is compared in constant time; exp is required and, like nbf and iat, is
 * checked against now with leeway seconds.  Fills claims on success.
 */
ngx_http_missedcall_jwt_rc_e ngx_http_missedcall_jwt_verify(const char *token,
    size_t len, const ngx_http_missedcall_jwt_key_t *keys, size_t nkeys,
    int64_t now, int64_t leeway, ngx_http_missedcall_jwt_claims_t *claims);

/*
 * The time checks of verify alone: exp (required), nbf and iat against now
 * with leeway seconds; for claims verified before.
 */
ngx_http_missedcall_jwt_rc_e ngx_http_missedcall_jwt_check_time(
    const ngx_http_missedcall_jwt_claims_t *claims, int64_t now,
    int64_t leeway);

/* a short, stable, log-safe name of rc ("expired", "bad_signature"...) */
const char *ngx_http_missedcall_jwt_strerror(ngx_http_missedcall_jwt_rc_e rc);


#endif /* _NGX_HTTP_MISSEDCALL_JWT_H_INCLUDED_ */
