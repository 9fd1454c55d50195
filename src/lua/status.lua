-- status: a session's state, for the status API.
--
-- KEYS:
--   session        the session
-- ARGV:
-- ANSWER:
--   nil when there is no such session, else {state, ms left, channel}

--#include session
local s = {session_get(KEYS[1], S_FIRST)}
table.remove(s, 1)
if not s[S_STATE] then return false end
--#include now
local channel = s[S_CHANNEL]
return {session_states()[s[S_STATE]], tonumber(s[S_EXPIRES]) - now,
  channel ~= '' and channel or 'outbound'}
