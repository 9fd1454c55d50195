
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>

#include "ngx_http_missedcall_redis.h"
#include "ngx_http_missedcall_curl.h"
#include "ngx_http_missedcall_jwt.h"
#include "ngx_http_missedcall_json.h"
#include "ngx_http_missedcall_metrics.h"
#include "ngx_http_missedcall_keys.h"
#include "ngx_http_missedcall_code.h"


/* the endpoints, indexes of ngx_http_missedcall_endpoints */
typedef enum {
    NGX_HTTP_MISSEDCALL_EP_REQUEST = 0,
    NGX_HTTP_MISSEDCALL_EP_VERIFY,
    NGX_HTTP_MISSEDCALL_EP_STATUS,
    NGX_HTTP_MISSEDCALL_EP_CHECK,
    NGX_HTTP_MISSEDCALL_EP_TWILIO,
    NGX_HTTP_MISSEDCALL_EP_ADMIN,
    NGX_HTTP_MISSEDCALL_EP_METRICS,
    NGX_HTTP_MISSEDCALL_EP_JWKS,
    NGX_HTTP_MISSEDCALL_EP_TELNYX,
    NGX_HTTP_MISSEDCALL_EP_TWILIO_VOICE,
    NGX_HTTP_MISSEDCALL_EP_HTTP_INBOUND,
    NGX_HTTP_MISSEDCALL_ENDPOINTS
} ngx_http_missedcall_endpoint_e;

/* what an endpoint needs configured */
#define NGX_HTTP_MISSEDCALL_NEEDS_REDIS         0x01
#define NGX_HTTP_MISSEDCALL_NEEDS_GATEWAY       0x02
#define NGX_HTTP_MISSEDCALL_NEEDS_POOL          0x04
#define NGX_HTTP_MISSEDCALL_NEEDS_KEYS          0x08
#define NGX_HTTP_MISSEDCALL_NEEDS_ADMIN_TOKEN   0x10
#define NGX_HTTP_MISSEDCALL_NEEDS_METRICS_ZONE  0x20

#define NGX_HTTP_MISSEDCALL_UUID_LEN  36

#define NGX_HTTP_MISSEDCALL_UNPROCESSABLE  422
#define NGX_HTTP_MISSEDCALL_CONFLICT       409

/*
 * how a session is proven: a call placed to the phone, one from it, or a
 * code sent to it by text message
 */
#define NGX_HTTP_MISSEDCALL_CH_OUTBOUND  0
#define NGX_HTTP_MISSEDCALL_CH_INBOUND   1
#define NGX_HTTP_MISSEDCALL_CH_SMS       2


typedef struct ngx_http_missedcall_gateway_s  ngx_http_missedcall_gateway_t;
typedef struct ngx_http_missedcall_op_s       ngx_http_missedcall_op_t;
typedef struct ngx_http_missedcall_loc_conf_s ngx_http_missedcall_loc_conf_t;


typedef struct {
    ngx_str_t                          name;      /* the directive */
    const char                        *label;     /* in metrics */
    ngx_http_handler_pt                handler;
    ngx_uint_t                         needs;     /* NEEDS_* */

    /* more checks at "nginx -t", or NULL */
    char                            *(*check)(ngx_conf_t *cf,
                                        ngx_http_missedcall_loc_conf_t *lcf);
} ngx_http_missedcall_endpoint_t;


/* a configured pool number, or a range of them */
typedef struct {
    ngx_str_t                          number;    /* E.164, or "first-last" */
    ngx_str_t                          codes;     /* "44,353", or empty */
    uint64_t                           first;     /* the digits, as numbers */
    uint64_t                           last;
    size_t                             digits;    /* how many */
} ngx_http_missedcall_number_t;


/* a patient attacker's odds a day for a phone of a calling code */
typedef struct {
    ngx_str_t                          code;      /* empty: any phone */
    uint64_t                           callers;   /* it may be called from */
    uint64_t                           ppm;       /* millionths */
} ngx_http_missedcall_odds_t;


