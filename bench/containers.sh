#!/usr/bin/env bash
# bench/containers.sh: reading tag-manager containers.
#  1. Parse throughput: `dragnet container --stats` over a realistic 0.8 MB container (the fixture
#     container's tags repeated, with a runtime of the size real ones carry), read N times in one
#     process; Python's json.loads of the same `data` object is printed beside it for scale.
#     Target >= 50 MB/s.
#  2. The corpus audit (pages served by nginx on 127.0.0.1) with every GTM/gtag container served
#     from a loopback HTTPS server (--connect-to, one generated container per id), against the same
#     audit with --no-containers, alternating, medians. Each run starts with an empty container
#     cache, so every container is fetched once per run. Target <= 1.3x.
#   RUNS=5 PORT=18083 bench/containers.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-5}
PORT=${PORT:-18083}
COPIES=${COPIES:-40}

need curl curl
build_release
mkdir -p "$OUT/containers"
FIXTURE="$BENCH_ROOT/Tests/Fixtures/https-site/www.googletagmanager.com/gtm.js@id=GTM-T1K2T3"

# A big container in the real shape: the fixture's tags 40 times over, each copy with its own rules.
python3 - "$FIXTURE" "$OUT/containers" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
start = text.index("var data = ") + len("var data = ")
end = text.index(";\n/*", start)
data = json.loads(text[start:end])
res = data["resource"]
tags, rules = [], []
for copy in range(40):
    base = len(tags)
    for tag in res["tags"]:
        tag = json.loads(json.dumps(tag))
        if tag["function"] == "__html":
            tag["vtp_html"][1] = tag["vtp_html"][1] + ("/* padding %d */" % copy) * 20
        tags.append(tag)
    for rule in res["rules"]:
        rules.append([[clause[0]] + ([i + base for i in clause[1:]] if clause[0] in ("add", "block") else clause[1:]) for clause in rule])
res["tags"], res["rules"] = tags, rules
data["runtime"] = [[50, "__cvt_98765_%d" % i, [46, "a"], [52, "b", ["require", "injectScript"]], [2, [15, "b"], "x" * 1500]] for i in range(300)]
body = json.dumps(data, separators=(",", ":")).replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
js = "\n// Copyright 2012 Google Inc. All rights reserved.\n(function(){\n\nvar data = " + body + ";\n/* runtime */\n})()\n"
open(sys.argv[2] + "/big-gtm.js", "w").write(js)
open(sys.argv[2] + "/big-data.json", "w").write(body)
template = text.replace("GTM-T1K2T3", "GTM-TEMPLATE")
open(sys.argv[2] + "/template-gtm.js", "w").write(template)
PY
size=$(stat -c %s "$OUT/containers/big-gtm.js")
echo "container: $((size / 1000)) kB, $(python3 -c "import json;print(len(json.load(open('$OUT/containers/big-data.json'))['resource']['tags']))") tags; $(nproc) cores"
FILES=()
for ((i = 0; i < COPIES; i++)); do FILES+=("$OUT/containers/big-gtm.js"); done
: > "$OUT/containers/parse.rates"
for ((run = 1; run <= RUNS; run++)); do
    "$DRAGNET" container --stats "${FILES[@]}" 2>&1 >/dev/null | awk '{print $(NF-1)}' >> "$OUT/containers/parse.rates"
