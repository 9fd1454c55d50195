
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Channels, and the inbound missed call.  A session is proven either by a
 * call the gateway places to the phone (outbound, the caller id being the
 * secret) or by a call the phone places to a pool number (inbound, the
 * possession of the phone being the secret).  An inbound request draws the
 * number to dial as an outbound one draws its caller, places no call and
 * spends no call budget; Twilio's incoming call webhook then proves the
 * session whose phone and number the call joins, and the call is rejected
 * unanswered, so that nobody pays for it.
 *
 *   voice_body -> [signature, attestation] -> prove.lua -> proved -> TwiML
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"
#include "ngx_http_missedcall_directive.h"
#include "ngx_http_missedcall_variables.h"
#include "ngx_http_missedcall_phone.h"
#include "ngx_http_missedcall_twilio.h"
#include "ngx_http_missedcall_scripts.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>


static void ngx_http_missedcall_voice_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_missedcall_prove(ngx_http_request_t *r,
    ngx_str_t *from, ngx_str_t *to, ngx_str_t *verstat,
    ngx_http_missedcall_redis_pt handler);
static ngx_uint_t ngx_http_missedcall_proved(ngx_http_missedcall_op_t *op,
    redisReply *reply);
static void ngx_http_missedcall_proved_twiml(redisReply *reply, void *data);
static void ngx_http_missedcall_http_inbound_body(ngx_http_request_t *r);
static void ngx_http_missedcall_json_str(ngx_pool_t *pool, json_t *json,
    char *name, ngx_str_t *value);
static void ngx_http_missedcall_proved_json(redisReply *reply, void *data);
static ngx_int_t ngx_http_missedcall_reject(ngx_http_request_t *r);


/* how far an HTTP gateway's event may be from the clock, either way */
#define NGX_HTTP_MISSEDCALL_INBOUND_TOLERANCE  300


ngx_conf_enum_t  ngx_http_missedcall_channels[] = {
    { ngx_string("outbound"), NGX_HTTP_MISSEDCALL_CH_OUTBOUND },
    { ngx_string("inbound"), NGX_HTTP_MISSEDCALL_CH_INBOUND },
    { ngx_string("sms"), NGX_HTTP_MISSEDCALL_CH_SMS },
    { ngx_null_string, 0 }
};


ngx_conf_enum_t  ngx_http_missedcall_attestations[] = {
    { ngx_string("A"), NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_A },
    { ngx_string("B"), NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_B },
    { ngx_string("any"), NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_NONE },
    { ngx_null_string, 0 }
};


const char *
ngx_http_missedcall_channel_name(ngx_uint_t channel)
{
    return (const char *) ngx_http_missedcall_channels[channel].name.data;
}


/* a session's channel as Redis holds it; none or unknown: outbound */

ngx_uint_t
ngx_http_missedcall_channel_parse(const char *name, size_t len)
{
    ngx_conf_enum_t  *e;

    for (e = ngx_http_missedcall_channels; e->name.len; e++) {
        if (e->name.len == len && ngx_strncmp(e->name.data, name, len) == 0) {
            return e->value;
        }
    }

    return NGX_HTTP_MISSEDCALL_CH_OUTBOUND;
}


/* the body's "channel", else the location's; NGX_DONE: refused, answered */

ngx_int_t
ngx_http_missedcall_channel_read(ngx_http_request_t *r,
    ngx_http_missedcall_body_t *body, ngx_uint_t *channel)
{
    ngx_str_t                        value;
    const char                      *name;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (!ngx_http_missedcall_field(body, NGX_HTTP_MISSEDCALL_F_CHANNEL,
                                   &value))
    {
        *channel = lcf->channel;
        return NGX_OK;
    }

    /* an unknown name parses as outbound: its name tells them apart */
    *channel = ngx_http_missedcall_channel_parse((char *) value.data,
                                                 value.len);
    name = ngx_http_missedcall_channel_name(*channel);

    if (ngx_strlen(name) == value.len
        && ngx_strncmp(name, value.data, value.len) == 0)
    {
        return NGX_OK;
    }

    ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                              NGX_HTTP_BAD_REQUEST, "invalid_channel",
                              "\"channel\" is \"outbound\", \"inbound\" or "
                              "\"sms\""));
    return NGX_DONE;
}


/*
 * The count a limit holds a session to; 0: it does not apply.  The
 * budgets against call pumping (prefix, global) count calls placed: an
 * inbound session costs nothing and an SMS is spent from the SMS budget
 * alone.  The phone's and the client's limits hold for every channel, as
 * they bound the sessions an attacker may open.
 */

