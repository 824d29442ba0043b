#!/usr/bin/env bash
# bench/parse.sh: single-threaded extraction (dragnet extract --jobs 1) over every
# corpus page against libxml2's own parse-only run (xmllint --html --noout) over
# the same files, alternating. Prints the median wall-clock ratio (target <= 1.0).
#   RUNS=7 bench/parse.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-7}

need xmllint libxml2-utils
build_release
mapfile -t FILES < <(find "$CORPUS" -name '*.html' | sort)
bytes=$(cat "${FILES[@]}" | wc -c)
echo "files: ${#FILES[@]} ($((bytes / 1000000)) MB), runs: $RUNS each, alternating, one thread each"
mkdir -p "$OUT"
rm -f "$OUT/parse-dragnet.times" "$OUT/parse-xmllint.times"

# Warm the page cache and check that extraction found something on every page.
found=$("$DRAGNET" extract --summary --jobs 1 "${FILES[@]}" | wc -l)
xmllint --html --noout "${FILES[@]}" 2>/dev/null || true

for ((run = 1; run <= RUNS; run++)); do
    timed "$OUT/parse-dragnet.times" "$DRAGNET" extract --summary --jobs 1 "${FILES[@]}"
    /usr/bin/time -f '%e %M' -o "$OUT/parse-xmllint.last" xmllint --html --noout "${FILES[@]}" 2>/dev/null || true
    tail -1 "$OUT/parse-xmllint.last" >> "$OUT/parse-xmllint.times"
    printf 'run %d: dragnet %ss  xmllint %ss\n' "$run" "$(tail -1 "$OUT/parse-dragnet.times" | cut -d' ' -f1)" "$(tail -1 "$OUT/parse-xmllint.times" | cut -d' ' -f1)"
done
d=$(median "$OUT/parse-dragnet.times" 1)
x=$(median "$OUT/parse-xmllint.times" 1)
echo "pages extracted: $found/${#FILES[@]}"
echo "median wall: dragnet extract ${d}s, xmllint --html --noout ${x}s"
awk -v d="$d" -v x="$x" -v b="$bytes" 'BEGIN {printf "throughput: dragnet %.0f MB/s, xmllint %.0f MB/s\nratio dragnet/xmllint: %.2f (target <= 1.0)\n", b / d / 1e6, b / x / 1e6, d / x}'
