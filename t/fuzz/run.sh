#!/usr/bin/env bash
# Builds each libFuzzer target (ASan, UBSan) and runs it for a bounded time
# on a scratch copy of its seed corpus.
#
#   t/fuzz/run.sh [seconds per target]
#
# Prints "<target>: <N> runs" per target; exits non-zero on any crash.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
build=${MC_BUILD_DIR:-$root/build}/fuzz
mkdir -p "$build"

declare -A sources=([phone]=phone [jwt]="jwt jwk json" [json]=json
    [twilio]="twilio form json" [form]="form json"
    [telnyx]=telnyx)
failed=0

for target in phone jwt json twilio form telnyx; do
    bin=$build/fuzz_$target
    clang -g -O1 -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined -I"$root/src" \
        "$root/t/fuzz/fuzz_$target.c" \
        $(printf "$root/src/ngx_http_missedcall_%s.c " ${sources[$target]}) \
        -lcrypto -ljansson -o "$bin"

    corpus=$build/corpus-$target
    rm -rf "$corpus"
    cp -r "$root/t/fuzz/corpus/$target" "$corpus"

    log=$build/fuzz_$target.log
    if "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 "$corpus" >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" \
            | grep -o '[0-9]*$' || echo 0)
        echo "$target: $runs runs, no crash"
    else
        echo "$target: CRASH, see $log"
        grep -m 5 -E 'ERROR|runtime error|SUMMARY' "$log" || true
        failed=1
    fi
done

exit $failed
