
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


/*
 * Reads a Calls answer: "sid" (letters and digits only, else ignored),
 * "code" and "message" (printable ASCII only: it goes to the log).  Any
 * body, JSON or not, yields an answer; absent fields stay empty.
 */
void ngx_http_missedcall_twilio_parse(const unsigned char *body, size_t len,
    ngx_http_missedcall_twilio_answer_t *answer);


#endif /* _NGX_HTTP_MISSEDCALL_TWILIO_H_INCLUDED_ */
