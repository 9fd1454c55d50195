-- status: a session's state, for the status API.
--
-- KEYS:
--   session        the session hash
-- ARGV:
-- ANSWER:
--   nil when there is no such session, else {state, ms left, channel}

local s = redis.call('HMGET', KEYS[1], 'state', 'expires', 'channel')
if not s[1] then return false end
--#include now
return {s[1], tonumber(s[2]) - now, s[3] or 'outbound'}
