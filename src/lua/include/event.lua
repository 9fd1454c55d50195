-- appends an event to the stream, unless events are off (maxlen 0)
local function event(key, maxlen, ...)
  if tonumber(maxlen) > 0 then
    return redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', ...)
  end
  return ''
end
