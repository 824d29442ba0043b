import DragnetCore
import Foundation
import DragnetRules
public import DragnetReport

/// `dragnet check`: a report (or several runs of it) against `dragnet.yml`.
public struct CheckResult: Sendable {
    public struct Violation: Sendable, Hashable {
        public enum Status: String, Sendable { case failing, warning, flaky, baselined, allowed }
        public var status: Status
        /// `deny`, `budget`, `allow-expired`, `header`, `policy`.
        public var kind: String
        public var page: String
        public var message: String
        public var finding: String?
        /// Line of the config rule, for annotations.
        public var line: Int?
    }

    public var violations: [Violation]
    /// Every finding id of the last run (what `--update-baseline` writes).
    public var findings: [String]

    public var failed: Bool { violations.contains { $0.status == .failing } }
}

public enum Checker {
    /// - Parameters:
    ///   - runs: the same targets audited once or more (`--repeat`); the last run is the one reported.
    ///   - baseline: finding ids already accepted.
    ///   - today: YYYY-MM-DD, for allow expiry.
    public static func check(_ runs: [AuditReport], config: CheckConfig, baseline: Set<String>, today: String) -> CheckResult {
        guard let last = runs.last else { return CheckResult(violations: [], findings: []) }
        var seen: [String: Int] = [:]
        for run in runs { for id in Set(run.pages.flatMap { $0.findings.map(\.id) }) { seen[id, default: 0] += 1 } }
        var violations: [CheckResult.Violation] = []

        for allow in config.allow {
            if let expires = allow.expires, expires < today {
                violations.append(.init(
                    status: .failing, kind: "allow-expired", page: config.file,
                    message: "an allow rule (\(describe(allow))) expired on \(expires): \(allow.justification)", finding: nil, line: allow.line))
            }
        }

        // Findings of every run, so that one seen in only some runs is reported as flaky.
        var pages: [String: AuditReport.Page] = [:]
        for run in runs { for page in run.pages { pages[page.key] = pages[page.key] ?? page } }
        for page in last.pages { pages[page.key] = page }
        var findingsByPage: [String: [String: AuditReport.Finding]] = [:]
        for run in runs { for page in run.pages { for finding in page.findings { findingsByPage[page.key, default: [:]][finding.id] = finding } } }

        for key in pages.keys.sorted() {
            let page = pages[key]!
            let name = page.finalURL ?? page.url
            for finding in (findingsByPage[key] ?? [:]).values.sorted(by: { $0.id < $1.id }) where !finding.data.isEmpty {
                for rule in config.deny where matches(rule, finding) {
                    var status: CheckResult.Violation.Status = rule.level == .error ? .failing : .warning
                    let allowed = config.allow.first { allows($0, finding) && ($0.expires.map { $0 >= today } ?? true) }
                    if allowed != nil {
                        status = .allowed
                    } else if baseline.contains(finding.id) {
                        status = .baselined
                    } else if runs.count > 1, seen[finding.id, default: 0] < runs.count {
                        status = .flaky
                    }
                    let account = finding.accountID.map { " [\($0)]" } ?? ""
                    violations.append(.init(
                        status: status, kind: "deny", page: name,
                        message: "\(rule.reason): \(finding.title)\(account) sends \(finding.data.joined(separator: ", ")) to \(finding.platform)",
                        finding: finding.id, line: rule.line))
                }
            }
            guard page.error == nil || page.status != nil else {
                violations.append(.init(status: .failing, kind: "fetch", page: name, message: "not audited: \(page.error ?? "no response")", finding: nil, line: nil))
                continue
            }
            let level: CheckResult.Violation.Status = config.budgets.level == .error ? .failing : .warning
            if let budget = config.budgets.exposure, page.score > budget {
                violations.append(.init(status: level, kind: "budget", page: name, message: "exposure \(ExposureText.number(page.score)) is over the budget of \(ExposureText.number(budget))", finding: nil, line: nil))
            }
            for (platform, budget) in config.budgets.platforms.sorted(by: { $0.key < $1.key }) {
                if let score = page.platforms.first(where: { $0.id == platform })?.score, score > budget {
                    violations.append(.init(status: level, kind: "budget", page: name, message: "\(platform) exposure \(ExposureText.number(score)) is over the budget of \(ExposureText.number(budget))", finding: nil, line: nil))
                }
            }
            if let budget = config.budgets.thirdPartySites, page.thirdPartySites.count > budget {
                violations.append(.init(status: level, kind: "budget", page: name, message: "\(page.thirdPartySites.count) third-party sites, over the budget of \(budget)", finding: nil, line: nil))
            }
            let trackers = page.findings.filter(\.isTracker).count
            if let budget = config.budgets.trackers, trackers > budget {
                violations.append(.init(status: level, kind: "budget", page: name, message: "\(trackers) trackers, over the budget of \(budget)", finding: nil, line: nil))
            }
            if page.status != nil {
                for header in config.headers where page.headers[header.name] == nil {
                    violations.append(.init(status: header.level == .error ? .failing : .warning, kind: "header", page: name, message: "required header \(header.name) is missing", finding: nil, line: nil))
                }
            }
            if let required = config.policyRequired, page.policy?.practices.isEmpty ?? true {
                violations.append(.init(status: required == .error ? .failing : .warning, kind: "policy", page: name, message: "no privacy policy was found and read", finding: nil, line: nil))
            }
            for (practice, level) in config.policyForbid where page.policy?.practices.contains(practice) == true {
                violations.append(.init(status: level == .error ? .failing : .warning, kind: "policy", page: name, message: "the privacy policy states \(practice)", finding: nil, line: nil))
            }
            if !config.aiCrawlers.isEmpty, page.status != nil {
                violations += aiCrawlerViolations(page, name: name, gate: config.aiCrawlers)
            }
        }
        if !config.aiCrawlers.isEmpty {
            let known = Set(last.pages.flatMap { $0.aiAccess?.crawlers.map { $0.agent.lowercased() } ?? [] })
            for agent in config.aiCrawlers.block where !known.isEmpty && !known.contains(agent.lowercased()) {
                violations.append(.init(
                    status: .warning, kind: "ai-crawler", page: config.file,
                    message: "ai-crawlers: '\(agent)' is not in the rule pack's AI crawler list (rules/ai-crawlers/robots.json); not checked", finding: nil, line: config.aiCrawlers.line))
            }
        }
        return CheckResult(violations: violations, findings: Array(Set(last.pages.flatMap { $0.findings.map(\.id) })).sorted())
    }

