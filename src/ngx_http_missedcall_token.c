
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Tokens: the keys they are signed with, the issuer and audiences they
 * name, and signing one for a phone that has just verified.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"


#define NGX_HTTP_MISSEDCALL_TOKEN_MAX  NGX_HTTP_MISSEDCALL_JWT_MAX
#define NGX_HTTP_MISSEDCALL_CLAIM_MAX  256      /* iss, an aud */


static char *ngx_http_missedcall_token_key_args(ngx_conf_t *cf,
    ngx_command_t *cmd, ngx_str_t *value, ngx_uint_t n, int *alg,
    int *verify_only);
static char *ngx_http_missedcall_token_secret(ngx_conf_t *cf,
    ngx_command_t *cmd, ngx_str_t *file, ngx_str_t *key, int alg,
    ngx_http_missedcall_jwt_key_t *k);
static void ngx_http_missedcall_token_zero(void *data);
static void ngx_http_missedcall_token_free(void *data);
static ngx_http_missedcall_jwt_rules_t *ngx_http_missedcall_token_rules(
    ngx_conf_t *cf, ngx_http_missedcall_loc_conf_t *lcf);
static char *ngx_http_missedcall_token_claim(ngx_conf_t *cf,
    ngx_command_t *cmd, ngx_str_t *value);


/* missedcall_token_key kid file [alg=HS256|ES256|EdDSA] [verify_only] */

char *
ngx_http_missedcall_token_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    int                             alg, verify_only;
    char                           *rv;
    ngx_str_t                      *value, key;
    ngx_uint_t                      i;
    ngx_http_missedcall_jwt_key_t  *k;

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > NGX_HTTP_MISSEDCALL_JWT_KID_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": key id must be 1 to %d characters",
                           &cmd->name, NGX_HTTP_MISSEDCALL_JWT_KID_MAX);
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < value[1].len; i++) {
        if (value[1].data[i] <= ' ' || value[1].data[i] == '"'
            || value[1].data[i] == '\\' || value[1].data[i] >= 0x7f)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": invalid key id \"%V\"",
                               &cmd->name, &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    rv = ngx_http_missedcall_token_key_args(cf, cmd, value, cf->args->nelts,
                                            &alg, &verify_only);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (mcf->keys == NULL) {
        mcf->keys = ngx_array_create(cf->pool, 2,
                                     sizeof(ngx_http_missedcall_jwt_key_t));
        if (mcf->keys == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    k = mcf->keys->elts;

    for (i = 0; i < mcf->keys->nelts; i++) {
        if (ngx_strcmp(k[i].kid, value[1].data) == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": key id \"%V\" is used twice",
                               &cmd->name, &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[2],
                                       NGX_HTTP_MISSEDCALL_SECRET_MAX, &key);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    k = ngx_array_push(mcf->keys);
    if (k == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(k, sizeof(ngx_http_missedcall_jwt_key_t));

    /* conf args are NUL-terminated */
    k->kid = (const char *) value[1].data;
    k->verify_only = verify_only;

    rv = ngx_http_missedcall_token_secret(cf, cmd, &value[2], &key, alg, k);

    if (rv != NGX_CONF_OK) {
        mcf->keys->nelts--;
    }

    return rv;
}


static char *
ngx_http_missedcall_token_key_args(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *value, ngx_uint_t n, int *alg, int *verify_only)
{
    ngx_uint_t  i;

    *alg = -1;
    *verify_only = 0;

    for (i = 3; i < n; i++) {
        if (value[i].len > 4
            && ngx_strncmp(value[i].data, "alg=", 4) == 0)
        {
            *alg = ngx_http_missedcall_jwt_alg((char *) value[i].data + 4,
                                               value[i].len - 4);
            if (*alg >= 0) {
                continue;
            }

        } else if (ngx_strcmp(value[i].data, "verify_only") == 0) {
            *verify_only = 1;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid parameter \"%V\" (alg=HS256, "
                           "alg=ES256, alg=EdDSA or verify_only)",
                           &cmd->name, &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * A PEM key (ES256, EdDSA) or the HMAC secret (HS256): the file says which
 * unless alg does.  The PEM text is wiped once parsed; the secret is wiped
 * with the configuration, and the EVP key freed.
 */

static char *
ngx_http_missedcall_token_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *file, ngx_str_t *key, int alg, ngx_http_missedcall_jwt_key_t *k)
{
    ngx_uint_t           pem;
    const char          *err;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(cf->pool, sizeof(ngx_str_t));
    if (cln == NULL) {
        ngx_explicit_memzero(key->data, key->len);
        return NGX_CONF_ERROR;
    }

    pem = (key->len > 10 && ngx_strncmp(key->data, "-----BEGIN", 10) == 0);

    if (alg == NGX_HTTP_MISSEDCALL_JWT_HS256 || (alg < 0 && !pem)) {
        cln->handler = ngx_http_missedcall_token_zero;
        *(ngx_str_t *) cln->data = *key;

        /* a public key as an HMAC secret: the RFC 8725 confusion */
        if (pem) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is a PEM key, not an HS256 "
                               "secret", &cmd->name, file);
            return NGX_CONF_ERROR;
        }

        /* RFC 7518 section 3.2: a key as long as the hash */
        if (key->len < NGX_HTTP_MISSEDCALL_JWT_KEY_MIN) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": the key in \"%V\" is %uz bytes, "
                               "at least %d are required", &cmd->name, file,
                               key->len, NGX_HTTP_MISSEDCALL_JWT_KEY_MIN);
            return NGX_CONF_ERROR;
        }

        k->alg = NGX_HTTP_MISSEDCALL_JWT_HS256;
        k->key = key->data;
        k->key_len = key->len;

        return NGX_CONF_OK;
    }

    err = ngx_http_missedcall_jwt_key_pem(key->data, key->len, alg, k);

    ngx_explicit_memzero(key->data, key->len);

    if (err) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": \"%V\" %s",
                           &cmd->name, file, err);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_missedcall_token_free;
    cln->data = k->pkey;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                   "missedcall: token key \"%s\" %s%s", k->kid,
                   ngx_http_missedcall_jwt_alg_name(k->alg),
                   k->verify_only ? ", verify only" : "");

    return NGX_CONF_OK;
}


