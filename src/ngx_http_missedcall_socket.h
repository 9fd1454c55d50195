
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_SOCKET_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_SOCKET_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>


/*
 * Sockets owned by a library (hiredis, libcurl), watched by nginx: events
 * are level-triggered, since neither library drains a socket as edge
 * triggering needs, and the library closes the fd itself.
 */

void ngx_http_missedcall_socket_watch(ngx_event_t *ev, ngx_int_t event,
    ngx_uint_t on);
void ngx_http_missedcall_socket_release(ngx_connection_t *c);


#endif /* _NGX_HTTP_MISSEDCALL_SOCKET_H_INCLUDED_ */
