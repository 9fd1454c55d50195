
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * The custom HTTP gateway: POST {"to", "from", "call_id"} as JSON to the
 * configured URL, with the bearer token from a file; any 2xx means the
 * call is placed.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall.h"


static ngx_int_t ngx_http_missedcall_gateway_http_prepare(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);
static ngx_http_missedcall_call_rc_e ngx_http_missedcall_gateway_http_result(
    ngx_http_missedcall_op_t *op, ngx_http_missedcall_curl_req_t *req);


ngx_http_missedcall_gateway_t  ngx_http_missedcall_gateway_http = {
    ngx_string("http"),
    ngx_http_missedcall_gateway_http_prepare,
    ngx_http_missedcall_gateway_http_result
};


static ngx_int_t
ngx_http_missedcall_gateway_http_prepare(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    u_char                              *p;
    char                                *body;
    json_t                              *json;
    CURLcode                             rc;
    ngx_http_missedcall_gateway_conf_t  *gw;

    gw = &op->lcf->gateway;

    json = json_pack("{s:s#, s:s#, s:s#}",
                     "to", op->phone.data, (int) op->phone.len,
                     "from", op->caller.data, (int) op->caller.len,
                     "call_id", op->call_id.data, (int) op->call_id.len);

    body = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);

    if (body == NULL) {
        return NGX_ERROR;
    }

    /* libcurl copies the body: it may be freed right away */
    rc = curl_easy_setopt(req->easy, CURLOPT_COPYPOSTFIELDS, body);
    free(body);

    if (rc != CURLE_OK) {
        return NGX_ERROR;
    }

    req->headers = curl_slist_append(req->headers,
                                     "Content-Type: application/json");
    if (req->headers == NULL) {
        return NGX_ERROR;
    }

    if (gw->token.len) {
        p = ngx_pnalloc(op->pool, sizeof("Authorization: Bearer ")
                                  + gw->token.len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_sprintf(p, "Authorization: Bearer %V%Z", &gw->token);

        req->headers = curl_slist_append(req->headers, (char *) p);

        /* the copy in the list is enough: no secret stays in the op */
        ngx_explicit_memzero(p, sizeof("Authorization: Bearer ")
                                + gw->token.len);

        if (req->headers == NULL) {
            return NGX_ERROR;
        }
    }

    /* gw->url is a configuration argument, NUL-terminated */
    if (curl_easy_setopt(req->easy, CURLOPT_URL, gw->url.data) != CURLE_OK
        || curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->headers)
           != CURLE_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_http_missedcall_call_rc_e
ngx_http_missedcall_gateway_http_result(ngx_http_missedcall_op_t *op,
    ngx_http_missedcall_curl_req_t *req)
{
    if (req->status >= 200 && req->status < 300) {
        return NGX_HTTP_MISSEDCALL_CALL_PLACED;
    }

    ngx_log_error(NGX_LOG_ERR, op->log, 0,
                  "missedcall gateway \"http\": call %V refused with "
                  "HTTP %l after %M ms", &op->call_id, req->status,
                  req->elapsed);

    return NGX_HTTP_MISSEDCALL_CALL_FAILED;
}
