
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_TELNYX_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_TELNYX_H_INCLUDED_


/* Pure code (jansson and libcrypto only): Telnyx's answers and webhooks */

#include <stddef.h>
#include <time.h>


#define NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX       128
#define NGX_HTTP_MISSEDCALL_TELNYX_TEXT_MAX     256
#define NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN      32
#define NGX_HTTP_MISSEDCALL_TELNYX_SIG_LEN      64


typedef struct {
    /* "v3:..." of a placed call, "" if none */
    char     call_control_id[NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX + 1];
    long     code;                  /* the first error's code, 0 if none */
    char     title[NGX_HTTP_MISSEDCALL_TELNYX_TEXT_MAX + 1];
    char     detail[NGX_HTTP_MISSEDCALL_TELNYX_TEXT_MAX + 1];
} ngx_http_missedcall_telnyx_answer_t;


/* whose fault a refused call is */
typedef enum {
    NGX_HTTP_MISSEDCALL_TELNYX_UNKNOWN = 0, /* a code not in the table */
    NGX_HTTP_MISSEDCALL_TELNYX_PHONE,       /* the number called */
    NGX_HTTP_MISSEDCALL_TELNYX_ACCOUNT,     /* key, connection, account */
    NGX_HTTP_MISSEDCALL_TELNYX_BUSY         /* rate limited */
} ngx_http_missedcall_telnyx_fault_e;


/* the webhook events the module acts on */
typedef enum {
    NGX_HTTP_MISSEDCALL_TELNYX_OTHER = 0,
    NGX_HTTP_MISSEDCALL_TELNYX_INITIATED,   /* call.initiated: dialing */
    NGX_HTTP_MISSEDCALL_TELNYX_ANSWERED     /* call.answered */
} ngx_http_missedcall_telnyx_event_e;


/*
 * Reads a POST /v2/calls answer: data.call_control_id (letters, digits,
 * ":", "-" and "_" only, else ignored), and the first of errors[]: code
 * (a string of digits, as Telnyx sends it, or a number), title and detail
 * (printable ASCII only: they go to the log).  Any body yields an answer.
 */
void ngx_http_missedcall_telnyx_parse(const unsigned char *body, size_t len,
    ngx_http_missedcall_telnyx_answer_t *answer);

/*
 * Whose fault Telnyx's error code (or, without one, HTTP status) says a
 * refused call is, and what the operator can do (NULL: nothing).
 */
ngx_http_missedcall_telnyx_fault_e ngx_http_missedcall_telnyx_fault(
    long code, long status, const char **fix);

/*
 * A webhook's data.event_type, and its data.payload.call_control_id into
 * id (checked as in an answer; "" if none).
 */
ngx_http_missedcall_telnyx_event_e ngx_http_missedcall_telnyx_event(
    const unsigned char *body, size_t len,
    char id[NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX + 1]);

/*
 * The webhook public key as Telnyx's portal shows it (base64 of the 32
 * raw bytes) or as a PEM public key.  Returns 0, -1 if it is neither.
 */
int ngx_http_missedcall_telnyx_key(const unsigned char *text, size_t len,
    unsigned char key[NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN]);

/*
 * Telnyx's webhook signature: telnyx-timestamp within tolerance seconds
 * of now, and telnyx-signature-ed25519 the base64 Ed25519 signature of
 * "timestamp|body" by key.  Returns 1 when both hold, else 0.
 */
int ngx_http_missedcall_telnyx_signed(
    const unsigned char key[NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN],
    const unsigned char *timestamp, size_t timestamp_len,
    const unsigned char *signature, size_t signature_len,
    const unsigned char *body, size_t len, time_t now, time_t tolerance);


#endif /* _NGX_HTTP_MISSEDCALL_TELNYX_H_INCLUDED_ */
