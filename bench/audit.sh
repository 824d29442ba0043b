#!/usr/bin/env bash
# bench/audit.sh: dragnet audit of 2,000 pages served by nginx on 127.0.0.1,
# against the two costs no auditor can avoid, measured in the same run:
# curl --parallel --parallel-max 32 fetching the same list, plus xmllint --html
# --noout parsing the same files. Prints the median ratio audit / (curl + xmllint)
# (target <= 1.0) and dragnet's peak RSS for 1,000 and 10,000 URLs (target: flat, <= 150 MB).
# Then the cost of robots.txt (one fetch of robots.txt and tdmrep.json per site): ROBOTS_PAGES
# pages, each on a site of its own as on the corpus list, audited with and without --no-robots
# (target: with robots.txt <= 1.1x without).
#   PAGES=2000 RUNS=5 PORT=18081 ROBOTS_PAGES=500 bench/audit.sh
#   SECTIONS=robots bench/audit.sh      # only the robots.txt arm (also: main, rss; default all three)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PAGES=${PAGES:-2000}
RUNS=${RUNS:-5}
PORT=${PORT:-18081}
SECTIONS=${SECTIONS:-main,robots,rss}

need curl curl
need xmllint libxml2-utils
build_release
make_site 10000
start_nginx "$PORT"
url_list "$PAGES" "$PORT" "$OUT/audit-urls.txt"
mapfile -t FILES < <(head -n "$PAGES" "$OUT/audit-urls.txt" | sed "s|http://127.0.0.1:$PORT|$OUT/www|")
rm -f "$OUT"/audit-*.times

# The ratio compares the same work: fetch every page and parse it (plus Dragnet's rules).
# Containers are left out (--no-containers; bench/containers.sh measures them with the
# containers served from loopback: the corpus pages name the real tag-manager hosts).
# Policy discovery (up to 8 more requests per page) and the history database are timed
# separately ("full"), with a history database of their own, emptied before each run.
export DRAGNET_HISTORY="$OUT/audit-history.sqlite"
if [[ ",$SECTIONS," == *,main,* ]]; then
AUDIT=("$DRAGNET" audit --quiet --no-dns --concurrency 32 --per-host 32 --no-containers --no-policies --no-history --output "$OUT/audit-report.json")
FULL=("$DRAGNET" audit --quiet --no-dns --concurrency 32 --per-host 32 --no-containers --output "$OUT/audit-full-report.json")
# The same audit without robots.txt: on this list (one site) robots.txt is one fetch, and the
# per-page AI crawler decisions are what it costs (issue 15: within 1.1x).
NOROBOTS=("${AUDIT[@]}" --no-robots)
echo "pages: $PAGES, runs: $RUNS each, alternating; nginx on 127.0.0.1:$PORT; $(nproc) cores"
"${AUDIT[@]}" "$OUT/audit-urls.txt"   # warm-up
for ((run = 1; run <= RUNS; run++)); do
    timed "$OUT/audit-dragnet.times" "${AUDIT[@]}" "$OUT/audit-urls.txt"
    timed "$OUT/audit-norobots.times" "${NOROBOTS[@]}" "$OUT/audit-urls.txt"
    rm -f "$DRAGNET_HISTORY"*
    timed "$OUT/audit-full.times" "${FULL[@]}" "$OUT/audit-urls.txt"
    timed "$OUT/audit-curl.times" curl --parallel --parallel-max 32 -s --no-progress-meter -K "$OUT/audit-urls.txt.curl"
    /usr/bin/time -f '%e %M' -o "$OUT/audit-xmllint.last" xmllint --html --noout "${FILES[@]}" 2>/dev/null || true
    tail -1 "$OUT/audit-xmllint.last" >> "$OUT/audit-xmllint.times"
    printf 'run %d: dragnet audit %ss (with policies and history %ss)  curl %ss  xmllint %ss\n' "$run" \
        "$(tail -1 "$OUT/audit-dragnet.times" | cut -d' ' -f1)" "$(tail -1 "$OUT/audit-full.times" | cut -d' ' -f1)" \
        "$(tail -1 "$OUT/audit-curl.times" | cut -d' ' -f1)" "$(tail -1 "$OUT/audit-xmllint.times" | cut -d' ' -f1)"
