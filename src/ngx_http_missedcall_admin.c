
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The pool admin API: list, add, remove, disable and enable caller numbers
 * in Redis, behind a bearer token.  Each change is one admin.lua call.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_conf.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_scripts.h"
#include "ngx_http_missedcall_strength.h"


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


static ngx_int_t ngx_http_missedcall_admin_authorized(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_admin_route(ngx_http_request_t *r,
    ngx_str_t *number);
static void ngx_http_missedcall_admin_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_admin_start(ngx_http_request_t *r,
    ngx_http_missedcall_admin_e what, ngx_str_t *number, ngx_str_t *arg);
static void ngx_http_missedcall_admin_done(redisReply *reply, void *data);
static ngx_int_t ngx_http_missedcall_admin_warning(
    ngx_http_missedcall_op_t *op, redisReply *reply, json_t *json);
static void ngx_http_missedcall_admin_overlap(ngx_http_missedcall_op_t *op,
    redisReply *member);
static void ngx_http_missedcall_admin_list(ngx_http_missedcall_op_t *op,
    redisReply *reply);
static json_t *ngx_http_missedcall_admin_field(size_t j, u_char *p,
    size_t len);


/*
 * After a change, the odds a day of every calling code and of the whole
 * pool, against the weakest request location's bound: above it,
 * the answer carries a warning and the log says so.  The change stands:
 * an operator may be shrinking the pool on purpose.
 */

static ngx_int_t
ngx_http_missedcall_admin_warning(ngx_http_missedcall_op_t *op,
    redisReply *reply, json_t *json)
{
    u_char                      buf[256], *p;
    ngx_array_t                *numbers, *odds;
    ngx_http_missedcall_odds_t *worst;

    if (op->mcf->max_guess_ppm == NGX_CONF_UNSET_UINT) {
        return NGX_OK;
    }

    /* after the outcome and the state: each enabled member, its codes */
    numbers = ngx_http_missedcall_pool_members(op->pool, reply->element + 2,
                                               reply->elements - 2);
    if (numbers == NULL) {
        return NGX_ERROR;
    }

    odds = ngx_http_missedcall_pool_odds(op->pool, numbers, op->mcf->guesses,
                                         op->mcf->hint_digits, &worst);
    if (odds == NULL) {
        return NGX_ERROR;
    }


    if (worst->ppm <= op->mcf->max_guess_ppm) {
        return NGX_OK;
    }

    p = ngx_snprintf(buf, sizeof(buf),
                     "%s%*s: a patient attacker's odds are %ui.%04ui%% a "
                     "day, above \"missedcall_max_guess_probability\" "
                     "(%ui.%04ui%%)",
                     worst->code.len ? "calling code " : "the whole pool",
                     worst->code.len, worst->code.data,
                     (ngx_uint_t) (worst->ppm / 10000),
                     (ngx_uint_t) (worst->ppm % 10000),
                     op->mcf->max_guess_ppm / 10000,
                     op->mcf->max_guess_ppm % 10000);

    ngx_log_error(NGX_LOG_WARN, op->log, 0, "missedcall admin: %*s",
                  (size_t) (p - buf), buf);

    return json_object_set_new(json, "warning",
                               json_stringn((char *) buf, p - buf))
           ? NGX_ERROR : NGX_OK;
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

    if (ngx_http_missedcall_body(r, &raw) != NGX_OK) {
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
        && !ngx_http_missedcall_pool_member_valid(number->data, number->len))
    {
        return ngx_http_missedcall_send_error(r, NGX_HTTP_BAD_REQUEST,
                                              "invalid_phone_number",
                                              "the number must be in E.164 "
                                              "format, such as "
                                              "\"+15550100200\", or a "
                                              "range \"first-last\"");
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

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall admin: %s number ending \"%*s\", script sent",
                   ngx_http_missedcall_admin_ops[what],
                   ngx_min(number->len, 4),
                   number->data + number->len - ngx_min(number->len, 4));

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

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall admin: %s answered \"%s\", %uz elements",
                   ngx_http_missedcall_admin_ops[op->admin],
                   ngx_http_missedcall_reply_word(reply), reply->elements);

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

    if (e->len == 7 && ngx_strncmp(e->str, "overlap", 7) == 0) {
        ngx_http_missedcall_admin_overlap(op, reply->element[1]);
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

    if (json && ngx_http_missedcall_admin_warning(op, reply, json) != NGX_OK)
    {
        json_decref(json);
        json = NULL;
    }

    ngx_http_missedcall_op_respond(op,
                                   (e->len == 5
                                    && ngx_strncmp(e->str, "added", 5) == 0)
                                   ? NGX_HTTP_CREATED : NGX_HTTP_OK,
                                   json);
}


/*
 * 409: the number or range shares a number with a member already known,
 * which would be drawn twice as often and counted twice in the strength
 */

static void
ngx_http_missedcall_admin_overlap(ngx_http_missedcall_op_t *op,
    redisReply *member)
{
    u_char  *msg, *last;
    size_t   len;

    len = sizeof("it overlaps \"\", already known; remove that first")
          + member->len;

    msg = ngx_pnalloc(op->pool, len);
    if (msg == NULL) {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    last = ngx_snprintf(msg, len - 1,
                        "it overlaps \"%*s\", already known; remove that "
                        "first", (size_t) member->len, member->str);
    *last = '\0';

    ngx_log_error(NGX_LOG_NOTICE, op->log, 0,
                  "missedcall admin: %V refused: overlaps \"%*s\"",
                  &op->phone, (size_t) member->len, member->str);

    ngx_http_missedcall_op_error(op, NGX_HTTP_CONFLICT, "pool_overlap",
                                 (char *) msg);
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


/* the admin API's bearer token, kept as its SHA-256 digest */

char *
ngx_http_missedcall_admin_token_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    char       *rv;
    ngx_str_t  *value, token;

    if (lcf->admin_token) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rv = ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                       NGX_HTTP_MISSEDCALL_SECRET_MAX, &token);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (token.len < 16) {
        ngx_explicit_memzero(token.data, token.len);
        return "needs a token of at least 16 characters";
    }

    lcf->admin_token = ngx_pnalloc(cf->pool, SHA256_DIGEST_LENGTH);
    if (lcf->admin_token == NULL) {
        return NGX_CONF_ERROR;
    }

    SHA256(token.data, token.len, lcf->admin_token);
    ngx_explicit_memzero(token.data, token.len);

    return NGX_CONF_OK;
}
