
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Abuse protection before a call is reserved: app signatures, countries,
 * and the keys of the velocity limits the reserve script counts; and the
 * directives that configure them.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_keys.h"
#include "ngx_http_missedcall_phone.h"


/* the refusal of each limit, indexed by the script's answer: resend is 0 */
static char  *ngx_http_missedcall_limit_errors[][2] = {
    { "resend_too_soon", "a call to this number was placed moments ago" },
    { "limit_phone", "too many calls to this number, try again later" },
    { "limit_ip", "too many calls from this address, try again later" },
    { "limit_prefix", "too many calls to these numbers, try again later" },
    { "limit_global", "the service places no more calls for now" },
    { "limit_sms", "the service sends no more text messages for now" }
};


/*
 * Without any missedcall_limit line: what one person verifying a phone
 * never meets (a retry or two, a new phone, an office behind one NAT),
 * while a script gets few calls a day from a phone or an address.
 */
static ngx_http_missedcall_limit_t  ngx_http_missedcall_limit_defaults[] = {
    { NGX_HTTP_MISSEDCALL_LIMIT_PHONE, 5, 3600000, 0 },
    { NGX_HTTP_MISSEDCALL_LIMIT_PHONE, 10, 86400000, 0 },
    { NGX_HTTP_MISSEDCALL_LIMIT_IP, 20, 3600000, 0 }
};

/* a phone asks for a second call no sooner than this by default */
#define NGX_HTTP_MISSEDCALL_RESEND_DEFAULT  30000

/* a site or a home gets a /64; a whole /64 is one client */
#define NGX_HTTP_MISSEDCALL_IPV6_PREFIX_DEFAULT  64


static char *ngx_http_missedcall_signature_add(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, u_char *sig, size_t len);


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


/*
 * <prefix>limit:<kind>:<window ms>[:<id>], one per configured limit: the
 * window is in the key, so "phone 3/10m" and "phone 10/1d" count apart
 */

