
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_PHONE_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_PHONE_H_INCLUDED_


/* Pure code: no nginx headers, so that unit tests and fuzzers link it alone */

#include <stddef.h>


#define NGX_HTTP_MISSEDCALL_E164_MIN      7    /* digits */
#define NGX_HTTP_MISSEDCALL_E164_MAX      15   /* digits, ITU-T E.164 */
#define NGX_HTTP_MISSEDCALL_E164_LEN      (1 + NGX_HTTP_MISSEDCALL_E164_MAX)
#define NGX_HTTP_MISSEDCALL_CALLERID_MAX  20   /* digits, with "011" etc. */
#define NGX_HTTP_MISSEDCALL_INPUT_MAX     64   /* bytes of raw input */


/*
 * A user's phone number to E.164 ("+" and 7..15 digits).  Accepts digits,
 * spaces, '-', '(', ')', '.', and one leading '+' or "00" (international
 * prefix).  Without '+'/"00" the digits are taken as already starting with
 * the country code.  The first digit of the country code cannot be 0.
 * out holds at least NGX_HTTP_MISSEDCALL_E164_LEN bytes; not NUL-terminated.
 * Returns the length written to out, 0 when the input is refused.
 */
size_t ngx_http_missedcall_phone_normalize(const unsigned char *in,
    size_t len, unsigned char *out);

/*
 * A caller id as a phone shows it ("+1 (555) 010-2030", "0015550102030",
 * "555.010.2030"...) to its digits, prefixes kept: matching is by suffix.
 * Accepts what phone_normalize accepts plus '/'; refuses letters, control
 * bytes and anything else.  out holds NGX_HTTP_MISSEDCALL_CALLERID_MAX
 * bytes.  Returns the number of digits, 0 when refused (none, or too many).
 */
size_t ngx_http_missedcall_callerid_digits(const unsigned char *in,
    size_t len, unsigned char *out);

/*
 * e164 (len bytes) copied to out with digits replaced by '*': its last n
 * digits (the hint shown in last-digits mode), or with keep set, all but
 * its last n (a phone fit for logs).  n larger than the digits: all.
 */
void ngx_http_missedcall_phone_mask(const unsigned char *e164, size_t len,
    size_t n, int keep, unsigned char *out);

/* 1 when s (len bytes) is a valid E.164 number as normalize() writes it */
int ngx_http_missedcall_phone_is_e164(const unsigned char *s, size_t len);

/*
 * 1 when s (len bytes) is a pool member: an E.164 number, or a range
 * "first-last" of two of one length, the first not above the last.
 */
int ngx_http_missedcall_pool_member_valid(const unsigned char *s,
    size_t len);

/*
 * 1 when s (len bytes) is a list of calling codes as the pool keeps them:
 * 1 to NGX_HTTP_MISSEDCALL_CODES_MAX codes of 1 to 3 digits, the first
 * not 0, separated by commas, none twice: "1", "44,353".
 */
#define NGX_HTTP_MISSEDCALL_CODES_MAX     8
#define NGX_HTTP_MISSEDCALL_CODES_LEN     (NGX_HTTP_MISSEDCALL_CODES_MAX * 4)

int ngx_http_missedcall_calling_codes_valid(const unsigned char *s,
    size_t len);


#endif /* _NGX_HTTP_MISSEDCALL_PHONE_H_INCLUDED_ */
