-- A session is one string: its fields in the S_ order below, verify's
-- first, each a byte of length then its bytes, "" for one its channel has
-- not.  One SET writes it with its expiry, where a hash of the same fields
-- and its PEXPIREAT made confirm cost Redis 70% more (issue 19), and
-- struct's unpack reads the fields a script needs in one call, as values:
-- a Lua pattern costs a hundred instructions a character, and every
-- string and table made is garbage to collect.  The state is one letter
-- (session_states), which a SETRANGE changes in place.  A session that an
-- earlier version wrote is a hash of the same fields, its state a word,
-- read and changed as a hash until it expires.
local S_STATE, S_CHANNEL, S_TAIL, S_SALT, S_SECRET = 1, 2, 3, 4, 5
local S_CALLER, S_EXPIRES, S_PHONE, S_ATTEMPTS, S_MAX = 6, 7, 8, 9, 10
local S_PROVEN = 11
-- struct formats: the fields up to the caller, what verify by phone reads;
-- up to the phone, what verify by id, status and not_received read; all
local S_CALL = 'Bc0Bc0Bc0Bc0Bc0Bc0'
local S_FIRST = 'Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0'
local S_ALL = 'Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0'
local function session_names()
  return {'state', 'channel', 'tail', 'salt', 'secret', 'caller', 'expires',
    'phone', 'attempts', 'max', 'proven', 'gateway', 'gateway_sid'}
end
local function session_states()
  return {p = 'pending', r = 'proven', v = 'verified', b = 'burned'}
end
-- whether the session is a string, then the fields that format reads (all
-- of a hash's), none when there is no session; {session_get(...)} less its
-- first element is the fields by S_ index
local function session_get(key, format)
  local v = redis.pcall('GET', key)
  if type(v) == 'string' then return true, struct.unpack(format, v) end
  if not v then return false end
  local s = redis.call('HMGET', key, unpack(session_names()))
  for i = 1, 13 do s[i] = s[i] or '' end
  for letter, word in pairs(session_states()) do
    if s[1] == word then s[1] = letter end
  end
  return false, unpack(s)
end
-- a field of a session session_get read changed, by its S_ index: the
-- state to a letter's, in place; another, given the session read whole
-- (s, kept up to date: a later change writes it all)
local function session_set(key, packed, i, value, s)
  if s then s[i] = value end
  if not packed then
    if i == 1 then value = session_states()[value] end
    return redis.call('HSET', key, session_names()[i], value)
  end
  if i == 1 then return redis.call('SETRANGE', key, 1, value) end
  local v = {}
  for f = 1, 13 do
    local x = tostring(s[f])
    v[f] = string.char(#x) .. x
  end
  redis.call('SET', key, table.concat(v), 'KEEPTTL')
end
