
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Abuse protection before a call is reserved: app signatures, countries,
 * and the keys of the velocity limits the reserve script counts.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_keys.h"


/* the refusal of each limit, indexed by the script's answer: resend is 0 */
static char  *ngx_http_missedcall_limit_errors[][2] = {
    { "resend_too_soon", "a call to this number was placed moments ago" },
    { "limit_phone", "too many calls to this number, try again later" },
    { "limit_ip", "too many calls from this address, try again later" },
    { "limit_prefix", "too many calls to these numbers, try again later" },
    { "limit_global", "the service places no more calls for now" }
};


/*
 * Every configured signature is compared, each as a 32-byte digest: no
 * early exit, so timing says nothing of which one came close.
 */

ngx_uint_t
ngx_http_missedcall_signature_ok(ngx_http_request_t *r,
    ngx_http_missedcall_body_t *body)
{
    u_char                          *sig, digest[SHA256_DIGEST_LENGTH];
    ngx_uint_t                       i, match;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (lcf->signatures == NULL) {
        return 1;
    }

    if (!body->present[NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE]) {
        return !lcf->signature_required;
    }

    SHA256((u_char *) body->value[NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE],
           body->len[NGX_HTTP_MISSEDCALL_F_APP_SIGNATURE], digest);

    match = 0;
    sig = lcf->signatures->elts;

    for (i = 0; i < lcf->signatures->nelts; i++) {
        match |= (CRYPTO_memcmp(digest, sig + i * SHA256_DIGEST_LENGTH,
                                SHA256_DIGEST_LENGTH) == 0);
    }

    return match;
}


/* E.164 calling codes, matched as prefixes of the number's digits */

ngx_uint_t
ngx_http_missedcall_country_ok(ngx_http_request_t *r, ngx_str_t *phone)
{
    ngx_str_t                       *code;
    ngx_uint_t                       i, found;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (lcf->countries == NULL) {
        return 1;
    }

    found = 0;
    code = lcf->countries->elts;

    for (i = 0; i < lcf->countries->nelts; i++) {
        if (phone->len > code[i].len
            && ngx_strncmp(phone->data + 1, code[i].data, code[i].len) == 0)
        {
            found = 1;
        }
    }

    return found == lcf->countries_allow;
}


/* <prefix>limit:<kind>:<id>, one per configured limit */

ngx_int_t
ngx_http_missedcall_limit_keys(ngx_http_missedcall_op_t *op, ngx_str_t *keys)
{
    u_char                       *p;
    ngx_str_t                     id;
    ngx_uint_t                    i;
    ngx_http_missedcall_limit_t  *limit;

    static char  *kinds[] = { "phone:", "ip:", "prefix:", "global:" };

    if (op->lcf->limits == NULL) {
        return NGX_OK;
    }

    limit = op->lcf->limits->elts;

    for (i = 0; i < op->lcf->limits->nelts; i++) {
        p = ngx_pnalloc(op->pool, sizeof("prefix:") + op->phone.len
                                  + op->addr.len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        id.data = p;
        p = ngx_cpymem(p, kinds[limit[i].kind],
                       ngx_strlen(kinds[limit[i].kind]));

        switch (limit[i].kind) {

        case NGX_HTTP_MISSEDCALL_LIMIT_PHONE:
            p = ngx_cpymem(p, op->phone.data, op->phone.len);
            break;

        case NGX_HTTP_MISSEDCALL_LIMIT_IP:
            p = ngx_cpymem(p, op->addr.data, op->addr.len);
            break;

        case NGX_HTTP_MISSEDCALL_LIMIT_PREFIX:
            p = ngx_cpymem(p, op->phone.data,
                           ngx_min(op->phone.len, 1 + limit[i].digits));
            break;

        default: /* NGX_HTTP_MISSEDCALL_LIMIT_GLOBAL */
            break;
        }

        id.len = p - id.data;

        keys[i].data = ngx_pnalloc(op->pool, op->mcf->prefix.len
                                   + NGX_HTTP_MISSEDCALL_KEY_NAME_MAX
                                   + id.len);
        if (keys[i].data == NULL) {
            return NGX_ERROR;
        }

        keys[i].len = ngx_http_missedcall_key(keys[i].data,
                                              op->mcf->prefix.len
                                              + NGX_HTTP_MISSEDCALL_KEY_NAME_MAX
                                              + id.len,
                                              op->mcf->prefix.data,
                                              op->mcf->prefix.len,
                                              NGX_HTTP_MISSEDCALL_KEY_LIMIT,
                                              id.data, id.len);
    }

    return NGX_OK;
}


/* the script said which limit refused: 0 the resend rule, i the i-th */

void
ngx_http_missedcall_limited(ngx_http_missedcall_op_t *op, ngx_uint_t which,
    int64_t pttl)
{
    ngx_uint_t                    kind;
    ngx_http_missedcall_limit_t  *limit;

    kind = 0;

    if (which && op->lcf->limits && which <= op->lcf->limits->nelts) {
        limit = op->lcf->limits->elts;
        kind = limit[which - 1].kind + 1;
    }

    ngx_log_error(NGX_LOG_INFO, op->log, 0,
                  "missedcall: request for %V refused by %s",
                  &op->phone, ngx_http_missedcall_limit_errors[kind][0]);

    ngx_http_missedcall_op_fail(op, NGX_HTTP_TOO_MANY_REQUESTS,
                                ngx_http_missedcall_limit_errors[kind][0],
                                ngx_http_missedcall_limit_errors[kind][1]);

    op->retry_after = (pttl > 0) ? (time_t) ((pttl + 999) / 1000) : 1;
}