done
pages=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['summary']['pages'], 'pages,', r['summary']['failed'], 'failed,', sum(len(p['resources']) for p in r['pages']), 'resources')" "$OUT/audit-report.json")
d=$(median "$OUT/audit-dragnet.times" 1)
c=$(median "$OUT/audit-curl.times" 1)
x=$(median "$OUT/audit-xmllint.times" 1)
echo "last report: $pages, $(($(stat -c %s "$OUT/audit-report.json") / 1000000)) MB"
echo "median wall: dragnet audit ${d}s; curl ${c}s + xmllint ${x}s; with policies and history: $(median "$OUT/audit-full.times" 1)s"
awk -v d="$d" -v c="$c" -v x="$x" 'BEGIN {printf "ratio audit/(curl+xmllint): %.2f (target <= 1.0)\n", d / (c + x)}'
n=$(median "$OUT/audit-norobots.times" 1)
awk -v d="$d" -v n="$n" 'BEGIN {printf "robots.txt on this list: %.2fs with, %.2fs with --no-robots: ratio %.2f (target <= 1.1)\n", d, n, d / n}'
fi

# robots.txt: the corpus list has one page per site, so each page here gets a site of its own
# (s0000.test … mapped to nginx with --connect-to), and nginx serves a robots.txt in the shape
# publishers use against AI crawlers: one group naming all 166 crawlers of rules/ai-crawlers.
ROBOTS_PAGES=${ROBOTS_PAGES:-500}
if [[ ",$SECTIONS," == *,robots,* ]]; then
python3 - "$BENCH_ROOT/rules/ai-crawlers/robots.json" "$OUT/www/robots.txt" <<'PY'
import json, sys
agents = json.load(open(sys.argv[1]))
lines = ["# Block AI crawlers"] + [f"User-agent: {agent}" for agent in agents] + ["Disallow: /", "", "User-agent: *", "Disallow: /search", "Allow: /"]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
head -n "$ROBOTS_PAGES" "$OUT/audit-urls.txt" | awk -v port="$PORT" '{sub("127.0.0.1:" port, sprintf("s%04d.test:%s", NR - 1, port)); print}' > "$OUT/audit-robots-urls.txt"
ROBOTS_ON=("$DRAGNET" audit --quiet --no-dns --concurrency 32 --per-host 32 --no-containers --no-policies --no-history
    --connect-to "::127.0.0.1:$PORT" --output "$OUT/audit-robots-report.json")
ROBOTS_OFF=("$DRAGNET" audit --quiet --no-dns --concurrency 32 --per-host 32 --no-containers --no-policies --no-history
    --connect-to "::127.0.0.1:$PORT" --no-robots --output "$OUT/audit-robots-off-report.json")
rm -f "$OUT"/audit-robots-*.times
"${ROBOTS_ON[@]}" "$OUT/audit-robots-urls.txt"   # warm-up
for ((run = 1; run <= RUNS; run++)); do
    timed "$OUT/audit-robots-on.times" "${ROBOTS_ON[@]}" "$OUT/audit-robots-urls.txt"
    timed "$OUT/audit-robots-off.times" "${ROBOTS_OFF[@]}" "$OUT/audit-robots-urls.txt"
    printf 'robots run %d: with robots.txt %ss  --no-robots %ss\n' "$run" \
        "$(tail -1 "$OUT/audit-robots-on.times" | cut -d' ' -f1)" "$(tail -1 "$OUT/audit-robots-off.times" | cut -d' ' -f1)"
done
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); s=r['summary']['aiCrawlers']; print('robots.txt read for', s['sites'], 'sites;', 'tiktok let in on', s['platforms'].get('tiktok',{}).get('sitesLettingIn'), 'of them')" "$OUT/audit-robots-report.json"
on=$(median "$OUT/audit-robots-on.times" 1)
off=$(median "$OUT/audit-robots-off.times" 1)
awk -v on="$on" -v off="$off" -v n="$ROBOTS_PAGES" 'BEGIN {printf "robots.txt, %d pages on %d sites: median %.2fs with, %.2fs without: ratio %.2f (target <= 1.1)\n", n, n, on, off, on / off}'
echo "report size: $(($(stat -c %s "$OUT/audit-robots-report.json") / 1000)) kB with, $(($(stat -c %s "$OUT/audit-robots-off-report.json") / 1000)) kB without"
fi

if [[ ",$SECTIONS," == *,rss,* ]]; then
for n in 1000 10000; do
    url_list "$n" "$PORT" "$OUT/audit-rss-$n.txt"
    rm -f "$DRAGNET_HISTORY"*
    /usr/bin/time -f '%e %M' -o "$OUT/audit-rss-$n.last" "$DRAGNET" audit --quiet --concurrency 32 --per-host 32 --no-containers \
        --output "$OUT/audit-rss-report.json" "$OUT/audit-rss-$n.txt"
    read -r secs kib < "$OUT/audit-rss-$n.last"
    echo "peak RSS for $n URLs: $((kib / 1024)) MiB (${secs}s)"
done
fi
