
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#include "tap.h"
#include "ngx_http_missedcall_strength.h"


#define U  NGX_HTTP_MISSEDCALL_UNBOUNDED


int
main(void)
{
    /* fixed windows: a day overlaps one window more than it holds */
    ok(ngx_http_missedcall_per_day(5, 3600000, 0) == 5 * 25,
       "5/1h fixed: 125 a day");
    ok(ngx_http_missedcall_per_day(10, 86400000, 0) == 20,
       "10/1d fixed: 20 in any 24 h, across a window's end");
    ok(ngx_http_missedcall_per_day(1, 30000, 0) == 2881,
       "a resend of 30s: 2881 calls a day");
    ok(ngx_http_missedcall_per_day(3, 7 * 86400000ULL, 0) == 6,
       "3 a week: still 6 in one day at a window's end");

    /* a window restarted by every event: count per window, no more */
    ok(ngx_http_missedcall_per_day(10, 86400000, 1) == 10,
       "10/1d sliding: 10 a day");
    ok(ngx_http_missedcall_per_day(10, 3600000, 1) == 240,
       "10/1h sliding: 240 a day");
    ok(ngx_http_missedcall_per_day(1, 0, 0) == U, "no window: unbounded");
    ok(ngx_http_missedcall_per_day(U, 1000, 0) == U, "no overflow");

    ok(ngx_http_missedcall_guesses_per_day(3, 125, 10) == 10,
       "the failure budget caps the guesses");
    ok(ngx_http_missedcall_guesses_per_day(3, 2, 10) == 6,
       "few sessions cap them first");
    ok(ngx_http_missedcall_guesses_per_day(3, U, U) == U,
       "no limits at all: unbounded");

    ok(ngx_http_missedcall_odds_ppm(10, 100001) == 100,
       "10 guesses of 100,000 numbers: 0.01%% a day");
    ok(ngx_http_missedcall_odds_ppm(20, 100001) == 200,
       "a 100,000-number range at the default budget: under 0.1%%");
    ok(ngx_http_missedcall_odds_ppm(10, 301) == 33334,
       "300 numbers: 3.3334%%, rounded up");
    ok(ngx_http_missedcall_odds_ppm(3, 4) == 1000000,
       "4 numbers, 3 guesses: certain (the last caller is skipped)");
    ok(ngx_http_missedcall_odds_ppm(1, 1) == 1000000, "one number: certain");
    ok(ngx_http_missedcall_odds_ppm(U, 1000) == 1000000,
       "unbounded guesses: certain");
    ok(ngx_http_missedcall_odds_ppm(0, 1000) == 0, "no guess: none");

    return done();
}
