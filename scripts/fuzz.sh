#!/usr/bin/env bash
# scripts/fuzz.sh TARGET SECONDS: fuzzes one parser with libFuzzer and AddressSanitizer.
# Builds the harness (Sources/DragnetFuzz) once into .build/fuzz, writes the target's seed
# corpus (scripts/fuzz-seeds.py) into fuzz/corpus/TARGET (kept and grown between runs; not
# in git), and runs for SECONDS. A crash is written to fuzz/crashes/TARGET/ and the script
# exits 1; the last line says how many executions ran. Targets: html policy-html policy-md
# filters url cookie rules-yaml dragnet-yml report har container segment robots json.
#   scripts/fuzz.sh robots 600
#   scripts/fuzz.sh all 30                 # every target for 30 s each
#   FUZZ_NO_BUILD=1 scripts/fuzz.sh url 600 # reuse the last build (parallel runs)
#   FUZZ_RUNS=2000 scripts/fuzz.sh all 0     # a fixed number of runs with a fixed seed: deterministic (CI)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
SECONDS_EACH=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
BUILD="$ROOT/.build/fuzz"
cd "$ROOT"
[ -n "${FUZZ_NO_BUILD:-}" ] || swift build --product dragnet-fuzz --build-path "$BUILD" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library \
    -Xcc -fsanitize=fuzzer-no-link,address >&2
BIN="$BUILD/debug/dragnet-fuzz"
TARGETS=("$TARGET")
[ "$TARGET" = all ] && TARGETS=(html policy-html policy-md filters url cookie rules-yaml dragnet-yml report har container segment robots json)
[ "$TARGET" = first-half ] && TARGETS=(html policy-html policy-md filters url cookie rules-yaml)
[ "$TARGET" = second-half ] && TARGETS=(dragnet-yml report har container segment robots json)
status=0
for target in "${TARGETS[@]}"; do
    corpus="$ROOT/fuzz/corpus/$target"
    crashes="$ROOT/fuzz/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    [ -n "$(ls -A "$corpus")" ] || python3 "$ROOT/scripts/fuzz-seeds.py" "$target" "$corpus" >&2
    log="$ROOT/fuzz/$target.log"
    set +e
    if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS" -seed=1); else limit=(-max_total_time="$SECONDS_EACH"); fi
    DRAGNET_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 "$BIN" "$corpus" \
        "${limit[@]}" -max_len=262144 -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$crashes/" > "$log" 2>&1
    code=$?
    set -e
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    if [ "$code" -ne 0 ]; then
        status=1
        echo "$target: CRASH after ${runs:-?} executions (exit $code); see $log and $crashes/"
    else
        echo "$target: ${runs:-0} executions$([ -n "${FUZZ_RUNS:-}" ] || echo " in ${SECONDS_EACH}s"), 0 crashes, corpus $(ls "$corpus" | wc -l) inputs"
    fi
done
exit $status
