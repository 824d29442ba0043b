import DragnetAudit
import DragnetCore
import DragnetHTML
import DragnetPolicy
import DragnetRules
import DragnetTestSupport
import Foundation
import Testing

let policyRules = PolicyRulePack.load(directory: Fixtures.rulesDirectory + "/policy")

func policyFixture(_ name: String) throws -> PolicyDocument {
    PolicyDocument(bytes: try Fixtures.bytes("policies/" + name), hint: name)
}

@Suite("Privacy policies: text, sentences, classification")
struct PolicyTextTests {
    @Test("the shipped policy rules load cleanly and pass their own examples")
    func rulesClean() {
        #expect(policyRules.diagnostics.map(\.description) == [])
        #expect(policyRules.categories.count == 22)
        let result = policyRules.testExamples()
        #expect(result.failures == [])
        #expect(result.examples >= 60)
    }

    @Test("HTML: navigation, header, footer, scripts, hidden elements and cookie banners are dropped; headings nest")
    func htmlText() {
        let document = PolicyDocument(bytes: Array(FixtureSite.shopPolicy.utf8), hint: "text/html")
        #expect(document.format == .html)
        #expect(!document.text.contains("navigation"))
        #expect(!document.text.contains("cookies to train"))
        #expect(!document.text.contains("footer"))
        #expect(!document.text.contains("tracking"))
        #expect(document.blocks.map(\.kind) == [.heading, .heading, .paragraph, .heading, .listItem, .listItem, .heading, .paragraph])
        #expect(document.sentences.map(\.text) == [
            "We collect your name and email address when you place an order.",
            "We use Google Analytics to understand how our shop is used.",
            "We do not sell your personal information.",
            "We share order details with our payment provider.",
            "You can ask us to delete your data at any time.",
        ])
        #expect(document.sentences[2].headingPath == ["Privacy Policy", "Sharing"])
        // Offsets point into the document text.
        for sentence in document.sentences {
            let scalars = Array(document.text.unicodeScalars)
            #expect(String(String.UnicodeScalarView(scalars[sentence.offset..<(sentence.offset + sentence.text.unicodeScalars.count)])) == sentence.text)
        }
    }

    @Test("Markdown: headings, lists, links and emphasis reduced to text; plain text too")
    func markdownAndPlain() {
        let markdown = """
            Title
            =====

            ## How we use **your** data

            We use data to [improve the service](https://example.com/x). See e.g. our *Cookie Policy*.
            - We share data with advertisers.
            1. You can opt out.

            | Category | Purpose |
            |---|---|
            | Contacts | Find friends |
            """
        let document = PolicyDocument(bytes: Array(markdown.utf8), hint: "policy.md")
        #expect(document.blocks.map(\.text) == [
            "Title", "How we use your data", "We use data to improve the service. See e.g. our Cookie Policy.",
            "We share data with advertisers.", "You can opt out.", "Category; Purpose", "Contacts; Find friends",
        ])
        #expect(document.sentences.map(\.text).prefix(2) == ["We use data to improve the service.", "See e.g. our Cookie Policy."])
        #expect(document.sentences[0].headingPath == ["Title", "How we use your data"])
        let plain = PolicyDocument(bytes: Array("PRIVACY NOTICE\n\nWe collect your email. We keep it for 30 days.\n\n• We never sell it.".utf8), hint: "notice.txt")
        #expect(plain.blocks.map(\.kind) == [.heading, .paragraph, .listItem])
        #expect(plain.sentences.map(\.text) == ["We collect your email.", "We keep it for 30 days.", "We never sell it."])
    }

    @Test("negated statements are recorded as negated, not as the practice", arguments: [
        ("We do not sell your personal information.", "sale-of-data"),
        ("We never sell personal data to anyone.", "sale-of-data"),
        ("Your personal information is not sold.", "sale-of-data"),
        ("We don't use your private messages to train our AI models.", "ai-training"),
        ("We do not collect precise location information.", "precise-location"),
        ("Our services do not respond to Do Not Track signals.", "do-not-track"),
        ("We do not share your personal information with advertisers.", "third-party-sharing-collection"),
    ])
    func negation(text: String, category: String) {
        let labels = policyRules.classify(text)
        #expect(labels.negated.contains(category), "\(labels)")
        #expect(!labels.categories.contains(category), "\(labels)")
    }

    @Test("affirmed statements, including ones with 'not limited to'", arguments: [
        ("We may sell personal information, including but not limited to your email address.", "sale-of-data"),
        ("We use publicly available information to help train our machine learning or artificial intelligence models.", "ai-training"),
        ("We collect keystroke patterns or rhythms.", "keystrokes"),
        ("We may share your information with law enforcement agencies.", "government-access"),
        ("Some browsers send Do Not Track signals.", "do-not-track"),
        ("We do not share your personal information with companies outside our group except in the following cases.", "third-party-sharing-collection"),
    ])
    func affirmed(text: String, category: String) {
        #expect(policyRules.classify(text).categories.contains(category))
    }

    @Test("collection yields to transfer, retention, government access and policy change in the same sentence", arguments: [
        ("We store and use your data outside your country.", ["cross-border-transfer"]),
        ("We keep Log Data for a maximum of 18 months.", ["data-retention"]),
        ("We collect your email address when you register.", ["first-party-collection-use"]),
    ])
    func yields(text: String, expected: [String]) {
        #expect(policyRules.classify(text).categories == expected)
    }

    @Test("yieldsTo naming an unknown category, or its own, is a lint error at the entry")
    func yieldsToLint() {
        let yaml = """
            categories:
              - id: alpha
                title: Alpha
                set: opp-115
                patterns: [alpha]
                yieldsTo: [beta, betta, alpha]
                examples: {match: [alpha], noMatch: [gamma]}
              - id: beta
                title: Beta
                set: opp-115
                patterns: [beta]
                examples: {match: [beta], noMatch: [gamma]}
            """
        let pack = PolicyRulePack.load(files: [("p.yml", yaml)])
        #expect(pack.errors.map { "\($0.line):\($0.column): \($0.message)" } == [
            "6:22: unknown category 'betta' in yieldsTo; did you mean 'beta'?",
            "6:29: category 'alpha' cannot yield to itself",
        ])
        #expect(pack.classify("alpha and beta").categories == ["beta"])
        #expect(pack.classify("alpha alone").categories == ["alpha"])
    }

    @Test("a real HTML policy: TikTok's 2021 page, with its phone-book and location clauses")
    func tiktokHTML() throws {
        let analysis = PolicyAnalysis.analyze(try policyFixture("tiktok-privacy-2021-05-30.html"), rules: policyRules)
        #expect(analysis.format == .html)
        #expect(analysis.sentenceCount > 300)
        #expect(analysis.practices.contains("contacts"))
        #expect(analysis.practices.contains("children"))
        #expect(analysis.quote("contacts")?.text.contains("phone book") == true)
        #expect(analysis.quote("contacts")?.headingPath.last == "What information do we collect?")
    }
}

