#!/usr/bin/env python3
"""Writes URL<TAB>SOURCE-URL<TAB>TYPE lines for every network resource of the
corpus pages, as `dragnet extract` finds them (each page placed at https://SITE/
from the corpus INDEX.tsv). Usage: requests.py DRAGNET CORPUS_PAGES OUT.tsv"""
import json, subprocess, sys

dragnet, corpus, out = sys.argv[1:4]
TYPES = {"script": "script", "image": "image", "stylesheet": "stylesheet", "iframe": "subdocument",
         "frame": "subdocument", "video": "media", "audio": "media", "source": "media", "track": "media",
         "object": "object", "embed": "object"}
seen, lines = set(), []
for row in open(f"{corpus}/INDEX.tsv", encoding="utf-8").read().splitlines()[1:]:
    columns = row.split("\t")
    path, site = columns[0], columns[2]
    page = f"https://{site}/"
    result = subprocess.run([dragnet, "extract", "--base-url", page, f"{corpus}/{path[len('pages/'):]}"],
                            capture_output=True, text=True, check=True)
    for line in result.stdout.splitlines():
        for resource in json.loads(line)["observations"]["resources"]:
            if resource["scheme"] not in ("http", "https"):
                continue
            key = (resource["url"], page, TYPES.get(resource["kind"], "other"))
            if key not in seen and "\t" not in resource["url"]:
                seen.add(key)
                lines.append("\t".join(key))
with open(out, "w", encoding="utf-8") as handle:
    handle.write("\n".join(lines) + "\n")
print(f"{len(lines)} requests from the corpus pages", file=sys.stderr)
