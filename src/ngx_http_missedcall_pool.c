
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The caller number pool lives in Redis, so that every node draws from the
 * same one.  The configuration seeds it: each new connection adds the
 * configured numbers Redis does not know yet.  From then on the admin API
 * owns a number: disabling or removing it there sticks, whatever the
 * configuration says, and a removed number stays known as "removed".
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_keys.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_scripts.h"


#define NGX_HTTP_MISSEDCALL_REASON_MAX  200


/* the fields "list" answers after the number, as the API names them */
static char  *ngx_http_missedcall_pool_fields[] = {
    "state", "reason", "calling_codes", "calls_placed", "verified",
    "failed", "consecutive_failures", "last_used"
};


typedef enum {
    NGX_HTTP_MISSEDCALL_ADMIN_LIST = 0,
    NGX_HTTP_MISSEDCALL_ADMIN_ADD,
    NGX_HTTP_MISSEDCALL_ADMIN_REMOVE,
    NGX_HTTP_MISSEDCALL_ADMIN_DISABLE,
    NGX_HTTP_MISSEDCALL_ADMIN_ENABLE
} ngx_http_missedcall_admin_e;


static char  *ngx_http_missedcall_admin_ops[] = {
    "list", "add", "remove", "disable", "enable"
};


static void ngx_http_missedcall_pool_seeded(redisReply *reply, void *data);
static char *ngx_http_missedcall_pool_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t n);
static ngx_int_t ngx_http_missedcall_admin_authorized(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_admin_route(ngx_http_request_t *r,
    ngx_str_t *number);
static void ngx_http_missedcall_admin_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_admin_start(ngx_http_request_t *r,
    ngx_http_missedcall_admin_e what, ngx_str_t *number, ngx_str_t *arg);
static void ngx_http_missedcall_admin_done(redisReply *reply, void *data);
static void ngx_http_missedcall_admin_list(ngx_http_missedcall_op_t *op,
    redisReply *reply);
static json_t *ngx_http_missedcall_admin_field(size_t j, u_char *p,
    size_t len);
static ngx_int_t ngx_http_missedcall_pool_argv(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_str_t *argv);


void
ngx_http_missedcall_pool_sync(void)
{
    ngx_str_t                        *argv, *args;
    ngx_uint_t                        i, n;
    ngx_pool_t                       *pool;
    ngx_http_missedcall_number_t     *number;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                              ngx_http_missedcall_module);

    if (mcf->pool == NULL) {
        return;
    }

    /* the adapter copies argv: a scratch pool is enough */
    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        return;
    }

    n = NGX_HTTP_MISSEDCALL_SEED_KEYS + NGX_HTTP_MISSEDCALL_SEED_ARGS
        + 2 * mcf->pool->nelts;

    argv = ngx_palloc(pool, n * sizeof(ngx_str_t));

    if (argv == NULL
        || ngx_http_missedcall_pool_argv(pool, mcf, argv) != NGX_OK)
    {
        ngx_destroy_pool(pool);
        return;
    }

    number = mcf->pool->elts;
    args = argv + NGX_HTTP_MISSEDCALL_SEED_KEYS;

    for (i = 0; i < mcf->pool->nelts; i++) {
        args[NGX_HTTP_MISSEDCALL_SEED_ARG_NUMBERS + 2 * i] = number[i].number;
        args[NGX_HTTP_MISSEDCALL_SEED_ARG_NUMBERS + 2 * i + 1] =
                                                             number[i].codes;
    }

    (void) ngx_http_missedcall_redis_eval(&ngx_http_missedcall_script_seed,
                                          NGX_HTTP_MISSEDCALL_SEED_KEYS, n,
                                          argv,
                                          ngx_http_missedcall_pool_seeded,
                                          NULL);

    ngx_destroy_pool(pool);
}


static void
ngx_http_missedcall_pool_seeded(redisReply *reply, void *data)
{
    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "missedcall: %L caller numbers added to the pool",
                      (int64_t) reply->integer);
    }
}


/*
 * The keys and key prefixes both scripts take first: admin's header names
 * the same ones as seed's, in the same order.
 */

