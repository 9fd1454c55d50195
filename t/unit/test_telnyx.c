
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tap.h"
#include "ngx_http_missedcall_telnyx.h"


static ngx_http_missedcall_telnyx_answer_t  a;


static void
parse(const char *s)
{
    ngx_http_missedcall_telnyx_parse((const unsigned char *) s, strlen(s), &a);
}


static int
fault_is(long code, long status, ngx_http_missedcall_telnyx_fault_e want)
{
    const char  *fix;

    return ngx_http_missedcall_telnyx_fault(code, status, &fix) == want;
}


/* a signature made as Telnyx makes it: Ed25519 over "timestamp|body" */
static void
sign(EVP_PKEY *pkey, const char *ts, const char *body, char *b64)
{
    char           data[1024];
    size_t         n;
    unsigned char  sig[64];
    EVP_MD_CTX    *ctx;

    n = (size_t) snprintf(data, sizeof(data), "%s|%s", ts, body);
    ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey);
    n = sizeof(sig);
    EVP_DigestSign(ctx, sig, &n, (unsigned char *) data, strlen(data));
    EVP_MD_CTX_free(ctx);
    EVP_EncodeBlock((unsigned char *) b64, sig, 64);
}


static int
check(const unsigned char *key, const char *ts, const char *sig,
    const char *body, time_t now)
{
    return ngx_http_missedcall_telnyx_signed(key, (const unsigned char *) ts,
               strlen(ts), (const unsigned char *) sig, strlen(sig),
               (const unsigned char *) body, strlen(body), now, 300);
}


