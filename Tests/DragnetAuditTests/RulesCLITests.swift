import DragnetTestSupport
import Foundation
import Testing

let acmeDirectory = Fixtures.directory.appendingPathComponent("rules/acme").path

/// A copy of the acme pack with one more tracker file, in a fresh folder.
func acmeCopy(extraTracker: String) throws -> URL {
    let directory = try temporaryDirectory()
    let rules = directory.appendingPathComponent("rules")
    try FileManager.default.copyItem(atPath: acmeDirectory, toPath: rules.path)
    try extraTracker.write(to: rules.appendingPathComponent("trackers/broken.yml"), atomically: true, encoding: .utf8)
    return rules
}

let brokenTracker = """
    sources:
      docs: {url: https://acme.example/docs, checked: 2026-11-29}
    trackers:
      - id: acme-broken
        title: Broken
        entity: acme
        purpose: advertizing
        data: [identifiers]
        source: docs
        match: {urls: [acme-ads.example/x]}
        examples:
          match: [{html: '<script src="https://acme-ads.example/x.js"></script>'}]
          noMatch: [{html: '<p>'}]
    """

@Suite("dragnet rules and audit --explain")
struct RulesCLITests {
    @Test("rules lint: clean pack exits 0 with a summary")
    func lintClean() throws {
        let output = try dragnet(["rules", "lint", "--rules", acmeDirectory])
        #expect(output.status == 0)
        #expect(output.lines.last == "3 files, 1 entities, 2 trackers, 0 decoders: 0 errors, 0 warnings")
    }

