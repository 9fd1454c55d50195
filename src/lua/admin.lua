-- admin: the admin API's changes to the pool, and its list.
--
-- KEYS:
--   pool           the pool zset
--   numbers        the set of every number ever added
-- ARGV:
--   number_prefix  the number key prefix
--   code_prefix    the calling-code key prefix
--   op             list, add, remove, disable or enable
--   number         the number ("" for list)
--   arg            its calling codes for add, the reason otherwise
-- ANSWER:
--   list: each number with its fields in the order of
--   ngx_http_missedcall_pool_fields; the others: the outcome and the
--   state, or {'unknown'} for a number never added, or removed

--#include pool
--#include now
local pool, numbers = KEYS[1], KEYS[2]
local number_prefix, code_prefix = ARGV[1], ARGV[2]
local op, n, arg = ARGV[3], ARGV[4], ARGV[5]

if op == 'list' then
  local all = redis.call('SMEMBERS', numbers)
  table.sort(all)
  local out = {}
  for i, m in ipairs(all) do
    local h = redis.call('HMGET', number_prefix .. m, 'state', 'reason',
      'codes', 'placed', 'verified', 'failed', 'fails', 'last_used')
    local row = {m}
    for j = 1, 8 do row[j + 1] = h[j] or '' end
    out[i] = row
  end
  return out
end

local key = number_prefix .. n
local h = redis.call('HMGET', key, 'state', 'codes')
local state, codes = h[1], h[2]
local known = redis.call('SISMEMBER', numbers, n) == 1
  and state ~= 'removed'

if op == 'add' then
  if known then
    if state == 'enabled' then pool_take(pool, code_prefix, n, codes) end
  else
    state = 'enabled'
    redis.call('SADD', numbers, n)
    redis.call('HSET', key, 'state', state, 'reason', '', 'fails', 0,
               'changed', now)
  end
  redis.call('HSET', key, 'codes', arg)
  if state == 'enabled' then pool_put(pool, code_prefix, n, arg) end
  return {known and 'updated' or 'added', state}
end

if not known then return {'unknown'} end

if op == 'enable' then
  if state ~= 'enabled' then pool_put(pool, code_prefix, n, codes) end
  redis.call('HSET', key, 'state', 'enabled', 'reason', '', 'fails', 0,
             'changed', now)
  return {'enabled', 'enabled'}
end

if state == 'enabled' then pool_take(pool, code_prefix, n, codes) end
state = op == 'remove' and 'removed' or 'disabled'
redis.call('HSET', key, 'state', state, 'reason', arg, 'changed', now)
return {state, state}
