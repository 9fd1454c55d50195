
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ngx_http_missedcall_telnyx.h"


typedef struct {
    long                                 code;
    ngx_http_missedcall_telnyx_fault_e   fault;
    const char                          *fix;     /* for the operator */
} ngx_http_missedcall_telnyx_error_t;


/*
 * Telnyx's API error codes,
 * https://developers.telnyx.com/development/api-fundamentals/api-errors
 */

static const ngx_http_missedcall_telnyx_error_t
    ngx_http_missedcall_telnyx_errors[] = {

    { 10002, NGX_HTTP_MISSEDCALL_TELNYX_PHONE, NULL },
                            /* invalid phone number */
    { 10016, NGX_HTTP_MISSEDCALL_TELNYX_PHONE, NULL },
                            /* phone number must be in +E.164 format */

    { 10009, NGX_HTTP_MISSEDCALL_TELNYX_ACCOUNT,
      "authentication failed: check the API key in "
      "\"missedcall_gateway_secret_file\"" },
    { 10010, NGX_HTTP_MISSEDCALL_TELNYX_ACCOUNT,
      "authorization failed: the API key may not place calls" },
    { 10005, NGX_HTTP_MISSEDCALL_TELNYX_ACCOUNT,
      "resource not found: check \"missedcall_telnyx_connection\"" },

    { 10011, NGX_HTTP_MISSEDCALL_TELNYX_BUSY, NULL },
                            /* too many requests */

    { 0, NGX_HTTP_MISSEDCALL_TELNYX_UNKNOWN, NULL }
};


static void ngx_http_missedcall_telnyx_text(json_t *v, char *out);
static void ngx_http_missedcall_telnyx_id(json_t *v, char *out);
static int ngx_http_missedcall_telnyx_base64(const unsigned char *in,
    size_t len, unsigned char *out, size_t max, size_t *out_len);


ngx_http_missedcall_telnyx_fault_e
ngx_http_missedcall_telnyx_fault(long code, long status, const char **fix)
{
    const ngx_http_missedcall_telnyx_error_t  *e;

    for (e = ngx_http_missedcall_telnyx_errors; e->code; e++) {
        if (e->code == code) {
            *fix = e->fix;
            return e->fault;
        }
    }

    *fix = NULL;

    /* no code known: the status alone */
    if (status == 429) {
        return NGX_HTTP_MISSEDCALL_TELNYX_BUSY;
    }

    if (status == 401 || status == 403) {
        *fix = "authentication failed: check the API key in "
               "\"missedcall_gateway_secret_file\"";
        return NGX_HTTP_MISSEDCALL_TELNYX_ACCOUNT;
    }

    return NGX_HTTP_MISSEDCALL_TELNYX_UNKNOWN;
}


void
ngx_http_missedcall_telnyx_parse(const unsigned char *body, size_t len,
    ngx_http_missedcall_telnyx_answer_t *answer)
{
    json_t      *json, *v, *e;
    const char  *s;
    char        *end;

    memset(answer, 0, sizeof(ngx_http_missedcall_telnyx_answer_t));

    json = json_loadb((const char *) body, len, 0, NULL);

    if (!json_is_object(json)) {
        json_decref(json);
        return;
    }

    v = json_object_get(json, "data");

    if (json_is_object(v)) {
        ngx_http_missedcall_telnyx_id(json_object_get(v, "call_control_id"),
                                      answer->call_control_id);
    }

    v = json_object_get(json, "errors");
    e = json_is_array(v) ? json_array_get(v, 0) : NULL;

    if (json_is_object(e)) {
        v = json_object_get(e, "code");

        if (json_is_integer(v)) {
            answer->code = (long) json_integer_value(v);

        } else if (json_is_string(v) && json_string_length(v) > 0
                   && json_string_length(v) < 10)
        {
            s = json_string_value(v);
            answer->code = strtol(s, &end, 10);

            if (*end != '\0' || s[0] < '0' || s[0] > '9') {
                answer->code = 0;
            }
        }

        ngx_http_missedcall_telnyx_text(json_object_get(e, "title"),
                                        answer->title);
        ngx_http_missedcall_telnyx_text(json_object_get(e, "detail"),
                                        answer->detail);
    }

    json_decref(json);
}


ngx_http_missedcall_telnyx_event_e
ngx_http_missedcall_telnyx_event(const unsigned char *body, size_t len,
    char id[NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX + 1])
{
    json_t                              *json, *data, *v;
    const char                          *type;
    ngx_http_missedcall_telnyx_event_e   event;

    id[0] = '\0';
    event = NGX_HTTP_MISSEDCALL_TELNYX_OTHER;

    json = json_loadb((const char *) body, len, 0, NULL);
    data = json_is_object(json) ? json_object_get(json, "data") : NULL;

    if (!json_is_object(data)) {
        json_decref(json);
        return event;
    }

    v = json_object_get(data, "event_type");
    type = json_is_string(v) ? json_string_value(v) : "";

    if (strcmp(type, "call.initiated") == 0) {
        event = NGX_HTTP_MISSEDCALL_TELNYX_INITIATED;

    } else if (strcmp(type, "call.answered") == 0) {
        event = NGX_HTTP_MISSEDCALL_TELNYX_ANSWERED;
    }

    v = json_object_get(data, "payload");

    if (json_is_object(v)) {
        ngx_http_missedcall_telnyx_id(json_object_get(v, "call_control_id"),
                                      id);
    }

    json_decref(json);

    return event;
}