typedef struct {
    ngx_http_missedcall_redis_conf_t   redis;     /* addr.len 0: none */
    ngx_str_t                          prefix;
    ngx_array_t                       *pool;      /* number_t */
    ngx_int_t                          max_failures;  /* 0: never disable */
    ngx_int_t                          max_disabled;  /* % of the numbers
                                                         disabled that way */
    ngx_int_t                          events_max;    /* 0: no events */
    ngx_array_t                       *keys;      /* jwt_key_t: the first
                                                     not verify_only signs */
    ngx_str_t                          jwks;      /* built once, or empty */
    ngx_uint_t                         endpoints; /* 1 << each served */

    /* the weakest request location: its guesses a day, its bound */
    uint64_t                           guesses;
    ngx_uint_t                         hint_digits;   /* the most */
    ngx_uint_t                         max_guess_ppm;  /* unset: none */
    ngx_shm_zone_t                    *metrics_zone;
    ngx_array_t                       *gateway_names;  /* ngx_str_t: the
                                                          metrics' labels */
    /* each name's counters in the metrics zone, which outlives reloads */
    ngx_uint_t                         gateway_slots[
                                           NGX_HTTP_MISSEDCALL_GATEWAYS];
} ngx_http_missedcall_main_conf_t;


typedef struct {
    ngx_http_missedcall_gateway_t     *type;      /* NULL: none */
    ngx_str_t                          url;
    ngx_str_t                          account;   /* Twilio Account SID */
    ngx_str_t                          api_key;   /* Twilio API key SID */
    ngx_str_t                          secret;    /* token, key secret */
    ngx_str_t                          callback;  /* Twilio StatusCallback */
    ngx_str_t                          voice;     /* Twilio's incoming call
                                                     webhook, as it signs */
    ngx_msec_t                         timeout;
    ngx_msec_t                         ring;
    ngx_msec_t                         interval;  /* between calls; 0: any */
    ngx_msec_t                         max_delay;
    ngx_str_t                          ca_file;
    ngx_str_t                          connection;   /* Telnyx's */
    ngx_str_t                          telnyx_key;   /* 32 bytes, or none */
    time_t                             tolerance;    /* of its webhooks */
    ngx_str_t                          webhook_url;  /* Telnyx's, or none */
    ngx_str_t                          service;  /* Twilio's Messaging
                                                    Service, or none */
    ngx_str_t                          name;     /* in logs, metrics, Redis */
    ngx_msec_t                         fail_timeout; /* skipped this long */
    ngx_uint_t                         metric;   /* its metrics slot */
} ngx_http_missedcall_gateway_conf_t;


/* what one missedcall_gateway line sets; the rest is the location's */
typedef struct {
    ngx_http_missedcall_gateway_t     *type;
    ngx_str_t                          url;
    ngx_str_t                          name;
    ngx_str_t                          secret;
    ngx_msec_t                         interval;
    ngx_msec_t                         fail_timeout;
} ngx_http_missedcall_gateway_line_t;


/* the SMS channel's settings */
typedef struct {
    ngx_uint_t                         code_length;   /* digits */
    ngx_str_t                          text;      /* with "{code}" */
    ngx_str_t                          app_hash;  /* SMS Retriever's, or
                                                     empty */
    ngx_uint_t                         fallback;  /* 1: a call failed or
                                                     not received falls
                                                     back to SMS */
} ngx_http_missedcall_sms_conf_t;


typedef struct {
    ngx_str_t                          url;       /* empty: none */
    ngx_str_t                          secret;
    ngx_str_t                          ca_file;
    ngx_uint_t                         retries;
    ngx_msec_t                         timeout;
} ngx_http_missedcall_webhook_conf_t;


/* what a verification may name: its session, its phone, or either */
#define NGX_HTTP_MISSEDCALL_VERIFY_BY_SESSION  1
#define NGX_HTTP_MISSEDCALL_VERIFY_BY_PHONE    2
#define NGX_HTTP_MISSEDCALL_VERIFY_BY_BOTH     3


/* calls counted per phone, client address, number prefix, or in all;
   SMS in all */
#define NGX_HTTP_MISSEDCALL_LIMIT_PHONE   0
#define NGX_HTTP_MISSEDCALL_LIMIT_IP      1
#define NGX_HTTP_MISSEDCALL_LIMIT_PREFIX  2
#define NGX_HTTP_MISSEDCALL_LIMIT_GLOBAL  3
#define NGX_HTTP_MISSEDCALL_LIMIT_SMS     4   /* SMS sent, in all */

typedef struct {
    ngx_uint_t                         kind;
    ngx_uint_t                         count;
    ngx_msec_t                         window;
    ngx_uint_t                         digits;    /* prefix length */
} ngx_http_missedcall_limit_t;


