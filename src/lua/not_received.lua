-- not_received: the app reports that the flash call of its session never
-- rang, and asks for a code by SMS instead.  Only the holder of the
-- session's id may, only for a pending, unexpired call session of the
-- same phone, and only once: the call session is deleted, so its caller
-- id verifies nothing any more, and the phone's resend mark with it, so
-- that the SMS session reserve opens next is not refused as a resend.
--
-- KEYS:
--   session        the call session
--   phone          the phone's pointer to its session
--   resend         the phone's resend mark
--   events         the event stream
-- ARGV:
--   session_id     the call session's id
--   phone          the phone asking, E.164
--   events_max     events kept (0: none)
-- ANSWER:
--   1 when the call session was replaced, 0 when no such session waits

--#include event
--#include session
local s = {session_get(KEYS[1], S_FIRST)}
table.remove(s, 1)
--#include now
if s[S_STATE] ~= 'p' or s[S_PHONE] ~= ARGV[2]
   or now >= tonumber(s[S_EXPIRES])
   or (s[S_CHANNEL] ~= '' and s[S_CHANNEL] ~= 'outbound')
then
  return 0
end

redis.call('DEL', KEYS[1], KEYS[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
event(KEYS[4], ARGV[3], 'event', 'call_not_received', 'session_id', ARGV[1],
  'phone', ARGV[2], 'channel', 'outbound')
return 1
