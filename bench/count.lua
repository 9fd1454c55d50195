-- wrk: the answers by status, counted in the thread and printed at the
-- end as "status <code> <count>" (done() runs in another Lua state, so
-- the counts travel as thread globals), and, when MC_LIMIT was reached,
-- "busy <us>": from the first request to that answer, as wrk itself waits
-- out its duration whatever the script does.  Sourced by request.lua and
-- verify.lua, which set `path` and `body(n)` (and request.lua may set
-- `address(n)`, a client address), and check.lua, which sets `path`,
-- `method` and `headers`.

local ffi = require "ffi"
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } mc_timespec;
int clock_gettime(int clock, mc_timespec *ts);
]]
local ts = ffi.new("mc_timespec")

-- CLOCK_MONOTONIC, in microseconds
local function now()
    ffi.C.clock_gettime(1, ts)
    return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
codes = { 200, 202, 204, 400, 401, 429, 502, 503, 504 }

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    n = tonumber(os.getenv("MC_OFFSET") or "0")
    for _, code in ipairs(codes) do
        _G["s" .. code] = 0
    end
    other = 0
end

function request()
    first = first or now()
    n = n + 1
    if method == "GET" then
        return wrk.format("GET", path, headers)
    end
    local h = { ["Content-Type"] = "application/json" }
    if address then h["X-Forwarded-For"] = address(n) end
    return wrk.format("POST", path, h, body(n))
end

-- MC_OFFSET: the first index; MC_LIMIT: stop sending after that many
-- answers (wrk still waits out its duration)
local limit = tonumber(os.getenv("MC_LIMIT") or "0")
local answers = 0

function response(status, headers, b)
    local k = "s" .. status
    if _G[k] then _G[k] = _G[k] + 1 else other = other + 1 end
    answers = answers + 1
    if limit > 0 and answers >= limit then
        busy = now() - first
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    for _, code in ipairs(codes) do
        local total = 0
        for _, t in ipairs(threads) do total = total + t:get("s" .. code) end
        if total > 0 then io.write(string.format("status %d %d\n", code, total)) end
    end
    local o = 0
    for _, t in ipairs(threads) do o = o + t:get("other") end
    if o > 0 then io.write(string.format("status other %d\n", o)) end
    local last = 0
    for _, t in ipairs(threads) do last = math.max(last, t:get("n")) end
    io.write(string.format("sent up to %d\n", last))
    local busy = 0
    for _, t in ipairs(threads) do busy = math.max(busy, t:get("busy") or 0) end
    if busy > 0 then io.write(string.format("busy %d\n", busy)) end
end