int
main(void)
{
    int             rc;
    char            id[NGX_HTTP_MISSEDCALL_TELNYX_ID_MAX + 1], b64[100],
                    sig[100], ts[32], forged[100];
    BIO            *bio;
    char           *pem;
    long            pem_len;
    size_t          n;
    time_t          now;
    EVP_PKEY       *pkey;
    EVP_PKEY_CTX   *kctx;
    const char     *fix, *body;
    unsigned char   raw[32], key[32], other[32];

    parse("{\"data\": {\"call_control_id\": \"v3:MdI91X4lWFEs7IgbBEOT9M3AO\","
          "\"call_leg_id\": \"2dc6fc34\", \"is_alive\": false, "
          "\"record_type\": \"call\"}}");
    ok(strcmp(a.call_control_id, "v3:MdI91X4lWFEs7IgbBEOT9M3AO") == 0
       && a.code == 0, "a placed call: its call_control_id");

    parse("{\"errors\": [{\"code\": \"10002\", \"title\": \"Invalid phone "
          "number\", \"detail\": \"The phone number is invalid.\"}]}");
    ok(a.code == 10002 && a.call_control_id[0] == '\0',
       "an error: its code, a string of digits");
    ok(strcmp(a.title, "Invalid phone number") == 0
       && strcmp(a.detail, "The phone number is invalid.") == 0,
       "its title and detail");

    parse("{\"errors\": [{\"code\": 10011}, {\"code\": \"10002\"}]}");
    ok(a.code == 10011, "a numeric code, the first error's");

    parse("{\"errors\": [{\"code\": \"1x\", \"detail\": \"a\\nb\\r\"}]}");
    ok(a.code == 0 && strcmp(a.detail, "a?b?") == 0,
       "a code that is not digits is none; CR and LF cannot forge lines");

    parse("{\"data\": {\"call_control_id\": \"v3:a/../b\"}}");
    ok(a.call_control_id[0] == '\0', "an id that would escape its path");

    parse("<html>502</html>");
    ok(a.code == 0 && a.call_control_id[0] == '\0', "not JSON: empty");

    ok(fault_is(10002, 422, NGX_HTTP_MISSEDCALL_TELNYX_PHONE)
       && fault_is(10016, 422, NGX_HTTP_MISSEDCALL_TELNYX_PHONE),
       "invalid destinations are the phone's");
    ok(ngx_http_missedcall_telnyx_fault(10009, 401, &fix)
       == NGX_HTTP_MISSEDCALL_TELNYX_ACCOUNT && fix
       && strstr(fix, "API key"), "authentication: a hint about the key");
    ok(fault_is(10011, 429, NGX_HTTP_MISSEDCALL_TELNYX_BUSY)
       && fault_is(0, 429, NGX_HTTP_MISSEDCALL_TELNYX_BUSY),
       "rate limits, by code or status");
    ok(fault_is(0, 401, NGX_HTTP_MISSEDCALL_TELNYX_ACCOUNT),
       "401 without a code: the account");
    ok(fault_is(10007, 500, NGX_HTTP_MISSEDCALL_TELNYX_UNKNOWN)
       && fault_is(0, 503, NGX_HTTP_MISSEDCALL_TELNYX_UNKNOWN),
       "anything else: unknown");

    body = "{\"data\": {\"event_type\": \"call.initiated\", \"payload\": "
           "{\"call_control_id\": \"v3:abc-_1\"}}}";
    ok(ngx_http_missedcall_telnyx_event((const unsigned char *) body,
                                        strlen(body), id)
       == NGX_HTTP_MISSEDCALL_TELNYX_INITIATED && strcmp(id, "v3:abc-_1") == 0,
       "call.initiated and its id");

    body = "{\"data\": {\"event_type\": \"call.answered\", \"payload\": "
           "{\"call_control_id\": \"v3 x\"}}}";
    ok(ngx_http_missedcall_telnyx_event((const unsigned char *) body,
                                        strlen(body), id)
       == NGX_HTTP_MISSEDCALL_TELNYX_ANSWERED && id[0] == '\0',
       "call.answered; a bad id is none");

    body = "{\"data\": {\"event_type\": \"call.hangup\"}}";
    ok(ngx_http_missedcall_telnyx_event((const unsigned char *) body,
                                        strlen(body), id)
       == NGX_HTTP_MISSEDCALL_TELNYX_OTHER, "other events");

    /* a real key pair */
    kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    pkey = NULL;
    EVP_PKEY_keygen_init(kctx);
    EVP_PKEY_keygen(kctx, &pkey);
    EVP_PKEY_CTX_free(kctx);
    n = sizeof(raw);
    EVP_PKEY_get_raw_public_key(pkey, raw, &n);
    EVP_EncodeBlock((unsigned char *) b64, raw, 32);

    ok(ngx_http_missedcall_telnyx_key((unsigned char *) b64, strlen(b64), key)
       == 0 && memcmp(key, raw, 32) == 0, "the portal's base64 key");

    bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, pkey);
    pem_len = BIO_get_mem_data(bio, &pem);
    memset(other, 0, sizeof(other));
    ok(ngx_http_missedcall_telnyx_key((unsigned char *) pem, pem_len, other)
       == 0 && memcmp(other, raw, 32) == 0, "a PEM public key");
    BIO_free(bio);

    ok(ngx_http_missedcall_telnyx_key((unsigned char *) "abcd", 4, other)
       == -1, "a key of 3 bytes is refused");
    ok(ngx_http_missedcall_telnyx_key((unsigned char *) "-----BEGIN x", 12,
                                      other) == -1, "a broken PEM");

    now = time(NULL);
    snprintf(ts, sizeof(ts), "%ld", (long) now);
    body = "{\"data\":{\"event_type\":\"call.initiated\"}}";
    sign(pkey, ts, body, sig);

    ok(check(key, ts, sig, body, now), "a signature Telnyx made");
    ok(check(key, ts, sig, body, now + 299), "within the tolerance");
    ok(!check(key, ts, sig, body, now + 301), "stale");
    ok(!check(key, ts, sig, body, now - 301), "from the future");
    ok(!check(key, ts, sig, "{\"data\":{\"event_type\":\"call.answered\"}}",
              now), "another body");

    snprintf(forged, sizeof(forged), "%ld", (long) now + 1);
    ok(!check(key, forged, sig, body, now), "another timestamp");

    strcpy(forged, sig);
    forged[5] = forged[5] == 'A' ? 'B' : 'A';
    ok(!check(key, ts, forged, body, now), "a changed signature");
    ok(!check(key, ts, "", body, now) && !check(key, "", sig, body, now),
       "no signature, no timestamp");
    ok(!check(key, "+1", sig, body, now), "a timestamp not all digits");

    memset(other, 7, sizeof(other));
    rc = check(other, ts, sig, body, now);
    ok(!rc, "another key");

    EVP_PKEY_free(pkey);

    return done();
}