@Suite("Privacy policies: diff")
struct PolicyDiffTests {
    @Test("X's policy of September 2023 adds AI training and biometrics to May 2023's")
    func xAITraining() throws {
        let diff = PolicyDiff.compare(try policyFixture("x-privacy-2023-05-18.md"), try policyFixture("x-privacy-2023-09-29.md"), rules: policyRules)
        #expect(diff.practicesAdded == ["ai-training", "biometrics"])
        #expect(diff.practicesRemoved == [])
        let training = try #require(diff.changes.first { $0.new?.labels.categories.contains("ai-training") == true })
        #expect(training.new?.text.contains("machine learning or artificial intelligence models") == true)
        #expect(diff.unchanged > 100)
    }

    @Test("whitespace, reflow, markup and dates alone are no change")
    func insensitive() {
        let old = "# Policy\n\nWe collect your email address.\nWe share it with partners.\n\nLast updated: 1 May 2024."
        let new = "# Policy\n\nWe   collect your **email** address.   We share it\nwith [partners](https://x.example).\n\nLast updated: 3 June 2025."
        let diff = PolicyDiff.compare(
            PolicyDocument(bytes: Array(old.utf8), hint: "a.md"), PolicyDocument(bytes: Array(new.utf8), hint: "b.md"), rules: policyRules)
        #expect(diff.changes.isEmpty)
        #expect(diff.unchanged == 3)
    }

    @Test("the archive's two TikTok variants of May 2026 differ only in a UK notice")
    func tiktokVariants() throws {
        let diff = PolicyDiff.compare(try policyFixture("tiktok-privacy-2026-05-20.md"), try policyFixture("tiktok-privacy-2026-05-31.md"), rules: policyRules)
        #expect(diff.practicesAdded == [])
        #expect(diff.practicesRemoved == [])
        #expect(diff.changes.count <= 3)
        #expect(diff.changes.allSatisfy { ($0.old ?? $0.new)?.text.contains("UK") == true })
    }
}

@Suite("Privacy policies: the CLI and the audit")
struct PolicyCLITests {
    @Test("policy --format json has practices and labelled sentences; text shows quotes")
    func analyze() throws {
        let path = Fixtures.directory.appendingPathComponent("policies/x-privacy-2023-09-29.md").path
        let output = try dragnet(["policy", "--format", "json", "--rules", Fixtures.rulesDirectory, path])
        #expect(output.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let practices = try #require(json["practices"] as? [String])
        #expect(practices.contains("ai-training"))
        #expect(practices == practices.sorted())
        let sentences = try #require(json["sentences"] as? [[String: Any]])
        let first = try #require(sentences.first { ($0["categories"] as? [String])?.contains("ai-training") == true })
        #expect((first["headingPath"] as? [String])?.isEmpty == false)
        #expect(first["offset"] is Int)
        #expect(first["negated"] is [String])
        let text = try dragnet(["policy", "--rules", Fixtures.rulesDirectory, path])
        #expect(text.stdout.contains("ai-training ("))
    }