ngx_uint_t
ngx_http_missedcall_channel_count(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_limit_t *limit)
{
    switch (limit->kind) {

    case NGX_HTTP_MISSEDCALL_LIMIT_PREFIX:
    case NGX_HTTP_MISSEDCALL_LIMIT_GLOBAL:
        return op->channel == NGX_HTTP_MISSEDCALL_CH_OUTBOUND
               ? limit->count : 0;

    case NGX_HTTP_MISSEDCALL_LIMIT_SMS:
        return op->channel == NGX_HTTP_MISSEDCALL_CH_SMS ? limit->count : 0;

    default:
        return limit->count;
    }
}


/* the 202 of an inbound request: the number the user is to call */

json_t *
ngx_http_missedcall_inbound_answer(ngx_http_missedcall_op_t *op,
    u_char *expires_at, int64_t left)
{
    return json_pack("{s:s, s:s#, s:s, s:I, s:s, s:s#}",
                     "detail",
                     "Call the number shown from your phone; the call is "
                     "rejected unanswered and costs nothing.",
                     "session_id", op->sid.data, (int) op->sid.len,
                     "expires_at", expires_at,
                     "expires_in", (json_int_t) ((left + 999) / 1000),
                     "channel", "inbound",
                     "dial", op->caller.data, (int) op->caller.len);
}


/*
 * Twilio's incoming call webhook: signed as the status callback is, over
 * the URL configured as the numbers' voice URL.
 */

ngx_int_t
ngx_http_missedcall_twilio_voice_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r, ngx_http_missedcall_voice_body);
}


static void
ngx_http_missedcall_voice_body(ngx_http_request_t *r)
{
    ngx_str_t                        from, to, verstat;
    ngx_array_t                     *form;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    form = ngx_http_missedcall_twilio_signed_form(r, &lcf->gateway.voice);
    if (form == NULL) {
        return;
    }

    if (!ngx_http_missedcall_twilio_param(form, "StirVerstat", &verstat)) {
        ngx_str_null(&verstat);
    }

    if (!ngx_http_missedcall_twilio_param(form, "From", &from)
        || !ngx_http_missedcall_twilio_param(form, "To", &to))
    {
        ngx_str_null(&from);
        ngx_str_null(&to);
    }

    /* whatever happens next, the call is rejected: never answered, billed */

    if (ngx_http_missedcall_prove(r, &from, &to, &verstat,
                                  ngx_http_missedcall_proved_twiml)
        != NGX_OK)
    {
        ngx_http_finalize_request(r, ngx_http_missedcall_reject(r));
    }
}


/*
 * Runs prove.lua for a signed call from "from" to "to", whose handler
 * answers; NGX_DECLINED: the call proves nothing (not E.164, or below the
 * attestation floor), NGX_ERROR: no memory; the caller answers then.
 */

static ngx_int_t
ngx_http_missedcall_prove(ngx_http_request_t *r, ngx_str_t *from,
    ngx_str_t *to, ngx_str_t *verstat, ngx_http_missedcall_redis_pt handler)
{
    u_char                          *p;
    unsigned                         level;
    ngx_str_t                        argv[NGX_HTTP_MISSEDCALL_PROVE_ARGC];
    ngx_str_t                       *args, none;
    ngx_http_missedcall_op_t        *op;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (!ngx_http_missedcall_phone_is_e164(from->data, from->len)
        || !ngx_http_missedcall_phone_is_e164(to->data, to->len))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "missedcall inbound: a call without an E.164 From and "
                      "To proves nothing");
        return NGX_DECLINED;
    }

    /* caller id can be spoofed: below the floor, the call proves nothing */
    level = ngx_http_missedcall_twilio_attestation(verstat->data,
                                                   verstat->len);

    if (level < lcf->attestation) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "missedcall inbound: call from %V to %V rejected: "
                      "StirVerstat \"%V\" is below the attestation required",
                      from, to, verstat);
        return NGX_DECLINED;
    }

    op = ngx_http_missedcall_op_create(r);
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->channel = NGX_HTTP_MISSEDCALL_CH_INBOUND;
    op->channel_name = "inbound";

    args = argv + NGX_HTTP_MISSEDCALL_PROVE_KEYS;
    args[NGX_HTTP_MISSEDCALL_PROVE_ARG_PHONE] = *from;
    args[NGX_HTTP_MISSEDCALL_PROVE_ARG_CALLER] = *to;
    args[NGX_HTTP_MISSEDCALL_PROVE_ARG_ATTESTATION] = *verstat;
    ngx_str_null(&none);

    p = ngx_pnalloc(op->pool, NGX_INT_T_LEN);

    if (p == NULL
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_PHONE, from,
                                  &argv[NGX_HTTP_MISSEDCALL_PROVE_KEY_PHONE])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_EVENTS, NULL,
                                  &argv[NGX_HTTP_MISSEDCALL_PROVE_KEY_EVENTS])
           != NGX_OK
        || ngx_http_missedcall_op_key(op, NGX_HTTP_MISSEDCALL_KEY_SESSION,
                          &none,
                          &args[NGX_HTTP_MISSEDCALL_PROVE_ARG_SESSION_PREFIX])
           != NGX_OK)
    {
        handler(NULL, op);
        return NGX_OK;
    }

    ngx_http_missedcall_args(&args[NGX_HTTP_MISSEDCALL_PROVE_ARG_EVENTS_MAX],
                             &p, op->mcf->events_max);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall inbound: call from %V to %V, prove sent",
                   from, to);

    if (ngx_http_missedcall_redis_eval(&ngx_http_missedcall_script_prove,
                                       NGX_HTTP_MISSEDCALL_PROVE_KEYS,
                                       NGX_HTTP_MISSEDCALL_PROVE_ARGC, argv,
                                       handler, op)
        != NGX_OK)
    {
        handler(NULL, op);
    }

    return NGX_OK;
}


