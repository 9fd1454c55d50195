
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The status flow: a session's state and the time it has left, for an app
 * that polls while it waits for the call.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_scripts.h"


static void ngx_http_missedcall_status_done(redisReply *reply, void *data);


ngx_int_t
ngx_http_missedcall_status_handler(ngx_http_request_t *r)
{
    u_char                    *p, *last;
    ngx_int_t                  rc;
    ngx_str_t                  id, key;
    ngx_http_missedcall_op_t  *op;

    if (!ngx_http_missedcall_get_only(r, &rc)) {
        return rc;
    }

    /* the id is the last segment of ".../status/<id>[/]" */

    last = r->uri.data + r->uri.len;

    if (last > r->uri.data && last[-1] == '/') {
        last--;
    }

    for (p = last; p > r->uri.data && p[-1] != '/'; p--) { /* void */ }

    id.data = p;
    id.len = last - p;

    if (!ngx_http_missedcall_uuid_valid(id.data, id.len)) {
        return ngx_http_missedcall_send_error(r, NGX_HTTP_NOT_FOUND,
                                              "not_found",
                                              "no such session");
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* from here on the op finalizes the request */
    r->main->count++;

    op->sid.data = ngx_pstrdup(op->pool, &id);
    op->sid.len = id.len;

    if (op->sid.data == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_SESSION,
                                      &id, &key)
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return NGX_DONE;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall status: %V: script sent", &op->sid);

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_status,
                                NGX_HTTP_MISSEDCALL_STATUS_KEYS,
                                NGX_HTTP_MISSEDCALL_STATUS_ARGC, &key,
                                ngx_http_missedcall_status_done);

    return NGX_DONE;
}


static void
ngx_http_missedcall_status_done(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    json_t     *json;
    int64_t     left;
    ngx_str_t   state, channel;
    ngx_uint_t  verified, expired;

    if (reply && reply->type == REDIS_REPLY_NIL) {
        ngx_http_missedcall_op_error(op, NGX_HTTP_NOT_FOUND, "not_found",
                                     "no such session");
        return;
    }

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 3
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[1]->type != REDIS_REPLY_INTEGER
        || reply->element[2]->type != REDIS_REPLY_STRING)
    {
        ngx_http_missedcall_op_unavailable(op);
        return;
    }

    state.data = (u_char *) reply->element[0]->str;
    state.len = reply->element[0]->len;
    left = reply->element[1]->integer;
    channel.data = (u_char *) reply->element[2]->str;
    channel.len = reply->element[2]->len;
    op->channel_name = ngx_http_missedcall_channel_name(
                           ngx_http_missedcall_channel_parse(
                               (char *) channel.data, channel.len));

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall status: %V: \"%V\", %L ms left", &op->sid,
                   &state, left);

    verified = (state.len == 8
                && ngx_strncmp(state.data, "verified", 8) == 0);
    expired = !verified && left <= 0;

    if (expired) {
        ngx_str_set(&state, "expired");

    } else if (state.len == 6 && ngx_strncmp(state.data, "burned", 6) == 0) {
        ngx_str_set(&state, "failed");
    }

    json = json_pack("{s:s#, s:s#, s:b, s:b, s:I, s:s#}",
                     "session_id", op->sid.data, (int) op->sid.len,
                     "status", state.data, (int) state.len,
                     "is_verified", (int) verified,
                     "is_expired", (int) expired,
                     "time_remaining_seconds",
                     (json_int_t) (verified || left <= 0
                                   ? 0 : (left + 999) / 1000),
                     "channel", channel.data, (int) channel.len);

    ngx_http_missedcall_op_respond(op, NGX_HTTP_OK, json);
}
