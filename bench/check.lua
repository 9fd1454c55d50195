-- wrk: GET /check with a valid token (MC_TOKEN), one thread.
package.path = os.getenv("MC_BENCH") .. "/?.lua;" .. package.path
require "count"

path = "/check"
method = "GET"
headers = { ["Authorization"] = "Bearer " .. os.getenv("MC_TOKEN") }
