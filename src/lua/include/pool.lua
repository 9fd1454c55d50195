-- For the scripts that change the pool.  A number's hash ("number:<e164>")
-- keeps its state (enabled, disabled, removed), why, its calling codes and
-- its figures; an enabled number is also in the pool zset and in the zset
-- of each of its calling codes, which is what reserve draws from.  A
-- range of numbers, "first-last", counts as one member, in the range zsets
-- instead of the number ones.  g is {pool, code prefix, ranges, range code
-- prefix}.  Each group of a numbers zset and its ranges zset (the pool's,
-- a calling code's) keeps a count, "<numbers zset>:n": how many numbers,
-- then each range, space-separated: all that reserve reads to draw, in its
-- one MGET (issue 19).
local function pool_count(set, rset)
  local c = redis.call('ZRANGE', rset, 0, -1)
  table.insert(c, 1, redis.call('ZCARD', set))
  redis.call('SET', set .. ':n', table.concat(c, ' '))
end
local function pool_group(add, set, rset, n)
  local z = string.find(n, '-', 1, true) and rset or set
  if add then
    redis.call('ZADD', z, 0, n)
  else
    redis.call('ZREM', z, n)
  end
  pool_count(set, rset)
end
local function pool_move(add, g, n, codes)
  pool_group(add, g[1], g[3], n)
  for c in string.gmatch(codes or '', '%d+') do
    pool_group(add, g[2] .. c, g[4] .. c, n)
  end
end
local function pool_put(g, n, codes) pool_move(true, g, n, codes) end
local function pool_take(g, n, codes) pool_move(false, g, n, codes) end
-- every group counted again, each calling code any member ever had: a
-- pool kept before counts were, or changed by an earlier version since
local function pool_recount(g, numbers, number_prefix)
  local codes = {}
  pool_count(g[1], g[3])
  for _, m in ipairs(redis.call('SMEMBERS', numbers)) do
    local c = redis.call('HGET', number_prefix .. m, 'codes')
    for code in string.gmatch(c or '', '%d+') do codes[code] = true end
  end
  for code in pairs(codes) do pool_count(g[2] .. code, g[4] .. code) end
end
