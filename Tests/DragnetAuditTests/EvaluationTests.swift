import DragnetAudit
import DragnetCore
import DragnetRules
import DragnetSites
import DragnetTestSupport
import Foundation
import Testing

let acmeRules = RulePack.load(directory: Fixtures.directory.appendingPathComponent("rules/acme").path)

/// Audits an HTML snippet as a page at `url` with the given rules.
func evaluate(_ html: String, url: String = "https://shop.example/", rules: RulePack = acmeRules, firstParty: Set<String> = []) throws -> PageReport {
    var auditor = PageAuditor(resolver: try SiteResolver(), firstPartySites: firstParty, rules: rules)
    return auditor.audit(file: "page.html", bytes: Array(html.utf8), id: 0, pageURL: url)
}

@Suite("Evaluation: findings, ids and exposure")
struct EvaluationTests {
    @Test("the fixture pack is clean")
    func clean() {
        #expect(acmeRules.diagnostics.map(\.description) == [])
    }

    @Test("one pixel seen three ways is one script finding with its id, plus a pixel finding")
    func grouping() throws {
        let report = try evaluate("""
            <html><head>
            <script async src="https://acmecdn.example/tag/v2.js?id=AC123&cb=991"></script>
            <script>
              acme('init', 'AC123');
            </script>
            </head><body>
            <noscript><img src="https://px.acme-ads.example/p.gif?id=AC123&t=1"></noscript>
            </body></html>
            """)
        let findings = report.evaluation.findings
        #expect(findings.map(\.rule) == ["acme-pixel", "acme-pixel"])
        let script = try #require(findings.first { $0.channel == .script })
        #expect(script.accountID == "AC123")
        #expect(script.occurrences == 2)
        #expect(script.evidence.map(\.line) == [2, 4])
        #expect(script.evidence[1].snippet == "acme('init', 'AC123');")
        #expect(script.data == ["browsing-activity", "identifiers"])
        #expect(script.severity == .high)
        let pixel = try #require(findings.first { $0.channel == .pixel })
        #expect(pixel.accountID == "AC123")
        #expect(pixel.evidence.first?.element == "img@src")
        #expect(report.evaluation.entities.map(\.id) == ["acme"])
        #expect(report.evaluation.entities[0].sites == ["acme-ads.example", "acmecdn.example"])
    }

