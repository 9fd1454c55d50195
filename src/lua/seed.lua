-- seed: adds the configured numbers and ranges the pool has never seen,
-- enabled.
--
-- KEYS:
--   pool           the pool zset
--   numbers        the set of every number and range ever added
--   ranges         the zset of enabled ranges
-- ARGV:
--   number_prefix  the number key prefix
--   code_prefix    the calling-code key prefix
--   range_prefix   the calling-code key prefix of ranges
--   numbers...     each number or range, then its calling codes
-- ANSWER:
--   how many numbers were added

--#include pool
local pool, numbers, ranges = KEYS[1], KEYS[2], KEYS[3]
local number_prefix, code_prefix, range_prefix = ARGV[1], ARGV[2], ARGV[3]

local added = 0
for i = 4, #ARGV, 2 do
  local n, codes = ARGV[i], ARGV[i + 1]
  if redis.call('SADD', numbers, n) == 1 then
    redis.call('HSET', number_prefix .. n, 'state', 'enabled',
               'codes', codes, 'fails', 0)
    local set, prefix = pool_sets(n, pool, code_prefix, ranges,
                                  range_prefix)
    pool_put(set, prefix, n, codes)
    added = added + 1
  end
end
return added
