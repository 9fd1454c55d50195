
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include "ngx_http_missedcall_strength.h"


static uint64_t
ngx_http_missedcall_mul(uint64_t a, uint64_t b)
{
    if (a == NGX_HTTP_MISSEDCALL_UNBOUNDED
        || b == NGX_HTTP_MISSEDCALL_UNBOUNDED
        || (a && b > NGX_HTTP_MISSEDCALL_UNBOUNDED / a))
    {
        return NGX_HTTP_MISSEDCALL_UNBOUNDED;
    }

    return a * b;
}


uint64_t
ngx_http_missedcall_per_day(uint64_t count, uint64_t window_ms, int sliding)
{
    uint64_t  windows;

    if (window_ms == 0) {
        return NGX_HTTP_MISSEDCALL_UNBOUNDED;
    }

    windows = (NGX_HTTP_MISSEDCALL_DAY_MS + window_ms - 1) / window_ms;

    return ngx_http_missedcall_mul(count, sliding ? windows : windows + 1);
}


uint64_t
ngx_http_missedcall_guesses_per_day(uint64_t attempts, uint64_t sessions,
    uint64_t failures)
{
    uint64_t  guesses;

    guesses = ngx_http_missedcall_mul(attempts, sessions);

    return guesses < failures ? guesses : failures;
}


uint64_t
ngx_http_missedcall_odds_ppm(uint64_t guesses, uint64_t n)
{
    if (n > 1) {
        n--;
    }

    if (n == 0 || guesses >= n) {
        return 1000000;
    }

    /* guesses < n: guesses * 1000000 cannot overflow past n's range */
    if (guesses > NGX_HTTP_MISSEDCALL_UNBOUNDED / 1000000) {
        return 1000000;
    }

    return (guesses * 1000000 + n - 1) / n;
}
