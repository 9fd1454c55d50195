-- slot: the next gateway of a failover, unless it failed lately, takes
-- its own call slot as reserve.lua takes the first gateway's: each
-- gateway keeps its own rate, shared by all workers and nodes.
--
-- KEYS:
--   down           the gateway's failure mark, kept fail_timeout
--   throttle       the gateway's next free call slot, ms
-- ARGV:
--   interval       ms between two calls (0: no throttle)
--   max_delay      longest wait for a call slot, ms
-- ANSWER:
--   {'ok', ms to wait before calling}, {'down', ms left of its mark} or
--   {'throttled', ms too far away}

local left = redis.call('PTTL', KEYS[1])
if left > 0 then return {'down', left} end
--#include now
local wait = 0
local interval = tonumber(ARGV[1])
if interval > 0 then
  local slot = math.max(now, tonumber(redis.call('GET', KEYS[2]) or 0))
  wait = slot - now
  if wait > tonumber(ARGV[2]) then
    return {'throttled', wait - tonumber(ARGV[2])}
  end
  redis.call('SET', KEYS[2], slot + interval, 'PX', wait + interval + 1000)
end
return {'ok', wait}