struct ngx_http_missedcall_loc_conf_s {
    ngx_http_missedcall_endpoint_t    *endpoint;  /* NULL: none */
    ngx_http_missedcall_gateway_conf_t gateway;   /* the first gateway */
    ngx_array_t                       *gateway_lines;  /* gateway_line_t */
    ngx_array_t                       *gateways;  /* gateway_conf_t, in the
                                                     order of failover */
    ngx_msec_t                         session_ttl;
    ngx_uint_t                         match_digits;  /* 0: whole caller id */
    ngx_uint_t                         max_attempts;
    ngx_uint_t                         max_failures;  /* 0: off */
    ngx_msec_t                         failures_window;
    ngx_uint_t                         verify_by;     /* VERIFY_BY_* */
    ngx_uint_t                         max_guess_ppm; /* odds a day, 1e-6 */
    ngx_array_t                       *limits;    /* limit_t; NULL: off */
    ngx_msec_t                         resend;    /* 0: off */
    ngx_uint_t                         ipv6_prefix;  /* bits an "ip" limit
                                                        counts together */
    ngx_array_t                       *countries; /* ngx_str_t codes */
    ngx_uint_t                         countries_allow;
    ngx_array_t                       *signatures;  /* SHA-256 digests */
    ngx_flag_t                         signature_required;
    size_t                             body_limit;
    time_t                             token_ttl;
    time_t                             token_leeway;
    ngx_str_t                          token_cookie;
    ngx_http_missedcall_jwt_rules_t   *token_rules;
    time_t                             jwks_max_age;
    u_char                            *admin_token;  /* SHA-256 */
    ngx_http_missedcall_webhook_conf_t webhook;
    ngx_uint_t                         channel;   /* CH_*: when the body
                                                     names none */
    ngx_uint_t                         attestation;  /* the least STIR/SHAKEN
                                                        level of an inbound
                                                        call, 0: any */
    ngx_http_missedcall_sms_conf_t     sms;
};


struct ngx_http_missedcall_gateway_s {
    ngx_str_t                          name;

    /* checks the gateway's directives at "nginx -t" */
    char                            *(*check)(ngx_conf_t *cf,
                                    ngx_http_missedcall_gateway_conf_t *gw);

    /* sets URL, headers and body of the transfer placing op's call */
    ngx_int_t                        (*prepare)(ngx_http_missedcall_op_t *op,
                                         ngx_http_missedcall_curl_req_t *req);

    /*
     * Judges a complete HTTP answer: NGX_OK, the call is placed (and
     * op->gateway_sid may name it); else op's answer to the client is set
     * with ngx_http_missedcall_op_fail().
     */
    ngx_int_t                        (*result)(ngx_http_missedcall_op_t *op,
                                         ngx_http_missedcall_curl_req_t *req);

    /*
     * The same for op's text message, whose body is text; NULL: the
     * gateway sends none.
     */
    ngx_int_t                        (*sms_prepare)(
                                         ngx_http_missedcall_op_t *op,
                                         ngx_http_missedcall_curl_req_t *req,
                                         ngx_str_t *text);
    ngx_int_t                        (*sms_result)(
                                         ngx_http_missedcall_op_t *op,
                                         ngx_http_missedcall_curl_req_t *req);
};


/*
 * One client operation.  It lives in a pool of its own, not the request's:
 * a call placed for a client that went away must still be confirmed or
 * undone in Redis.  r is NULL once the request is gone.
 */

struct ngx_http_missedcall_op_s {
    ngx_pool_t                        *pool;
    ngx_http_request_t                *r;
    ngx_pool_cleanup_t                *cln;     /* in r's pool: detaches */
    ngx_http_missedcall_loc_conf_t    *lcf;
    ngx_http_missedcall_main_conf_t   *mcf;
    ngx_log_t                         *log;

    ngx_str_t                          phone;
    ngx_str_t                          sid;
    ngx_str_t                          call_id;
    ngx_str_t                          caller;
    ngx_str_t                          session_key;
    ngx_str_t                          salt;     /* of the session's hashes */
    ngx_str_t                          secret;   /* an SMS session's: its
                                                    code's salted hash */
    ngx_str_t                          gateway_sid;  /* the gateway's id */
    ngx_http_missedcall_gateway_conf_t *gw;     /* the gateway calling */
    ngx_uint_t                         attempt;  /* its index in gateways */
    ngx_msec_t                         slot_wait;  /* for the first one's
                                                      slot, reserved */
    ngx_str_t                          resend_key;
    ngx_str_t                          addr;     /* the client's address */
    int64_t                            expires_ms;
    ngx_msec_t                         reserved;  /* when reserve answered */
    ngx_event_t                        delay;    /* waits for a call slot */

