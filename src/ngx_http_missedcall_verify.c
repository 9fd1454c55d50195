
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The verify flow: the caller id the phone received against its session.
 * Caller ids are never compared in the clear: confirm stored
 * sha1(salt . suffix) of the shortest suffix accepted, and verify.lua
 * hashes the received digits the same way, so a comparison's timing says
 * nothing about the caller number.  A match consumes the session in the
 * same script, so a session verifies at most once; then a token is signed.
 * An inbound session, proven by the phone's own call, is named by its id
 * alone: it has no caller id to send.  An SMS session is named by its id
 * and proven by its "code", hashed and counted as a caller id is.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_resp.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_scripts.h"
#include "ngx_http_missedcall_conf.h"


static void ngx_http_missedcall_verify_body(ngx_http_request_t *r);
static void ngx_http_missedcall_verified(redisReply *reply, void *data);
static void ngx_http_missedcall_invalid_session(ngx_http_missedcall_op_t *op);
static void ngx_http_missedcall_no_caller_id(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_verify_code(ngx_http_request_t *r,
    ngx_http_missedcall_body_t *body, ngx_str_t *code, ngx_str_t *id);


/* what a body must name, by missedcall_verify_by */
static const char  *ngx_http_missedcall_verify_needs[] = {
    NULL,
    "\"session_id\" is required",
    "\"phone_number\" is required",
    "\"session_id\" or \"phone_number\" is required"
};


ngx_conf_enum_t  ngx_http_missedcall_verify_by[] = {
    { ngx_string("session"), NGX_HTTP_MISSEDCALL_VERIFY_BY_SESSION },
    { ngx_string("phone"), NGX_HTTP_MISSEDCALL_VERIFY_BY_PHONE },
    { ngx_string("both"), NGX_HTTP_MISSEDCALL_VERIFY_BY_BOTH },
    { ngx_null_string, 0 }
};


ngx_int_t
ngx_http_missedcall_verify_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r, ngx_http_missedcall_verify_body);
}


static void
ngx_http_missedcall_verify_body(ngx_http_request_t *r)
{
    u_char                          *p;
    ngx_str_t                        argv[NGX_HTTP_MISSEDCALL_VERIFY_ARGC];
    ngx_str_t                       *args, id, digits, phone, value;
    ngx_int_t                        code;
    ngx_uint_t                       by;
    ngx_http_missedcall_op_t        *op;
    ngx_http_missedcall_body_t      *body;
    ngx_http_missedcall_loc_conf_t  *lcf;

    body = ngx_http_missedcall_parse(r);
    if (body == NULL) {
        return;
    }

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);
    by = lcf->verify_by;

    code = ngx_http_missedcall_verify_code(r, body, &digits, &id);

    if (code == NGX_DONE) {
        return;
    }

    if (code == NGX_OK) {
        goto session;
    }

    if (!ngx_http_missedcall_field(body,
                                   NGX_HTTP_MISSEDCALL_F_RECEIVED_CALLER_ID,
                                   &value))
    {
        /* none: only a session named by its id may be inbound */
        if (!(by & NGX_HTTP_MISSEDCALL_VERIFY_BY_SESSION)
            || !ngx_http_missedcall_field(body,
                                          NGX_HTTP_MISSEDCALL_F_SESSION_ID,
                                          &id)
            || !ngx_http_missedcall_uuid_valid(id.data, id.len))
        {
            ngx_http_missedcall_no_caller_id(r);
            return;
        }

        value.data = NULL;
        value.len = 0;
    }

    digits.data = ngx_pnalloc(r->pool, NGX_HTTP_MISSEDCALL_CALLERID_MAX);

    if (digits.data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    digits.len = ngx_http_missedcall_callerid_digits(value.data, value.len,
                                                     digits.data);

    if (digits.len == 0 && value.data) {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_caller_id",
                                  "\"received_caller_id\" is not a phone "
                                  "number"));
        return;
    }

