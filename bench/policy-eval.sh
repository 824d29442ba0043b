#!/usr/bin/env bash
# bench/policy-eval.sh: per-category precision, recall and F1 of Dragnet's policy
# classifier (rules/policy) on the hand-labelled sentences in
# Tests/Fixtures/policy-labels/labels.jsonl, through `dragnet policy --classify-lines`.
# Prints one table per split (dev: the rules were tuned on it; test: held out; all).
# A sentence counts for a category when the classifier affirms it; negated labels are
# scored separately (negation accuracy). Target: F1 >= 0.8 on each category with at
# least 10 labelled sentences.
#   bench/policy-eval.sh [--split dev|test|all]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_release
LABELS="$BENCH_ROOT/Tests/Fixtures/policy-labels/labels.jsonl"
mkdir -p "$OUT"
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)["text"].replace("\n", " "))
' "$LABELS" > "$OUT/policy-texts.txt"
start=$(date +%s.%N)
"$DRAGNET" policy --classify-lines --rules "$BENCH_ROOT/rules" < "$OUT/policy-texts.txt" > "$OUT/policy-predictions.jsonl"
end=$(date +%s.%N)
python3 "$BENCH_ROOT/bench/policy_eval.py" "$LABELS" "$OUT/policy-predictions.jsonl" "${1:-}" "${2:-}"
awk -v s="$start" -v e="$end" -v n="$(wc -l < "$OUT/policy-texts.txt")" 'BEGIN {printf "classified %d sentences in %.2f s (including start-up)\n", n, e - s}'