/* what prove.lua answered, logged; 1: a session is proven */

static ngx_uint_t
ngx_http_missedcall_proved(ngx_http_missedcall_op_t *op, redisReply *reply)
{
    ngx_uint_t  proven;

    proven = ngx_http_missedcall_reply_is(reply, "ok", 2)
             && reply->element[1]->type == REDIS_REPLY_STRING
             && ngx_http_missedcall_uuid_valid(
                    (u_char *) reply->element[1]->str,
                    reply->element[1]->len);

    if (proven) {
        op->sid.len = reply->element[1]->len;
        op->sid.data = ngx_pnalloc(op->pool, op->sid.len);

        if (op->sid.data) {
            ngx_memcpy(op->sid.data, reply->element[1]->str, op->sid.len);

        } else {
            op->sid.len = 0;
        }

        ngx_log_error(NGX_LOG_INFO, op->log, 0,
                      "missedcall inbound: session %V proven by its call",
                      &op->sid);

    } else if (ngx_http_missedcall_reply_is(reply, "none", 1)) {
        ngx_log_error(NGX_LOG_INFO, op->log, 0,
                      "missedcall inbound: no session waits for this call");

    } else {
        ngx_log_error(NGX_LOG_ERR, op->log, 0,
                      "missedcall inbound: the session store did not take "
                      "the call: \"%s\"",
                      ngx_http_missedcall_reply_word(reply));
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->log, 0,
                   "missedcall inbound: %V: prove answered, %s", &op->sid,
                   proven ? "proven" : "nothing proven");

    return proven;
}


static void
ngx_http_missedcall_proved_twiml(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    ngx_http_request_t  *r;

    (void) ngx_http_missedcall_proved(op, reply);

    r = ngx_http_missedcall_op_end(op);

    if (r) {
        ngx_http_missedcall_finalize(r, ngx_http_missedcall_reject(r));
    }
}


/*
 * The custom HTTP gateway's incoming call: {"event": "call.inbound",
 * "from": E.164, "to": E.164, "timestamp": seconds[, "verstat": STIR/SHAKEN
 * as Twilio spells it]}, signed as the module's webhooks are, with the
 * gateway secret: X-Missedcall-Signature: sha256=<hex HMAC-SHA256 of the
 * raw body>.  200 {"proven": true|false}.
 */

ngx_int_t
ngx_http_missedcall_http_inbound_handler(ngx_http_request_t *r)
{
    return ngx_http_missedcall_read_body(r,
                                         ngx_http_missedcall_http_inbound_body);
}


