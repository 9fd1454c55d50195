-- prove: the user's phone called the number its inbound session showed.
-- The call's From finds the phone's newest pending session, which must be
-- inbound, unexpired and waiting for a call to exactly this To: any other
-- pair leaves every session as it was.  Proven, the session verifies once
-- by its id, without a caller id.
--
-- KEYS:
--   phone          the pointer of the call's From to its newest session
--   events         the event stream
-- ARGV:
--   session_prefix the session key prefix
--   phone          the call's From, E.164
--   caller         the call's To: the pool number dialled
--   events_max     events kept (0: none)
--   attestation    the call's STIR/SHAKEN result, for the event
-- ANSWER:
--   {'ok', session id}, or {'none'} when no session waits for this call

--#include event
--#include session
local id = redis.call('GET', KEYS[1])
if not id then return {'none'} end
local key = ARGV[1] .. id

local s = {session_get(key, S_ALL)}
local packed = table.remove(s, 1)
--#include now
if s[S_STATE] ~= 'p' or s[S_CHANNEL] ~= 'inbound'
   or s[S_CALLER] ~= ARGV[3] or s[S_PHONE] ~= ARGV[2]
   or now >= tonumber(s[S_EXPIRES])
then
  return {'none'}
end

session_set(key, packed, S_STATE, 'r', s)
session_set(key, packed, S_PROVEN, now, s)
event(KEYS[2], ARGV[4], 'event', 'inbound_received', 'session_id', id,
  'phone', ARGV[2], 'caller', ARGV[3], 'attestation', ARGV[5])
return {'ok', id}