static ngx_int_t
ngx_http_missedcall_pool_argv(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_str_t *argv)
{
    ngx_str_t  *args;

    static ngx_str_t  none = ngx_null_string;

    args = argv + NGX_HTTP_MISSEDCALL_SEED_KEYS;

    if (ngx_http_missedcall_key_alloc(pool, mcf, NGX_HTTP_MISSEDCALL_KEY_POOL,
                              NULL, &argv[NGX_HTTP_MISSEDCALL_SEED_KEY_POOL])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_POOL_ALL, NULL,
                          &argv[NGX_HTTP_MISSEDCALL_SEED_KEY_NUMBERS])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_NUMBER, &none,
                          &args[NGX_HTTP_MISSEDCALL_SEED_ARG_NUMBER_PREFIX])
           != NGX_OK
        || ngx_http_missedcall_key_alloc(pool, mcf,
                          NGX_HTTP_MISSEDCALL_KEY_POOL_CODE, &none,
                          &args[NGX_HTTP_MISSEDCALL_SEED_ARG_CODE_PREFIX])
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * The admin API, under the location's URI:
 *   GET    .../numbers                   the pool and its figures
 *   POST   .../numbers                   {"number", "calling_codes"}: add
 *   DELETE .../numbers/<e164>            remove
 *   POST   .../numbers/<e164>/disable    {"reason"} optional
 *   POST   .../numbers/<e164>/enable
 */

ngx_int_t
ngx_http_missedcall_admin_handler(ngx_http_request_t *r)
{
    ngx_int_t   rc, route;
    ngx_str_t   number, none;

    if (r != r->main) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (ngx_http_missedcall_admin_authorized(r) != NGX_OK) {
        if (ngx_http_discard_request_body(r) != NGX_OK
            || ngx_http_missedcall_add_header(r, "WWW-Authenticate",
                                              "Bearer") == NULL)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_missedcall_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                              "unauthorized",
                                              "a valid bearer token is "
                                              "required");
    }

    route = ngx_http_missedcall_admin_route(r, &number);

    if (route == NGX_DECLINED) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_missedcall_send_error(r, NGX_HTTP_NOT_FOUND,
                                              "not_found",
                                              "no such resource");
    }

    if (route == NGX_HTTP_MISSEDCALL_ADMIN_LIST) {
        if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_POST))) {
            return ngx_http_missedcall_not_allowed(r, "GET, HEAD, POST");
        }

        if (r->method & NGX_HTTP_POST) {
            return ngx_http_missedcall_read_body(r,
                                             ngx_http_missedcall_admin_body);
        }

    } else if (route == NGX_HTTP_MISSEDCALL_ADMIN_REMOVE) {
        if (!(r->method & NGX_HTTP_DELETE)) {
            return ngx_http_missedcall_not_allowed(r, "DELETE");
        }

    } else {
        /* disable and enable take a body, for the reason */
        return ngx_http_missedcall_read_body(r,
                                             ngx_http_missedcall_admin_body);
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_str_set(&none, "removed with the admin API");

    rc = ngx_http_missedcall_admin_start(r, route, &number, &none);
    if (rc != NGX_OK) {
        return rc;
    }

    /* from here on the op finalizes the request */
    r->main->count++;

    return NGX_DONE;
}


/* the bearer token, compared by digest in constant time */

static ngx_int_t
ngx_http_missedcall_admin_authorized(ngx_http_request_t *r)
{
    u_char                           md[SHA256_DIGEST_LENGTH];
    ngx_str_t                        token;
    ngx_table_elt_t                 *h;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);
    h = r->headers_in.authorization;

    if (h == NULL || h->value.len <= sizeof("Bearer ") - 1
        || ngx_strncasecmp(h->value.data, (u_char *) "Bearer ",
                           sizeof("Bearer ") - 1) != 0)
    {
        return NGX_DECLINED;
    }

    token.data = h->value.data + sizeof("Bearer ") - 1;
    token.len = h->value.len - (sizeof("Bearer ") - 1);

    SHA256(token.data, token.len, md);

    if (CRYPTO_memcmp(md, lcf->admin_token, SHA256_DIGEST_LENGTH) != 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "missedcall admin: wrong bearer token");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* which resource the URI names, from its end; the number, if any */