static void
ngx_http_missedcall_http_inbound_body(ngx_http_request_t *r)
{
    u_char                          *hex;
    json_t                          *json, *ts;
    ngx_int_t                        rc;
    ngx_str_t                        body, from, to, verstat, *got;
    const char                      *event;
    ngx_http_missedcall_loc_conf_t  *lcf;

    lcf = ngx_http_get_module_loc_conf(r, ngx_http_missedcall_module);

    if (ngx_http_missedcall_body(r, &body) != NGX_OK) {
        return;
    }

    got = ngx_http_missedcall_header_in(r, "X-Missedcall-Signature",
                                        sizeof("X-Missedcall-Signature") - 1);
    hex = ngx_pnalloc(r->pool, sizeof("sha256=") - 1 + 2 * EVP_MAX_MD_SIZE);

    if (hex == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_memcpy(hex, "sha256=", sizeof("sha256=") - 1);

    if (got == NULL
        || ngx_http_missedcall_webhook_sign(&lcf->gateway.secret, body.data,
                                            body.len,
                                            hex + sizeof("sha256=") - 1)
           == NULL
        || got->len != sizeof("sha256=") - 1 + 64
        || CRYPTO_memcmp(got->data, hex, got->len) != 0)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "missedcall inbound: an HTTP gateway event with a bad "
                      "or no X-Missedcall-Signature refused");
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_FORBIDDEN, "invalid_signature",
                                  "the request is not signed with the "
                                  "gateway secret"));
        return;
    }

    json = json_loadb((char *) body.data, body.len, JSON_REJECT_DUPLICATES,
                      NULL);
    event = json_string_value(json_object_get(json, "event"));
    ts = json_object_get(json, "timestamp");

    /* a signed event replayed later proves nothing */
    if (event == NULL || ngx_strcmp(event, "call.inbound") != 0
        || !json_is_integer(ts)
        || ngx_abs(json_integer_value(ts) - (json_int_t) ngx_time())
           > NGX_HTTP_MISSEDCALL_INBOUND_TOLERANCE)
    {
        json_decref(json);
        ngx_http_finalize_request(r, ngx_http_missedcall_send_error(r,
                                  NGX_HTTP_BAD_REQUEST, "invalid_json",
                                  "not a \"call.inbound\" event of now"));
        return;
    }

    ngx_http_missedcall_json_str(r->pool, json, "from", &from);
    ngx_http_missedcall_json_str(r->pool, json, "to", &to);
    ngx_http_missedcall_json_str(r->pool, json, "verstat", &verstat);
    json_decref(json);

    rc = ngx_http_missedcall_prove(r, &from, &to, &verstat,
                                   ngx_http_missedcall_proved_json);

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, rc == NGX_ERROR
                                  ? NGX_HTTP_INTERNAL_SERVER_ERROR
                                  : ngx_http_missedcall_send_json(r,
                                        NGX_HTTP_OK,
                                        json_pack("{s:b}", "proven", 0)));
    }
}


/* a string member of json copied into pool, else empty */

static void
ngx_http_missedcall_json_str(ngx_pool_t *pool, json_t *json, char *name,
    ngx_str_t *value)
{
    json_t  *v;

    v = json_object_get(json, name);
    value->len = json_is_string(v) ? json_string_length(v) : 0;
    value->data = value->len ? ngx_pnalloc(pool, value->len) : NULL;

    if (value->data == NULL) {
        value->len = 0;
        return;
    }

    ngx_memcpy(value->data, json_string_value(v), value->len);
}


static void
ngx_http_missedcall_proved_json(redisReply *reply, void *data)
{
    ngx_http_missedcall_op_t *op = data;

    ngx_uint_t  proven;

    proven = ngx_http_missedcall_proved(op, reply);

    ngx_http_missedcall_op_respond(op, NGX_HTTP_OK,
                                   json_pack("{s:b}", "proven",
                                             (int) proven));
}


/* 200 with TwiML rejecting the call; the result is for finalizing */

static ngx_int_t
ngx_http_missedcall_reject(ngx_http_request_t *r)
{
    static u_char     twiml[] = NGX_HTTP_MISSEDCALL_TWILIO_REJECT;
    static ngx_str_t  type = ngx_string("text/xml");

    ngx_http_missedcall_set_outcome(r, "ok", 2);

    return ngx_http_missedcall_send_body(r, NGX_HTTP_OK, &type, twiml,
                                         sizeof(twiml) - 1);
}


/* the voice webhook checks Twilio's signatures over its own URL */

char *
ngx_http_missedcall_twilio_voice_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    return ngx_http_missedcall_twilio_signing_check(cf, lcf,
                                                &lcf->gateway.voice,
                                                "missedcall_twilio_voice_url");
}


/* the HTTP gateway's events are signed with its secret */

char *
ngx_http_missedcall_http_inbound_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf)
{
    if (lcf->gateway.type != &ngx_http_missedcall_gateway_http
        || lcf->gateway.secret.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" requires \"missedcall_gateway http\" "
                           "and its secret to be configured",
                           &lcf->endpoint->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
