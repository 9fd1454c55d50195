-- the time in ms from Redis's clock, the same for every node
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
