-- pool_size: the pool's figures for the metrics page.  A range counts
-- as its numbers.
--
-- KEYS:
--   numbers        the set of every number and range ever added
-- ARGV:
--   number_prefix  the number key prefix
-- ANSWER:
--   {enabled, disabled, removed, {code, callers, ...}}: how many numbers
--   are in each state, and how many enabled ones serve each calling code

--#include range
local c = {enabled = 0, disabled = 0, removed = 0}
local by_code, codes = {}, {}
for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HMGET', ARGV[1] .. n, 'state', 'codes')
  local state, size = h[1], 1
  if string.find(n, '-', 1, true) then size = select(2, range_bounds(n)) end
  if c[state] then c[state] = c[state] + size end
  if state == 'enabled' then
    for code in string.gmatch(h[2] or '', '%d+') do
      if not by_code[code] then codes[#codes + 1] = code end
      by_code[code] = (by_code[code] or 0) + size
    end
  end
end
table.sort(codes)
local out = {}
for _, code in ipairs(codes) do
  out[#out + 1] = code
  out[#out + 1] = by_code[code]
end
return {c.enabled, c.disabled, c.removed, out}
