#!/usr/bin/env python3
"""Refreshes rules/ai-crawlers/robots.json from ai.robots.txt (MIT), and checks operators.yml
against it.

    python3 scripts/import-ai-robots.py PATH-OR-URL [--rules rules]

PATH-OR-URL is a robots.json file (e.g. ../shared/corpus/lists/ai-robots/robots.json) or its
URL (https://raw.githubusercontent.com/ai-robots-txt/ai.robots.txt/main/robots.json). The
file is copied unchanged after checking that it is an object of user-agent tokens, each with
"operator" and "respect" strings; nothing is written when it is not. Then every agent named
in operators.yml must be a token of the new list: missing ones are printed (the mapping is
hand-written, so the script never edits it). Rerun scripts/generate-builtin-rules.py after.
Standard library only."""
import argparse
import json
import os
import re
import sys
import urllib.request


def fail(message):
    print(f"import-ai-robots: {message}; nothing written", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--rules", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules"))
    args = parser.parse_args()
    if args.source.startswith("https://"):
        with urllib.request.urlopen(args.source, timeout=30) as response:
            data = response.read()
    else:
        with open(args.source, "rb") as handle:
            data = handle.read()
    try:
        listing = json.loads(data)
    except ValueError as error:
        fail(f"not JSON ({error})")
    if not isinstance(listing, dict) or not listing:
        fail("expected a non-empty object of user-agent tokens")
    for token, entry in listing.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("operator"), str) or not isinstance(entry.get("respect"), str):
            fail(f"crawler {token!r} lacks an 'operator' or 'respect' string")
    folder = os.path.join(args.rules, "ai-crawlers")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "robots.json"), "wb") as handle:
        handle.write(data)
    respects = {"yes": 0, "no": 0, "unclear": 0}
    for entry in listing.values():
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", entry["respect"]).strip().lower()
        respects["yes" if text.startswith("yes") else "no" if text.startswith("no") else "unclear"] += 1
    print(f"wrote {len(listing)} crawlers to {folder}/robots.json "
          f"(respect robots.txt: {respects['yes']} yes, {respects['no']} no, {respects['unclear']} unclear)", file=sys.stderr)
    operators = os.path.join(folder, "operators.yml")
    if os.path.exists(operators):
        named = []
        for line in open(operators, encoding="utf-8"):
            match = re.match(r"\s*agents:\s*\[(.*)\]\s*$", line)
            if match:
                named += [agent.strip() for agent in match.group(1).split(",") if agent.strip()]
        missing = [agent for agent in named if agent not in listing]
        for agent in missing:
            print(f"operators.yml: agent {agent!r} is not in the new list", file=sys.stderr)
        print(f"operators.yml maps {len(named) - len(missing)} of {len(named)} agents", file=sys.stderr)


if __name__ == "__main__":
    main()
