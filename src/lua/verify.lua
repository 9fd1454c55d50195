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
-- Written for Redis's cost: every argument, command, number converted,
-- string made and table answered costs, so the success path has none it
-- does not need (the configuration compared as strings).
-- Its events do not trim the stream: every session's first event, written
-- by confirm, did, and a session adds a few at most after it.
--
-- KEYS:
--   phone          the phone's pointer to its session ("": by session id)
--   failures       the phone's failure counter; by session id, its
--                  prefix, which the session's phone completes
--   events         the event stream ("": events are off)
-- ARGV:
--   digits         the received caller id digits, or an SMS session's
--                  code ("": none was sent)
--   session_prefix the session key prefix
--   name           the session id; by phone, the phone (E.164)
--   max_failures   wrong guesses a phone may make ("0": no budget)
--   failures_ms    the budget's window, ms
-- ANSWER:
--   "session-id channel event-id phone caller", a string (a table costs
--   Redis more; the event id is "" with events off; the caller, whose
--   count of verified calls C adds with others' (tally.c), is "" but for
--   a call's session), {'mismatch', attempts left,
--   session id}, {'burned', session id}, {'locked', ms left, session id}
--   past the failure budget, {'waiting', session id} for an inbound
--   session whose call has not come, {'missing', session id} for a caller
--   id or code not sent, or {'none'} for an unknown, expired, used or
--   burned session

--#include session
local call = redis.call
local by_phone = KEYS[1] ~= ''
local id, failures, events = ARGV[3], KEYS[2], KEYS[3]
local packed, key, phone, failed, state, channel, tail, salt, secret, caller
local counted = ''

-- by phone C knows the phone and its failure counter, and no clock is
-- read: the pointer expires with its session
if by_phone then
  phone = id
  id = call('GET', KEYS[1])
  if not id then return {'none'} end
  key = ARGV[2] .. id
  packed, state, channel, tail, salt, secret, caller =
    session_get(key, S_CALL)
else
  key = ARGV[2] .. id
  local expires
  packed, state, channel, tail, salt, secret, caller, expires, phone =
    session_get(key, S_FIRST)
  -- a session gone from Redis before confirm ran has no expiry: none;
  -- now in ms unfloored passes an integer expiry when its floor does
  local t = call('TIME')
  expires = tonumber(expires)
  if not expires or t[1] * 1000 + t[2] / 1000 - expires >= 0 then
    return {'none'}
  end
  failures = failures .. phone
end

if state ~= 'p' and not (channel == 'inbound' and state == 'r') then
  return {'none'}
end

-- without a budget no failure is counted: none to forgive either
local max_failures = ARGV[4]
if max_failures ~= '0' then
  failed = call('GET', failures)
  if failed and tonumber(failed) >= tonumber(max_failures) then
    return {'locked', call('PTTL', failures), id}
  end
end

-- the token goes to who holds the session id: knowing a phone is not
-- enough to collect what its owner's call or message proved
local d, match = ARGV[1], false
if channel == 'inbound' or channel == 'sms' then
  if by_phone then return {'none'} end
  if channel == 'inbound' then
    if state == 'p' then return {'waiting', id} end
    match = true
  elseif d == '' then
    return {'missing', id}
  else
    match = redis.sha1hex(salt .. d) == secret
  end
elseif d == '' then
  return {'missing', id}
else
  tail = tonumber(tail)
  match = tail ~= nil and #d >= tail
    and redis.sha1hex(salt .. string.sub(d, -tail)) == secret
  counted = caller
end

-- the session is consumed, the phone's failures forgiven: its id, channel,
-- event id, phone and the caller to count as one string
if match then
  session_set(key, packed, S_STATE, 'v')
  if failed then call('DEL', failures) end
  local eid = ''
  if events ~= '' then
    -- an SMS session has no caller
    if caller ~= '' then
      eid = call('XADD', events, '*',
        'event', 'verified', 'session_id', id, 'phone', phone,
        'channel', channel, 'caller', caller)
    else
      eid = call('XADD', events, '*',
        'event', 'verified', 'session_id', id, 'phone', phone,
        'channel', channel)
    end
  end
  return id .. ' ' .. channel .. ' ' .. eid .. ' ' .. phone .. ' ' .. counted
end

-- a wrong guess, which changes more than the state: the session whole
local s = {session_get(key, S_ALL)}
table.remove(s, 1)
local a, max = tonumber(s[S_ATTEMPTS]) + 1, tonumber(s[S_MAX])
local answer, what, field, value
if max_failures ~= '0' then
  local f = call('INCR', failures)
  call('PEXPIRE', failures, ARGV[5])
  if f >= tonumber(max_failures) then
    answer = {'locked', tonumber(ARGV[5]), id}
    what, field, value = 'phone_locked', 'failures', f
  end
end
if not answer and a >= max then
  answer = {'burned', id}
  what, field, value = 'session_burned', 'attempts', a
end
if answer then session_set(key, packed, S_STATE, 'b', s) end
session_set(key, packed, S_ATTEMPTS, a, s)
if not answer then
  answer = {'mismatch', max - a, id}
  what, field, value = 'verification_failed', 'attempts_left', max - a
end
if events ~= '' then
  call('XADD', events, '*',
    'event', what, 'session_id', id, 'phone', phone, field, value)
end
return answer
