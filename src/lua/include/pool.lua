-- For the scripts that change the pool.  A number's hash ("number:<e164>")
-- keeps its state (enabled, disabled, removed), why, its calling codes and
-- its figures; an enabled number is also in the pool zset and in the zset
-- of each of its calling codes, which is what reserve draws from.  ccp is
-- the calling-code key prefix.
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