ngx_int_t
ngx_http_missedcall_limit_keys(ngx_http_missedcall_op_t *op, ngx_str_t *keys)
{
    size_t                        size;
    ngx_str_t                     id;
    ngx_uint_t                    i;
    ngx_http_missedcall_limit_t  *limit;

    static char  *kinds[] = { "phone", "ip", "prefix", "global", "sms" };

    if (op->lcf->limits == NULL) {
        return NGX_OK;
    }

    limit = op->lcf->limits->elts;

    for (i = 0; i < op->lcf->limits->nelts; i++) {

        switch (limit[i].kind) {

        case NGX_HTTP_MISSEDCALL_LIMIT_PHONE:
            id = op->phone;
            break;

        case NGX_HTTP_MISSEDCALL_LIMIT_IP:
            id = op->addr;
            break;

        case NGX_HTTP_MISSEDCALL_LIMIT_PREFIX:
            id.data = op->phone.data;
            id.len = ngx_min(op->phone.len, 1 + limit[i].digits);
            break;

        default: /* NGX_HTTP_MISSEDCALL_LIMIT_GLOBAL, _SMS */
            ngx_str_null(&id);
            break;
        }

        size = op->mcf->prefix.len + sizeof("limit:prefix::") - 1
               + NGX_INT64_LEN + id.len;

        keys[i].data = ngx_pnalloc(op->pool, size);
        if (keys[i].data == NULL) {
            return NGX_ERROR;
        }

        keys[i].len = ngx_http_missedcall_limit_key(keys[i].data, size,
                                                    op->mcf->prefix.data,
                                                    op->mcf->prefix.len,
                                                    kinds[limit[i].kind],
                                                    limit[i].window,
                                                    id.data, id.len);
        if (keys[i].len == 0) {
            return NGX_ERROR;
        }
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


/*
 * Past the phone's failure budget: no call is placed and no guess
 * compared until the window ends, whoever asks.
 */

void
ngx_http_missedcall_locked(ngx_http_missedcall_op_t *op, int64_t pttl)
{
    ngx_log_error(NGX_LOG_WARN, op->log, 0,
                  "missedcall: session %V refused: its phone is locked out "
                  "by wrong caller ids", &op->sid);

    ngx_http_missedcall_op_fail(op, NGX_HTTP_TOO_MANY_REQUESTS,
                                "too_many_failures",
                                "too many wrong caller ids for this number, "
                                "try again later");

    op->retry_after = (pttl > 0) ? (time_t) ((pttl + 999) / 1000) : 1;
}


/*
 * missedcall_limit phone|ip|prefix|global|sms <count>/<window> [<digits>];
 * missedcall_limit off;
 */

char *
ngx_http_missedcall_limit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    u_char                       *slash;
    ngx_int_t                     n;
    ngx_str_t                    *value, window;
    ngx_uint_t                    i;
    ngx_http_missedcall_limit_t  *limit, *other;

    static char  *kinds[] = { "phone", "ip", "prefix", "global", "sms",
                              NULL };

    value = cf->args->elts;

    /* "off" and limits in one context: which one was meant is unclear */
    if (lcf->limits == NULL
        || (ngx_strcmp(value[1].data, "off") == 0
            && (cf->args->nelts != 2 || lcf->limits != NGX_CONF_UNSET_PTR)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V off\" cannot be combined with other "
                           "\"%V\" lines in one context",
                           &cmd->name, &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_strcmp(value[1].data, "off") == 0) {
        lcf->limits = NULL;
        return NGX_CONF_OK;
    }

    if (cf->args->nelts == 2) {
        return "takes a kind and calls per window, or \"off\"";
    }

    if (lcf->limits == NGX_CONF_UNSET_PTR) {
        lcf->limits = ngx_array_create(cf->pool, 4,
                                       sizeof(ngx_http_missedcall_limit_t));
        if (lcf->limits == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    limit = ngx_array_push(lcf->limits);
    if (limit == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 0; kinds[i]; i++) {
        if (ngx_strcmp(value[1].data, kinds[i]) == 0) {
            break;
        }
    }

    if (kinds[i] == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": unknown limit \"%V\", \"phone\", "
                           "\"ip\", \"prefix\", \"global\" or \"sms\" is "
                           "wanted",
                           &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    limit->kind = i;

    slash = ngx_strlchr(value[2].data, value[2].data + value[2].len, '/');
    n = slash ? ngx_atoi(value[2].data, slash - value[2].data) : NGX_ERROR;

    if (slash) {
        window.data = slash + 1;
        window.len = value[2].data + value[2].len - window.data;
        limit->window = ngx_parse_time(&window, 0);
    }

    if (n <= 0 || limit->window == (ngx_msec_t) NGX_ERROR
        || limit->window < 1000)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid \"%V\", calls per window such "
                           "as \"5/1h\" are wanted (a window of 1s or more)",
                           &cmd->name, &value[2]);
        return NGX_CONF_ERROR;
    }

    limit->count = n;
    limit->digits = 0;

    if (limit->kind == NGX_HTTP_MISSEDCALL_LIMIT_PREFIX) {
        n = (cf->args->nelts == 4) ? ngx_atoi(value[3].data, value[3].len)
                                   : NGX_ERROR;

        if (n < 1 || n > NGX_HTTP_MISSEDCALL_E164_MAX) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"prefix\" takes the number of "
                               "leading digits counted together, 1 to %d",
                               &cmd->name, NGX_HTTP_MISSEDCALL_E164_MAX);
            return NGX_CONF_ERROR;
        }

        limit->digits = n;

    } else if (cf->args->nelts == 4) {
        return "takes a digit count for \"prefix\" only";
    }

    /* two limits in one counter would each count every call twice */
    other = lcf->limits->elts;

    for (i = 0; i < lcf->limits->nelts - 1; i++) {
        if (other[i].kind == limit->kind && other[i].window == limit->window
            && other[i].digits == limit->digits)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": a second \"%V\" limit with the "
                               "window of \"%V\", one count per window is "
                               "wanted", &cmd->name, &value[1], &value[2]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* missedcall_resend <time> | 0 | off; */

char *
ngx_http_missedcall_resend(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_str_t  *value;

    if (lcf->resend != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        lcf->resend = 0;
        return NGX_CONF_OK;
    }

    lcf->resend = ngx_parse_time(&value[1], 0);

    if (lcf->resend == (ngx_msec_t) NGX_ERROR) {
        return "takes a time such as \"30s\", or \"off\"";
    }

    return NGX_CONF_OK;
}


/* the limits and the resend rule a location inherits, or the defaults */

char *
ngx_http_missedcall_limit_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev)
{
    ngx_uint_t  n;

    if (conf->limits == NGX_CONF_UNSET_PTR) {
        conf->limits = prev->limits;
    }

    if (conf->limits == NGX_CONF_UNSET_PTR) {
        n = sizeof(ngx_http_missedcall_limit_defaults)
            / sizeof(ngx_http_missedcall_limit_t);

        conf->limits = ngx_array_create(cf->pool, n,
                                        sizeof(ngx_http_missedcall_limit_t));
        if (conf->limits == NULL) {
            return NGX_CONF_ERROR;
        }

        conf->limits->nelts = n;
        ngx_memcpy(conf->limits->elts, ngx_http_missedcall_limit_defaults,
                   sizeof(ngx_http_missedcall_limit_defaults));
    }

    ngx_conf_merge_msec_value(conf->resend, prev->resend,
                              NGX_HTTP_MISSEDCALL_RESEND_DEFAULT);
    ngx_conf_merge_uint_value(conf->ipv6_prefix, prev->ipv6_prefix,
                              NGX_HTTP_MISSEDCALL_IPV6_PREFIX_DEFAULT);

    return NGX_CONF_OK;
}


/*
 * The client as "ip" limits count it: an IPv4 address (also mapped in
 * IPv6), or the IPv6 prefix of missedcall_limit_ipv6_prefix bits, as
 * "2001:db8:1:2::/64": one host holds a /64 or more, and would otherwise
 * hold 2^64 budgets.  After realip, the address it presents.
 */

ngx_int_t
ngx_http_missedcall_limit_addr(ngx_http_request_t *r,
    ngx_http_missedcall_op_t *op)
{
#if (NGX_HAVE_INET6)
    u_char                *p, addr[16];
    ngx_uint_t             i, bits;
    struct sockaddr_in6   *sin6;
    struct sockaddr_in     sin;

    if (r->connection->sockaddr->sa_family == AF_INET6) {
        sin6 = (struct sockaddr_in6 *) r->connection->sockaddr;
        ngx_memcpy(addr, sin6->sin6_addr.s6_addr, 16);

        p = ngx_pnalloc(op->pool, NGX_INET6_ADDRSTRLEN + sizeof("/128"));
        if (p == NULL) {
            return NGX_ERROR;
        }

        op->addr.data = p;

        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            ngx_memzero(&sin, sizeof(struct sockaddr_in));
            sin.sin_family = AF_INET;
            ngx_memcpy(&sin.sin_addr, addr + 12, 4);

            op->addr.len = ngx_sock_ntop((struct sockaddr *) &sin,
                                         sizeof(struct sockaddr_in), p,
                                         NGX_INET6_ADDRSTRLEN, 0);
            return NGX_OK;
        }

        bits = op->lcf->ipv6_prefix;

        for (i = 0; i < 16; i++) {
            if (bits >= 8) {
                bits -= 8;

            } else {
                addr[i] &= (u_char) (0xff00 >> bits);
                bits = 0;
            }
        }

        p += ngx_inet6_ntop(addr, p, NGX_INET6_ADDRSTRLEN);
        p = ngx_sprintf(p, "/%ui", op->lcf->ipv6_prefix);
        op->addr.len = p - op->addr.data;

        return NGX_OK;
    }
#endif

    op->addr.len = r->connection->addr_text.len;
    op->addr.data = ngx_pstrdup(op->pool, &r->connection->addr_text);

    return (op->addr.data == NULL) ? NGX_ERROR : NGX_OK;
}


/* missedcall_countries allow|deny <calling code> ...; */

char *
ngx_http_missedcall_countries(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_str_t   *value, *code;
    ngx_uint_t   i, j;

    if (lcf->countries != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "allow") == 0) {
        lcf->countries_allow = 1;

    } else if (ngx_strcmp(value[1].data, "deny") == 0) {
        lcf->countries_allow = 0;

    } else {
        return "takes \"allow\" or \"deny\", then calling codes";
    }

    lcf->countries = ngx_array_create(cf->pool, cf->args->nelts,
                                      sizeof(ngx_str_t));
    if (lcf->countries == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        for (j = 0; j < value[i].len; j++) {
            if (value[i].data[j] < '0' || value[i].data[j] > '9') {
                break;
            }
        }

        if (value[i].len == 0 || value[i].len > 3 || j != value[i].len
            || value[i].data[0] == '0')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is not a calling code such "
                               "as \"1\" or \"44\"", &cmd->name, &value[i]);
            return NGX_CONF_ERROR;
        }

        code = ngx_array_push(lcf->countries);
        if (code == NULL) {
            return NGX_CONF_ERROR;
        }

        *code = value[i];
    }

    return NGX_CONF_OK;
}


