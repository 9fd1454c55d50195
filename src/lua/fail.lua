-- fail: a call not placed, or a session withdrawn.  The failure counts
-- against the caller number when the gateway said it was the number's
-- fault; a number that keeps being refused is disabled, but only while
-- the gateway places calls from other numbers (a gateway that refuses
-- everything is down, not the number) and only up to a share of the
-- pool (nothing the gateway says can empty it).
--
-- KEYS:
--   session        the session
--   resend         the phone's resend mark
--   number         the caller number's hash ("" when none was drawn)
--   pool           the pool zset
--   events         the event stream
--   phone          the phone's pointer to its session
--   placed         the count of calls placed
--   auto           the set of the numbers this script disabled
--   ranges         the zset of enabled ranges
-- ARGV:
--   caller         the caller number ("" when none was drawn)
--   code_prefix    the calling-code key prefix
--   reason         why the gateway refused the number ("": not its fault)
--   max_failures   refusals in a row that disable it (0: never)
--   events_max     events kept (0: none)
--   session_id     the session id: the phone's pointer goes if it is to it
--   max_disabled   percent of the numbers that may be disabled this way
--   range_prefix   the calling-code key prefix of ranges
-- ANSWER:
--   the refusals in a row when this one disabled the number; minus them
--   when the share kept it enabled (once per max_failures refusals, with
--   a number_kept event); else 0

--#include pool
--#include event
local number_key, phone_key = KEYS[3], KEYS[6]
local pool, auto_key = KEYS[4], KEYS[8]
local caller, reason = ARGV[1], ARGV[3]

redis.call('DEL', KEYS[1], KEYS[2])
if redis.call('GET', phone_key) == ARGV[6] then
  redis.call('DEL', phone_key)
end
if caller == '' then return 0 end

redis.call('HINCRBY', number_key, 'failed', 1)
if reason == '' then return 0 end
--#include now
-- the calls placed by then: a count, not a time, as confirm has no clock
local placed = tonumber(redis.call('GET', KEYS[7]) or 0)
local previous = tonumber(redis.call('HGET', number_key, 'refused_at') or 0)
redis.call('HSET', number_key, 'refused_at', placed)
local f = redis.call('HINCRBY', number_key, 'fails', 1)
local max = tonumber(ARGV[4])
if max == 0 or f < max
   or redis.call('HGET', number_key, 'state') ~= 'enabled' then
  return 0
end

-- no call placed since this number's previous refusal: an outage
if placed <= previous then return 0 end

-- the numbers disabled here and still out of the pool count to the share
local disabled = 0
for _, n in ipairs(redis.call('SMEMBERS', auto_key)) do
  if redis.call('ZSCORE', pool, n) then
    redis.call('SREM', auto_key, n)
  else
    disabled = disabled + 1
  end
end
local enabled = redis.call('ZCARD', pool)
local share = tonumber(ARGV[7])
local allowed = math.floor(share * (enabled + disabled) / 100)
if share > 0 then allowed = math.max(allowed, 1) end

local why = f .. ' calls in a row refused by the gateway, the last: '
  .. reason
if disabled >= allowed or enabled <= 1 then
  if f % max ~= 0 then return 0 end
  event(KEYS[5], ARGV[5], 'event', 'number_kept', 'number', caller,
        'reason', why .. '; kept: ' .. disabled .. ' of '
        .. (enabled + disabled) .. ' numbers disabled already, at most '
        .. allowed)
  return -f
end

redis.call('HSET', number_key, 'state', 'disabled', 'reason', why,
           'changed', now)
pool_take({pool, ARGV[2], KEYS[9], ARGV[8]}, caller,
          redis.call('HGET', number_key, 'codes'))
redis.call('SADD', auto_key, caller)
event(KEYS[5], ARGV[5], 'event', 'number_disabled', 'number', caller,
      'reason', why)
return f