static void
ngx_http_missedcall_token_zero(void *data)
{
    ngx_str_t  *key = data;

    ngx_explicit_memzero(key->data, key->len);
}


static void
ngx_http_missedcall_token_free(void *data)
{
    EVP_PKEY_free(data);
}


static ngx_http_missedcall_jwt_rules_t *
ngx_http_missedcall_token_rules(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    if (lcf->token_rules == NULL) {
        lcf->token_rules = ngx_pcalloc(cf->pool,
                                     sizeof(ngx_http_missedcall_jwt_rules_t));
        if (lcf->token_rules == NULL) {
            return NULL;
        }

        lcf->token_rules->typ = NGX_HTTP_MISSEDCALL_JWT_TYP;
    }

    return lcf->token_rules;
}


static char *
ngx_http_missedcall_token_claim(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *value)
{
    if (value->len == 0 || value->len > NGX_HTTP_MISSEDCALL_CLAIM_MAX
        || ngx_strlchr(value->data, value->data + value->len, '\0'))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" must be 1 to %d characters",
                           &cmd->name, value, NGX_HTTP_MISSEDCALL_CLAIM_MAX);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


char *
ngx_http_missedcall_token_issuer(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_str_t                        *value;
    ngx_http_missedcall_jwt_rules_t  *rules;

    value = cf->args->elts;

    rules = ngx_http_missedcall_token_rules(cf, conf);
    if (rules == NULL) {
        return NGX_CONF_ERROR;
    }

    if (rules->iss) {
        return "is duplicate";
    }

    if (ngx_http_missedcall_token_claim(cf, cmd, &value[1]) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    rules->iss = (const char *) value[1].data;

    return NGX_CONF_OK;
}


char *
ngx_http_missedcall_token_audience(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_str_t                        *value;
    ngx_uint_t                        i;
    const char                      **aud;
    ngx_http_missedcall_jwt_rules_t  *rules;

    value = cf->args->elts;

    rules = ngx_http_missedcall_token_rules(cf, conf);
    if (rules == NULL) {
        return NGX_CONF_ERROR;
    }

    if (rules->naud) {
        return "is duplicate";
    }

    aud = ngx_palloc(cf->pool, (cf->args->nelts - 1) * sizeof(char *));
    if (aud == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        if (ngx_http_missedcall_token_claim(cf, cmd, &value[i])
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

        aud[i - 1] = (const char *) value[i].data;
    }

    rules->aud = aud;
    rules->naud = cf->args->nelts - 1;

    return NGX_CONF_OK;
}


/* a location's rules: its own, what it does not set from prev's */

void
ngx_http_missedcall_token_merge(ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev)
{
    static ngx_http_missedcall_jwt_rules_t  none = {
        NGX_HTTP_MISSEDCALL_JWT_TYP, NULL, NULL, 0
    };

    if (conf->token_rules == NULL) {
        conf->token_rules = prev->token_rules ? prev->token_rules : &none;
        return;
    }

    if (prev->token_rules == NULL) {
        return;
    }

    if (conf->token_rules->iss == NULL) {
        conf->token_rules->iss = prev->token_rules->iss;
    }

    if (conf->token_rules->naud == 0) {
        conf->token_rules->aud = prev->token_rules->aud;
        conf->token_rules->naud = prev->token_rules->naud;
    }
}


static ngx_http_missedcall_jwt_key_t *
ngx_http_missedcall_token_signer(ngx_http_missedcall_main_conf_t *mcf)
{
    ngx_uint_t                      i;
    ngx_http_missedcall_jwt_key_t  *k;

    k = mcf->keys ? mcf->keys->elts : NULL;

    for (i = 0; k && i < mcf->keys->nelts; i++) {
        if (!k[i].verify_only) {
            return &k[i];
        }
    }

    return NULL;
}


/* the verify endpoint signs: "nginx -t" wants a key that can */

char *
ngx_http_missedcall_token_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);

    if (ngx_http_missedcall_token_signer(mcf) == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" requires a \"missedcall_token_key\" "
                           "that is not verify_only", &lcf->endpoint->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * Signs a token for claims->sub with the first key that signs: a new jti,
 * issued now, valid for the location's ttl, with its issuer and audiences.
 */

ngx_int_t
ngx_http_missedcall_token_issue(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_http_missedcall_loc_conf_t *lcf,
    ngx_http_missedcall_jwt_claims_t *claims, ngx_str_t *token)
{
    ngx_http_missedcall_jwt_key_t  *key;

    key = ngx_http_missedcall_token_signer(mcf);
    token->data = ngx_pnalloc(pool, NGX_HTTP_MISSEDCALL_TOKEN_MAX);

    if (key == NULL || token->data == NULL
        || ngx_http_missedcall_uuid((u_char *) claims->jti) != NGX_OK)
    {
        return NGX_ERROR;
    }

    claims->iat = ngx_time();
    claims->exp = claims->iat + lcf->token_ttl;

    token->len = ngx_http_missedcall_jwt_sign(key, claims, lcf->token_rules,
                                              (char *) token->data,
                                              NGX_HTTP_MISSEDCALL_TOKEN_MAX);

    return token->len ? NGX_OK : NGX_ERROR;
}
