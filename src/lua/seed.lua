-- seed: adds the configured numbers the pool has never seen, enabled.
--
-- KEYS:
--   pool           the pool zset
--   numbers        the set of every number ever added
-- ARGV:
--   number_prefix  the number key prefix
--   code_prefix    the calling-code key prefix
--   numbers...     each number, then its calling codes
-- ANSWER:
--   how many numbers were added

--#include pool
local pool, numbers = KEYS[1], KEYS[2]
local number_prefix, code_prefix = ARGV[1], ARGV[2]

local added = 0
for i = 3, #ARGV, 2 do
  local n, codes = ARGV[i], ARGV[i + 1]
  if redis.call('SADD', numbers, n) == 1 then
    redis.call('HSET', number_prefix .. n, 'state', 'enabled',
               'codes', codes, 'fails', 0)
    pool_put(pool, code_prefix, n, codes)
    added = added + 1
  end
end
return added
