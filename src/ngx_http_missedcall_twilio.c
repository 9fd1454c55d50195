
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>
#include <jansson.h>

#include "ngx_http_missedcall_twilio.h"


void
ngx_http_missedcall_twilio_parse(const unsigned char *body, size_t len,
    ngx_http_missedcall_twilio_answer_t *answer)
{
    size_t       i, n;
    json_t      *json, *v;
    const char  *s;

    memset(answer, 0, sizeof(ngx_http_missedcall_twilio_answer_t));

    json = json_loadb((const char *) body, len, 0, NULL);

    if (!json_is_object(json)) {
        json_decref(json);
        return;
    }

    v = json_object_get(json, "sid");

    if (json_is_string(v)
        && json_string_length(v) <= NGX_HTTP_MISSEDCALL_TWILIO_SID_MAX)
    {
        s = json_string_value(v);
        n = json_string_length(v);

        for (i = 0; i < n; i++) {
            if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z')
                  || (s[i] >= 'A' && s[i] <= 'Z')))
            {
                break;
            }
        }

        if (i == n) {
            memcpy(answer->sid, s, n);
        }
    }

    v = json_object_get(json, "code");

    if (json_is_integer(v)) {
        answer->code = (long) json_integer_value(v);
    }

    v = json_object_get(json, "message");

    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);

        /* Twilio's words go to the error log: nothing that forges lines */
        for (i = 0; i < n && i < NGX_HTTP_MISSEDCALL_TWILIO_MESSAGE_MAX; i++) {
            answer->message[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
        }
    }

    json_decref(json);
}
