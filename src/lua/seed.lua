-- seed: adds the configured numbers and ranges the pool has never seen,
-- enabled; and counts the pool's groups if they were never counted (a pool
-- kept by an earlier version).  Run at every connection to Redis.
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

local g = {pool, code_prefix, ranges, range_prefix}

if redis.call('EXISTS', pool .. ':n') == 0 then
  pool_recount(g, numbers, number_prefix)
end

local added = 0
for i = 4, #ARGV, 2 do
  local n, codes = ARGV[i], ARGV[i + 1]
  if redis.call('SADD', numbers, n) == 1 then
    redis.call('HSET', number_prefix .. n, 'state', 'enabled',
               'codes', codes, 'fails', 0)
    pool_put(g, n, codes)
    added = added + 1
  end
end
return added
