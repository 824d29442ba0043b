import DragnetAudit
import DragnetCore
import DragnetRules
import DragnetSites
import DragnetTestSupport
import Foundation
import Testing

/// Audits a corpus fixture page with the shipped rules, placed at `url`.
func auditWithShippedRules(_ file: String, url: String) throws -> (PageReport, String) {
    let bytes = try Fixtures.bytes("pages/" + file)
    var auditor = PageAuditor(resolver: try sharedResolver.get(), rules: shippedRules)
    return (auditor.audit(file: file, bytes: bytes, id: 0, pageURL: url), String(decoding: bytes, as: UTF8.self))
}

/// The account ids the findings of `rule` captured.
func ids(_ report: PageReport, _ rule: String) -> Set<String> {
    Set(report.evaluation.findings.filter { $0.rule == rule }.compactMap(\.accountID))
}

@Suite("Shipped rules on real corpus pages")
struct CorpusRulesTests {
    @Test("hubermanlab.com: TikTok, X, Meta, Google, LinkedIn and Clarity, with the ids in the HTML")
    func hubermanlab() throws {
        let (report, html) = try auditWithShippedRules("dev-0228_hubermanlab.com.html", url: "https://www.hubermanlab.com/")
        let expected: [(String, String)] = [
            ("tiktok-pixel", "CVVD4ORC77UE2AUQ95AG"), ("x-pixel", "pi461"), ("meta-pixel", "736811217306913"),
            ("google-analytics-4", "G-CGLKLN7C6Z"), ("linkedin-insight", "7121900"), ("microsoft-clarity", "snmuzn6cye"),
        ]
        for (rule, id) in expected {
            #expect(ids(report, rule) == [id], "\(rule)")
            #expect(html.contains(id), "\(id) is not in the page")
        }
        let platforms = Set(report.evaluation.exposure.platforms.map(\.platform))
        #expect(platforms.isSuperset(of: ["tiktok", "x", "meta", "google", "microsoft"]))
        // Clarity is session replay: keystrokes and mouse movements go to Microsoft.
        #expect(report.evaluation.findings.first { $0.rule == "microsoft-clarity" }?.data.contains("keystrokes-mouse") == true)
    }

    @Test("a page with an email form and the TikTok and Meta pixels sends contact data to both platforms")
    func contactDataFlow() throws {
        let (report, _) = try auditWithShippedRules("dev-0228_hubermanlab.com.html", url: "https://www.hubermanlab.com/")
        #expect(report.observations.forms.contains { form in form.fields.contains { $0.category == .email } })
        for (rule, platform, entity, id) in [
            ("tiktok-automatic-advanced-matching", "tiktok", "bytedance", "CVVD4ORC77UE2AUQ95AG"),
            ("meta-automatic-advanced-matching", "meta", "meta", "736811217306913"),
        ] {
            let finding = try #require(report.evaluation.findings.first { $0.rule == rule })
            #expect(finding.platform == platform)
            #expect(finding.data == ["contact-data"])
            #expect(finding.accountID == id)
            #expect(finding.severity == .critical)
            #expect(finding.evidence.contains { $0.element == "form" })
            let exposure = try #require(report.evaluation.exposure.platforms.first { $0.platform == platform })
            #expect(exposure.contributions.contains { $0.data == "contact-data" && $0.points == 30 && $0.finding == finding.id })
            #expect(report.graph.edges.contains { $0.type == .sends && $0.to == "entity:\(entity)" && $0.labels.contains("contact-data") })
        }
    }

    @Test("emag.ro: Meta advanced matching passes email and phone in fbq('init')")
    func metaAdvancedMatching() throws {
        let (report, html) = try auditWithShippedRules("emag.ro_2fa16d14a9.html", url: "https://www.emag.ro/")
        #expect(html.contains(#"fbq("init","892293880821529",{em:"#))
        let finding = try #require(report.evaluation.findings.first { $0.rule == "meta-advanced-matching" })
        #expect(finding.accountID == "892293880821529")
        #expect(finding.data.contains("contact-data"))
        #expect(ids(report, "google-tag-manager") == ["GTM-TKS335"])
    }

    @Test("X pixel ids from twq('config') and twq('init'); TikTok and GTM on other pages", arguments: [
        ("parallels.com.desktop.html", "https://www.parallels.com/", "x-pixel", "nxg7m"),
        ("dev-0128_crmaids.com.html", "https://www.crmaids.com/", "x-pixel", "p2tzn"),
        ("food52.com_food52.html", "https://food52.com/", "tiktok-pixel", "C8LMBRNI6F1M8B1VD1E0"),
        ("food52.com_food52.html", "https://food52.com/", "google-tag-manager", "GTM-MB6SZR"),
        ("dev-0594_nordrepublic.com.html", "https://www.nordrepublic.com/", "tiktok-pixel", "CVE34DBC77U6RTOFL270"),
        ("gomaji.com_d132928212.html", "https://www.gomaji.com/", "tiktok-pixel", "BT1N502UH19GN34U0ABG"),
    ])
    func pixelIDs(file: String, url: String, rule: String, id: String) throws {
        let (report, html) = try auditWithShippedRules(file, url: url)
        #expect(ids(report, rule).contains(id))
        #expect(html.contains(id))
    }

    @Test("every example of every shipped rule passes, and every rule has both kinds")
    func examples() throws {
        let result = RuleTester.run(shippedRules, resolver: try sharedResolver.get())
        #expect(result.failures.map(\.description) == [])
        #expect(shippedRules.trackers.count >= 50)
        #expect(shippedRules.trackers.allSatisfy { !$0.matchExamples.isEmpty && !$0.noMatchExamples.isEmpty })
        #expect(result.examples >= 200)
    }

    @Test("a preconnect to analytics.tiktok.com is not a TikTok pixel")
    func preconnectOnly() throws {
        let (report, html) = try auditWithShippedRules("dev-0132_alison.com.html", url: "https://alison.com/")
        #expect(html.contains("analytics.tiktok.com"))
        #expect(!report.evaluation.findings.contains { $0.rule.hasPrefix("tiktok-") })
        #expect(!report.evaluation.exposure.platforms.contains { $0.platform == "tiktok" && $0.score > 0 })
    }
}
