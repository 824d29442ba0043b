#!/usr/bin/env bash
# bench/match.sh: dragnet match against adblock-rust (Python package `adblock`) with
# Debian's EasyList + EasyPrivacy (webext-ublock-origin-chromium), on every network
# request of the corpus pages (their resources, with the page as source and the
# resource kind as type). Prints the agreement (target >= 99.9%, disagreements
# written to bench/out/match-disagreements.tsv), URLs per second for both in one run
# (target: dragnet >= 2x adblock-rust through Python), and dragnet's list load time
# cold and from its cache (target <= 0.3 s).
#   RUNS=5 bench/match.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-5}
LISTS=/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist

if [ ! -f "$LISTS/easylist.txt" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get install -y -qq webext-ublock-origin-chromium >/dev/null
fi
python3 -c 'import adblock' 2>/dev/null || python3 -m pip install --quiet adblock
build_release
mkdir -p "$OUT"
python3 "$BENCH_ROOT/bench/requests.py" "$DRAGNET" "$CORPUS" "$OUT/requests.tsv"
# Repeat the list so that matching, not start-up, dominates the timing.
for _ in 1 2 3 4 5 6 7 8; do cat "$OUT/requests.tsv"; done > "$OUT/requests-x8.tsv"
n=$(wc -l < "$OUT/requests.tsv")
echo "requests: $n distinct (timed on 8 copies); lists: EasyList $(wc -l < "$LISTS/easylist.txt") + EasyPrivacy $(wc -l < "$LISTS/easyprivacy.txt") lines"

CACHE="$OUT/filter-cache"
rm -rf "$CACHE"
MATCH=("$DRAGNET" match --stats --cache-dir "$CACHE" --list "$LISTS/easylist.txt" --list "$LISTS/easyprivacy.txt")
"${MATCH[@]}" < "$OUT/requests.tsv" > "$OUT/dragnet.out" 2> "$OUT/dragnet-cold.err"
python3 "$BENCH_ROOT/bench/adblock_match.py" "$OUT/requests.tsv" "$OUT/adblock.out" "$LISTS/easylist.txt" "$LISTS/easyprivacy.txt" 2> "$OUT/adblock-once.err"
paste "$OUT/adblock.out" "$OUT/dragnet.out" "$OUT/requests.tsv" | awk -F'\t' '$1 != $3 {print "adblock=" $1 "\tdragnet=" $3 "\t" $5 "\t" $6 "\t" $7 "\tdragnet filter: " $5}' > "$OUT/match-disagreements.tsv"
differ=$(wc -l < "$OUT/match-disagreements.tsv")
awk -v n="$n" -v d="$differ" 'BEGIN {printf "agreement: %.4f%% (%d of %d differ; see bench/out/match-disagreements.tsv)\n", 100 * (n - d) / n, d, n}'
echo "blocked: adblock $(grep -c '^block' "$OUT/adblock.out"), dragnet $(grep -c '^block' "$OUT/dragnet.out")"

rm -f "$OUT"/match-*.rates
for ((run = 1; run <= RUNS; run++)); do
    "${MATCH[@]}" < "$OUT/requests-x8.tsv" > /dev/null 2> "$OUT/dragnet-run.err"
    grep -o '([0-9]* per second)' "$OUT/dragnet-run.err" | tr -dc '0-9\n' >> "$OUT/match-dragnet.rates"
    grep -o 'loaded in [0-9.]*' "$OUT/dragnet-run.err" | awk '{print $3}' >> "$OUT/match-cached-load.rates"
    python3 "$BENCH_ROOT/bench/adblock_match.py" "$OUT/requests-x8.tsv" /dev/null "$LISTS/easylist.txt" "$LISTS/easyprivacy.txt" 2> "$OUT/adblock-run.err"
    grep -o '([0-9]* per second)' "$OUT/adblock-run.err" | tr -dc '0-9\n' >> "$OUT/match-adblock.rates"
    grep -o 'load [0-9.]*' "$OUT/adblock-run.err" | awk '{print $2}' >> "$OUT/match-adblock-load.rates"
    printf 'run %d: dragnet %s/s, adblock-rust %s/s\n' "$run" "$(tail -1 "$OUT/match-dragnet.rates")" "$(tail -1 "$OUT/match-adblock.rates")"
done
d=$(median "$OUT/match-dragnet.rates" 1)
a=$(median "$OUT/match-adblock.rates" 1)
awk -v d="$d" -v a="$a" 'BEGIN {printf "median rate: dragnet %d URLs/s, adblock-rust (Python) %d URLs/s, ratio %.2f (target >= 2)\n", d, a, d / a}'
echo "dragnet load: cold $(grep -o 'loaded in [0-9.]*' "$OUT/dragnet-cold.err" | awk '{print $3}')s (parse + compile + write cache), from cache median $(median "$OUT/match-cached-load.rates" 1)s (target <= 0.3); adblock-rust load median $(median "$OUT/match-adblock-load.rates" 1)s"
