#!/usr/bin/env bash
# bench/browser.sh: browser mode against one Chromium process per page, side by side.
# PAGES corpus pages are served over HTTPS by nginx on 127.0.0.1 as https://bench.test/p/N.html,
# and every host is mapped there (the fetcher with --connect-to, Chromium with
# --host-resolver-rules), so third-party requests are answered at once with 404, the same for
# every arm. Arms, alternating, RUNS times each, JOBS pages at a time:
#   (a) dragnet audit --mode browser --dwell 0 --no-fill  (like for like with b)
#   (b) chromium --headless=new --dump-dom, one process per page (xargs -P JOBS)
#   (c) dragnet audit --mode browser with its defaults (network idle + 2 s dwell)
#   (d) dragnet audit --mode static
#   (e) dragnet audit --mode auto (static first; pages below coverage 0.8 go to the browser)
# Prints pages per minute (medians) and a/b (target >= 2.5); peak memory of the browser
# processes of (a), summed PSS and RSS (target PSS <= 1 GB with 2 workers); for (e) the pages
# it escalated, its time relative to (c) (target <= 40%) and the share of (c)'s findings it
# also found (target >= 95%).
#   PAGES=50 RUNS=3 JOBS=2 PORT=18093 bench/browser.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PAGES=${PAGES:-50}
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
PORT=${PORT:-18093}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}

need curl curl
build_release
make_site "$PAGES"
B="$OUT/browser"
[ -f "$B/nginx.pid" ] && kill "$(cat "$B/nginx.pid")" 2>/dev/null && sleep 0.3
rm -rf "$B"; mkdir -p "$B/tmp"
start_tls_nginx "$B" "$PORT" "$OUT/www" off 'types { text/html html; } default_type application/octet-stream; location / { try_files $uri =404; }'
trap 'kill "$(cat "$B/nginx.pid" 2>/dev/null)" 2>/dev/null; kill "$SAMPLER" 2>/dev/null || true' EXIT
SAMPLER=
: > "$B/urls.txt"
for ((i = 0; i < PAGES; i++)); do echo "https://bench.test/p/$(printf %05d "$i").html" >> "$B/urls.txt"; done

# Peak summed PSS and RSS (KiB) of the processes whose command line names PATTERN, sampled every 0.2 s.
sample() {
    local pattern=$1 out=$2
    echo "0 0" > "$out"
    while :; do
        python3 - "$pattern" "$out" <<'PY'
import os, sys
pattern, out = sys.argv[1], sys.argv[2]
pss = rss = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit(): continue
    try:
        if pattern not in open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace"): continue
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"): pss += int(line.split()[1])
            elif line.startswith("Rss:"): rss += int(line.split()[1])
    except OSError: pass
best_pss, best_rss = map(int, open(out).read().split())
open(out, "w").write(f"{max(pss, best_pss)} {max(rss, best_rss)}")
PY
        sleep 0.2
    done
}

COMMON=(audit --quiet --no-history --no-policies --no-containers --no-dns --browser-jobs "$JOBS" --concurrency 8 --connect-to "::127.0.0.1:$PORT" -k)
cat > "$B/dump-dom.sh" <<SH
#!/usr/bin/env bash
# One Chromium per page, as page-at-a-time tools run it.
profile=\$(mktemp -d "$B/tmp/profile-XXXXXX")
timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --user-data-dir="\$profile" \\
    --host-resolver-rules="MAP * 127.0.0.1:$PORT" --ignore-certificate-errors --dump-dom "\$1" > /dev/null 2>&1 || true
