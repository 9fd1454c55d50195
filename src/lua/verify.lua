-- verify: the caller id the phone received against its session.  The
-- digits are hashed with the session's salt and compared to the hash
-- confirm stored, so a comparison's timing says nothing about the caller.
-- One hash is enough: it is of the shortest suffix accepted, and a longer
-- suffix that matches contains it.
-- Wrong guesses also count against the phone across its sessions: a new
-- session does not reset them, a success does, and every failure restarts
-- the window.  Past the budget no guess is compared at all.  An inbound
-- session is proven by the user's own call (prove.lua), never by a caller
-- id: the number it shows is the one the user was told to dial.  An SMS
-- session is proven by its code, hashed with the salt as the digits are.
--
-- KEYS:
--   session        the session hash ("": find it by phone)
--   phone          the phone's pointer to its session (or "")
--   events         the event stream
-- ARGV:
--   digits         the received caller id digits, or an SMS session's
--                  code ("": none was sent)
--   session_prefix the session key prefix
--   session_id     the session id (or "")
--   number_prefix  the number key prefix
--   events_max     events kept (0: none)
--   failures_prefix the failure counter key prefix
--   max_failures   wrong guesses a phone may make (0: no budget)
--   failures_ms    the budget's window, ms
-- ANSWER:
--   "session-id channel event-id phone", a string (a table costs Redis
--   more; the event id is "" with events off), {'mismatch', attempts left,
--   session id}, {'burned', session id}, {'locked', ms left, session id}
--   past the failure budget, {'waiting', session id} for an inbound
--   session whose call has not come, {'missing', session id} for a caller
--   id or code not sent, or {'none'} for an unknown, expired, used or
--   burned session

--#include event
local key, id = KEYS[1], ARGV[3]
local events, events_max = KEYS[3], ARGV[5]
local max_failures = tonumber(ARGV[7])
local failures_ms = tonumber(ARGV[8])

if key == '' then
  id = redis.call('GET', KEYS[2])
  if not id then return {'none'} end
  key = ARGV[2] .. id
end

-- what a success needs: a wrong guess reads the attempts apart (every
-- field read costs)
local s = redis.call('HMGET', key, 'state', 'expires', 'salt', 'phone',
  'caller', 'channel', 'secret', 'tail')
local state, expires, salt, phone, caller = s[1], s[2], s[3], s[4], s[5]
local inbound, sms = s[6] == 'inbound', s[6] == 'sms'

-- a session gone from Redis before confirm ran has no expiry: none
if state ~= 'pending' and not (inbound and state == 'proven')
   or not expires
then
  return {'none'}
end
-- the phone's pointer expires with its session: what it finds is unexpired
if KEYS[1] ~= '' then
--#include now
  if now >= tonumber(expires) then return {'none'} end
end

-- without a budget no failure is counted: none to forgive either
local failures, failed = ARGV[6] .. phone, false
if max_failures > 0 then
  failed = redis.call('GET', failures)
  if tonumber(failed or 0) >= max_failures then
    return {'locked', redis.call('PTTL', failures), id}
  end
end

-- the session is consumed, the phone's failures forgiven: its id, channel,
-- event id and phone as one string
local function verified(channel)
  redis.call('HSET', key, 'state', 'verified')
  if failed then redis.call('DEL', failures) end
  local eid = ''
  if tonumber(events_max) > 0 then
    -- an SMS session has no caller
    if caller then
      eid = redis.call('XADD', events, 'MAXLEN', '~', events_max, '*',
        'event', 'verified', 'session_id', id, 'phone', phone,
        'channel', channel, 'caller', caller)
    else
      eid = redis.call('XADD', events, 'MAXLEN', '~', events_max, '*',
        'event', 'verified', 'session_id', id, 'phone', phone,
        'channel', channel)
    end
  end
  return id .. ' ' .. channel .. ' ' .. eid .. ' ' .. phone
end

-- the token goes to who holds the session id: knowing a phone is not
-- enough to collect what its owner's call or message proved
if (inbound or sms) and KEYS[1] == '' then return {'none'} end
if inbound then
  if state == 'pending' then return {'waiting', id} end
  return verified('inbound')
end

local d = ARGV[1]
if d == '' then return {'missing', id} end
local match = false
if sms then
  match = redis.sha1hex(salt .. d) == s[7]
else
  local tail = tonumber(s[8])
  match = tail ~= nil and #d >= tail
    and redis.sha1hex(salt .. string.sub(d, -tail)) == s[7]
end

if match and sms then
  return verified('sms')
elseif match then
  redis.call('HINCRBY', ARGV[4] .. caller, 'verified', 1)
  return verified('outbound')
end

local m = redis.call('HMGET', key, 'attempts', 'max')
local a, max = tonumber(m[1]) + 1, tonumber(m[2])
if max_failures > 0 then
  local f = redis.call('INCR', failures)
  redis.call('PEXPIRE', failures, failures_ms)
  if f >= max_failures then
    redis.call('HSET', key, 'state', 'burned', 'attempts', a)
    event(events, events_max, 'event', 'phone_locked', 'session_id', id,
      'phone', phone, 'failures', f)
    return {'locked', failures_ms, id}
  end
end
if a >= max then
  redis.call('HSET', key, 'state', 'burned', 'attempts', a)
  event(events, events_max, 'event', 'session_burned', 'session_id', id,
    'phone', phone, 'attempts', a)
  return {'burned', id}
end
redis.call('HSET', key, 'attempts', a)
event(events, events_max, 'event', 'verification_failed',
  'session_id', id, 'phone', phone, 'attempts_left', max - a)
return {'mismatch', max - a, id}
