#!/usr/bin/env python3
"""adblock-rust (Python package `adblock`) as the peer of `dragnet match`:
reads the same URL<TAB>SOURCE<TAB>TYPE lines and writes block/allow<TAB>URL lines.
Prints load and match timings on stderr. Usage: adblock_match.py REQUESTS OUT LIST..."""
import sys, time
import adblock

requests_path, out_path, lists = sys.argv[1], sys.argv[2], sys.argv[3:]
start = time.perf_counter()
filter_set = adblock.FilterSet(debug=True)
for path in lists:
    filter_set.add_filter_list(open(path, encoding="utf-8").read())
engine = adblock.Engine(filter_set, optimize=True)
loaded = time.perf_counter()
requests = [line.rstrip("\n").split("\t") for line in open(requests_path, encoding="utf-8") if line.strip()]
check = engine.check_network_urls
began = time.perf_counter()
decisions = []
for columns in requests:
    url = columns[0]
    source = columns[1] if len(columns) > 1 else ""
    kind = columns[2] if len(columns) > 2 else "other"
    result = check(url, source, kind)
    decisions.append("block" if result.matched else "allow")
elapsed = time.perf_counter() - began
with open(out_path, "w", encoding="utf-8") as handle:
    for decision, columns in zip(decisions, requests):
        handle.write(f"{decision}\t{columns[0]}\n")
print(f"adblock: load {loaded - start:.3f}s, matched {len(requests)} in {elapsed:.3f}s ({len(requests) / elapsed:.0f} per second)", file=sys.stderr)
