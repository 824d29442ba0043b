import DragnetCheck
import DragnetRules
import DragnetTestSupport
import Foundation
import Testing

/// Runs `dragnet check` in a fresh folder with `config` as its dragnet.yml.
func check(_ config: String, arguments: [String] = [], environment: [String: String] = [:], in directory: URL? = nil) throws -> (ProcessOutput, URL) {
    let folder = try directory ?? temporaryDirectory()
    let path = folder.appendingPathComponent("dragnet.yml")
    try config.write(to: path, atomically: true, encoding: .utf8)
    let output = try dragnet(["check", "--config", path.path, "--out", folder.appendingPathComponent("reports").path] + arguments, environment: environment)
    return (output, folder)
}

@Suite("dragnet check")
struct CheckTests {
    static let minimal = """
        targets:
          - https://shop.example/
          - https://shop.example/checkout
        deny:
          - platform: tiktok
            reason: No ByteDance trackers on our pages
          - platform: x
            reason: No X pixel
        budgets:
          exposure: 100
        """

    @Test("the minimal configuration of the issue parses exactly as written")
    func minimalParses() {
        let config = CheckConfig(path: "dragnet.yml", text: Self.minimal)
        #expect(config.diagnostics.map(\.description) == [])
        #expect(config.targets == ["https://shop.example/", "https://shop.example/checkout"])
        #expect(config.deny.map(\.platform) == ["tiktok", "x"])
        #expect(config.deny.map(\.reason) == ["No ByteDance trackers on our pages", "No X pixel"])
        #expect(config.budgets.exposure == 100)
    }

    @Test("the minimal configuration fails on a page with the TikTok pixel, and passes on one without")
    func denyPlatform() throws {
        let shop = try FixtureSite.url("/shop/")
        let clean = try FixtureSite.url("/evolving/?v=1")
        let failing = try check(Self.minimal.replacingOccurrences(of: "https://shop.example/checkout", with: shop).replacingOccurrences(of: "https://shop.example/", with: clean)).0
        #expect(failing.status == 1, "\(failing.stdout)\(failing.stderr)")
        #expect(failing.stdout.contains("failing: \(shop): No ByteDance trackers on our pages: TikTok Pixel [C4SHOPPIXEL123456789] sends"))
        #expect(failing.lines.last?.hasPrefix("dragnet check: FAILED — 2 violation(s)") == true, "\(failing.stdout)")
        let passing = try check("targets: [\(clean)]\ndeny:\n  - platform: tiktok\n    reason: none\nbudgets:\n  exposure: 100\n").0
        #expect(passing.status == 0, "\(passing.stdout)")
        #expect(passing.lines.last == "dragnet check: passed — 0 violation(s), 0 warning(s), 0 flaky, 0 baselined, 0 allowed")
    }

    @Test("allow rules with a justification pass; an expired allow fails and says so")
    func allow() throws {
        let shop = try FixtureSite.url("/shop/")
        let base = "targets: [\(shop)]\ndeny:\n  - flow: {data: any, to: bytedance}\n    reason: no data to ByteDance\n"
        let allowed = try check(base + "allow:\n  - entity: bytedance\n    justification: campaign until year end\n    expires: 2099-12-31\n").0
        #expect(allowed.status == 0, "\(allowed.stdout)")
        #expect(allowed.stdout.contains("allowed: \(shop): no data to ByteDance"))
        let expired = try check(base + "allow:\n  - entity: bytedance\n    justification: campaign\n    expires: 2020-01-31\n").0
        #expect(expired.status == 1)
        #expect(expired.stdout.contains("an allow rule (entity bytedance) expired on 2020-01-31: campaign"))
    }