static ngx_int_t
ngx_http_missedcall_admin_route(ngx_http_request_t *r, ngx_str_t *number)
{
    u_char      *p, *last;
    ngx_str_t    seg[3];
    ngx_uint_t   n;

    last = r->uri.data + r->uri.len;

    if (last > r->uri.data && last[-1] == '/') {
        last--;
    }

    /* up to three segments, the last first */
    for (n = 0; n < 3 && last > r->uri.data; n++) {
        for (p = last; p > r->uri.data && p[-1] != '/'; p--) { /* void */ }

        seg[n].data = p;
        seg[n].len = last - p;
        last = p - 1;
    }

    ngx_str_null(number);

    if (n >= 1 && seg[0].len == 7
        && ngx_strncmp(seg[0].data, "numbers", 7) == 0)
    {
        return NGX_HTTP_MISSEDCALL_ADMIN_LIST;
    }

    if (n >= 2 && seg[1].len == 7
        && ngx_strncmp(seg[1].data, "numbers", 7) == 0)
    {
        *number = seg[0];
        return NGX_HTTP_MISSEDCALL_ADMIN_REMOVE;
    }

    if (n == 3 && seg[2].len == 7
        && ngx_strncmp(seg[2].data, "numbers", 7) == 0)
    {
        *number = seg[1];

        if (seg[0].len == 7 && ngx_strncmp(seg[0].data, "disable", 7) == 0) {
            return NGX_HTTP_MISSEDCALL_ADMIN_DISABLE;
        }

        if (seg[0].len == 6 && ngx_strncmp(seg[0].data, "enable", 6) == 0) {
            return NGX_HTTP_MISSEDCALL_ADMIN_ENABLE;
        }
    }

    return NGX_DECLINED;
}


static void
ngx_http_missedcall_admin_body(ngx_http_request_t *r)
{
    size_t         i, len;
    json_t        *json, *v, *code;
    ngx_int_t      rc, route;
    ngx_str_t      raw, number, arg;
    const char    *s;
    json_error_t   err;

    route = ngx_http_missedcall_admin_route(r, &number);

    rc = ngx_http_missedcall_body(r, &raw);

    if (rc == NGX_DECLINED) {
        ngx_http_finalize_request(r, ngx_http_missedcall_too_large(r));
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    json = NULL;

    if (raw.len) {
        json = json_loadb((char *) raw.data, raw.len,
                          JSON_REJECT_DUPLICATES, &err);

        if (!json_is_object(json)) {
            json_decref(json);
            ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                      NGX_HTTP_BAD_REQUEST, "invalid_json",
                                      "the body must be a JSON object"));
            return;
        }
    }

    ngx_str_null(&arg);
    rc = NGX_OK;

    if (route == NGX_HTTP_MISSEDCALL_ADMIN_LIST) {
        /* adding: {"number": "+E164", "calling_codes": ["44", ...]} */
        route = NGX_HTTP_MISSEDCALL_ADMIN_ADD;

        v = json_object_get(json, "number");
        s = json_string_value(v);

        if (s == NULL) {
            rc = NGX_DECLINED;

        } else {
            number.data = (u_char *) s;
            number.len = json_string_length(v);
        }

        v = json_object_get(json, "calling_codes");
        len = json_array_size(v);

        arg.data = ngx_pnalloc(r->pool, NGX_HTTP_MISSEDCALL_CODES_LEN);
        if (arg.data == NULL) {
            json_decref(json);
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        if (v && !json_is_array(v)) {
            rc = NGX_DECLINED;
        }

        for (i = 0; rc == NGX_OK && i < len; i++) {
            code = json_array_get(v, i);

            if (!json_is_string(code)
                || arg.len + json_string_length(code) + 1
                   > NGX_HTTP_MISSEDCALL_CODES_LEN)
            {
                rc = NGX_DECLINED;
                break;
            }

            if (arg.len) {
                arg.data[arg.len++] = ',';
            }

            arg.len = ngx_cpymem(arg.data + arg.len,
                                 json_string_value(code),
                                 json_string_length(code))
                      - arg.data;
        }

        if (rc == NGX_OK && arg.len
            && !ngx_http_missedcall_calling_codes_valid(arg.data, arg.len))
        {
            rc = NGX_DECLINED;
        }

        if (rc != NGX_OK) {
            json_decref(json);
            ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                      NGX_HTTP_BAD_REQUEST, "invalid_field",
                                      "\"number\" must be an E.164 number "
                                      "and \"calling_codes\" a list of up "
                                      "to 8 distinct calling codes"));
            return;
        }

    } else if (route == NGX_HTTP_MISSEDCALL_ADMIN_DISABLE) {
        v = json_object_get(json, "reason");
        s = json_string_value(v);

        if (s && json_string_length(v) <= NGX_HTTP_MISSEDCALL_REASON_MAX) {
            arg.data = (u_char *) s;
            arg.len = json_string_length(v);

        } else if (v) {
            json_decref(json);
            ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                      NGX_HTTP_BAD_REQUEST, "invalid_field",
                                      "\"reason\" must be a string of at "
                                      "most 200 bytes"));
            return;

        } else {
            ngx_str_set(&arg, "disabled with the admin API");
        }
    }

    rc = ngx_http_missedcall_admin_start(r, route, &number, &arg);

    json_decref(json);

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, rc);
    }
}


