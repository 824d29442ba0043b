"""Scores policy predictions against the hand labels (see bench/policy-eval.sh)."""
import json
import sys

labels = [json.loads(line) for line in open(sys.argv[1])]
predictions = [json.loads(line) for line in open(sys.argv[2])]
assert len(labels) == len(predictions), (len(labels), len(predictions))
only = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--split" else None
categories = sorted({c for l in labels for c in l["categories"] + l["negated"]} | {c for p in predictions for c in p["categories"]})


def table(name, rows):
    print(f"\n== {name}: {len(rows)} sentences")
    print(f"{'category':34} {'n':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'rec':>6} {'F1':>6}")
    met, scored = 0, 0
    for category in categories:
        tp = sum(1 for l, p in rows if category in l["categories"] and category in p["categories"])
        fp = sum(1 for l, p in rows if category not in l["categories"] and category in p["categories"])
        fn = sum(1 for l, p in rows if category in l["categories"] and category not in p["categories"])
        n = tp + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / n if n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        mark = ""
        if n >= 10:
            scored += 1
            met += f1 >= 0.8
            mark = "  ok" if f1 >= 0.8 else "  < 0.8"
        print(f"{category:34} {n:4} {tp:4} {fp:4} {fn:4} {precision:6.2f} {recall:6.2f} {f1:6.2f}{mark}")
    negated = [(l, p) for l, p in rows if l["negated"]]
    right = sum(1 for l, p in negated if set(l["negated"]) <= set(p["negated"]) and not set(l["negated"]) & set(p["categories"]))
    print(f"categories with >= 10 labels at F1 >= 0.8: {met} of {scored}")
    print(f"negated sentences recognised as negated (and not affirmed): {right} of {len(negated)}")


pairs = list(zip(labels, predictions))
splits = [only] if only else ["dev", "test", "all"]
for split in splits:
    table(split, pairs if split == "all" else [(l, p) for l, p in pairs if l["split"] == split])
