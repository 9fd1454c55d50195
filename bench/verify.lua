-- wrk: POST /otp/verify/ by phone number, for the numbers request.lua
-- asked calls for, with the pool's one caller number (one thread);
-- MC_PATH sends the same bodies elsewhere, to measure nginx alone.
package.path = os.getenv("MC_BENCH") .. "/?.lua;" .. package.path
require "count"

path = os.getenv("MC_PATH") or "/otp/verify/"
local caller = os.getenv("MC_CALLER")

function body(i)
    return string.format(
        '{"phone_number": "+1%010d", "received_caller_id": "%s"}',
        2000000000 + i, caller)
end