/* NGX_OK: the op answers; else a status to finalize with */

static ngx_int_t
ngx_http_missedcall_admin_start(ngx_http_request_t *r,
    ngx_http_missedcall_admin_e what, ngx_str_t *number, ngx_str_t *arg)
{
    ngx_str_t                  argv[NGX_HTTP_MISSEDCALL_ADMIN_ARGC], *args;
    ngx_http_missedcall_op_t  *op;

    if (what != NGX_HTTP_MISSEDCALL_ADMIN_LIST
        && !ngx_http_missedcall_phone_is_e164(number->data, number->len))
    {
        return ngx_http_missedcall_send_error(r, NGX_HTTP_BAD_REQUEST,
                                              "invalid_phone_number",
                                              "the number must be in E.164 "
                                              "format, such as "
                                              "\"+15550100200\"");
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    op->admin = what;

    op->phone.data = ngx_pstrdup(op->pool, number);
    op->phone.len = number->len;

    args = argv + NGX_HTTP_MISSEDCALL_ADMIN_KEYS;
    args[NGX_HTTP_MISSEDCALL_ADMIN_ARG_OP].data =
                              (u_char *) ngx_http_missedcall_admin_ops[what];
    args[NGX_HTTP_MISSEDCALL_ADMIN_ARG_OP].len =
                              ngx_strlen(ngx_http_missedcall_admin_ops[what]);
    args[NGX_HTTP_MISSEDCALL_ADMIN_ARG_NUMBER] = op->phone;
    args[NGX_HTTP_MISSEDCALL_ADMIN_ARG_ARG] = *arg;

    if ((number->len && op->phone.data == NULL)
        || ngx_http_missedcall_pool_argv(op->pool, op->mcf, argv) != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return NGX_OK;
    }

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_admin,
                                NGX_HTTP_MISSEDCALL_ADMIN_KEYS,
                                NGX_HTTP_MISSEDCALL_ADMIN_ARGC, argv,
                                ngx_http_missedcall_admin_done);

    return NGX_OK;
}