    @Test("--classify-lines: one JSON object per input line, in order")
    func classifyLines() throws {
        let output = try dragnet(
            ["policy", "--classify-lines", "--rules", Fixtures.rulesDirectory],
            stdin: "We do not sell your personal information.\nWe collect keystroke patterns or rhythms.\n\nHello world.\n")
        #expect(output.status == 0)
        #expect(output.lines == [
            #"{"categories":[],"negated":["sale-of-data"]}"#,
            #"{"categories":["first-party-collection-use","keystrokes"],"negated":[]}"#,
            #"{"categories":[],"negated":[]}"#,
            #"{"categories":[],"negated":[]}"#,
        ])
    }

    @Test("policy diff on the CLI names the practices that appeared")
    func diffCLI() throws {
        let old = Fixtures.directory.appendingPathComponent("policies/x-privacy-2023-05-18.md").path
        let new = Fixtures.directory.appendingPathComponent("policies/x-privacy-2023-09-29.md").path
        let output = try dragnet(["policy", "diff", "--rules", Fixtures.rulesDirectory, old, new])
        #expect(output.status == 0)
        #expect(output.lines.contains("practices added: ai-training, biometrics"))
        let json = try dragnet(["policy", "diff", "--format", "json", "--rules", Fixtures.rulesDirectory, old, new])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(parsed?["practicesAdded"] as? [String] == ["ai-training", "biometrics"])
        let missing = try dragnet(["policy", "--rules", Fixtures.rulesDirectory, "/nonexistent/policy.md"])
        #expect(missing.status == 2)
    }

    @Test("audit finds the shop's policy through its link, classifies it, and flags what it does not disclose")
    func auditPolicyVersusPractice() throws {
        let output = try dragnet(["audit", "-q", "--rules", Fixtures.rulesDirectory, "--output", "-", try FixtureSite.url("/shop/")])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let page = try #require((report["pages"] as? [[String: Any]])?.first)
        let policy = try #require(page["policy"] as? [String: Any])
        #expect(policy["url"] as? String == (try FixtureSite.url("/shop/privacy")))
        #expect(policy["foundBy"] as? String == "text:en")
        #expect(policy["practices"] as? [String] == ["first-party-collection-use", "third-party-sharing-collection", "user-access-edit-deletion"])
        #expect(policy["negatedOnly"] as? [String] == ["sale-of-data"])
        let findings = try #require(page["findings"] as? [[String: Any]])
        let undisclosed = findings.filter { ($0["rule"] as? String)?.hasPrefix("policy-undisclosed") == true }
        #expect(Set(undisclosed.compactMap { $0["rule"] as? String }) == [
            "policy-undisclosed-recipient", "policy-undisclosed-session-replay", "policy-undisclosed-form-recipient",
        ])
        #expect(undisclosed.contains { $0["rule"] as? String == "policy-undisclosed-recipient" && $0["platform"] as? String == "tiktok" })
        #expect(undisclosed.contains { $0["rule"] as? String == "policy-undisclosed-session-replay" && $0["entity"] as? String == "hotjar" })
        #expect(undisclosed.contains { $0["rule"] as? String == "policy-undisclosed-form-recipient" && $0["target"] as? String == "mailer-partner.example" })
        // Such findings explain; they add no exposure points of their own.
        #expect(undisclosed.allSatisfy { ($0["data"] as? [String])?.isEmpty == true })
    }

    @Test("a policy that names advertising partners, session recordings and the form's recipient raises no flags")
    func disclosed() throws {
        let output = try dragnet(["audit", "-q", "--rules", Fixtures.rulesDirectory, "--output", "-", try FixtureSite.url("/shop2/")])
        let page = try #require(((try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])?["pages"] as? [[String: Any]])?.first)
        #expect((page["policy"] as? [String: Any])?["url"] as? String == (try FixtureSite.url("/shop2/privacy")))
        let findings = try #require(page["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["rule"] as? String == "tiktok-pixel" })
        #expect(!findings.contains { ($0["rule"] as? String)?.hasPrefix("policy-undisclosed") == true })
    }

    @Test("with no policy link, the common paths are tried in order; --no-policies skips it all")
    func commonPaths() throws {
        let output = try dragnet(["audit", "-q", "--rules", Fixtures.rulesDirectory, "--output", "-", try FixtureSite.url("/status/200")])
        let page = try #require(((try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])?["pages"] as? [[String: Any]])?.first)
        let policy = try #require(page["policy"] as? [String: Any])
        #expect(policy["foundBy"] as? String == "common-path")
        #expect((policy["tried"] as? [String])?.compactMap { URL(string: $0)?.path } == ["/privacy", "/privacy-policy", "/legal/privacy", "/privacy-notice"])
        #expect(policy["practices"] as? [String] == ["data-retention", "first-party-collection-use", "third-party-sharing-collection"])
        let skipped = try dragnet(["audit", "-q", "--no-policies", "--rules", Fixtures.rulesDirectory, "--output", "-", try FixtureSite.url("/status/200")])
        let skippedPage = try #require(((try JSONSerialization.jsonObject(with: Data(skipped.stdout.utf8)) as? [String: Any])?["pages"] as? [[String: Any]])?.first)
        #expect(skippedPage["policy"] is NSNull)
    }
}
