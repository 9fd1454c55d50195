-- pool_size: the pool's figures for the metrics page.  A range counts
-- as its numbers.
--
-- KEYS:
--   numbers        the set of every number and range ever added
-- ARGV:
--   number_prefix  the number key prefix
-- ANSWER:
--   {enabled, disabled, removed, {member, codes, ...}}: how many numbers
--   are in each state, and each enabled member with its calling codes, for
--   the odds, which count the numbers sharing a hint

--#include range
local c = {enabled = 0, disabled = 0, removed = 0}
local enabled = {}
for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HMGET', ARGV[1] .. n, 'state', 'codes')
  local state, size = h[1], 1
  if string.find(n, '-', 1, true) then size = select(2, range_bounds(n)) end
  if c[state] then c[state] = c[state] + size end
  if state == 'enabled' then
    enabled[#enabled + 1] = n
    enabled[#enabled + 1] = h[2] or ''
  end
end
return {c.enabled, c.disabled, c.removed, enabled}