    @Test("budgets, denied practices and contact-data flows, warn levels, required headers")
    func budgetsAndDeny() throws {
        let shop = try FixtureSite.url("/shop/")
        let config = """
            targets: [\(shop)]
            budgets:
              exposure: 10
              platforms: {tiktok: 5}
              trackers: 1
            deny:
              - practice: session-replay
                reason: no session replay
              - flow: {data: contact-data, to: third-party}
                reason: no contact data to third parties
                level: warn
            headers:
              - name: Referrer-Policy
                level: warn
            """
        let output = try check(config).0
        #expect(output.status == 1)
        #expect(output.stdout.contains("exposure"))
        #expect(output.stdout.contains("is over the budget of 10"))
        #expect(output.stdout.contains("tiktok exposure"))
        #expect(output.stdout.contains("trackers, over the budget of 1"))
        #expect(output.stdout.contains("failing: \(shop): no session replay: Hotjar"))
        #expect(output.stdout.contains("warning: \(shop): no contact data to third parties"))
        #expect(output.stdout.contains("warning: \(shop): required header referrer-policy is missing"))
    }

    @Test("a baseline accepts today's findings: only new ones fail")
    func baseline() throws {
        let folder = try temporaryDirectory()
        let baseline = folder.appendingPathComponent("baseline.json").path
        let shop = try FixtureSite.url("/shop/")
        let config = "targets: [\(shop)]\ndeny:\n  - platform: tiktok\n    reason: no TikTok\n"
        let write = try check(config, arguments: ["--baseline", baseline, "--update-baseline"], in: folder).0
        #expect(write.status == 0)
        #expect(write.stdout.hasPrefix("wrote "))
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: baseline))) as? [String: [String]]
        #expect((saved?["findings"] ?? []).allSatisfy { $0.hasPrefix("dn-") } && !(saved?["findings"] ?? []).isEmpty)
        let again = try check(config, arguments: ["--baseline", baseline], in: folder).0
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.contains("baselined: \(shop): no TikTok"))
        // A new page with the same tracker is new: its finding ids differ.
        let other = try check(config.replacingOccurrences(of: shop, with: try FixtureSite.url("/evolving/?v=2")), arguments: ["--baseline", baseline], in: folder).0
        #expect(other.status == 1)
    }

    @Test("--repeat 2: a finding seen in only one run is flaky and never fails")
    func flaky() throws {
        let page = try FixtureSite.url("/flaky/\(UUID().uuidString)")
        let output = try check("targets: [\(page)]\ndeny:\n  - platform: tiktok\n    reason: no TikTok\n", arguments: ["--repeat", "2"]).0
        #expect(output.status == 0, "\(output.stdout)")
        #expect(output.stdout.contains("flaky: \(page): no TikTok"))
        #expect(output.lines.last?.contains("1 flaky") == true)
    }

    @Test("a typo is reported as file:line:col with a suggestion, exit 2")
    func typo() throws {
        let (output, folder) = try check("targets: [https://shop.example/]\nbudgest:\n  exposure: 50\ndeny:\n  - platfrom: tiktok\n    reason: x\n")
        #expect(output.status == 2)
        let file = folder.appendingPathComponent("dragnet.yml").path
        #expect(output.stderr.contains("\(file):2:1: error: unknown key 'budgest' in dragnet.yml; did you mean 'budgets'?"))
        #expect(output.stderr.contains("\(file):5:5: error: unknown key 'platfrom' in a deny rule; did you mean 'platform'?"))
    }

    @Test("GitHub Actions: annotations on stdout and a Markdown step summary")
    func github() throws {
        let folder = try temporaryDirectory()
        let summary = folder.appendingPathComponent("summary.md").path
        let shop = try FixtureSite.url("/shop/")
        let (output, _) = try check(
            "targets: [\(shop)]\ndeny:\n  - platform: tiktok\n    reason: no TikTok\n",
            arguments: ["--sarif", folder.appendingPathComponent("check.sarif").path, "--junit", folder.appendingPathComponent("check.xml").path],
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary], in: folder)
        #expect(output.status == 1)
        #expect(output.lines.contains { $0.hasPrefix("::error title=dragnet deny,file=") && $0.contains(",line=3::") && $0.contains("no TikTok") })
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.contains("### dragnet check: ❌ failed"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("check.sarif").path))
        #expect(try validateSARIF(folder.appendingPathComponent("check.sarif").path).status == 0)
        #expect(try String(contentsOfFile: folder.appendingPathComponent("check.xml").path, encoding: .utf8).contains("<testsuites"))
    }
}
