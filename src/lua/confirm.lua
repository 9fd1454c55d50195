-- confirm: the gateway placed the call, the session waits for it.  The
-- event is written with the change it reports, or not at all.  An inbound
-- session has no call placed: it waits for the user's call, and the caller
-- number's figures and the last placed call are left alone, as they are
-- for an SMS session, whose message the gateway accepted.  A call's
-- session gets its secret here, the salted hash of the caller's last
-- digits (C knows the caller only from reserve's answer): until now it
-- could not be verified anyway.
--
-- KEYS:
--   session        the session hash
--   phone          the phone's pointer to its session
--   number         the caller number's hash
--   events         the event stream
--   placed         the time of the last call placed, ms
-- ARGV:
--   session_id     the session id
--   gateway_sid    the gateway's id of the call or message
--   events_max     events kept (0: none)
--   phone          the phone, E.164
--   caller         the caller number ("" for an SMS session)
--   call_id        the call id
--   gateway        the name of the gateway that placed the call
--   channel        "outbound", "inbound" or "sms"
--   tail           the caller id digits verify compares ("": none)
--   tail_hash      sha1(salt . the caller's last tail digits)
-- ANSWER:
--   1 when the session is now pending, 0 when it was not calling or has
--   expired

--#include event
local session_key, number_key = KEYS[1], KEYS[3]
local session_id, gateway_sid = ARGV[1], ARGV[2]

local s = redis.call('HMGET', session_key, 'state', 'expires')
if s[1] ~= 'calling' then return 0 end
--#include now
local left = tonumber(s[2]) - now
if left <= 0 then return 0 end

local channel = ARGV[8]
redis.call('HSET', session_key, 'state', 'pending',
           'gateway_sid', gateway_sid, 'gateway', ARGV[7],
           'channel', channel, 'tail', ARGV[9], 'tail_hash', ARGV[10])
redis.call('SET', KEYS[2], session_id, 'PX', left)
if channel == 'inbound' then
  event(KEYS[4], ARGV[3], 'event', 'inbound_expected',
        'session_id', session_id, 'phone', ARGV[4], 'caller', ARGV[5],
        'channel', channel)
  return 1
elseif channel == 'sms' then
  event(KEYS[4], ARGV[3], 'event', 'sms_sent', 'session_id', session_id,
        'phone', ARGV[4], 'gateway_sid', gateway_sid, 'gateway', ARGV[7],
        'channel', channel)
  return 1
end
redis.call('HINCRBY', number_key, 'placed', 1)
redis.call('HSET', number_key, 'fails', 0, 'last_used', now)
-- the gateway works: fail.lua tells a bad number from an outage by it
redis.call('SET', KEYS[5], now)
event(KEYS[4], ARGV[3], 'event', 'call_placed', 'session_id', session_id,
      'phone', ARGV[4], 'caller', ARGV[5], 'call_id', ARGV[6],
      'gateway_sid', gateway_sid, 'gateway', ARGV[7], 'channel', channel)
return 1
