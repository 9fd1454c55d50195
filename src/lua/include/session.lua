-- A session is one string: its fields in the S_ order below, verify's
-- first, each a byte of length then its bytes, "" for one its channel has
-- not; the gateway's sid last, all that is left, as it is what a gateway
-- answered.  One SET writes it with its expiry, where a hash of the same
-- fields and its PEXPIREAT made confirm cost Redis 70% more (issue 19),
-- and struct's unpack reads the fields a script needs in one call, where
-- a Lua pattern costs a hundred instructions a character.  The state is
-- one letter (session_states), which a SETRANGE changes in place.  A session
-- that an earlier version wrote is a hash of the same fields, its state a
-- word, read and changed as a hash until it expires.
local S_STATE, S_CHANNEL, S_TAIL, S_SALT, S_SECRET = 1, 2, 3, 4, 5
local S_CALLER, S_EXPIRES, S_PHONE, S_ATTEMPTS, S_MAX = 6, 7, 8, 9, 10
local S_PROVEN = 11
-- struct formats: the first eight fields, what verify, status and
-- not_received read, and all with a length (the gateway's sid follows)
local S_FIRST = 'Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0'
local S_ALL = 'Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0Bc0'
local function session_states()
  return {p = 'pending', r = 'proven', v = 'verified', b = 'burned'}
end
-- the session's fields that format reads, all with S_ALL ({} for none),
-- and whether it is a string (a hash has all its fields read)
local function session_get(key, format)
  local v = redis.pcall('GET', key)
  if type(v) == 'string' then
    local s = {struct.unpack(format, v)}
    if format == S_ALL then s[13] = string.sub(v, s[13]) end
    return s, true
  end
  if not v then return {} end
  local s = redis.call('HMGET', key, 'state', 'channel', 'tail', 'salt',
    'secret', 'caller', 'expires', 'phone', 'attempts', 'max', 'proven',
    'gateway', 'gateway_sid')
  for i = 1, 13 do s[i] = s[i] or '' end
  for letter, word in pairs(session_states()) do
    if s[1] == word then s[1] = letter end
  end
  return s, false
end
-- a field of a session session_get read changed, by its S_ index: the
-- state to a letter's, in place; another, the session read whole
local function session_set(key, s, packed, i, value)
  s[i] = value
  if not packed then
    local names = {'state', 'channel', 'tail', 'salt', 'secret', 'caller',
      'expires', 'phone', 'attempts', 'max', 'proven'}
    if i == 1 then value = session_states()[value] end
    return redis.call('HSET', key, names[i], value)
  end
  if i == 1 then return redis.call('SETRANGE', key, 1, value) end
  local v = {}
  for f = 1, 12 do
    local x = tostring(s[f])
    v[f] = string.char(#x) .. x
  end
  redis.call('SET', key, table.concat(v) .. s[13], 'KEEPTTL')
end
