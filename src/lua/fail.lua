-- fail: a call not placed, or a session withdrawn.  The failure counts
-- against the caller number, which is disabled when it keeps failing.
--
-- KEYS:
--   session        the session hash
--   resend         the phone's resend mark
--   number         the caller number's hash ("" when none was drawn)
--   pool           the pool zset
--   events         the event stream
--   phone          the phone's pointer to its session
-- ARGV:
--   caller         the caller number ("" when none was drawn)
--   code_prefix    the calling-code key prefix
--   reason         why the gateway refused the number ("": not its fault)
--   max_failures   refusals in a row that disable it (0: never)
--   events_max     events kept (0: none)
--   session_id     the session id: the phone's pointer goes if it is to it
-- ANSWER:
--   the refusals in a row when this one disabled the number, else 0

--#include pool
--#include event
local number_key, phone_key = KEYS[3], KEYS[6]
local caller, reason = ARGV[1], ARGV[3]

redis.call('DEL', KEYS[1], KEYS[2])
if redis.call('GET', phone_key) == ARGV[6] then
  redis.call('DEL', phone_key)
end
if caller == '' then return 0 end

redis.call('HINCRBY', number_key, 'failed', 1)
if reason == '' then return 0 end
local f = redis.call('HINCRBY', number_key, 'fails', 1)
local max = tonumber(ARGV[4])
if max == 0 or f < max
   or redis.call('HGET', number_key, 'state') ~= 'enabled' then
  return 0
end

--#include now
local why = f .. ' calls in a row refused by the gateway, the last: '
  .. reason
redis.call('HSET', number_key, 'state', 'disabled', 'reason', why,
           'changed', now)
pool_take(KEYS[4], ARGV[2], caller, redis.call('HGET', number_key, 'codes'))
event(KEYS[5], ARGV[5], 'event', 'number_disabled', 'number', caller,
      'reason', why)
return f