    ngx_uint_t                         status;   /* answer once undone */
    const char                        *error;
    const char                        *message;
    time_t                             retry_after;
    ngx_str_t                          fault;    /* the gateway refused the
                                                    caller number: why */
    ngx_uint_t                         admin;    /* the admin operation */
    ngx_msec_int_t                     gateway_ms;   /* -1: no call */
    ngx_uint_t                         channel;  /* CH_* */
    const char                        *channel_name;  /* NULL: not known */
    unsigned                           fallback:1;  /* the call failed: an
                                                       SMS follows */
    unsigned                           replaced:1;  /* an SMS instead of a
                                                       call not received */
    /* an SMS session's code, in the clear only until its message is built */
    u_char                             code[NGX_HTTP_MISSEDCALL_CODE_MAX + 1];
};


extern ngx_module_t  ngx_http_missedcall_module;

extern ngx_http_missedcall_endpoint_t
    ngx_http_missedcall_endpoints[NGX_HTTP_MISSEDCALL_ENDPOINTS];

extern ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_http;
extern ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_twilio;
extern ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_telnyx;


/* src/ngx_http_missedcall_endpoint.c */
char *ngx_http_missedcall_endpoint_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);

/* src/ngx_http_missedcall_http.c: request and response plumbing */
ngx_int_t ngx_http_missedcall_read_body(ngx_http_request_t *r,
    ngx_http_client_body_handler_pt post_handler);
ngx_int_t ngx_http_missedcall_body(ngx_http_request_t *r, ngx_str_t *body);
ngx_http_missedcall_body_t *ngx_http_missedcall_parse(ngx_http_request_t *r);
ngx_uint_t ngx_http_missedcall_field(ngx_http_missedcall_body_t *body,
    ngx_http_missedcall_field_e f, ngx_str_t *value);
ngx_int_t ngx_http_missedcall_read_phone(ngx_http_request_t *r,
    ngx_str_t *value, ngx_str_t *phone);
u_char *ngx_http_missedcall_json_text(ngx_pool_t *pool, json_t *json,
    size_t *len);
ngx_int_t ngx_http_missedcall_send_json(ngx_http_request_t *r,
    ngx_uint_t status, json_t *json);
u_char *ngx_http_missedcall_members_text(ngx_pool_t *pool,
    ngx_http_missedcall_json_member_t *m, size_t n, size_t *len);
ngx_int_t ngx_http_missedcall_send_ok(ngx_http_request_t *r,
    ngx_uint_t status, u_char *text, size_t len);
ngx_int_t ngx_http_missedcall_send_body(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *type, u_char *data, size_t len);
ngx_int_t ngx_http_missedcall_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *error, const char *message);
json_t *ngx_http_missedcall_error_json(const char *error,
    const char *message);
ngx_table_elt_t *ngx_http_missedcall_add_header(ngx_http_request_t *r,
    char *key, char *value);
ngx_str_t *ngx_http_missedcall_header_in(ngx_http_request_t *r, char *name,
    size_t len);
ngx_int_t ngx_http_missedcall_not_allowed(ngx_http_request_t *r,
    char *allow);
ngx_int_t ngx_http_missedcall_too_large(ngx_http_request_t *r);
ngx_uint_t ngx_http_missedcall_get_only(ngx_http_request_t *r,
    ngx_int_t *rc);
ngx_uint_t ngx_http_missedcall_uuid_valid(u_char *p, size_t len);
ngx_int_t ngx_http_missedcall_random(u_char *buf, size_t len);
ngx_int_t ngx_http_missedcall_uuid(u_char *out);
ngx_int_t ngx_http_missedcall_key_alloc(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_uint_t kind, ngx_str_t *id,
    ngx_str_t *key);

/* src/ngx_http_missedcall_op.c: the life of an operation */
ngx_http_missedcall_op_t *ngx_http_missedcall_op_create(
    ngx_http_request_t *r);
ngx_int_t ngx_http_missedcall_op_secret(ngx_http_missedcall_op_t *op,
    u_char *data, size_t len, ngx_str_t *hash);
ngx_int_t ngx_http_missedcall_op_key(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_key_e kind, ngx_str_t *id, ngx_str_t *key);
void ngx_http_missedcall_op_eval(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_script_t *script, ngx_uint_t nkeys, ngx_uint_t argc,
    ngx_str_t *argv, ngx_http_missedcall_redis_pt handler);