done
py=$(python3 -c "
import json, time
b = open('$OUT/containers/big-data.json', 'rb').read()
best = []
for _ in range(5):
    t = time.perf_counter()
    for _ in range($COPIES): json.loads(b)
    best.append(len(b) * $COPIES / 1e6 / (time.perf_counter() - t))
best.sort(); print('%.1f' % best[2])")
parse=$(median "$OUT/containers/parse.rates" 1)
echo "parse + map (dragnet container, $COPIES reads per run, median of $RUNS): ${parse} MB/s (target >= 50); Python json.loads of the data object alone: ${py} MB/s"

# 2. Corpus audit with containers from loopback HTTPS vs --no-containers. nginx serves the pages
# over HTTP and, as the tag-manager CDN, one container per id found in the corpus over HTTPS
# (the test certificate; --insecure). Unknown ids and hosts are answered at once with 404.
make_site 244
start_nginx "$PORT"
url_list 244 "$PORT" "$OUT/containers/urls.txt"
HTTPS_PORT=$((PORT + 1))
CDN="$OUT/containers/cdn"
[ -f "$CDN/nginx.pid" ] && kill "$(cat "$CDN/nginx.pid")" 2>/dev/null && sleep 0.3
rm -rf "$CDN"; mkdir -p "$CDN/www/gtm"
for id in $(cat "$OUT"/www/p/*.html | grep -a -o -E "GTM-[A-Z0-9]{4,10}|gtag/js\?id=[A-Z0-9-]{4,20}" | sed 's|gtag/js?id=||' | sort -u); do
    sed "s/GTM-TEMPLATE/$id/g" "$OUT/containers/template-gtm.js" > "$CDN/www/gtm/$id.js"
done
start_tls_nginx "$CDN" "$HTTPS_PORT" "$CDN/www" "$CDN/logs/access.log" \
    'default_type application/javascript; location = /gtm.js { try_files /gtm/$arg_id.js =404; } location = /gtag/js { try_files /gtm/$arg_id.js =404; } location / { return 404; }'
trap 'kill "$(cat "$OUT/nginx/nginx.pid" 2>/dev/null)" "$(cat "$CDN/nginx.pid" 2>/dev/null)" 2>/dev/null' EXIT
echo "containers served: $(ls "$CDN/www/gtm" | wc -l) ids from the corpus pages; pages on 127.0.0.1:$PORT, containers on https://127.0.0.1:$HTTPS_PORT"
MAP=()
for host in www.googletagmanager.com cdn.segment.com; do MAP+=(--connect-to "$host:443:127.0.0.1:$HTTPS_PORT"); done
COMMON=(audit --quiet --no-policies --no-history --no-dns --concurrency 32 --per-host 32 -k "${MAP[@]}")
"$DRAGNET" "${COMMON[@]}" --no-containers --output "$OUT/containers/plain.json" "$OUT/containers/urls.txt"  # warm-up
rm -f "$OUT/containers/with.times" "$OUT/containers/without.times"
for ((run = 1; run <= RUNS; run++)); do
    rm -rf "$OUT/containers/cache"; : > "$CDN/logs/access.log"
    timed "$OUT/containers/with.times" "$DRAGNET" "${COMMON[@]}" --containers-cache "$OUT/containers/cache" --output "$OUT/containers/with.json" "$OUT/containers/urls.txt"
    timed "$OUT/containers/without.times" "$DRAGNET" "${COMMON[@]}" --no-containers --output "$OUT/containers/plain.json" "$OUT/containers/urls.txt"
    printf 'run %d: with containers %ss (%d container requests)  --no-containers %ss\n' "$run" "$(tail -1 "$OUT/containers/with.times" | cut -d' ' -f1)" \
        "$(grep -c -E 'gtm.js|gtag/js|settings' "$CDN/logs/access.log" || true)" "$(tail -1 "$OUT/containers/without.times" | cut -d' ' -f1)"
done
python3 - "$OUT/containers/with.json" "$OUT/containers/plain.json" <<'PY'
import json, sys
w, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
pages = w["pages"]
with_c = sum(1 for x in pages if x["containers"])
read = w["summary"]["containers"]
def platforms(r): return sum(len(x["platforms"]) for x in r["pages"])
via = sum(1 for x in pages for f in x["findings"] if f["seenBy"] == ["container"])
print(f"{len(pages)} pages, {with_c} load a container; containers read {read['read']}, failed {read['failed']}; "
      f"page-platform pairs {platforms(p)} -> {platforms(w)}; findings only a container shows: {via}")
PY
w=$(median "$OUT/containers/with.times" 1)
n=$(median "$OUT/containers/without.times" 1)
awk -v w="$w" -v n="$n" 'BEGIN {printf "median wall: with containers %.2fs, --no-containers %.2fs: ratio %.2f (target <= 1.3)\n", w, n, w / n}'
