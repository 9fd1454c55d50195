
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


#ifndef _NGX_HTTP_MISSEDCALL_LUA_H_INCLUDED_
#define _NGX_HTTP_MISSEDCALL_LUA_H_INCLUDED_


/* Lua shared by the module's scripts */


/*
 * For the scripts that change the pool.  A number's hash
 * ("number:<e164>") keeps its state (enabled, disabled, removed), why,
 * its calling codes and its figures; an enabled number is also in the
 * pool zset and in the zset of each of its calling codes, which is what
 * the reserving script draws from.  ccp is the calling-code key prefix.
 */

#define NGX_HTTP_MISSEDCALL_LUA_POOL                                         \
    "local function pool_put(pool, ccp, n, codes) "                          \
    "  redis.call('ZADD', pool, 0, n) "                                      \
    "  for c in string.gmatch(codes or '', '%d+') do "                       \
    "    redis.call('ZADD', ccp .. c, 0, n) "                                \
    "  end "                                                                 \
    "end "                                                                   \
    "local function pool_take(pool, ccp, n, codes) "                         \
    "  redis.call('ZREM', pool, n) "                                         \
    "  for c in string.gmatch(codes or '', '%d+') do "                       \
    "    redis.call('ZREM', ccp .. c, n) "                                   \
    "  end "                                                                 \
    "end "


/* appends an event to the stream, unless events are off (maxlen 0) */

#define NGX_HTTP_MISSEDCALL_LUA_EVENT                                        \
    "local function event(key, maxlen, ...) "                                \
    "  if tonumber(maxlen) > 0 then "                                        \
    "    return redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', ...) "   \
    "  end "                                                                 \
    "  return '' "                                                           \
    "end "


#define NGX_HTTP_MISSEDCALL_LUA_NOW                                          \
    "local t = redis.call('TIME') "                                          \
    "local now = t[1] * 1000 + math.floor(t[2] / 1000) "


#endif /* _NGX_HTTP_MISSEDCALL_LUA_H_INCLUDED_ */
