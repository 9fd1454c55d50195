-- For the scripts that change the pool.  A number's hash ("number:<e164>")
-- keeps its state (enabled, disabled, removed), why, its calling codes and
-- its figures; an enabled number is also in the pool zset and in the zset
-- of each of its calling codes, which is what reserve draws from.  ccp is
-- the calling-code key prefix.  A range of numbers, "first-last", counts
-- as one member, in the range zsets instead of the number ones.
local function pool_sets(n, pool, ccp, ranges, rccp)
  if string.find(n, '-', 1, true) then return ranges, rccp end
  return pool, ccp
end
local function pool_put(pool, ccp, n, codes)
  redis.call('ZADD', pool, 0, n)
  for c in string.gmatch(codes or '', '%d+') do
    redis.call('ZADD', ccp .. c, 0, n)
  end
end
local function pool_take(pool, ccp, n, codes)
  redis.call('ZREM', pool, n)
  for c in string.gmatch(codes or '', '%d+') do
    redis.call('ZREM', ccp .. c, n)
  end
end