    @Test("finding ids survive cache-busters and reordering, and differ between pages")
    func stableIDs() throws {
        let a = try evaluate(#"<script src="https://acmecdn.example/tag/v2.js?cb=1"></script><img src="https://acmecdn.example/logo.png">"#)
        let b = try evaluate(#"<p>changed</p><img src="https://acmecdn.example/logo.png?v=9"><script src="https://acmecdn.example/tag/v2.js?cb=2&x=y"></script>"#)
        let other = try evaluate(#"<script src="https://acmecdn.example/tag/v2.js?cb=1"></script>"#, url: "https://shop.example/checkout")
        #expect(Set(a.evaluation.findings.map(\.id)) == Set(b.evaluation.findings.map(\.id)))
        #expect(a.evaluation.findings.count == 2)
        #expect(Set(a.evaluation.findings.map(\.id)).isDisjoint(with: other.evaluation.findings.map(\.id)))
        #expect(a.evaluation.findings.allSatisfy { $0.id.hasPrefix("dn-") && $0.id.count == 19 })
    }

    @Test("an email form next to the pixel is a contact-data flow to the platform")
    func requiresForm() throws {
        let page = """
            <script>acme('init', 'AC123');</script>
            <form action="/subscribe" method="post"><label>E-mail <input name="e" type="email"></label></form>
            """
        let report = try evaluate(page)
        let matching = try #require(report.evaluation.findings.first { $0.rule == "acme-matching" })
        #expect(matching.data == ["contact-data"])
        #expect(matching.accountID == "AC123")
        #expect(matching.severity == .critical)
        #expect(matching.evidence.map(\.element) == ["script", "form"])
        let edge = try #require(report.graph.edges.first { $0.type == .sends && $0.labels.contains("contact-data") })
        #expect(edge.from == "page")
        #expect(edge.to == "entity:acme")
        let without = try evaluate("<script>acme('init', 'AC123');</script><form action=/search><input name=q></form>")
        #expect(!without.evaluation.findings.contains { $0.rule == "acme-matching" })
        let withoutPixel = try evaluate("<form action=/subscribe><input type=email name=email></form>")
        #expect(withoutPixel.evaluation.findings.isEmpty)
    }

    @Test("exposure adds each data category once, through its heaviest channel")
    func exposureArithmetic() throws {
        let report = try evaluate("""
            <script>acme('init', 'AC123');</script>
            <img src="https://px.acme-ads.example/p.gif?id=AC123" width=1 height=1>
            <form><input type=email name=email></form>
            """)
        let exposure = report.evaluation.exposure
        let acme = try #require(exposure.platforms.first)
        #expect(exposure.platforms.map(\.platform) == ["acme"])
        // identifiers 15 × script 1.0 + browsing-activity 15 × 1.0 + contact-data 30 × 1.0; the pixel adds nothing.
        #expect(acme.contributions.map(\.data) == ["contact-data", "browsing-activity", "identifiers"])
        #expect(acme.contributions.map(\.points) == [30, 15, 15])
        #expect(acme.subtotal == 60)
        #expect(acme.multiplier == 1)
        #expect(acme.score == 60)
        #expect(acme.grade == "D")
        #expect(exposure.score == 60)
        #expect(exposure.formula == "100 × (1 − (1 − 0.600)) = 60.0")
        let explained = ExposureCalculator.explanation(report.evaluation, page: "https://shop.example/")
        #expect(explained.contains("contact-data       30.0 × script 1.0 = 30.0"))
        #expect(explained.contains("subtotal 60.0 × multiplier 1.00 = 60.0"))
    }

    @Test("two platforms combine without passing 100")
    func overall() throws {
        let report = try evaluate("""
            <script>acme('init', 'AC123');</script>
            <script src="https://unknown-tracker.example/t.js"></script>
            """)
        let exposure = report.evaluation.exposure
        #expect(exposure.platforms.map(\.platform) == ["acme", "unattributed"])
        #expect(exposure.platforms.map(\.score) == [30, 17.5])  // unattributed: (15 + 15 + 5) × 0.5
        #expect(exposure.score == 42.3)  // 100 × (1 − 0.7 × 0.825)
        #expect(exposure.grade == "C")
    }

    @Test("first-party entities and declared first-party sites produce no findings")
    func firstParty() throws {
        let page = #"<script src="https://acmecdn.example/tag/v2.js"></script><script>acme('init', 'AC1');</script>"#
        #expect(try evaluate(page, url: "https://www.acme-ads.example/").evaluation.findings.isEmpty)
        #expect(try evaluate(page, firstParty: ["acmecdn.example"]).evaluation.findings.isEmpty)
        #expect(try evaluate(page).evaluation.findings.count == 1)
    }

    @Test("third-party forms: posted data follows the fields; unknown sites are unattributed")
    func forms() throws {
        let report = try evaluate("""
            <form action="https://forms.acme-ads.example/submit?campaign=7" method=post>
              <input type=email name=email><input type=password name=pw><input name=first_name>
            </form>
            <form action="https://collect.elsewhere.example/in"><input type=tel name=phone></form>
            """)
        let findings = report.evaluation.findings
        #expect(findings.map(\.rule) == ["entity-form-post", "unattributed-form-post"])
        #expect(findings[0].data == ["contact-data", "credentials", "device-info"])
        #expect(findings[0].severity == .critical)
        #expect(findings[0].evidence.first?.url == "https://forms.acme-ads.example/submit")
        #expect(findings[1].target == "elsewhere.example")
        #expect(findings[1].severity == .high)
        #expect(report.graph.edges.contains { $0.type == .sends && $0.from == "form:0" && $0.to == "entity:acme" })
        #expect(report.graph.edges.contains { $0.type == .ownedBy && $0.from == "site:acme-ads.example" && $0.to == "entity:acme" })
        #expect(report.graph.edges.contains { $0.type == .partOf && $0.from == "entity:acme" && $0.to == "platform:acme" })
    }

    @Test("preconnect hints send nothing")
    func hints() throws {
        let report = try evaluate(#"<link rel=preconnect href="https://acmecdn.example"><link rel=dns-prefetch href="//px.acme-ads.example">"#)
        #expect(report.evaluation.findings.isEmpty)
    }

    @Test("cookie signatures: exact names and prefixes")
    func cookies() {
        let input = EvaluationInput(
            pageURL: "https://shop.example/", firstPartySites: ["shop.example"], observations: Observations(),
            cookies: [SeenCookie(name: "_acme_s123", url: "https://shop.example/?q=secret"), SeenCookie(name: "_acmex", url: "https://shop.example/")])
        let findings = Evaluator.evaluate(input, rules: acmeRules).findings
        #expect(findings.map(\.rule) == ["acme-pixel"])
        #expect(findings[0].channel == .cookie)
        #expect(findings[0].evidence.first?.url == "https://shop.example/")
        #expect(findings[0].evidence.first?.snippet == "_acme_s123")
    }

    @Test("the same page gives byte-identical findings")
    func deterministic() throws {
        let page = try Fixtures.bytes("pages/food52.com_food52.html")
        let rules = RulePack.load(directory: Fixtures.rulesDirectory)
        var first = PageAuditor(resolver: try SiteResolver(), rules: rules)
        var second = PageAuditor(resolver: try SiteResolver(), rules: rules)
        let a = first.audit(file: "a", bytes: page, id: 0, pageURL: "https://food52.com/")
        let b = second.audit(file: "a", bytes: page, id: 0, pageURL: "https://food52.com/")
        #expect(a.json.bytes == b.json.bytes)
        #expect(!a.evaluation.findings.isEmpty)
    }
}

@Suite("Evaluation: snippets that cannot run")
struct EscapedSnippetTests {
    @Test("an HTML-escaped snippet inside <script> is a syntax error and sends nothing")
    func escaped() throws {
        let escaped = try evaluate("<script>acme(&quot;x&quot;); acme('init', 'AC1');</script>")
        #expect(escaped.evaluation.findings.isEmpty)
        let plain = try evaluate("<script>acme(\"x\"); acme('init', 'AC1');</script>")
        #expect(plain.evaluation.findings.map(\.accountID) == ["AC1"])
    }
}
