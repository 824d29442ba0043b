#!/usr/bin/env bash
# bench/attribution.sh: who gets the data, on the 244 corpus pages. Each page is audited as
# a saved file under its own site (--base-url https://SITE/, from pages/INDEX.tsv), without
# containers or policies. Prints:
#   - the share of page x third-party-site pairs (a site that loads a script, iframe or pixel,
#     or receives a form) attributed to a company (target >= 95%), and the unattributed sites
#     with their page counts;
#   - findings that claim "identifiers" from an entity in cdn/hosting/utility/font (target 0);
#   - how long the rule pack takes to load (dragnet rules lint, median of RUNS), entities counted.
#   RUNS=5 bench/attribution.sh        (RULES=DIR audits with another rules folder, e.g. an older one)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-5}
build_release
B="$OUT/attribution"
rm -rf "$B"; mkdir -p "$B/reports"
INDEX="$CORPUS/INDEX.tsv"
CORPUS_ROOT=$(dirname "$CORPUS")

tail -n +2 "$INDEX" | while IFS=$'\t' read -r path _ site _; do
    name=$(echo "$path" | tr '/' '_')
    "$DRAGNET" audit --quiet --no-history --no-policies --no-containers --no-dns ${RULES:+--rules "$RULES"} --base-url "https://$site/" \
        --output "$B/reports/$name.json" "$CORPUS_ROOT/$path" 2>/dev/null || true
done

python3 - "$B/reports" <<'PY'
import json, os, sys, collections
folder = sys.argv[1]
pairs = attributed = 0
unknown = collections.Counter()
collectors = []
infrastructure = {"cdn", "hosting", "utility", "font"}
for name in sorted(os.listdir(folder)):
    report = json.load(open(os.path.join(folder, name)))
    for page in report["pages"]:
        if page.get("error") and not page.get("resources"):
            continue
        # Unattributed flows are findings of their own, one per site and channel.
        nobody = {f["target"] for f in page.get("findings", []) if f["platform"] == "unattributed"}
        categories = {entity["id"]: entity["category"] for entity in page.get("entities", [])}
        sites = set()
        for resource in page.get("resources", []):
            if resource.get("firstParty") is False and resource.get("site") and (
                    resource["kind"] in ("script", "iframe") or resource.get("likelyPixel")):
                sites.add(resource["site"])
        for form in page.get("forms", []):
            if form.get("firstParty") is False and form.get("actionSite"):
                sites.add(form["actionSite"])
        for site in sites:
            pairs += 1
            if site in nobody:
                unknown[site] += 1
            else:
                attributed += 1
        for finding in page.get("findings", []):
            if categories.get(finding.get("entity")) in infrastructure and "identifiers" in finding["data"] and finding["channel"] in ("script", "resource", "iframe-embed"):
                collectors.append((page["url"], finding["entity"], finding["rule"]))
share = 100 * attributed / max(1, pairs)
print(f"page x third-party-site pairs: {pairs}; attributed to a company: {attributed} = {share:.1f}% (target >= 95%)")
print(f"unattributed sites ({len(unknown)}), most pages first: " + ", ".join(f"{s} {n}" for s, n in unknown.most_common(40)))
print(f"CDN/hosting/utility/font entities reported as identifier collectors (script/resource/iframe): {len(collectors)} (target 0)")
for item in collectors[:10]:
    print("  ", *item)
PY

: > "$B/load.times"
for ((run = 1; run <= RUNS; run++)); do timed "$B/load.times" "$DRAGNET" rules lint; done
entities=$("$DRAGNET" rules lint | tail -1)
echo "rule pack load (dragnet rules lint, whole process, median of $RUNS): $(median "$B/load.times" 1) s — $entities"
