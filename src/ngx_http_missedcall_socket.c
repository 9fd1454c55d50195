
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * Sockets that hiredis and libcurl own, watched by nginx's event loop: a
 * connection wraps the library's fd only to carry events.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_missedcall_socket.h"


void
ngx_http_missedcall_socket_watch(ngx_event_t *ev, ngx_int_t event,
    ngx_uint_t on)
{
    if (on && !ev->active) {
        if (ngx_add_event(ev, event, NGX_LEVEL_EVENT) != NGX_OK) {
            ngx_log_error(NGX_LOG_ALERT, ev->log, 0,
                          "missedcall: adding an event failed");
        }

    } else if (!on && ev->active) {
        (void) ngx_del_event(ev, event, 0);
    }
}


/* as ngx_close_connection() does, less the close: the library's fd */

void
ngx_http_missedcall_socket_release(ngx_connection_t *c)
{
    ngx_http_missedcall_socket_watch(c->read, NGX_READ_EVENT, 0);
    ngx_http_missedcall_socket_watch(c->write, NGX_WRITE_EVENT, 0);

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}
