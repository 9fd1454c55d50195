-- reserve: draws a caller number from the pool for a new session.
-- Limits are all checked before any is counted, and counted only for a
-- reserved call: a race of requests cannot pass one.  A number serving the
-- phone's calling code is preferred, the longest code first.  A range
-- counts number by number: the caller is drawn uniformly from the numbers
-- and the ranges' numbers together.  The index is drawn from C's RNG:
-- Lua's math.random is predictable.  The throttle keeps the time of the
-- next free call slot, shared by all workers and nodes: a call waits for
-- its slot, or is refused when the slot is too far away to ring before the
-- session would be useless.  An SMS session draws no caller and waits for
-- no call slot.  Nothing of the session is written here: confirm writes
-- all of it once the call is placed, so no session exists without its
-- call.  What the checks and the draw read comes in one MGET, the pool's
-- groups as their counts (include/pool.lua): a script's every call,
-- every table, closure and new string costs, and so does every argument
-- and every number Redis turns into a string or back (about 1,000 and
-- 2,400 instructions): arguments "0" are compared as strings, and what
-- goes to a command as a string already is one.
--
-- KEYS:
--   pool           the count of the pool's group, "<pool zset>:n"
--   code3          the count of the group of the phone's first 3 digits
--                  as a calling code
--   code2          likewise, 2 digits
--   code1          likewise, 1 digit
--   last_caller    the number that called the phone last
--   throttle       the gateway's next free call slot, ms
--   resend         the phone's resend mark
--   failures       the phone's wrong guesses across its sessions
--   limits...      one counter per limit
-- ARGV:
--   random         a random 53-bit integer: the caller drawn ("": an SMS
--                  session, which draws no caller)
--   random2        another: the caller drawn instead of the last one
--   interval       ms between two calls (0: no throttle)
--   max_delay      longest wait for a call slot, ms
--   resend_ms      ms before the phone may ask again (0: any time)
--   max_failures   wrong guesses that lock the phone out (0: no budget)
--   limits...      count and window ms of each limit's key (count 0: the
--                  limit does not apply to this session, neither checked
--                  nor counted)
-- ANSWER:
--   "seconds microseconds wait caller", a string (a table costs Redis
--   more): Redis's TIME when reserved, the ms to wait before calling, and
--   the caller ("" for an SMS session);
--   {'limited', 0 for the resend mark or the limit's index, ms left},
--   {'locked', ms left} past the phone's failure budget,
--   {'throttled', ms too far away} or {'pool_empty'}

--#include range
local nlimits = #KEYS - 8

-- the failures, the resend mark, the call slot, the last caller, the
-- counts of the pool's group and of the phone's calling codes', and the
-- limits' counters (limit i's: KEYS[8 + i], its count and window
-- ARGV[5 + 2i] and ARGV[6 + 2i])
local got = redis.call('MGET', KEYS[8], KEYS[7], KEYS[6], KEYS[5], KEYS[1],
  KEYS[2], KEYS[3], KEYS[4], unpack(KEYS, 9, 8 + nlimits))

-- no call, and no money spent, for a phone locked out by wrong guesses
if got[1] and ARGV[6] ~= '0' and tonumber(got[1]) >= tonumber(ARGV[6]) then
  return {'locked', redis.call('PTTL', KEYS[8])}
end
if got[2] and ARGV[5] ~= '0' then
  return {'limited', 0, redis.call('PTTL', KEYS[7])}
end
for i = 1, nlimits do
  if got[8 + i] and ARGV[5 + 2 * i] ~= '0'
     and tonumber(got[8 + i]) >= tonumber(ARGV[5 + 2 * i])
  then
    return {'limited', i, redis.call('PTTL', KEYS[8 + i])}
  end
end
-- Redis's clock, answered as TIME gives it: in ms only for the throttle
local t = redis.call('TIME')

-- the longest calling code with members, else the whole pool; a count is
-- "numbers range range...", usually just "numbers"
local count, key = got[5], KEYS[1]
for i = 6, 8 do
  if got[i] and got[i] ~= '0' then
    count, key = got[i], KEYS[i - 4]
    break
  end
end

local caller, wait = '', '0'
if ARGV[1] ~= '' then
  if not count then return {'pool_empty'} end
  local n = tonumber(count)
  local ranges, total = nil, n
  if not n then
    local words = string.gmatch(count, '%S+')
    n = tonumber(words())
    total, ranges = n, {}
    for r in words do
      local first, size = range_bounds(r)
      ranges[#ranges + 1] = {first, size, total}
      total = total + size
    end
  end
  if total == 0 then return {'pool_empty'} end

  -- the caller at an index of the numbers (the count's key less ":n"),
  -- then of the ranges; the phone's last caller is skipped unless it is
  -- the only number: drawn again among the others, each other number
  -- comes 1/total + 1/total * 1/(total - 1) = 1/(total - 1) of the time
  local set = string.sub(key, 1, -3)
  local idx = math.floor(tonumber(ARGV[1]) / 9007199254740992 * total)
  for pass = 1, 2 do
    caller = nil
    if idx < n then
      local i = tostring(idx)
      caller = redis.call('ZRANGE', set, i, i)[1]
    else
      for _, r in ipairs(ranges) do
        if idx < r[3] + r[2] then
          caller = '+' .. string.format('%.0f', r[1] + idx - r[3])
          break
        end
      end
    end
    if pass == 2 or caller ~= got[4] or total == 1 then break end
    local other = math.floor(tonumber(ARGV[2]) / 9007199254740992
      * (total - 1))
    if other >= idx then other = other + 1 end
    idx = other
  end
  -- a count gone stale (the pool changed by an earlier version, or by
  -- hand) drew nothing: no number rather than an error, nothing written
  if not caller then return {'pool_empty'} end

  if ARGV[3] ~= '0' then
    local interval = tonumber(ARGV[3])
    local now = t[1] * 1000 + math.floor(t[2] / 1000)
    local slot = math.max(now, tonumber(got[3] or 0))
    local w = slot - now
    if w > tonumber(ARGV[4]) then
      return {'throttled', w - tonumber(ARGV[4])}
    end
    redis.call('SET', KEYS[6], slot + interval, 'PX', w + interval + 1000)
    wait = w
  end
  -- a week: the phone is called from another number next time
  redis.call('SET', KEYS[5], caller, 'PX', '604800000')
end

-- the session's limits counted and the phone's resend mark set
for i = 1, nlimits do
  if ARGV[5 + 2 * i] ~= '0' and redis.call('INCR', KEYS[8 + i]) == 1 then
    redis.call('PEXPIRE', KEYS[8 + i], ARGV[6 + 2 * i])
  end
end
if ARGV[5] ~= '0' then
  redis.call('SET', KEYS[7], '1', 'PX', ARGV[5])
end
return t[1] .. ' ' .. t[2] .. ' ' .. wait .. ' ' .. caller
