-- reserve: draws a caller number from the pool and opens a session.
-- Limits are all checked before any is counted, and counted only for a
-- reserved call: a race of requests cannot pass one.  A number serving the
-- phone's calling code is preferred, the longest code first.  A range
-- counts number by number: the caller is drawn uniformly from the numbers
-- and the ranges' numbers together.  The index is drawn from C's RNG:
-- Lua's math.random is predictable.  The throttle keeps the time of the
-- next free call slot, shared by all workers and nodes: a call waits for
-- its slot, or is refused when the slot is too far away to ring before the
-- session would be useless.  An SMS session draws no caller and waits for
-- no call slot: its secret is the code, whose salted hash C sends.  A
-- call's secret, the salted hash of the caller's last digits, is C's to
-- compute once it knows the caller: confirm stores it.  What the
-- checks read comes in one MGET: a script's every call costs.
--
-- KEYS:
--   pool           the pool zset of enabled numbers
--   session        the session hash to create
--   last_caller    the number that called the phone last
--   throttle       the gateway's next free call slot, ms
--   resend         the phone's resend mark
--   code3          pool of the phone's first 3 digits as a calling code
--   code2          likewise, 2 digits
--   code1          likewise, 1 digit
--   failures       the phone's wrong guesses across its sessions
--   ranges         the zset of enabled ranges, "first-last"
--   rcode3         ranges of the phone's first 3 digits as a calling code
--   rcode2         likewise, 2 digits
--   rcode1         likewise, 1 digit
--   limits...      one counter per limit
-- ARGV:
--   random         a random 53-bit integer
--   phone          the phone, E.164
--   ttl            the session's life, ms
--   keep           ms status still answers after expiry
--   salt           salt of the caller id hashes
--   max_attempts   verifications allowed
--   interval       ms between two calls (0: no throttle)
--   max_delay      longest wait for a call slot, ms
--   resend_ms      ms before the phone may ask again (0: any time)
--   max_failures   wrong guesses that lock the phone out (0: no budget)
--   code           an SMS session's sha1(salt . code) ("": a call)
--   nlimits        the number of limits
--   limits...      count and window ms of each limit (count 0: the limit
--                  does not apply to this session, neither checked nor
--                  counted)
-- ANSWER:
--   {'ok', caller ("" for an SMS session), expires ms, ms to wait before
--   calling},
--   {'limited', 0 for the resend mark or the limit's index, ms left},
--   {'locked', ms left} past the phone's failure budget,
--   {'throttled', ms too far away} or {'pool_empty'}

--#include range
local pool, session_key, last_key = KEYS[1], KEYS[2], KEYS[3]
local throttle_key, resend_key = KEYS[4], KEYS[5]
local ttl = tonumber(ARGV[3])
local resend_ms = tonumber(ARGV[9])
local failures, max_failures = KEYS[9], tonumber(ARGV[10])
local code, nlimits = ARGV[11], tonumber(ARGV[12])

-- a week: the phone is called from another number next time
local LAST_CALLER_TTL = 604800000

-- limit i: its counter, and its count and window
local function limit(i)
  return KEYS[13 + i], tonumber(ARGV[11 + 2 * i]), ARGV[12 + 2 * i]
end

-- the failures, the resend mark, the call slot, the last caller and the
-- limits' counters
local got = redis.call('MGET', failures, resend_key, throttle_key, last_key,
  unpack(KEYS, 14, 13 + nlimits))

-- no call, and no money spent, for a phone locked out by wrong guesses
if max_failures > 0 and tonumber(got[1] or 0) >= max_failures then
  return {'locked', redis.call('PTTL', failures)}
end
if resend_ms > 0 and got[2] then
  return {'limited', 0, redis.call('PTTL', resend_key)}
end
for i = 1, nlimits do
  local counter, count = limit(i)
  if count > 0 and tonumber(got[4 + i] or 0) >= count then
    return {'limited', i, redis.call('PTTL', counter)}
  end
end
--#include now

-- the session, its limits counted and the phone's resend mark set.  A
-- hash small enough is a list searched field by field: verify's fields
-- come first, and only what is read is stored.
local expires = now + ttl
local h = {'state', 'calling', 'expires', expires, 'attempts', '0',
  'max', ARGV[6], 'salt', ARGV[5], 'phone', ARGV[2]}
local function open()
  redis.call('HSET', session_key, unpack(h))
  redis.call('PEXPIRE', session_key, ttl + tonumber(ARGV[4]))
  for i = 1, nlimits do
    local counter, count, window = limit(i)
    if count > 0 and redis.call('INCR', counter) == 1 then
      redis.call('PEXPIRE', counter, window)
    end
  end
  if resend_ms > 0 then
    redis.call('SET', resend_key, '1', 'PX', ARGV[9])
  end
end

if code ~= '' then
  h[#h + 1] = 'secret'
  h[#h + 1] = code
  h[#h + 1] = 'channel'
  h[#h + 1] = 'sms'
  open()
  return {'ok', '', expires, 0}
end

-- an empty zset does not exist: one EXISTS for both of a code's sets
local set, rset = pool, KEYS[10]
for i = 6, 8 do
  local numbers, ranges = KEYS[i], KEYS[i + 5]
  if redis.call('EXISTS', numbers, ranges) > 0 then
    set, rset = numbers, ranges
    break
  end
end

-- the ranges, each as its first number, size and index, after the numbers
local n = redis.call('ZCARD', set)
local ranges, total = {}, n
for _, r in ipairs(redis.call('ZRANGE', rset, 0, -1)) do
  local first, size = range_bounds(r)
  ranges[#ranges + 1] = {first, size, total}
  total = total + size
end
if total == 0 then return {'pool_empty'} end

-- the caller at an index of the numbers then the ranges, and back
local function caller_at(idx)
  if idx < n then return redis.call('ZRANGE', set, idx, idx)[1] end
  for _, r in ipairs(ranges) do
    if idx < r[3] + r[2] then
      return '+' .. string.format('%.0f', r[1] + idx - r[3])
    end
  end
end
local function index_of(caller)
  local rank = redis.call('ZRANK', set, caller)
  if rank then return rank end
  local digits = tonumber(string.sub(caller, 2))
  for _, r in ipairs(ranges) do
    if digits >= r[1] and digits < r[1] + r[2] then
      return r[3] + digits - r[1]
    end
  end
  return false
end

local wait = 0
local interval = tonumber(ARGV[7])
if interval > 0 then
  local max_delay = tonumber(ARGV[8])
  local slot = math.max(now, tonumber(got[3] or 0))
  wait = slot - now
  if wait > max_delay then
    return {'throttled', wait - max_delay}
  end
  redis.call('SET', throttle_key, slot + interval,
             'PX', wait + interval + 1000)
end

-- the phone's last caller is skipped, unless it is the only number
local r = tonumber(ARGV[1]) / 9007199254740992
local last = got[4]
local skip = false
if last and total > 1 then skip = index_of(last) end
local idx
if skip then
  idx = math.floor(r * (total - 1))
  if idx >= skip then idx = idx + 1 end
else
  idx = math.floor(r * total)
end
local caller = caller_at(idx)

h[#h + 1] = 'caller'
h[#h + 1] = caller
open()
redis.call('SET', last_key, caller, 'PX', LAST_CALLER_TTL)
return {'ok', caller, expires, wait}