    @Test("rules lint: an error is printed as file:line:col with the line and a caret, exit 1")
    func lintError() throws {
        let rules = try acmeCopy(extraTracker: brokenTracker)
        let output = try dragnet(["rules", "lint", "--rules", rules.path])
        #expect(output.status == 1)
        let file = rules.appendingPathComponent("trackers/broken.yml").path
        #expect(output.stdout.contains("""
            \(file):7:14: error: unknown purpose 'advertizing'; did you mean 'advertising'?
                purpose: advertizing
                         ^
            """))
        #expect(output.lines.last == "4 files, 1 entities, 3 trackers, 0 decoders: 1 error, 0 warnings")
    }

    @Test("rules test: every example of the shipped rules passes")
    func shippedExamples() throws {
        let output = try dragnet(["rules", "test", "--rules", Fixtures.rulesDirectory])
        #expect(output.status == 0, "\(output.stdout)")
        #expect(output.lines.last?.hasSuffix(" 0 failed") == true)
    }

    @Test("rules test: a wrong example fails with its file and line, exit 1")
    func failingExample() throws {
        let wrong = brokenTracker.replacingOccurrences(of: "advertizing", with: "advertising")
            .replacingOccurrences(of: "noMatch: [{html: '<p>'}]", with: "noMatch: [{html: '<img src=\"https://acme-ads.example/x.gif\">'}]")
        let rules = try acmeCopy(extraTracker: wrong)
        let output = try dragnet(["rules", "test", "--rules", rules.path])
        #expect(output.status == 1)
        let file = rules.appendingPathComponent("trackers/broken.yml").path
        #expect(output.lines.contains("FAIL \(file):13: acme-broken: html example should not match but does (matched https://acme-ads.example/x.gif)"))
    }

    @Test("rules list prints the catalogue; --entities the entities")
    func list() throws {
        let output = try dragnet(["rules", "list", "--rules", acmeDirectory])
        #expect(output.lines == [
            "acme-matching\tAcme advanced matching\tacme\tadvertising\tcritical\tcontact-data\trequires",
            "acme-pixel\tAcme Pixel\tacme\tadvertising\thigh\tidentifiers,browsing-activity\turl,inline,cookie",
            "2 tracker rules, 1 entities",
        ])
        let entities = try dragnet(["rules", "list", "--entities", "--format", "json", "--rules", acmeDirectory])
        let parsed = try JSONSerialization.jsonObject(with: Data(entities.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["domains"] as? [String] == ["acme-ads.example", "acmecdn.example"])
    }

    @Test("audit with a bad rule file: the error is reported, the rest of the rules still apply")
    func auditWithBadRules() throws {
        let rules = try acmeCopy(extraTracker: brokenTracker)
        let page = rules.deletingLastPathComponent().appendingPathComponent("page.html")
        try "<script>acme('init', 'AC9');</script>".write(to: page, atomically: true, encoding: .utf8)
        let output = try dragnet(["audit", "--rules", rules.path, "--output", "-", "--base-url", "https://shop.example/", page.path])
        #expect(output.status == 0)
        #expect(output.stderr.contains("broken.yml:7:14: error: unknown purpose 'advertizing'"))
        #expect(output.stderr.contains("1 rule error(s); those rules are skipped"))
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let pages = report?["pages"] as? [[String: Any]]
        let findings = pages?.first?["findings"] as? [[String: Any]]
        #expect(findings?.map { $0["rule"] as? String } == ["acme-pixel"])
        #expect(findings?.first?["accountId"] as? String == "AC9")
        #expect((report?["rules"] as? [String: Any])?["errors"] as? Int == 1)
    }

    @Test("audit --explain prints the arithmetic; --no-rules leaves findings out")
    func explain() throws {
        let directory = try temporaryDirectory()
        let page = directory.appendingPathComponent("page.html")
        try """
            <script>acme('init', 'AC9');</script>
            <form action="/join"><input type=email name=email></form>
            """.write(to: page, atomically: true, encoding: .utf8)
        let report = directory.appendingPathComponent("report.json").path
        let output = try dragnet(["audit", "--rules", acmeDirectory, "--explain", "--output", report, "--base-url", "https://shop.example/", page.path, "-q"])
        #expect(output.status == 0)
        #expect(output.lines.first == "https://shop.example/: exposure 60.0 (D)")
        #expect(output.lines.contains("  acme — acme: 60.0 (D)") || output.lines.contains("  acme — Acme Ads Inc.: 60.0 (D)"))
        #expect(output.stdout.contains("contact-data       30.0 × script 1.0 = 30.0  ← dn-"))
        #expect(output.lines.last == "  overall = 100 × (1 − (1 − 0.600)) = 60.0")
        let bare = try dragnet(["audit", "--no-rules", "--output", "-", "--base-url", "https://shop.example/", page.path])
        let parsed = try JSONSerialization.jsonObject(with: Data(bare.stdout.utf8)) as? [String: Any]
        #expect(((parsed?["pages"] as? [[String: Any]])?.first?["findings"] as? [Any])?.isEmpty == true)
        #expect(parsed?["rules"] is NSNull)
    }

    @Test("a missing rules folder or override file is a usage error")
    func missing() throws {
        let output = try dragnet(["rules", "lint", "--rules", "/nonexistent/rules"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("rules folder not found: /nonexistent/rules"))
        let override = try dragnet(["audit", "--overrides", "/nonexistent/o.yml", "--output", "-", "https://127.0.0.1:9/"])
        #expect(override.status == 2)
        #expect(override.stderr.contains("override file not found: /nonexistent/o.yml"))
    }
}

@Suite("dragnet rules suggest and the unattributed overview")
struct SuggestTests {
    @Test("unknown third parties are grouped by site and counted; the drafted overrides file attributes them on the next audit")
    func suggest() throws {
        let directory = try temporaryDirectory()
        let pages = [
            "a.html": #"<script src="https://cdn.unknown-vendor.example/t.js"></script><img src="https://px.unknown-vendor.example/p.gif" width="1" height="1">"#,
            "b.html": #"<script src="https://js.unknown-vendor.example/t2.js"></script><iframe src="https://widgets.other-unknown.example/w"></iframe>"#,
        ]
        for (name, html) in pages { try html.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let report = directory.appendingPathComponent("report.json").path
        let audit = ["audit", "-q", "--no-history", "--no-policies", "--base-url", "https://shop.example/", "--format", "json,md",
                     "--output", report, directory.appendingPathComponent("a.html").path, directory.appendingPathComponent("b.html").path]
        #expect(try dragnet(audit).status == 0)
        let markdown = try String(contentsOfFile: directory.appendingPathComponent("report.md").path, encoding: .utf8)
        #expect(markdown.contains("Third parties no entity claims: 2 sites: unknown-vendor.example (2), other-unknown.example (1)"))

        let draft = directory.appendingPathComponent("draft.yml").path
        #expect(try dragnet(["rules", "suggest", report, "--output", draft]).status == 0)
        let text = try String(contentsOfFile: draft, encoding: .utf8)
        #expect(text.contains("  - id: unknown-vendor-example\n    name: \"TODO: who runs unknown-vendor.example\"   # 2 pages: pixel, script"))
        #expect(text.contains("    domains: [other-unknown.example]"))
        #expect(try dragnet(["rules", "suggest", report, "--min-pages", "2"]).stdout.contains("other-unknown") == false)

        // With the draft as overrides, the sites are attributed.
        #expect(try dragnet(audit + ["--overrides", draft]).status == 0)
        let findings = (try loadJSON(report)["pages"] as? [[String: Any]] ?? []).flatMap { $0["findings"] as? [[String: Any]] ?? [] }
        #expect(!findings.contains { $0["platform"] as? String == "unattributed" })
        #expect(findings.contains { $0["entity"] as? String == "unknown-vendor-example" && $0["rule"] as? String == "entity-script" })
        // A report that is not one is a usage error.
        #expect(try dragnet(["rules", "suggest", draft]).status == 2)
    }
}
