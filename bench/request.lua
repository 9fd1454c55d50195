-- wrk: POST /otp/request/ for distinct phone numbers (one thread).
package.path = os.getenv("MC_BENCH") .. "/?.lua;" .. package.path
require "count"

path = "/otp/request/"

function body(i)
    return string.format('{"phone_number": "+1%010d"}', 2000000000 + i)
end
