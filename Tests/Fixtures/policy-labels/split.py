#!/usr/bin/env python3
"""Validate labels.jsonl and assign the dev/test split deterministically.

Usage:  python3 split.py            # validate, (re)assign "split", rewrite labels.jsonl
        python3 split.py --check    # validate only; fail if a stored split differs

The split is made by sorting the ids, shuffling them with random.Random(42) and
giving "dev" / "test" alternately, so both halves mix services, versions and
categories. Re-running the script on the same ids always gives the same split.
"""
import json
import os
import random
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "labels.jsonl")

CATEGORIES = [
    # OPP-115 set
    "first-party-collection-use",
    "third-party-sharing-collection",
    "user-choice-control",
    "user-access-edit-deletion",
    "data-retention",
    "data-security",
    "policy-change",
    "do-not-track",
    "international-specific-audiences",
    # data-grab set
    "ai-training",
    "biometrics",
    "keystrokes",
    "precise-location",
    "contacts",
    "clipboard",
    "device-fingerprint",
    "sale-of-data",
    "data-brokers",
    "cross-border-transfer",
    "indefinite-retention",
    "children",
    "government-access",
]
VALID = set(CATEGORIES)


def assign(ids):
    order = sorted(ids)
    random.Random(42).shuffle(order)
    return {i: ("dev" if n % 2 == 0 else "test") for n, i in enumerate(order)}


def validate(rows):
    errors = []
    ids = [r.get("id") for r in rows]
    for i, c in Counter(ids).items():
        if c > 1:
            errors.append(f"duplicate id {i}")
    texts = Counter(" ".join(r.get("text", "").split()).lower() for r in rows)
    for t, c in texts.items():
        if c > 1:
            errors.append(f"duplicate text: {t[:70]}")
    for r in rows:
        rid = r.get("id")
        if set(r) != {"id", "source", "text", "categories", "negated", "split"}:
            errors.append(f"{rid}: unexpected keys {sorted(r)}")
        if not isinstance(r.get("text"), str) or not r["text"].strip():
            errors.append(f"{rid}: empty text")
        if not str(r.get("source", "")).startswith("policies/"):
            errors.append(f"{rid}: bad source {r.get('source')}")
        for key in ("categories", "negated"):
            vals = r.get(key)
            if not isinstance(vals, list):
                errors.append(f"{rid}: {key} is not a list")
                continue
            bad = [v for v in vals if v not in VALID]
            if bad:
                errors.append(f"{rid}: unknown {key} {bad}")
            if vals != sorted(vals) or len(set(vals)) != len(vals):
                errors.append(f"{rid}: {key} not sorted/unique")
        both = set(r.get("categories", [])) & set(r.get("negated", []))
        if both:
            errors.append(f"{rid}: category both positive and negated {sorted(both)}")
    return errors


def main():
    check_only = "--check" in sys.argv[1:]
    with open(PATH, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    errors = validate(rows)
    split = assign([r["id"] for r in rows])
    if check_only:
        errors += [f"{r['id']}: split {r['split']!r} != {split[r['id']]!r}"
                   for r in rows if r["split"] != split[r["id"]]]
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    if not check_only:
        for r in rows:
            r["split"] = split[r["id"]]
        rows.sort(key=lambda r: r["id"])
        with open(PATH, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n = Counter(r["split"] for r in rows)
    print(f"{len(rows)} sentences OK (dev {n['dev']}, test {n['test']})")


if __name__ == "__main__":
    main()
