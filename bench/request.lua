-- wrk: POST /otp/request/ (or MC_PATH) for distinct phone numbers (one
-- thread).
package.path = os.getenv("MC_BENCH") .. "/?.lua;" .. package.path
require "count"

path = os.getenv("MC_PATH") or "/otp/request/"

-- MC_ADDRESSES: each request from an address of its own, as the limits per
-- client address see it behind a proxy (X-Forwarded-For, realip)
if os.getenv("MC_ADDRESSES") then
    function address(i)
        return string.format("10.%d.%d.%d", math.floor(i / 65536) % 256,
                             math.floor(i / 256) % 256, i % 256)
    end
end

function body(i)
    return string.format('{"phone_number": "+1%010d"}', 2000000000 + i)
end
