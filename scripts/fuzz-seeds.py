#!/usr/bin/env python3
"""Writes the seed corpus of one fuzz target into DIR (scripts/fuzz.sh calls it): small real
inputs from Tests/Fixtures, rules/ and ../shared/corpus, one file each.
    python3 scripts/fuzz-seeds.py TARGET DIR"""
import glob
import json
import os
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
shared = os.path.join(root, "..", "shared", "corpus")
target, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
count = 0


def add(data, name=None):
    global count
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > 1_000_000:
        return
    count += 1
    with open(os.path.join(out, f"seed-{count:04d}"), "wb") as handle:
        handle.write(data)


def files(pattern, limit=40):
    for path in sorted(glob.glob(os.path.join(root, pattern), recursive=True))[:limit]:
        if os.path.isfile(path):
            add(open(path, "rb").read())


def shared_files(pattern, limit=40):
    for path in sorted(glob.glob(os.path.join(shared, pattern), recursive=True))[:limit]:
        if os.path.isfile(path):
            add(open(path, "rb").read()[:200_000])


if target == "html":
    files("Tests/Fixtures/pages/*.html", 30)
    files("Tests/Fixtures/https-site/*/index.html", 30)
elif target == "policy-html":
    shared_files("policies/**/*.html", 20)
    files("Tests/Fixtures/policies/*.html", 20)
elif target == "policy-md":
    shared_files("policies/**/*.md", 20)
elif target == "filters":
    lists = glob.glob(os.path.join(shared, "lists/easyprivacy/*.txt"))
    lines = open(lists[0], encoding="utf-8", errors="replace").read().splitlines() if lists else []
    for start in range(0, min(len(lines), 4000), 200):
        add("\n".join(lines[start:start + 200]))
    add("||tracker.example^$third-party\n@@||good.example^\n/ads/(a+)+b/\nexample.org##.ad\n|http://x.example/*.gif|$image,domain=a.example|~b.example\n")
elif target == "url":
    for line in open(os.path.join(root, "examples/urls.txt"), encoding="utf-8"):
        if line.strip():
            add(line.strip())
    for text in ["https://user:pw@[::1]:8080/a?b#c", "//example.com/x", "http://169.254.169.254/latest", "HTTPS://EXAMPLE.COM:443/../a/./b",
                 "javascript:alert(1)", "data:text/html,<b>", "http://xn--nxasmq6b.example/", "https://a.example/%zz%E3%83%84?x=%00",
                 "example.com\r\nhttps://b.example/\rc.example", "http://[fe80::1%25eth0]/", "http://0x7f.1/", "file:///etc/passwd"]:
        add(text)
elif target == "cookie":
    for text in ["id=abc; Path=/; Domain=.fuzz.example; Expires=Wed, 21 Oct 2035 07:28:00 GMT; Secure; HttpOnly; SameSite=None",
                 "_fbp=fb.1.1700000000.123; Max-Age=7776000; path=/", "a=b; Domain=example.com", "=novalue", "x=\u0001\u007f; Path=",
                 "__Host-s=1; Secure; Path=/", "k=v; Max-Age=-1; Expires=garbage; Partitioned"]:
        add(text)
elif target == "rules-yaml":
    files("rules/trackers/*.yml", 20)
    files("rules/entities/[a-c]*.yml", 10)
    files("rules/decoders/*.yml", 5)
    files("rules/containers/*.yml", 5)
    add("a: &a [*a, *a]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n")
elif target == "dragnet-yml":
    files("examples/*.yml", 5)
    add("targets: [https://a.example/]\ndeny:\n  - platform: tiktok\n    reason: no\nai-crawlers:\n  block: [GPTBot]\n  block-platforms: [tiktok]\n")
    add("targets:\n  - file: urls.txt\nbudgets: {exposure: 60, platforms: {meta: 40}}\nallow:\n  - platform: google\n    justification: ok\n    expires: 2027-01-01\n")
elif target == "report":
    # A small report in the real shape: the golden page JSON wrapped in the top level.
    for path in sorted(glob.glob(os.path.join(root, "Tests/Fixtures/golden/*.json")))[:10]:
        page = json.load(open(path))
        add(json.dumps({"schemaVersion": 3, "startedAt": "2026-12-03T00:00:00Z", "finishedAt": "2026-12-03T00:00:01Z",
                        "tool": {"name": "dragnet", "version": "0.1.0"}, "pages": [page],
                        "aiCrawlers": [{"agent": "GPTBot", "operator": "OpenAI", "entity": "openai", "platform": "openai", "respectsRobotsTxt": "yes"}]}))
elif target == "har":
    files("Tests/Fixtures/har/*.har", 10)
elif target == "container":
    files("Tests/Fixtures/https-site/www.googletagmanager.com/**/*", 10)
    files("Tests/Fixtures/https-site/www.googletagmanager.com/*", 10)
elif target == "segment":
    files("Tests/Fixtures/https-site/cdn.segment.com/**/settings*", 5)
elif target == "robots":
    suite = json.load(open(os.path.join(root, "Tests/Fixtures/robots/google-robots-tests.json")))
    seen = set()
    for case in suite["cases"] + suite["lineCases"]:
        text = case.get("robots", "")
        if text not in seen and len(text) < 20000:
            seen.add(text)
            add(text)
    files("Tests/Fixtures/https-site/*/robots.txt", 10)
elif target == "json":
    files("Tests/Fixtures/har/*.har", 10)
    files("Tests/Fixtures/golden/*.json", 5)
    add('{"a":[1,2.5e10,-0,true,null,"\\ud83d\\ude00\\u0000"],"b":{"c":{}}}')
else:
    sys.exit(f"unknown target {target}")
print(f"{count} seeds for {target} in {out}")
