
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _TAP_H_INCLUDED_
#define _TAP_H_INCLUDED_


/* just enough TAP for prove: ok(cond, name), then done() */

#include <stdio.h>


static int  tap_n, tap_failed;


#define ok(cond, ...)                                                        \
    do {                                                                     \
        int  c_ = (cond);                                                    \
        printf("%sok %d - ", c_ ? "" : "not ", ++tap_n);                     \
        printf(__VA_ARGS__);                                                 \
        printf("\n");                                                        \
        if (!c_) {                                                           \
            tap_failed++;                                                    \
            printf("#   failed at %s line %d\n", __FILE__, __LINE__);        \
        }                                                                    \
    } while (0)


static int
done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed != 0;
}


#endif /* _TAP_H_INCLUDED_ */
