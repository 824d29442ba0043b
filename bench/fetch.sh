#!/usr/bin/env bash
# bench/fetch.sh: dragnet fetch against curl --parallel on 2,000 corpus pages
# served by nginx on 127.0.0.1. Prints the median wall-clock ratio dragnet/curl
# (target <= 1.5) and dragnet's peak RSS. dragnet runs twice per round: as shipped
# (SHA-256 of every body) and with --no-digest, to show what the digest costs.
#   PAGES=2000 RUNS=5 PORT=18080 bench/fetch.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PAGES=${PAGES:-2000}
RUNS=${RUNS:-5}
PORT=${PORT:-18080}

need curl curl
build_release
make_site "$PAGES"
start_nginx "$PORT"
url_list "$PAGES" "$PORT" "$OUT/fetch-urls.txt"
rm -f "$OUT/fetch-dragnet.times" "$OUT/fetch-nodigest.times" "$OUT/fetch-curl.times"

bytes=$(seq -f "$OUT/www/p/%05g.html" 0 $((PAGES - 1)) | xargs stat -L -c %s | awk '{s+=$1} END {print s}')
echo "pages: $PAGES ($((bytes / 1000000)) MB), runs: $RUNS each, alternating; nginx on 127.0.0.1:$PORT"
# One warm-up each (page cache, connection setup paths).
"$DRAGNET" fetch --quiet --concurrency 32 --per-host 32 "$OUT/fetch-urls.txt" > /dev/null
curl --parallel --parallel-max 32 -s --no-progress-meter -K "$OUT/fetch-urls.txt.curl" 2>/dev/null

for ((run = 1; run <= RUNS; run++)); do
    timed "$OUT/fetch-dragnet.times" "$DRAGNET" fetch --quiet --concurrency 32 --per-host 32 "$OUT/fetch-urls.txt"
    timed "$OUT/fetch-nodigest.times" "$DRAGNET" fetch --quiet --no-digest --concurrency 32 --per-host 32 "$OUT/fetch-urls.txt"
    timed "$OUT/fetch-curl.times" curl --parallel --parallel-max 32 -s --no-progress-meter -K "$OUT/fetch-urls.txt.curl"
    printf 'run %d: dragnet %ss (%s KiB)  dragnet --no-digest %ss  curl %ss\n' "$run" \
        "$(tail -1 "$OUT/fetch-dragnet.times" | cut -d' ' -f1)" "$(tail -1 "$OUT/fetch-dragnet.times" | cut -d' ' -f2)" \
        "$(tail -1 "$OUT/fetch-nodigest.times" | cut -d' ' -f1)" "$(tail -1 "$OUT/fetch-curl.times" | cut -d' ' -f1)"
done

# Check that dragnet really fetched every page.
ok=$("$DRAGNET" fetch --quiet --concurrency 32 --per-host 32 "$OUT/fetch-urls.txt" | grep -c '"status":200' || true)
d=$(median "$OUT/fetch-dragnet.times" 1)
n=$(median "$OUT/fetch-nodigest.times" 1)
c=$(median "$OUT/fetch-curl.times" 1)
rss=$(median "$OUT/fetch-dragnet.times" 2)
maxrss=$(sort -g -k2 "$OUT/fetch-dragnet.times" | tail -1 | cut -d' ' -f2)
echo "dragnet fetched with status 200: $ok/$PAGES"
echo "median wall: dragnet ${d}s, dragnet --no-digest ${n}s, curl ${c}s"
awk -v d="$d" -v c="$c" 'BEGIN {printf "ratio dragnet/curl: %.2f (target <= 1.5)\n", d / c}'
awk -v d="$n" -v c="$c" 'BEGIN {printf "ratio dragnet --no-digest/curl: %.2f\n", d / c}'
echo "dragnet peak RSS: median $((rss / 1024)) MiB, max $((maxrss / 1024)) MiB"