static void
ngx_http_missedcall_admin_done(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    json_t      *json;
    redisReply  *e;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    if (op->admin == NGX_HTTP_MISSEDCALL_ADMIN_LIST) {
        ngx_http_missedcall_admin_list(op, reply);
        return;
    }

    e = reply->elements ? reply->element[0] : NULL;

    if (e == NULL || e->type != REDIS_REPLY_STRING) {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    if (reply->elements == 1) {
        ngx_http_missedcall_op_error(op, NGX_HTTP_NOT_FOUND, "not_found",
                                     "the number is not in the pool");
        return;
    }

    if (reply->element[1]->type != REDIS_REPLY_STRING) {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, op->log, 0,
                  "missedcall admin: %V %s: %*s", &op->phone,
                  ngx_http_missedcall_admin_ops[op->admin],
                  (size_t) e->len, e->str);

    json = json_pack("{s:s#, s:s#, s:s#}",
                     "number", op->phone.data, (int) op->phone.len,
                     "result", e->str, (int) e->len,
                     "state", reply->element[1]->str,
                     (int) reply->element[1]->len);

    ngx_http_missedcall_op_respond(op,
                                   (e->len == 5
                                    && ngx_strncmp(e->str, "added", 5) == 0)
                                   ? NGX_HTTP_CREATED : NGX_HTTP_OK,
                                   json);
}


static void
ngx_http_missedcall_admin_list(ngx_http_missedcall_op_t *op,
    redisReply *reply)
{
    size_t       i, j;
    json_t      *json, *list, *number, *v;
    redisReply  *row, *f;

    json = json_object();
    list = json_array();

    if (json == NULL || list == NULL
        || json_object_set_new(json, "numbers", list) != 0)
    {
        json_decref(json);
        json_decref(list);
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    for (i = 0; i < reply->elements; i++) {
        row = reply->element[i];

        if (row->type != REDIS_REPLY_ARRAY || row->elements != 9) {
            goto failed;
        }

        number = json_object();
        if (number == NULL || json_array_append_new(list, number) != 0) {
            goto failed;
        }

        for (j = 0; j < row->elements; j++) {
            f = row->element[j];

            if (f->type != REDIS_REPLY_STRING) {
                goto failed;
            }

            v = ngx_http_missedcall_admin_field(j, (u_char *) f->str, f->len);

            if (json_object_set_new(number,
                                    j ? ngx_http_missedcall_pool_fields[j - 1]
                                      : "number", v)
                != 0)
            {
                goto failed;
            }
        }
    }

    ngx_http_missedcall_op_respond(op, NGX_HTTP_OK, json);
    return;

failed:

    json_decref(json);
    ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR, NULL);
}


/* field j of a listed number, as JSON; NULL: out of memory */

static json_t *
ngx_http_missedcall_admin_field(size_t j, u_char *p, size_t len)
{
    u_char     *comma, iso[sizeof("1970-01-01T00:00:00.000Z")];
    json_t     *codes;
    int64_t     ms;
    ngx_tm_t    tm;

    switch (j) {

    case 0: /* number */
    case 1: /* state */
        return json_stringn((char *) p, len);

    case 2: /* reason */
        return len ? json_stringn((char *) p, len) : json_null();

    case 3: /* "44,353" to ["44", "353"] */
        codes = json_array();

        while (codes && len) {
            comma = ngx_strlchr(p, p + len, ',');
            ms = comma ? comma - p : (int64_t) len;

            if (json_array_append_new(codes,
                                      json_stringn((char *) p, (size_t) ms)))
            {
                json_decref(codes);
                return NULL;
            }

            p += ms + (comma ? 1 : 0);
            len -= ms + (comma ? 1 : 0);
        }

        return codes;

    case 8: /* last used, ms */
        ms = len ? ngx_atoi(p, len) : 0;

        if (ms <= 0) {
            return json_null();
        }

        ngx_gmtime((time_t) (ms / 1000), &tm);
        ngx_sprintf(iso, "%4d-%02d-%02dT%02d:%02d:%02d.%03dZ%Z",
                    tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday,
                    tm.ngx_tm_hour, tm.ngx_tm_min, tm.ngx_tm_sec,
                    (int) (ms % 1000));

        return json_string((char *) iso);

    default: /* counts */
        ms = len ? ngx_atoi(p, len) : 0;

        return json_integer((json_int_t) ngx_max(ms, 0));
    }
}


/* missedcall_pool <e164> ... [codes=<code>,...]; */

char *
ngx_http_missedcall_pool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    return ngx_http_missedcall_pool_add(cf, &cmd->name,
                                        (ngx_str_t *) cf->args->elts + 1,
                                        cf->args->nelts - 1);
}


/* the same arguments, a line at a time; "#" comments */