void ngx_http_missedcall_op_respond(ngx_http_missedcall_op_t *op,
    ngx_uint_t status, json_t *json);
void ngx_http_missedcall_op_respond_members(ngx_http_missedcall_op_t *op,
    ngx_uint_t status, ngx_http_missedcall_json_member_t *m, size_t n);
void ngx_http_missedcall_op_error(ngx_http_missedcall_op_t *op,
    ngx_uint_t status, const char *error, const char *message);
void ngx_http_missedcall_op_unavailable(ngx_http_missedcall_op_t *op);
ngx_http_request_t *ngx_http_missedcall_op_end(ngx_http_missedcall_op_t *op);
void ngx_http_missedcall_finalize(ngx_http_request_t *r, ngx_int_t rc);
void ngx_http_missedcall_args(ngx_str_t *arg, u_char **p, ngx_uint_t value);
ngx_int_t ngx_http_missedcall_reply_is(redisReply *reply, const char *word,
    size_t elements);
const char *ngx_http_missedcall_reply_word(redisReply *reply);

/* src/ngx_http_missedcall_gateway.c: what a gateway's answer sets */
void ngx_http_missedcall_op_fail(ngx_http_missedcall_op_t *op,
    ngx_uint_t status, const char *error, const char *message);
void ngx_http_missedcall_op_fault(ngx_http_missedcall_op_t *op,
    ngx_int_t status, ngx_int_t code);
void ngx_http_missedcall_op_busy(ngx_http_missedcall_op_t *op);
ngx_int_t ngx_http_missedcall_op_unanswered(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, const char *what,
    const char *message);
void ngx_http_missedcall_op_gateway_sid(ngx_http_missedcall_op_t *op,
    const char *sid);
char *ngx_http_missedcall_gateways_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev);

/* src/ngx_http_missedcall_pool.c */
char *ngx_http_missedcall_pool_strength(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_array_t *pool);
uint64_t ngx_http_missedcall_guesses(ngx_http_missedcall_loc_conf_t *lcf);
ngx_array_t *ngx_http_missedcall_pool_odds(ngx_pool_t *pool,
    ngx_array_t *numbers, uint64_t guesses, ngx_uint_t digits,
    ngx_http_missedcall_odds_t **worst);
ngx_array_t *ngx_http_missedcall_pool_members(ngx_pool_t *pool,
    redisReply **element, size_t n);
void ngx_http_missedcall_pool_sync(void);
ngx_int_t ngx_http_missedcall_pool_argv(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_str_t *argv);

/* src/ngx_http_missedcall_gateway_twilio.c */
char *ngx_http_missedcall_twilio_callback_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);
char *ngx_http_missedcall_twilio_signing_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf, ngx_str_t *url, char *directive);
ngx_array_t *ngx_http_missedcall_twilio_signed_form(ngx_http_request_t *r,
    ngx_str_t *url);
ngx_int_t ngx_http_missedcall_twilio_param(ngx_array_t *form, char *name,
    ngx_str_t *value);
u_char *ngx_http_missedcall_twilio_url(ngx_pool_t *pool,
    ngx_http_missedcall_gateway_conf_t *gw, const char *resource,
    ngx_str_t *sid);
ngx_int_t ngx_http_missedcall_twilio_auth(CURL *easy,
    ngx_http_missedcall_gateway_conf_t *gw);
ngx_int_t ngx_http_missedcall_twilio_sid_valid(ngx_str_t *sid,
    const char *prefix);

/* src/ngx_http_missedcall_inbound.c */
char *ngx_http_missedcall_twilio_voice_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);
char *ngx_http_missedcall_http_inbound_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);
ngx_int_t ngx_http_missedcall_channel_read(ngx_http_request_t *r,
    ngx_http_missedcall_body_t *body, ngx_uint_t *channel);
ngx_uint_t ngx_http_missedcall_channel_count(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_limit_t *limit);
const char *ngx_http_missedcall_channel_name(ngx_uint_t channel);
ngx_uint_t ngx_http_missedcall_channel_parse(const char *name, size_t len);
json_t *ngx_http_missedcall_inbound_answer(ngx_http_missedcall_op_t *op,
    u_char *expires_at, int64_t left);

/* src/ngx_http_missedcall_request.c */
void ngx_http_missedcall_reserve(ngx_http_missedcall_op_t *op);
void ngx_http_missedcall_confirm(ngx_http_missedcall_op_t *op);
void ngx_http_missedcall_undo(ngx_http_missedcall_op_t *op);