session:

    phone.len = 0;

    /* by session when it may and is named, else by phone when it may */
    if (!(by & NGX_HTTP_MISSEDCALL_VERIFY_BY_SESSION)
        || !ngx_http_missedcall_field(body, NGX_HTTP_MISSEDCALL_F_SESSION_ID,
                                      &id))
    {
        if (!(by & NGX_HTTP_MISSEDCALL_VERIFY_BY_PHONE)
            || !ngx_http_missedcall_field(body,
                                          NGX_HTTP_MISSEDCALL_F_PHONE_NUMBER,
                                          &value))
        {
            ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                      NGX_HTTP_BAD_REQUEST, "missing_field",
                                      ngx_http_missedcall_verify_needs[by]));
            return;
        }

        if (ngx_http_missedcall_read_phone(r, &value, &phone) != NGX_OK) {
            return;
        }
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    /* a code is for an SMS session: what a refusal then speaks of */
    op->channel = (code == NGX_OK) ? NGX_HTTP_MISSEDCALL_CH_SMS
                                   : NGX_HTTP_MISSEDCALL_CH_OUTBOUND;

    args = argv + NGX_HTTP_MISSEDCALL_VERIFY_KEYS;
    ngx_str_null(&argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_PHONE]);
    args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_DIGITS] = digits;

    if (phone.len) {
        if (ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PHONE,
                                &phone,
                                &argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_PHONE])
            != NGX_OK)
        {
            ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                           NULL);
            return;
        }

    } else if (!ngx_http_missedcall_uuid_valid(id.data, id.len)) {
        /* no such session can exist: the same answer as any unknown one */
        ngx_http_missedcall_invalid_session(op);
        return;
    }

    p = ngx_pnalloc(op->pool, 2 * NGX_INT_T_LEN);

    /* by phone the phone's failure counter; by id its prefix */
    if (p == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_FAILURES,
                          phone.len ? &phone : NULL,
                          &argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_FAILURES])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_EVENTS,
                          NULL, &argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_EVENTS])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_SESSION,
                          NULL,
                          &args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_SESSION_PREFIX])
           != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_NAME] = phone.len ? phone : id;

    if (op->mcf->events_max == 0) {
        ngx_str_null(&argv[NGX_HTTP_MISSEDCALL_VERIFY_KEY_EVENTS]);
    }

    ngx_http_missedcall_args(
                        &args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_MAX_FAILURES],
                        &p, op->lcf->max_failures);
    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_VERIFY_ARG_FAILURES_MS],
                             &p, op->lcf->failures_window);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall verify: %V: lookup by %s, script sent",
                   phone.len ? &op->sid : &id,
                   phone.len ? "phone" : "session");

    ngx_http_missedcall_op_eval(op, &ngx_http_missedcall_script_verify,
                                NGX_HTTP_MISSEDCALL_VERIFY_KEYS,
                                NGX_HTTP_MISSEDCALL_VERIFY_ARGC, argv,
                                ngx_http_missedcall_verified);
}


