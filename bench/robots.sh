#!/usr/bin/env bash
# bench/robots.sh: parsing a 500 KiB robots.txt and deciding all 166 AI crawlers of
# rules/ai-crawlers for one path, in dragnet (`dragnet robots FILE PATH --timing`, which
# times parse and decisions inside the process) against Python's urllib.robotparser on the
# same file and agents, side by side; medians of RUNS. Target: parse + decide <= 10 ms.
#   RUNS=9 bench/robots.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-9}
build_release
mkdir -p "$OUT"
FILE="$OUT/robots-500k.txt"
# A large robots.txt in a real shape: the AI crawlers group, then a catch-all group with
# thousands of path rules (wildcards and anchors among them), cut at 500 KiB.
python3 - "$BENCH_ROOT/rules/ai-crawlers/robots.json" "$FILE" <<'PY'
import json, sys
agents = list(json.load(open(sys.argv[1])))
lines = ["# AI crawlers"] + [f"User-agent: {a}" for a in agents] + ["Disallow: /", "", "User-agent: *"]
i = 0
while sum(len(l) + 1 for l in lines) < 500 * 1024 - 200:
    lines.append(f"Disallow: /archive/{i:06d}/*.pdf$" if i % 3 == 0 else f"Disallow: /section-{i % 97}/item-{i:06d}/")
    i += 1
lines.append("Allow: /section-1/")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
echo "robots.txt: $(stat -c %s "$FILE") bytes, $(wc -l < "$FILE") lines; $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$BENCH_ROOT/rules/ai-crawlers/robots.json") agents; $RUNS runs; $(nproc) cores"
rm -f "$OUT"/robots-*.ms
for ((run = 1; run <= RUNS; run++)); do
    line=$("$DRAGNET" robots "$FILE" /section-1/item-000001/page.html --timing 2>&1 >/dev/null)
    # "robots.txt: N bytes, L lines, G groups; parse P ms, A agents decided in D ms"
    echo "$line" | sed -E 's/.*parse ([0-9.]+) ms, [0-9]+ agents decided in ([0-9.]+) ms.*/\1 \2/' >> "$OUT/robots-dragnet.ms"
    python3 - "$FILE" "$BENCH_ROOT/rules/ai-crawlers/robots.json" >> "$OUT/robots-python.ms" <<'PY'
import json, sys, time, urllib.robotparser
agents = list(json.load(open(sys.argv[2])))
text = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
parser = urllib.robotparser.RobotFileParser()
parser.parse(text.splitlines())
parsed = time.perf_counter()
allowed = sum(parser.can_fetch(agent, "https://example.com/section-1/item-000001/page.html") for agent in agents)
done = time.perf_counter()
print(f"{(parsed - start) * 1000:.2f} {(done - parsed) * 1000:.2f}")
PY
done
dp=$(median "$OUT/robots-dragnet.ms" 1); dd=$(median "$OUT/robots-dragnet.ms" 2)
pp=$(median "$OUT/robots-python.ms" 1); pd=$(median "$OUT/robots-python.ms" 2)
echo "median dragnet: parse ${dp} ms + decide ${dd} ms; python urllib.robotparser: parse ${pp} ms + decide ${pd} ms"
awk -v dp="$dp" -v dd="$dd" -v pp="$pp" -v pd="$pd" 'BEGIN {
    printf "dragnet total %.2f ms (target <= 10 ms); ratio dragnet/python %.3f\n", dp + dd, (dp + dd) / (pp + pd) }'
