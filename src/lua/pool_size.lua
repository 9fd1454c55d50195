-- pool_size: the pool's figures for the metrics page.
--
-- KEYS:
--   numbers        the set of every number ever added
-- ARGV:
--   number_prefix  the number key prefix
-- ANSWER:
--   {enabled, disabled, removed}: how many numbers are in each state

local c = {enabled = 0, disabled = 0, removed = 0}
for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local s = redis.call('HGET', ARGV[1] .. n, 'state')
  if c[s] then c[s] = c[s] + 1 end
end
return {c.enabled, c.disabled, c.removed}