rm -rf "\$profile"
SH
chmod +x "$B/dump-dom.sh"
echo "pages: $PAGES, runs: $RUNS, $JOBS at a time; $(nproc) cores; $("$CHROMIUM" --version 2>/dev/null)"
for ((run = 1; run <= RUNS; run++)); do
    sample "dragnet-browser-" "$B/mem.$run" & SAMPLER=$!
    timed "$B/a.times" "$DRAGNET" "${COMMON[@]}" --mode browser --dwell 0 --no-fill --output "$B/a.json" "$B/urls.txt"
    kill "$SAMPLER"; wait "$SAMPLER" 2>/dev/null || true
    timed "$B/b.times" xargs -P "$JOBS" -n 1 "$B/dump-dom.sh" < "$B/urls.txt"
    timed "$B/c.times" "$DRAGNET" "${COMMON[@]}" --mode browser --output "$B/c.json" "$B/urls.txt"
    timed "$B/d.times" "$DRAGNET" "${COMMON[@]}" --mode static --output "$B/d.json" "$B/urls.txt"
    timed "$B/e.times" "$DRAGNET" "${COMMON[@]}" --mode auto --output "$B/e.json" "$B/urls.txt"
    printf 'run %d: (a) browser dwell 0 %ss  (b) dump-dom %ss  (c) browser defaults %ss  (d) static %ss  (e) auto %ss  peak PSS/RSS of (a) browsers: %s KiB\n' "$run" \
        "$(tail -1 "$B/a.times" | cut -d' ' -f1)" "$(tail -1 "$B/b.times" | cut -d' ' -f1)" "$(tail -1 "$B/c.times" | cut -d' ' -f1)" \
        "$(tail -1 "$B/d.times" | cut -d' ' -f1)" "$(tail -1 "$B/e.times" | cut -d' ' -f1)" "$(tr ' ' / < "$B/mem.$run")"
done
a=$(median "$B/a.times" 1); b=$(median "$B/b.times" 1); c=$(median "$B/c.times" 1); d=$(median "$B/d.times" 1); e=$(median "$B/e.times" 1)
pss=$(awk '{print $1}' "$B"/mem.* | sort -n | tail -1); rss=$(awk '{print $2}' "$B"/mem.* | sort -n | tail -1)
python3 - "$B/a.json" "$B/d.json" <<'PY'
import json, sys
a, d = (json.load(open(p)) for p in sys.argv[1:3])
def pairs(r): return {(p["url"], f["platform"], f["rule"]) for p in r["pages"] for f in p["findings"] if f["data"]}
only = [f for p in a["pages"] for f in p["findings"] if f["seenBy"] == ["browser"]]
errors = sum(1 for p in a["pages"] if (p.get("browser") or {}).get("error"))
print(f"(a): {a['summary']['pages']} pages, {errors} with a browser error; findings only the browser saw: {len(only)}; static findings also found by (a): "
      f"{len(pairs(d) & pairs(a))} of {len(pairs(d))}")
PY
python3 - "$B/c.json" "$B/e.json" "$c" "$e" <<'PY'
import json, sys
c, e = (json.load(open(p)) for p in sys.argv[1:3])
tc, te = float(sys.argv[3]), float(sys.argv[4])
def pairs(r): return {(p["url"], f["platform"], f["rule"]) for p in r["pages"] for f in p["findings"] if f["data"]}
escalated = sum(1 for p in e["pages"] if any(r.startswith("escalated") for r in p.get("coverage", {}).get("reasons", [])))
found = len(pairs(c) & pairs(e))
print(f"(e) auto: escalated {escalated} of {e['summary']['pages']} pages; time {100 * te / tc:.0f}% of (c) (target <= 40%); "
      f"found {found} of (c)'s {len(pairs(c))} findings with data = {100 * found / max(1, len(pairs(c))):.1f}% (target >= 95%)")
PY
awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v e="$e" -v n="$PAGES" 'BEGIN {
    printf "pages/min (medians): (a) browser dwell 0 %.1f  (b) chromium --dump-dom per page %.1f  (c) browser defaults %.1f  (d) static %.1f  (e) auto %.1f\n", 60*n/a, 60*n/b, 60*n/c, 60*n/d, 60*n/e
    printf "ratio (a)/(b): %.2f (target >= 2.5); (c) vs (b): %.2f (target >= 1.0)\n", b/a, b/c }'
echo "peak memory of the browser processes in (a), $JOBS workers: PSS $((pss / 1024)) MiB, summed RSS $((rss / 1024)) MiB (target PSS <= 1024 MiB)"