char *
ngx_http_missedcall_app_signature(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char        *rv;
    ngx_str_t   *value;
    ngx_uint_t   i;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        rv = ngx_http_missedcall_signature_add(cf, conf, value[i].data,
                                               value[i].len);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


/* one signature a line; blank lines and "#" comments are skipped */

char *
ngx_http_missedcall_app_signature_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char       *rv;
    u_char     *p, *last;
    ngx_str_t  *value, text, line;

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1], 1024 * 1024,
                                       &text);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    p = text.data;
    last = text.data + text.len;

    while (ngx_http_missedcall_next_line(&p, last, &line)) {
        rv = ngx_http_missedcall_signature_add(cf, conf, line.data, line.len);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


/*
 * Kept as SHA-256 digests, so that every comparison is of 32 bytes and
 * takes the same time whatever the signature's length.
 */

static char *
ngx_http_missedcall_signature_add(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, u_char *sig, size_t len)
{
    u_char  *digest;

    if (lcf->signatures == NGX_CONF_UNSET_PTR) {
        lcf->signatures = ngx_array_create(cf->pool, 4, SHA256_DIGEST_LENGTH);
        if (lcf->signatures == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    digest = ngx_array_push(lcf->signatures);
    if (digest == NULL) {
        return NGX_CONF_ERROR;
    }

    SHA256(sig, len, digest);

    return NGX_CONF_OK;
}
