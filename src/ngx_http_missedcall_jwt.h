
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_JWT_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_JWT_H_INCLUDED_


/*
 * Pure code (OpenSSL and jansson only): JSON Web Tokens, RFC 7519, signed
 * with HS256, ES256 or EdDSA (Ed25519, RFC 8037); the JWK Set of the
 * public keys, RFC 7517.
 */

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>


/* bytes: nginx -t refuses a shorter key */
#define NGX_HTTP_MISSEDCALL_JWT_KEY_MIN   32
#define NGX_HTTP_MISSEDCALL_JWT_KID_MAX   64
#define NGX_HTTP_MISSEDCALL_JWT_SUB_MAX   64
#define NGX_HTTP_MISSEDCALL_JWT_JTI_MAX   64
#define NGX_HTTP_MISSEDCALL_JWT_MAX       2048   /* longer tokens: refused */


/* "typ" of the header: explicit typing, RFC 8725 section 3.11 */
#define NGX_HTTP_MISSEDCALL_JWT_TYP       "missedcall+jwt"


typedef enum {
    NGX_HTTP_MISSEDCALL_JWT_HS256 = 0,
    NGX_HTTP_MISSEDCALL_JWT_ES256,
    NGX_HTTP_MISSEDCALL_JWT_EDDSA
} ngx_http_missedcall_jwt_alg_e;


/* one kid, one algorithm (RFC 8725 section 3.1) */
typedef struct {
    const char                     *kid;        /* NUL-terminated */
    const unsigned char            *key;        /* HS256: the secret */
    size_t                          key_len;
    ngx_http_missedcall_jwt_alg_e   alg;
    EVP_PKEY                       *pkey;       /* ES256, EdDSA */
    int                             verify_only;
} ngx_http_missedcall_jwt_key_t;


/* what a token must carry beyond its own claims; NULL or 0: nothing */
typedef struct {
    const char                     *typ;
    const char                     *iss;
    const char * const             *aud;        /* any one of naud */
    size_t                          naud;
} ngx_http_missedcall_jwt_rules_t;


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
    NGX_HTTP_MISSEDCALL_JWT_BAD_ALG,       /* not the kid's: "none" neither */
    NGX_HTTP_MISSEDCALL_JWT_UNKNOWN_KID,
    NGX_HTTP_MISSEDCALL_JWT_BAD_SIGNATURE,
    NGX_HTTP_MISSEDCALL_JWT_EXPIRED,       /* exp missing or past */
    NGX_HTTP_MISSEDCALL_JWT_NOT_YET_VALID, /* nbf (or iat) in the future */
    NGX_HTTP_MISSEDCALL_JWT_BAD_TYP,
    NGX_HTTP_MISSEDCALL_JWT_BAD_ISSUER,
    NGX_HTTP_MISSEDCALL_JWT_BAD_AUDIENCE,
    NGX_HTTP_MISSEDCALL_JWT_RC_LAST
} ngx_http_missedcall_jwt_rc_e;


/*
 * Signs {"alg":...,"typ":rules->typ,"kid":key->kid} and the claims sub,
 * iat, exp, jti, and iss and aud from rules (one audience: a string, more:
 * an array); ES256 signatures in JOSE's raw r||s form.  Writes a
 * NUL-terminated token to out.  Returns its length, 0 when it does not fit
 * in size or the key cannot sign.
 */
size_t ngx_http_missedcall_jwt_sign(const ngx_http_missedcall_jwt_key_t *key,
    const ngx_http_missedcall_jwt_claims_t *claims,
    const ngx_http_missedcall_jwt_rules_t *rules, char *out, size_t size);

/*
 * Verifies token (len bytes, need not be NUL-terminated): its kid selects
 * the key (no kid: the first that signs), and the header's alg must be
 * that key's; an HS256 signature is compared in constant time; then
 * rules (typ, iss, one of aud); exp is required and, like nbf and iat, is
 * checked against now with leeway seconds.  Fills claims on success.
 */
ngx_http_missedcall_jwt_rc_e ngx_http_missedcall_jwt_verify(const char *token,
    size_t len, const ngx_http_missedcall_jwt_key_t *keys, size_t nkeys,
    const ngx_http_missedcall_jwt_rules_t *rules, int64_t now,
    int64_t leeway, ngx_http_missedcall_jwt_claims_t *claims);

/* base64url without padding; returns the length written */
size_t ngx_http_missedcall_b64url_encode(const unsigned char *in, size_t len,
    char *out);

/* src/ngx_http_missedcall_jwk.c: keys in as PEM, out as a JWK Set */

/*
 * Reads a PEM key, private (signs) or public (verify_only set): Ed25519
 * is EdDSA, a P-256 EC key ES256.  alg < 0: as the key says; else the key
 * must be of that algorithm.  Returns NULL, or why the key is refused.
 */
const char *ngx_http_missedcall_jwt_key_pem(const unsigned char *pem,
    size_t len, int alg, ngx_http_missedcall_jwt_key_t *key);

/*
 * Writes the JWK Set (RFC 7517) of the public keys among keys, HMAC ones
 * left out.  Returns its length, 0 when it does not fit in size.
 */
size_t ngx_http_missedcall_jwt_jwks(const ngx_http_missedcall_jwt_key_t *keys,
    size_t nkeys, char *out, size_t size);

/* "HS256", "ES256", "EdDSA"; and back, -1 when none of them */
const char *ngx_http_missedcall_jwt_alg_name(
    ngx_http_missedcall_jwt_alg_e alg);
int ngx_http_missedcall_jwt_alg(const char *name, size_t len);

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
