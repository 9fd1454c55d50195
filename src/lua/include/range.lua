-- A range is one member, "+first-+last", of a zset of ranges.
local function range_bounds(r)
  local first, last = string.match(r, '^%+(%d+)%-%+(%d+)$')
  return tonumber(first), tonumber(last) - tonumber(first) + 1
end
-- the callers a zset of numbers and a zset of ranges hold together
local function callers(numbers, ranges)
  local n = redis.call('ZCARD', numbers)
  for _, r in ipairs(redis.call('ZRANGE', ranges, 0, -1)) do
    local _, size = range_bounds(r)
    n = n + size
  end
  return n
end
