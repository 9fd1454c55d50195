
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>

#include "tap.h"
#include "ngx_http_missedcall_twilio.h"


static ngx_http_missedcall_twilio_answer_t  a;


static void
parse(const char *s)
{
    ngx_http_missedcall_twilio_parse((const unsigned char *) s, strlen(s), &a);
}


int
main(void)
{
    parse("{\"sid\": \"CA0123456789abcdef0123456789abcdef\", "
          "\"status\": \"queued\"}");
    ok(strcmp(a.sid, "CA0123456789abcdef0123456789abcdef") == 0 && a.code == 0,
       "a 201 answer: the call sid");

    parse("{\"code\": 21211, \"message\": \"The 'To' number is not a valid "
          "phone number.\", \"more_info\": \"https://x\", \"status\": 400}");
    ok(a.code == 21211 && a.sid[0] == '\0', "an error: its code");
    ok(strcmp(a.message, "The 'To' number is not a valid phone number.") == 0,
       "and its message");

    parse("{\"code\": 20003, \"message\": \"a\\nforged [error] line\\r\"}");
    ok(strcmp(a.message, "a?forged [error] line?") == 0,
       "CR and LF cannot forge log lines");

    parse("{\"sid\": \"CA../../x\"}");
    ok(a.sid[0] == '\0', "a sid with other characters is ignored");

    parse("{\"sid\": \"CA0123456789abcdef0123456789abcdef0123456789abcdef"
          "0123456789abcdef\"}");
    ok(a.sid[0] == '\0', "a sid over 64 characters is ignored");

    parse("{\"code\": \"21211\"}");
    ok(a.code == 0, "a code that is not a number is ignored");

    parse("<html>502 Bad Gateway</html>");
    ok(a.code == 0 && a.sid[0] == '\0' && a.message[0] == '\0',
       "not JSON: nothing");

    parse("[1, 2]");
    ok(a.code == 0 && a.sid[0] == '\0', "not an object: nothing");

    ngx_http_missedcall_twilio_parse((const unsigned char *) "", 0, &a);
    ok(a.code == 0, "empty: nothing");

    return done();
}