static void
ngx_http_missedcall_verified(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    size_t                             len[5];
    json_t                            *json;
    ngx_str_t                          jti, eid, token, sid, phone, caller;
    ngx_uint_t                         sms;
    const u_char                      *word[5];
    ngx_http_missedcall_ctx_t         *ctx;
    ngx_http_missedcall_jwt_claims_t   claims;
    ngx_http_missedcall_json_member_t  m[6];

    ngx_str_null(&sid);
    ngx_str_null(&phone);

    /* a success: "session-id channel event-id phone caller" */
    if (reply && reply->type == REDIS_REPLY_STRING) {
        if (ngx_http_missedcall_resp_words((u_char *) reply->str, reply->len,
                                           5, word, len)
            != 0)
        {
            ngx_http_missedcall_op_unavailable(op);
            return;
        }

        sid.data = (u_char *) word[0];
        sid.len = len[0];
        phone.data = (u_char *) word[3];
        phone.len = len[3];
        caller.data = (u_char *) word[4];
        caller.len = len[4];

        /* a call's caller: one more verified, written with others' */
        ngx_http_missedcall_tally_verified(op->mcf, &caller);

    } else if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        ngx_http_missedcall_op_unavailable(op);
        return;

    } else if (reply->elements > 1
               && reply->element[reply->elements - 1]->type
                  == REDIS_REPLY_STRING)
    {
        /* the session's id comes last */
        sid.data = (u_char *) reply->element[reply->elements - 1]->str;
        sid.len = reply->element[reply->elements - 1]->len;
    }

    /* for $missedcall_verification_id */
    if (ngx_http_missedcall_uuid_valid(sid.data, sid.len)) {
        op->sid.len = sid.len;
        op->sid.data = ngx_pnalloc(op->pool, sid.len);

        if (op->sid.data == NULL) {
            op->sid.len = 0;

        } else {
            ngx_memcpy(op->sid.data, sid.data, sid.len);
        }
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall verify: %V: script answered \"%s\"", &op->sid,
                   ngx_http_missedcall_reply_word(reply));

    sms = (op->channel == NGX_HTTP_MISSEDCALL_CH_SMS);

    if (ngx_http_missedcall_reply_is(reply, "mismatch", 3)
        && reply->element[1]->type == REDIS_REPLY_INTEGER)
    {
        json = json_pack("{s:s, s:s, s:s, s:I}",
                         "error", sms ? "code_mismatch" : "caller_id_mismatch",
                         "message", sms ? "the code does not match"
                                        : "the caller id does not match",
                         "detail", sms ? "the code does not match"
                                       : "the caller id does not match",
                         "attempts_left",
                         (json_int_t) reply->element[1]->integer);
        ngx_http_missedcall_op_respond(op, NGX_HTTP_BAD_REQUEST, json);
        return;
    }

    if (ngx_http_missedcall_reply_is(reply, "locked", 3)
        && reply->element[1]->type == REDIS_REPLY_INTEGER)
    {
        ngx_http_missedcall_locked(op, reply->element[1]->integer);
        ngx_http_missedcall_op_error(op, op->status, op->error, op->message);
        return;
    }

    if (ngx_http_missedcall_reply_is(reply, "waiting", 2)) {
        ngx_http_missedcall_op_error(op, NGX_HTTP_MISSEDCALL_CONFLICT,
                                     "call_not_received",
                                     "the phone has not called the number "
                                     "shown yet");
        return;
    }

    if (ngx_http_missedcall_reply_is(reply, "missing", 2)) {
        ngx_http_missedcall_op_error(op, NGX_HTTP_BAD_REQUEST,
                                     "missing_field",
                                     "\"received_caller_id\" or \"code\" is "
                                     "required");
        return;
    }

    if (ngx_http_missedcall_reply_is(reply, "burned", 2)) {
        json = json_pack("{s:s, s:s, s:s, s:i}",
                         "error", sms ? "code_mismatch" : "caller_id_mismatch",
                         "message", sms ? "the code does not match; no "
                                          "attempts are left, request a "
                                          "new code"
                                        : "the caller id does not match; no "
                                          "attempts are left, request a new "
                                          "call",
                         "detail", sms ? "the code does not match; no "
                                         "attempts are left, request a "
                                         "new code"
                                       : "the caller id does not match; no "
                                         "attempts are left, request a new "
                                         "call",
                         "attempts_left", 0);
        ngx_http_missedcall_op_respond(op, NGX_HTTP_BAD_REQUEST, json);
        return;
    }

    if (reply->type != REDIS_REPLY_STRING || phone.len == 0
        || phone.len > NGX_HTTP_MISSEDCALL_JWT_SUB_MAX)
    {
        ngx_http_missedcall_invalid_session(op);
        return;
    }

    /* the session is consumed: issue the token */

    op->channel = ngx_http_missedcall_channel_parse((char *) word[1],
                                                    len[1]);
    op->channel_name = ngx_http_missedcall_channel_name(op->channel);
    ngx_http_missedcall_metrics_channel(op->channel, 1);

    ngx_memzero(&claims, sizeof(claims));
    ngx_memcpy(claims.sub, phone.data, phone.len);

    op->phone.len = phone.len;
    op->phone.data = (u_char *) claims.sub;

    if (ngx_http_missedcall_token_issue(op->pool, op->mcf, op->lcf, &claims,
                                        &token)
        != NGX_OK)
    {
        ngx_http_missedcall_op_respond(op, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                       NULL);
        return;
    }

    jti.len = NGX_HTTP_MISSEDCALL_UUID_LEN;
    jti.data = (u_char *) claims.jti;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall verify: %V: token issued, jti %V", &op->sid,
                   &jti);

    if (op->r) {
        ctx = ngx_http_missedcall_get_ctx(op->r);

        if (ctx) {
            ctx->phone.len = ngx_strlen(claims.sub);
            ctx->phone.data = ngx_pnalloc(op->r->pool, ctx->phone.len);
            ctx->token_id.len = jti.len;
            ctx->token_id.data = ngx_pnalloc(op->r->pool, jti.len);

            if (ctx->phone.data && ctx->token_id.data) {
                ngx_memcpy(ctx->phone.data, claims.sub, ctx->phone.len);
                ngx_memcpy(ctx->token_id.data, jti.data, jti.len);

            } else {
                ngx_str_null(&ctx->phone);
                ngx_str_null(&ctx->token_id);
            }
        }
    }

    if (op->lcf->webhook.url.len) {
        eid.data = (u_char *) word[2];
        eid.len = len[2];

        ngx_http_missedcall_webhook_send(op, &jti, &eid);
    }

    ngx_memzero(m, sizeof(m));
    m[0].key = "detail";
    m[0].str = "Verification successful.";
    m[1].key = "verified";
    m[1].raw = "true";
    m[2].key = "phone_number";
    m[2].str = claims.sub;
    m[3].key = "token";
    m[3].str = (char *) token.data;
    m[3].len = token.len;
    m[4].key = "token_type";
    m[4].str = "Bearer";
    m[5].key = "expires_in";
    m[5].num = op->lcf->token_ttl;

    ngx_http_missedcall_op_respond_members(op, NGX_HTTP_OK, m, 6);
}


