-- A range is one member, "+first-+last", of a zset of ranges.
local function range_bounds(r)
  local first, last = string.match(r, '^%+(%d+)%-%+(%d+)$')
  return tonumber(first), tonumber(last) - tonumber(first) + 1
end
