-- admin: the admin API's changes to the pool, and its list.
--
-- KEYS:
--   pool           the pool zset
--   numbers        the set of every number and range ever added
--   ranges         the zset of enabled ranges
-- ARGV:
--   number_prefix  the number key prefix
--   code_prefix    the calling-code key prefix
--   range_prefix   the calling-code key prefix of ranges
--   op             list, add, remove, disable or enable
--   number         the number or range "first-last" ("" for list)
--   arg            its calling codes for add, the reason otherwise
-- ANSWER:
--   list: each number with its fields in the order of
--   ngx_http_missedcall_pool_fields; the others: the outcome, the state,
--   then each enabled number or range and its calling codes (the strength
--   after the change); {'unknown'} for a
--   number never added, or removed; {'overlap', member} when an added
--   number or range shares a number with a member already known

--#include pool
--#include now
--#include range
local numbers = KEYS[2]
local number_prefix = ARGV[1]

-- the lowest and highest number a member (a number or a range) holds
local function member_span(m)
  if not string.find(m, '-', 1, true) then
    local v = tonumber(string.sub(m, 2))
    return v, v
  end
  local first, size = range_bounds(m)
  return first, first + size - 1
end

-- a known member (not removed) sharing a number with n, or nil: a number
-- held twice would be drawn twice as often and overstate the strength
local function member_overlap(n)
  local lo, hi = member_span(n)
  for _, m in ipairs(redis.call('SMEMBERS', numbers)) do
    if m ~= n then
      local mlo, mhi = member_span(m)
      if mlo <= hi and lo <= mhi
        and redis.call('HGET', number_prefix .. m, 'state') ~= 'removed'
      then
        return m
      end
    end
  end
  return nil
end
local op, n, arg = ARGV[4], ARGV[5], ARGV[6]

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

local g = {KEYS[1], ARGV[2], KEYS[3], ARGV[3]}
-- each enabled member and its codes: the strength after the change
local function answer(result, state)
  local out = {result, state}
  for _, set in ipairs({KEYS[1], KEYS[3]}) do
    for _, m in ipairs(redis.call('ZRANGE', set, 0, -1)) do
      out[#out + 1] = m
      out[#out + 1] = redis.call('HGET', number_prefix .. m, 'codes') or ''
    end
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
    if state == 'enabled' then pool_take(g, n, codes) end
  else
    local other = member_overlap(n)
    if other then return {'overlap', other} end
    state = 'enabled'
    redis.call('SADD', numbers, n)
    redis.call('HSET', key, 'state', state, 'reason', '', 'fails', 0,
               'changed', now)
  end
  redis.call('HSET', key, 'codes', arg)
  if state == 'enabled' then pool_put(g, n, arg) end
  return answer(known and 'updated' or 'added', state)
end

if not known then return {'unknown'} end

if op == 'enable' then
  if state ~= 'enabled' then pool_put(g, n, codes) end
  redis.call('HSET', key, 'state', 'enabled', 'reason', '', 'fails', 0,
             'changed', now)
  return answer('enabled', 'enabled')
end

if state == 'enabled' then pool_take(g, n, codes) end
state = op == 'remove' and 'removed' or 'disabled'
redis.call('HSET', key, 'state', state, 'reason', arg, 'changed', now)
return answer(state, state)