/* src/ngx_http_missedcall_sms.c */
char *ngx_http_missedcall_sms_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev);
char *ngx_http_missedcall_sms_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);
ngx_int_t ngx_http_missedcall_sms_code(ngx_http_missedcall_op_t *op,
    ngx_str_t *hash);
void ngx_http_missedcall_sms_start(ngx_http_request_t *r,
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_body_t *body);
void ngx_http_missedcall_sms_send(ngx_http_missedcall_op_t *op);
void ngx_http_missedcall_sms_fallback(ngx_http_missedcall_op_t *op);
json_t *ngx_http_missedcall_sms_answer(ngx_http_missedcall_op_t *op,
    u_char *expires_at, int64_t left);

/* src/ngx_http_missedcall_gateway_sms.c */
ngx_int_t ngx_http_missedcall_twilio_sms_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, ngx_str_t *text);
ngx_int_t ngx_http_missedcall_twilio_sms_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req);
ngx_int_t ngx_http_missedcall_http_sms_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, ngx_str_t *text);

/* src/ngx_http_missedcall_gateway_http.c */
ngx_int_t ngx_http_missedcall_http_post(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req, u_char *body, size_t len);
ngx_int_t ngx_http_missedcall_http_sms_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req);

/* src/ngx_http_missedcall_gateway_telnyx.c */
char *ngx_http_missedcall_telnyx_webhook_check(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *lcf);

/* src/ngx_http_missedcall_confirm.c: the call is placed, in one MULTI */
ngx_int_t ngx_http_missedcall_confirm_send(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_redis_pt handler);
ngx_int_t ngx_http_missedcall_confirm_done(ngx_http_missedcall_op_t *op,
    redisReply *reply);

/* src/ngx_http_missedcall_tally.c: the figures of calls, batched */
void ngx_http_missedcall_tally_placed(ngx_http_missedcall_main_conf_t *mcf,
    ngx_str_t *number);
void ngx_http_missedcall_tally_verified(ngx_http_missedcall_main_conf_t *mcf,
    ngx_str_t *number);
void ngx_http_missedcall_tally_flush(void);

/* src/ngx_http_missedcall_failover.c */
ngx_uint_t ngx_http_missedcall_failover_next(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req);
void ngx_http_missedcall_failover_pick(ngx_http_missedcall_op_t *op,
    ngx_event_handler_pt dispatch, void (*fail)(ngx_http_missedcall_op_t *));

/* src/ngx_http_missedcall_token.c */
ngx_int_t ngx_http_missedcall_token_issue(ngx_pool_t *pool,
    ngx_http_missedcall_main_conf_t *mcf, ngx_http_missedcall_loc_conf_t *lcf,
    ngx_http_missedcall_jwt_claims_t *claims, ngx_str_t *token);
void ngx_http_missedcall_token_merge(ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev);

/* src/ngx_http_missedcall_webhook.c */
void ngx_http_missedcall_webhook_send(ngx_http_missedcall_op_t *op,
    ngx_str_t *token_id, ngx_str_t *event_id);
char *ngx_http_missedcall_webhook_merge(ngx_conf_t *cf,
    ngx_http_missedcall_loc_conf_t *conf,
    ngx_http_missedcall_loc_conf_t *prev);
u_char *ngx_http_missedcall_webhook_sign(ngx_str_t *secret, u_char *data,
    size_t len, u_char *out);

/* src/ngx_http_missedcall_limits.c */
ngx_uint_t ngx_http_missedcall_signature_ok(ngx_http_request_t *r,
    ngx_http_missedcall_body_t *body);
ngx_uint_t ngx_http_missedcall_country_ok(ngx_http_request_t *r,
    ngx_str_t *phone);
ngx_int_t ngx_http_missedcall_limit_addr(ngx_http_request_t *r,
    ngx_http_missedcall_op_t *op);
ngx_int_t ngx_http_missedcall_limit_keys(ngx_http_missedcall_op_t *op,
    ngx_str_t *keys);
void ngx_http_missedcall_limited(ngx_http_missedcall_op_t *op,
    ngx_uint_t which, int64_t pttl);
void ngx_http_missedcall_locked(ngx_http_missedcall_op_t *op, int64_t pttl);


#endif /* _NGX_HTTP_MISSEDCALL_H_INCLUDED_ */
