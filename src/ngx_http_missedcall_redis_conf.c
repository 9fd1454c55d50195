
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The missedcall_redis* directives: where the session store is, and how
 * its keys are named.  Addresses are resolved here, once, since hiredis
 * would resolve a name blocking.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"


static char *ngx_http_missedcall_redis_addr(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *value, in_port_t default_port,
    ngx_http_missedcall_redis_addr_t *a);
static char *ngx_http_missedcall_prefix_check(ngx_conf_t *cf, void *post,
    void *data);


ngx_conf_post_t  ngx_http_missedcall_prefix_post = {
    ngx_http_missedcall_prefix_check
};


char *
ngx_http_missedcall_redis_server(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_str_t                         *value;
    ngx_http_missedcall_redis_addr_t   a;

    if (ngx_http_missedcall_redis_configured(&mcf->redis)) {
        return "is duplicate, or goes with \"missedcall_redis_sentinel\"";
    }

    value = cf->args->elts;

    if (ngx_http_missedcall_redis_addr(cf, &cmd->name, &value[1], 6379, &a)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    mcf->redis.addr = a.addr;
    mcf->redis.port = a.port;

    return NGX_CONF_OK;
}


/* missedcall_redis_sentinel <master name> <address> ...; */

char *
ngx_http_missedcall_redis_sentinel(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_str_t                         *value;
    ngx_uint_t                         i;
    ngx_http_missedcall_redis_addr_t  *a;

    if (ngx_http_missedcall_redis_configured(&mcf->redis)) {
        return "is duplicate, or goes with \"missedcall_redis\"";
    }

    value = cf->args->elts;

    mcf->redis.master = value[1];
    mcf->redis.sentinels = ngx_array_create(cf->pool, cf->args->nelts - 2,
                                    sizeof(ngx_http_missedcall_redis_addr_t));
    if (mcf->redis.sentinels == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        a = ngx_array_push(mcf->redis.sentinels);
        if (a == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_missedcall_redis_addr(cf, &cmd->name, &value[i], 26379,
                                           a)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

        if (a->port == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": sentinels are reached over TCP",
                               &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* missedcall_redis_wait <replicas> <timeout>; */

char *
ngx_http_missedcall_redis_wait(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (mcf->redis.wait) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);
    if (n == NGX_ERROR || n < 1 || n > 16) {
        return "needs 1 to 16 replicas";
    }

    mcf->redis.wait = (ngx_uint_t) n;
    mcf->redis.wait_timeout = ngx_parse_time(&value[2], 0);

    if (mcf->redis.wait_timeout == (ngx_msec_t) NGX_ERROR
        || mcf->redis.wait_timeout == 0)
    {
        return "needs a timeout, such as 100ms";
    }

    return NGX_CONF_OK;
}


/* an address, resolved here, once: hiredis would resolve names blocking */

static char *
ngx_http_missedcall_redis_addr(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *value, in_port_t default_port,
    ngx_http_missedcall_redis_addr_t *a)
{
    u_char     *p;
    ngx_url_t   u;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = *value;
    u.default_port = default_port;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": %s in \"%V\"",
                           name, u.err ? u.err : "invalid address", value);
        return NGX_CONF_ERROR;
    }

    if (u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": no address for \"%V\"", name, value);
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    if (u.family == AF_UNIX) {
        /* "unix:/path": the path follows the scheme */
        a->addr.len = u.url.len - 5;
        ngx_memcpy(p, u.url.data + 5, a->addr.len);
        a->port = 0;

    } else {
        a->addr.len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen,
                                    p, NGX_SOCKADDR_STRLEN, 0);
        a->port = ngx_inet_get_port(u.addrs[0].sockaddr);

        /* "[::1]" as printed; hiredis wants the bare address */
        if (p[0] == '[') {
            a->addr.len -= 2;
            ngx_memmove(p, p + 1, a->addr.len);
        }
    }

    p[a->addr.len] = '\0';
    a->addr.data = p;

    return NGX_CONF_OK;
}


char *
ngx_http_missedcall_redis_password_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_main_conf_t *mcf = conf;

    ngx_str_t  *value;

    if (mcf->redis.password.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                         NGX_HTTP_MISSEDCALL_SECRET_MAX,
                                         &mcf->redis.password);
}


/*
 * Every key of the module shares the prefix's hash tag, so that a Lua
 * script touching several of them runs on one Redis Cluster slot.
 */

static char *
ngx_http_missedcall_prefix_check(ngx_conf_t *cf, void *post, void *data)
{
    ngx_str_t  *prefix = data;

    u_char  *open, *close;

    open = ngx_strlchr(prefix->data, prefix->data + prefix->len, '{');
    close = open ? ngx_strlchr(open, prefix->data + prefix->len, '}') : NULL;

    if (close == NULL || close == open + 1) {
        return "needs a hash tag, such as \"{missedcall}:\"";
    }

    return NGX_CONF_OK;
}