/* Telnyx's words go to the error log: nothing that forges lines */

static void
ngx_http_missedcall_telnyx_text(json_t *v, char *out)
{
    size_t       i, n;
    const char  *s;

    if (!json_is_string(v)) {
        return;
    }

    s = json_string_value(v);
    n = json_string_length(v);

    for (i = 0; i < n && i < NGX_HTTP_MISSEDCALL_TELNYX_TEXT_MAX; i++) {
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    }

    out[i] = '\0';
}


/* an id goes into a URL path and Redis: a safe alphabet, or nothing */

static void
ngx_http_missedcall_telnyx_id(json_t *v, char *out)
{
    size_t       i, n;
    const char  *s;

    if (!json_is_string(v)) {
        return;
    }

    s = json_string_value(v);
    n = json_string_length(v);

    if (n > NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX) {
        return;
    }

    for (i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z')
              || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == ':' || s[i] == '-'
              || s[i] == '_'))
        {
            return;
        }
    }

    memcpy(out, s, n);
    out[n] = '\0';
}


/* strict, padded base64, as Telnyx's library decodes it */

static int
ngx_http_missedcall_telnyx_base64(const unsigned char *in, size_t len,
    unsigned char *out, size_t max, size_t *out_len)
{
    int            v[4], j;
    size_t         i, k, n, pad;
    const char    *c;
    unsigned long  chunk;

    static const char  alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    if (len == 0 || len % 4 != 0) {
        return -1;
    }

    pad = (in[len - 1] == '=') + (in[len - 2] == '=');
    n = len / 4 * 3 - pad;

    if (n > max) {
        return -1;
    }

    for (i = 0, k = 0; i < len; i += 4) {
        for (j = 0; j < 4; j++) {
            if (in[i + j] == '=' && i + 4 == len && j >= 4 - (int) pad) {
                v[j] = 0;
                continue;
            }

            c = in[i + j] ? strchr(alphabet, in[i + j]) : NULL;

            if (c == NULL) {
                return -1;
            }

            v[j] = (int) (c - alphabet);
        }

        chunk = ((unsigned long) v[0] << 18) | ((unsigned long) v[1] << 12)
                | ((unsigned long) v[2] << 6) | (unsigned long) v[3];

        if (k < n) {
            out[k++] = (unsigned char) (chunk >> 16);
        }

        if (k < n) {
            out[k++] = (unsigned char) (chunk >> 8);
        }

        if (k < n) {
            out[k++] = (unsigned char) chunk;
        }
    }

    *out_len = n;

    return 0;
}


int
ngx_http_missedcall_telnyx_key(const unsigned char *text, size_t len,
    unsigned char key[NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN])
{
    int        rc;
    BIO       *bio;
    size_t     n;
    EVP_PKEY  *pkey;

    /* a file's final newline and spaces are not the key's */
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'
                   || text[len - 1] == ' '))
    {
        len--;
    }

    if (len > 10 && memcmp(text, "-----BEGIN", 10) == 0) {
        bio = BIO_new_mem_buf(text, (int) len);
        pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
        n = NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN;

        rc = (pkey && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519
              && EVP_PKEY_get_raw_public_key(pkey, key, &n) == 1
              && n == NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN)
             ? 0 : -1;

        EVP_PKEY_free(pkey);
        BIO_free(bio);

        return rc;
    }

    if (ngx_http_missedcall_telnyx_base64(text, len, key,
                                          NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN,
                                          &n)
        != 0 || n != NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN)
    {
        return -1;
    }

    return 0;
}


int
ngx_http_missedcall_telnyx_signed(
    const unsigned char key[NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN],
    const unsigned char *timestamp, size_t timestamp_len,
    const unsigned char *signature, size_t signature_len,
    const unsigned char *body, size_t len, time_t now, time_t tolerance)
{
    int             ok;
    size_t          i, n;
    long long       ts;
    EVP_PKEY       *pkey;
    EVP_MD_CTX     *ctx;
    unsigned char  *data, sig[NGX_HTTP_MISSEDCALL_TELNYX_SIG_LEN];

    /* digits only, and not so many as to overflow */
    if (timestamp_len == 0 || timestamp_len > 15) {
        return 0;
    }

    ts = 0;

    for (i = 0; i < timestamp_len; i++) {
        if (timestamp[i] < '0' || timestamp[i] > '9') {
            return 0;
        }

        ts = ts * 10 + (timestamp[i] - '0');
    }

    if (ts > (long long) now + tolerance || ts < (long long) now - tolerance)
    {
        return 0;
    }

    if (ngx_http_missedcall_telnyx_base64(signature, signature_len, sig,
                                          sizeof(sig), &n)
        != 0 || n != sizeof(sig))
    {
        return 0;
    }

    data = malloc(timestamp_len + 1 + len + 1);
    if (data == NULL) {
        return 0;
    }

    memcpy(data, timestamp, timestamp_len);
    data[timestamp_len] = '|';

    if (len) {
        memcpy(data + timestamp_len + 1, body, len);
    }

    pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key,
                                       NGX_HTTP_MISSEDCALL_TELNYX_KEY_LEN);
    ctx = EVP_MD_CTX_new();

    ok = pkey && ctx
         && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1
         && EVP_DigestVerify(ctx, sig, sizeof(sig), data,
                             timestamp_len + 1 + len) == 1;

    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    free(data);

    return ok;
}