    /// A target that lets in a crawler the gate blocks fails, with the robots.txt line that let it in;
    /// a blocked crawler known to ignore robots.txt is a warning: the block does not keep it out.
    static func aiCrawlerViolations(_ page: AuditReport.Page, name: String, gate: CheckConfig.AICrawlerGate) -> [CheckResult.Violation] {
        let status: CheckResult.Violation.Status = gate.level == .error ? .failing : .warning
        guard let access = page.aiAccess else {
            return [.init(status: .warning, kind: "ai-crawler", page: name, message: "robots.txt was not fetched (--no-robots?): AI crawler access not checked", finding: nil, line: gate.line)]
        }
        let blocked = Set(gate.block.map { $0.lowercased() })
        var result: [CheckResult.Violation] = []
        for crawler in access.crawlers where blocked.contains(crawler.agent.lowercased()) || crawler.platform.map(gate.blockPlatforms.contains) == true {
            let who = "\(crawler.agent) (\(crawler.operatorName)\(crawler.platform.map { ", \($0)" } ?? ""))"
            if crawler.access == "blocked" {
                if crawler.respects == "no" {
                    result.append(.init(
                        status: .warning, kind: "ai-crawler", page: name,
                        message: "\(who) is blocked by \(access.decidedBy(crawler)), but it is known to ignore robots.txt", finding: nil, line: gate.line))
                }
                continue
            }
            let reserved = crawler.access == "reserved" ? "; the site reserves text and data mining, which robots.txt does not enforce" : ""
            result.append(.init(
                status: status, kind: "ai-crawler", page: name,
                message: "\(who) may crawl this page: \(access.decidedBy(crawler))\(reserved)", finding: nil, line: gate.line))
        }
        return result
    }

    static func matches(_ rule: CheckConfig.Deny, _ finding: AuditReport.Finding) -> Bool {
        if let entity = rule.entity, finding.entity != entity { return false }
        if let platform = rule.platform, finding.platform != platform { return false }
        if let channel = rule.channel, finding.channel.rawValue != channel { return false }
        if let practice = rule.practice, finding.purpose != practice && finding.rule != practice { return false }
        if let data = rule.data, data != "any", !finding.data.contains(data) { return false }
        if let to = rule.to, to != "third-party", finding.entity != to && finding.platform != to { return false }
        return true
    }

    static func allows(_ rule: CheckConfig.Allow, _ finding: AuditReport.Finding) -> Bool {
        if let entity = rule.entity, finding.entity != entity { return false }
        if let platform = rule.platform, finding.platform != platform { return false }
        if let id = rule.rule, finding.rule != id { return false }
        if let id = rule.finding, finding.id != id { return false }
        return true
    }

    static func describe(_ rule: CheckConfig.Allow) -> String {
        [rule.entity.map { "entity \($0)" }, rule.platform.map { "platform \($0)" }, rule.rule.map { "rule \($0)" }, rule.finding.map { "finding \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}

extension CheckResult {
    /// The summary printed on stdout.
    public func text() -> String {
        var lines: [String] = []
        for status in [Violation.Status.failing, .warning, .flaky, .baselined, .allowed] {
            for violation in violations where violation.status == status {
                lines.append("\(status.rawValue): \(violation.page): \(violation.message)\(violation.finding.map { " (\($0))" } ?? "")")
            }
        }
        let count = { (status: Violation.Status) in violations.filter { $0.status == status }.count }
        lines.append("dragnet check: \(failed ? "FAILED" : "passed") — \(count(.failing)) violation(s), \(count(.warning)) warning(s), \(count(.flaky)) flaky, \(count(.baselined)) baselined, \(count(.allowed)) allowed")
        return lines.joined(separator: "\n")
    }

    /// GitHub Actions workflow commands.
    public func githubAnnotations(configFile: String) -> String {
        violations.filter { $0.status == .failing || $0.status == .warning || $0.status == .flaky }.map { violation in
            let command = violation.status == .failing ? "error" : violation.status == .warning ? "warning" : "notice"
            let location = violation.line.map { ",file=\(escape(configFile)),line=\($0)" } ?? ""
            return "::\(command) title=dragnet \(violation.kind)\(location)::\(escape(violation.page + ": " + violation.message))"
        }.joined(separator: "\n")
    }

    /// Markdown for `$GITHUB_STEP_SUMMARY`.
    public func markdown() -> String {
        var lines = ["### dragnet check: \(failed ? "❌ failed" : "✅ passed")", "", "| status | page | violation |", "|---|---|---|"]
        for violation in violations {
            lines.append("| \(violation.status.rawValue) | \(ReportRenderer.md(violation.page)) | \(ReportRenderer.md(violation.message)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
            .replacingOccurrences(of: ",", with: "%2C").replacingOccurrences(of: "::", with: "%3A%3A")
    }
}
