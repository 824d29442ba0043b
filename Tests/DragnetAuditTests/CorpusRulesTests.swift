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

    @Test("hosts of the companies the rules must know resolve to their entity and platform", arguments: [
        ("analytics.tiktok.com", "bytedance", "tiktok"), ("sf16-website-login.neutral.ttwstatic.com", "bytedance", "tiktok"),
        ("static.ads-twitter.com", "x-corp", "x"), ("t.co", "x-corp", "x"),
        ("connect.facebook.net", "meta", "meta"), ("scontent.cdninstagram.com", "meta", "meta"),
        ("www.googletagmanager.com", "google", "google"), ("i.ytimg.com", "google", "google"),
        ("www.clarity.ms", "microsoft", "microsoft"), ("snap.licdn.com", "microsoft", "microsoft"),
        ("g.alicdn.com", "alibaba", "alibaba"), ("www.alipay.com", "alibaba", "alibaba"),
        ("mc.yandex.ru", "yandex", "yandex"), ("hm.baidu.com", "baidu", "baidu"),
    ])
    func owners(host: String, entity: String, platform: String) {
        let owner = shippedRules.entity(forHost: host)
        #expect(owner?.id == entity)
        #expect(owner?.platform == platform)
    }

    @Test("a preconnect to analytics.tiktok.com is not a TikTok pixel")
    func preconnectOnly() throws {
        let (report, html) = try auditWithShippedRules("dev-0132_alison.com.html", url: "https://alison.com/")
        #expect(html.contains("analytics.tiktok.com"))
        #expect(!report.evaluation.findings.contains { $0.rule.hasPrefix("tiktok-") })
        #expect(!report.evaluation.exposure.platforms.contains { $0.platform == "tiktok" && $0.score > 0 })
    }
}

@Suite("Platform profiles from the platforms' own policies")
struct PlatformProfileTests {
    @Test("TikTok, X, Meta and Google have reviewed profiles; rejected practices stay listed")
    func profiles() throws {
        #expect(Set(shippedRules.profiles.keys).isSuperset(of: ["tiktok", "x", "meta", "google"]))
        let tiktok = try #require(shippedRules.profiles["tiktok"])
        #expect(Set(tiktok.confirmed).isSuperset(of: ["ai-training", "keystrokes", "clipboard", "contacts", "biometrics"]))
        let x = try #require(shippedRules.profiles["x"])
        #expect(x.practices.first { $0.id == "ai-training" }?.since == "2023-09-29")
        #expect(x.practices.first { $0.id == "ai-training" }?.quote.contains("train our machine learning or artificial intelligence models") == true)
        #expect(x.practices.first { $0.id == "sale-of-data" }?.review == "rejected")
        #expect(!x.confirmed.contains("sale-of-data"))
        for profile in shippedRules.profiles.values {
            #expect(profile.practices.allSatisfy { !$0.quote.isEmpty && ["confirmed", "rejected"].contains($0.review) })
        }
    }

    @Test("a platform's multiplier is 1 plus the weights of the practices its profile confirms")
    func multiplier() throws {
        let (report, _) = try auditWithShippedRules("dev-0228_hubermanlab.com.html", url: "https://www.hubermanlab.com/")
        let tiktok = try #require(report.evaluation.exposure.platforms.first { $0.platform == "tiktok" })
        let expected = 1 + (shippedRules.profiles["tiktok"]?.confirmed.compactMap { shippedRules.scoring.practices[$0] }.reduce(0, +) ?? 0)
        #expect(tiktok.multiplier == (min(1.5, expected) * 100).rounded() / 100)
        #expect(tiktok.multiplier == 1.42)
        #expect(tiktok.practices.map(\.practice).contains("keystrokes"))
        #expect(tiktok.score == 92.3)  // (15 + 15 + 5 + 30) × 1.42
        // A platform without a profile keeps the default multiplier.
        let reddit = try #require(report.evaluation.exposure.platforms.first { $0.platform == "reddit" })
        #expect(reddit.multiplier == 1)
        #expect(reddit.practices.isEmpty)
    }

    @Test("a profile with an unknown practice or a missing review is a lint error at its place")
    func profileLint() throws {
        let directory = try temporaryDirectory()
        for folder in ["entities", "trackers", "platforms"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "platform: demo\nname: Demo\npractices:\n  - id: ai-trianing\n    quote: \"We train models.\"\n"
            .write(to: directory.appendingPathComponent("platforms/demo.yml"), atomically: true, encoding: .utf8)
        let pack = RulePack.load(directory: directory.path)
        let file = directory.appendingPathComponent("platforms/demo.yml").path
        #expect(pack.errors.map { $0.description.split(separator: "\n")[0] } == [
            "\(file):4:5: error: practice 'ai-trianing' needs a review (confirmed or rejected)",
            "\(file):4:9: error: unknown policy category 'ai-trianing'; did you mean 'ai-training'?",
        ])
    }
}
