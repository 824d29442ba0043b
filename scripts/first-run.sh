#!/usr/bin/env bash
# What a new user sees after the build (the end of scripts/setup.sh): the built-in demo shop
# audited offline, then examples/urls.txt when the network answers. The last line names the
# HTML report to open.
#   bash scripts/first-run.sh [BINARY]        (default .build/release/dragnet)
# DRAGNET_OFFLINE=1 skips the network probe; DRAGNET_DEMO_OUT sets the demo's report folder.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/dragnet}
OUT=${DRAGNET_DEMO_OUT:-reports/demo}
echo
echo "== The demo shop, audited offline (dragnet demo): TikTok, Meta and X pixels, a tag manager, a privacy policy =="
"$BIN" demo --out "$OUT" || { echo "dragnet demo failed (exit $?)"; exit 1; }
report=$(ls -t "$OUT"/*.html 2>/dev/null | head -1)
echo
if [ -z "${DRAGNET_OFFLINE:-}" ] && curl -s --max-time 5 -o /dev/null https://example.com/ 2>/dev/null; then
    echo "== The network answers: auditing examples/urls.txt =="
    status=0
    "$BIN" audit --format json,md,html examples/urls.txt || status=$?
    case $status in
        0) ;;
        3) echo "every URL of examples/urls.txt failed (exit 3): the lines above say why for each URL." ;;
        *) echo "dragnet audit exited with $status" ;;
    esac
    latest=$(ls -t reports/*.html 2>/dev/null | head -1)
    [ -n "$latest" ] && echo "Report of examples/urls.txt: $latest"
else
    echo "No network here, so examples/urls.txt was not audited; later: $BIN audit --format json,md,html examples/urls.txt"
fi
echo "Open the demo report: $report"
