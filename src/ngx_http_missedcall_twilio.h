
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_TWILIO_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_TWILIO_H_INCLUDED_


/* Pure code (jansson only): what Twilio's answer says */

#include <stddef.h>

#include "ngx_http_missedcall_form.h"


#define NGX_HTTP_MISSEDCALL_TWILIO_SID_MAX      64
#define NGX_HTTP_MISSEDCALL_TWILIO_MESSAGE_MAX  256


typedef struct {
    char     sid[NGX_HTTP_MISSEDCALL_TWILIO_SID_MAX + 1];  /* "" if none */
    long     code;                                         /* 0 if none */
    char     message[NGX_HTTP_MISSEDCALL_TWILIO_MESSAGE_MAX + 1];
} ngx_http_missedcall_twilio_answer_t;


/* whose fault a refused call is */
typedef enum {
    NGX_HTTP_MISSEDCALL_TWILIO_UNKNOWN = 0, /* a code not in the table */
    NGX_HTTP_MISSEDCALL_TWILIO_PHONE,       /* the number called: invalid,
                                               unreachable, blocked */
    NGX_HTTP_MISSEDCALL_TWILIO_GEO,         /* the number called is outside
                                               the account's permissions */
    NGX_HTTP_MISSEDCALL_TWILIO_ACCOUNT,     /* credentials, account state */
    NGX_HTTP_MISSEDCALL_TWILIO_CALLER       /* the pool number itself */
} ngx_http_missedcall_twilio_fault_e;


/* a callback's form, as ngx_http_missedcall_form_pairs() decodes it */
typedef ngx_http_missedcall_form_pair_t  ngx_http_missedcall_twilio_pair_t;

#define ngx_http_missedcall_twilio_form  ngx_http_missedcall_form_pairs

/*
 * The two forms of a callback URL whose signatures Twilio's libraries
 * accept: without a port, and with one (the URL's own, else 443 for https
 * and 80 for http), as twilio-node's validateRequest tries them.  bare
 * holds len bytes, ported len + 4.  Returns 0, or -1 when url is not
 * http:// or https:// with a host.
 */
int ngx_http_missedcall_twilio_url_forms(const unsigned char *url,
    size_t len, unsigned char *bare, size_t *bare_len,
    unsigned char *ported, size_t *ported_len);

/*
 * Sorts pairs as Twilio signs them: by name, a repeated name's values by
 * value (byte order both).  Returns how many stay once a pair equal to
 * the one before is dropped, as twilio-node drops a repeated value.
 */
size_t ngx_http_missedcall_twilio_sort(ngx_http_missedcall_twilio_pair_t *pairs,
    size_t n);

/*
 * Reads a Calls answer: "sid" (letters and digits only, else ignored),
 * "code" and "message" (printable ASCII only: it goes to the log).  Any
 * body, JSON or not, yields an answer; absent fields stay empty.
 */
void ngx_http_missedcall_twilio_parse(const unsigned char *body, size_t len,
    ngx_http_missedcall_twilio_answer_t *answer);


/*
 * Whose fault Twilio's error code says a refused call is, and what the
 * operator can do (NULL: nothing to do).  Only TWILIO_CALLER may count
 * against a pool number: the destination is the attacker's choice.
 */
ngx_http_missedcall_twilio_fault_e ngx_http_missedcall_twilio_fault(
    long code, const char **fix);


/*
 * TwiML refusing an incoming call unanswered: Twilio bills no first
 * <Reject>, and the caller hears it busy.
 */
#define NGX_HTTP_MISSEDCALL_TWILIO_REJECT                                    \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                             \
    "<Response><Reject/></Response>\n"

/* STIR/SHAKEN levels of an incoming call, weakest first */
#define NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_NONE  0   /* failed, absent */
#define NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_C     1
#define NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_B     2
#define NGX_HTTP_MISSEDCALL_TWILIO_ATTEST_A     3

/*
 * The level an incoming call's StirVerstat proves: A, B or C for
 * "TN-Validation-Passed-A" (B, C), alone or followed by "-" and a
 * qualifier ("-Diverted"); NONE for a failed validation
 * ("TN-Validation-Failed-A"), "No-TN-Validation", or anything else.
 */
unsigned ngx_http_missedcall_twilio_attestation(const unsigned char *v,
    size_t len);


/* what a refused Messages request says, to the client and the operator */
typedef struct {
    long         code;      /* Twilio's; 0 ends the table */
    unsigned     status;    /* the client's: 403, 422, 502 or 503 */
    const char  *error;     /* the client's error code */
    const char  *message;   /* the client's message */
    const char  *fix;       /* the operator's, or NULL: nothing to do */
} ngx_http_missedcall_twilio_sms_error_t;

/*
 * Twilio's messaging error code mapped: the recipient opted out (21610),
 * cannot receive SMS (21211, 21614, 21612, 30003, 30005, 30006), is in a
 * region the account may not message (21408), the carrier filtered the
 * message (30007, 30034), the account or sender is wrong (20003, 21606,
 * 21659, 21701, 21703, 21704), the body is too long (21617), or Twilio is
 * busy (20429, 14107).  An unknown code: 502 gateway_error.
 */
const ngx_http_missedcall_twilio_sms_error_t *
    ngx_http_missedcall_twilio_sms_error(long code);


#endif /* _NGX_HTTP_MISSEDCALL_TWILIO_H_INCLUDED_ */
