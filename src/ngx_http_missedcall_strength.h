
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_STRENGTH_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_STRENGTH_H_INCLUDED_


/*
 * Pure code: an attacker's odds of taking over a phone within a day by
 * guessing caller ids, from what the configuration lets them try.
 */

#include <stdint.h>


#define NGX_HTTP_MISSEDCALL_DAY_MS  86400000ULL

/* no bound: the limits let an attacker try without end */
#define NGX_HTTP_MISSEDCALL_UNBOUNDED  UINT64_MAX


/*
 * The most events a fixed window of count events per window_ms lets
 * through in any 24 hours: a day overlaps up to ceil(day / window) + 1
 * windows.  A sliding window (restarted by every event) lets through
 * count per window only: ceil(day / window) windows.
 */
uint64_t ngx_http_missedcall_per_day(uint64_t count, uint64_t window_ms,
    int sliding);

/*
 * Wrong guesses one phone can take in any 24 hours: attempts a session
 * allows times the sessions a day, capped by the failure budget a day.
 */
uint64_t ngx_http_missedcall_guesses_per_day(uint64_t attempts,
    uint64_t sessions, uint64_t failures);

/*
 * The odds, in millionths, that one of guesses succeeds when the caller is
 * one of n equally likely numbers; a phone is never called twice in a row
 * from one number, so n - 1 remain.  A union bound: never below the odds.
 */
uint64_t ngx_http_missedcall_odds_ppm(uint64_t guesses, uint64_t n);


#endif /* _NGX_HTTP_MISSEDCALL_STRENGTH_H_INCLUDED_ */
