
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_TWILIO_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_TWILIO_H_INCLUDED_


/* Pure code (jansson only): what Twilio's answer says */

#include <stddef.h>


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


typedef struct {
    const unsigned char  *key;
    size_t                key_len;
    const unsigned char  *value;
    size_t                value_len;
} ngx_http_missedcall_twilio_pair_t;


/*
 * Decodes an application/x-www-form-urlencoded body ("+" is a space, then
 * %XX; a malformed escape stays as it is) into buf, which holds len
 * bytes, and points at most max pairs into it.  Returns the pairs found,
 * or -1 when there are more than max.
 */
int ngx_http_missedcall_twilio_form(const unsigned char *body, size_t len,
    unsigned char *buf, ngx_http_missedcall_twilio_pair_t *pairs,
    size_t max);

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


#endif /* _NGX_HTTP_MISSEDCALL_TWILIO_H_INCLUDED_ */
