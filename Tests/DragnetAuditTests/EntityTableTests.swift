import DragnetAudit
import DragnetCore
import DragnetRules
import DragnetSites
import DragnetTestSupport
import Foundation
import Testing

/// A rules folder: the acme fixture pack plus an entity table written by the test.
private func packWithTable(_ table: String) throws -> (RulePack, String) {
    let directory = try temporaryDirectory()
    let source = Fixtures.directory.appendingPathComponent("rules/acme")
    for sub in ["entities", "trackers"] {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("\(sub)/acme.yml"), to: directory.appendingPathComponent("\(sub)/acme.yml"))
    }
    try FileManager.default.copyItem(at: source.appendingPathComponent("scoring.yml"), to: directory.appendingPathComponent("scoring.yml"))
    let path = directory.appendingPathComponent("entities/imported.tsv").path
    try table.write(toFile: path, atomically: true, encoding: .utf8)
    return (RulePack.load(directory: directory.path), path)
}

private let header = "# source: https://example.org/list.js licence MIT checked 2026-12-01\n# id\tname\tcategory\tparent\tplatform\tdomains\n"

@Suite("Entity tables, owners and infrastructure")
struct EntityTableTests {
    @Test("a table's entities load after the YAML files, which keep their domains; parents roll the platform up; bad lines are reported alone")
    func table() throws {
        let (pack, path) = try packWithTable(header + """
            holding\tHolding Corp.\tadvertising\t-\tholding\t-
            subsid\tSubsidiary Ads\tadvertising\tholding\tsubsid\tsubsid-ads.example acme-ads.example
            freecdn\tFree CDN\tcdn\t-\tfreecdn\tfreecdn.example
            broken\tBroken\tadvertising\t-\tbroken
            typo\tTypo\tadvertsing\t-\ttypo\ttypo.example
            orphan\tOrphan\tanalytics\tnobody\torphan\torphan.example
            """)
        let messages = pack.diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("\(path):6:") && $0.contains("expected 6 TAB-separated columns") })
        #expect(messages.contains { $0.hasPrefix("\(path):7:") && $0.contains("unknown category 'advertsing'; did you mean 'advertising'?") })
        #expect(messages.contains { $0.contains("entity 'orphan' names unknown parent 'nobody'") })
        #expect(pack.entity(forHost: "x.subsid-ads.example")?.id == "subsid")
        // The subsidiary reports to its owner's platform, with the owner's name.
        #expect(pack.entity(forHost: "x.subsid-ads.example")?.platform == "holding")
        #expect(pack.entity(forHost: "x.subsid-ads.example")?.platformName == "Holding Corp.")
        // acme.yml already has acme-ads.example: the table's claim is dropped, not an error.
        #expect(pack.entity(forHost: "px.acme-ads.example")?.id == "acme")
        #expect(!messages.contains { $0.contains("acme-ads.example") })
        #expect(pack.entity(forHost: "typo.example") == nil && pack.entity(forHost: "orphan.example")?.id == "orphan")

        // A script from the CDN is infrastructure (IP address and page address, no identifier);
        // a script from the subsidiary is an ordinary flow, its entity summary names the owner.
        var auditor = PageAuditor(resolver: try SiteResolver(), rules: pack)
        let report = auditor.audit(
            file: "page.html", bytes: Array(#"<script src="https://freecdn.example/lib.js"></script><script src="https://tag.subsid-ads.example/t.js"></script>"#.utf8),
            id: 0, pageURL: "https://shop.example/")
        let infrastructure = try #require(report.evaluation.findings.first { $0.target == "freecdn" })
        #expect(infrastructure.rule == "infrastructure" && infrastructure.data == ["device-info"] && infrastructure.severity == .info)
        #expect(infrastructure.channel == .resource)
        let subsidiary = try #require(report.evaluation.findings.first { $0.target == "subsid" })
        #expect(subsidiary.rule == "entity-script" && subsidiary.data.contains("identifiers") && subsidiary.platform == "holding")
        let summary = try #require(report.evaluation.entities.first { $0.id == "subsid" })
        #expect(summary.owners.map(\.id) == ["holding"])
        #expect(report.evaluation.exposure.platforms.contains { $0.platform == "holding" })
    }

    @Test("a table without its source line is refused at the first entity")
    func noSource() throws {
        let (pack, path) = try packWithTable("holding\tHolding Corp.\tadvertising\t-\tholding\tholding.example\n")
        #expect(pack.diagnostics.map(\.description).contains { $0.hasPrefix("\(path):1:") && $0.contains("needs a '# source: URL licence L checked DATE' line") })
        #expect(pack.entity(forHost: "holding.example") == nil)
    }
}

@Suite("Owners in the reports")
struct OwnerReportTests {
    @Test("a Moat script is attributed to Moat, rolled up to Oracle's platform, and the reports say who owns it")
    func moat() throws {
        let directory = try temporaryDirectory()
        let page = directory.appendingPathComponent("page.html")
        try #"<!doctype html><title>x</title><script src="https://z.moatads.com/abc/moatad.js"></script>"#.write(to: page, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("report.json").path
        #expect(try dragnet(["audit", "-q", "--no-history", "--no-policies", "--base-url", "https://news.example/", "--format", "json,md,html",
                             "--output", output, page.path]).status == 0)
        #expect(try validateAgainstSchema(output).status == 0)
        let report = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let moat = try #require((report["entities"] as? [[String: Any]])?.first { $0["id"] as? String == "moat" })
        #expect(moat["platform"] as? String == "oracle")
        #expect((moat["owners"] as? [[String: String]])?.first?["id"] == "oracle")
        let markdown = try String(contentsOfFile: directory.appendingPathComponent("report.md").path, encoding: .utf8)
        #expect(markdown.contains("Moat — browsing-activity, device-info, identifiers") && markdown.contains("· owned by Oracle"))
        let html = try String(contentsOfFile: directory.appendingPathComponent("report.html").path, encoding: .utf8)
        #expect(html.contains("<small>owned by Oracle</small>"))
    }
}
