-- wrk: GET /check (or MC_PATH) with a valid token (MC_TOKEN), one thread.
package.path = os.getenv("MC_BENCH") .. "/?.lua;" .. package.path
require "count"

path = os.getenv("MC_PATH") or "/check"
method = "GET"
headers = { ["Authorization"] = "Bearer " .. os.getenv("MC_TOKEN") }