/* unknown, expired, used, burned or malformed: one answer reveals nothing */

static void
ngx_http_missedcall_invalid_session(ngx_http_missedcall_op_t *op)
{
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall verify: %V: invalid_session", &op->sid);

    ngx_http_missedcall_op_error(op, NGX_HTTP_BAD_REQUEST, "invalid_session",
                                 "no pending verification matches: it is "
                                 "unknown, expired or already used");
}


/*
 * An SMS session's "code": 6 to 10 digits, with the session's id.
 * NGX_OK: *code and *id are set; NGX_DECLINED: no code; NGX_DONE: refused,
 * answered.
 */

static ngx_int_t
ngx_http_missedcall_verify_code(ngx_http_request_t *r,
    ngx_http_missedcall_body_t *body, ngx_str_t *code, ngx_str_t *id)
{
    ngx_uint_t                       i;
    ngx_http_missedcall_loc_conf_t  *lcf;

    if (!ngx_http_missedcall_field(body, NGX_HTTP_MISSEDCALL_F_CODE, code)) {
        return NGX_DECLINED;
    }

    for (i = 0; i < code->len; i++) {
        if (code->data[i] < '0' || code->data[i] > '9') {
            break;
        }
    }

    if (i < code->len || code->len < NGX_HTTP_MISSEDCALL_CODE_MIN
        || code->len > NGX_HTTP_MISSEDCALL_CODE_MAX)
    {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_code",
                                  "\"code\" is 6 to 10 digits"));
        return NGX_DONE;
    }

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    /* a code proves the session whose id was given: never a phone's */
    if (!(lcf->verify_by & NGX_HTTP_MISSEDCALL_VERIFY_BY_SESSION)
        || !ngx_http_missedcall_field(body, NGX_HTTP_MISSEDCALL_F_SESSION_ID,
                                      id))
    {
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "missing_field",
                                  "\"session_id\" is required with a "
                                  "\"code\""));
        return NGX_DONE;
    }

    return NGX_OK;
}


static void
ngx_http_missedcall_no_caller_id(ngx_http_request_t *r)
{
    ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                              NGX_HTTP_BAD_REQUEST, "missing_field",
                              "\"received_caller_id\" is required"));
}


/* missedcall_match full | last <digits>; */

char *
ngx_http_missedcall_match(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (lcf->match_digits != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "full") == 0) {
        lcf->match_digits = 0;
        return NGX_CONF_OK;
    }

    if (cf->args->nelts == 3 && ngx_strcmp(value[1].data, "last") == 0) {
        n = ngx_atoi(value[2].data, value[2].len);

        if (n >= 3 && n <= 8) {
            lcf->match_digits = n;
            return NGX_CONF_OK;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"last\" takes 3 to 8 digits, not \"%V\"",
                           &cmd->name, &value[2]);
        return NGX_CONF_ERROR;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\" takes \"full\" or \"last <digits>\"",
                       &cmd->name);
    return NGX_CONF_ERROR;
}


/* missedcall_max_failures <count>/<window> | off; */

char *
ngx_http_missedcall_max_failures(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_missedcall_loc_conf_t *lcf = conf;

    ngx_str_t  *value;

    if (lcf->max_failures != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        lcf->max_failures = 0;
        lcf->failures_window = 0;
        return NGX_CONF_OK;
    }

    if (ngx_http_missedcall_parse_rate(&value[1], &lcf->max_failures,
                                       &lcf->failures_window)
        != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": invalid \"%V\", wrong guesses per "
                           "window such as \"10/1d\", or \"off\", are "
                           "wanted", &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