char *
ngx_http_missedcall_pool_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char        *rv;
    u_char      *p, *last;
    ngx_str_t   *value, text, line, args[16];
    ngx_uint_t   n;

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                       1024 * 1024, &text);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    p = text.data;
    last = text.data + text.len;

    while (ngx_http_missedcall_next_line(&p, last, &line)) {

        for (n = 0; line.len; n++) {
            if (n == 16) {
                return "has a line of more than 16 words";
            }

            args[n].data = line.data;

            while (line.len && line.data[0] != ' ' && line.data[0] != '\t') {
                line.data++;
                line.len--;
            }

            args[n].len = line.data - args[n].data;

            while (line.len && (line.data[0] == ' ' || line.data[0] == '\t')) {
                line.data++;
                line.len--;
            }
        }

        rv = ngx_http_missedcall_pool_add(cf, &cmd->name, args, n);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_missedcall_pool_add(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *args, ngx_uint_t n)
{
    ngx_str_t                         codes;
    ngx_uint_t                        i, j;
    ngx_http_missedcall_number_t     *number;
    ngx_http_missedcall_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_missedcall_module);

    ngx_str_null(&codes);

    if (n > 1 && args[n - 1].len > 6
        && ngx_strncmp(args[n - 1].data, "codes=", 6) == 0)
    {
        codes.data = args[n - 1].data + 6;
        codes.len = args[n - 1].len - 6;
        n--;

        if (!ngx_http_missedcall_calling_codes_valid(codes.data, codes.len)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": invalid \"codes=%V\": up to %d "
                               "calling codes such as \"codes=44,353\"",
                               name, &codes, NGX_HTTP_MISSEDCALL_CODES_MAX);
            return NGX_CONF_ERROR;
        }
    }

    if (mcf->pool == NULL) {
        mcf->pool = ngx_array_create(cf->pool, 8,
                                     sizeof(ngx_http_missedcall_number_t));
        if (mcf->pool == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    for (i = 0; i < n; i++) {

        /* written exactly as E.164, so what is configured is dialed */
        if (!ngx_http_missedcall_phone_is_e164(args[i].data, args[i].len)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\": \"%V\" is not an E.164 number "
                               "such as \"+15550100200\"", name, &args[i]);
            return NGX_CONF_ERROR;
        }

        number = mcf->pool->elts;

        for (j = 0; j < mcf->pool->nelts; j++) {
            if (number[j].number.len == args[i].len
                && ngx_strncmp(number[j].number.data, args[i].data,
                               args[i].len) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"%V\": \"%V\" is listed twice",
                                   name, &args[i]);
                return NGX_CONF_ERROR;
            }
        }

        number = ngx_array_push(mcf->pool);
        if (number == NULL) {
            return NGX_CONF_ERROR;
        }

        number->number.len = args[i].len;
        number->number.data = ngx_pstrdup(cf->pool, &args[i]);
        number->codes.len = codes.len;
        number->codes.data = ngx_pstrdup(cf->pool, &codes);

        if (number->number.data == NULL
            || (codes.len && number->codes.data == NULL))
        {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/*
 * A guess of the caller id succeeds with about attempts / numbers it could
 * be; in last-digits mode only the pool numbers that share the hint count.
 */

void
ngx_http_missedcall_pool_strength(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_array_t *pool)
{
    size_t                         cut;
    ngx_str_t                     *a, *b;
    ngx_uint_t                     i, j, same, fewest;
    ngx_http_missedcall_number_t  *n;

    n = pool->elts;
    fewest = pool->nelts;

    for (i = 0; lcf->match_digits && i < pool->nelts; i++) {
        same = 0;
        a = &n[i].number;
        cut = a->len > lcf->match_digits ? a->len - lcf->match_digits : 0;

        for (j = 0; j < pool->nelts; j++) {
            b = &n[j].number;

            if (b->len == a->len && ngx_strncmp(b->data, a->data, cut) == 0) {
                same++;
            }
        }

        fewest = ngx_min(fewest, same);
    }

    if (lcf->max_attempts * 100 > fewest) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "a guessed caller id succeeds with probability "
                           "%ui%% (%ui attempts, %ui possible numbers%s): "
                           "add pool numbers or lower "
                           "\"missedcall_max_attempts\"",
                           ngx_min(100, lcf->max_attempts * 100 / fewest),
                           lcf->max_attempts, fewest,
                           lcf->match_digits ? " sharing the hint" : "");
    }
}
