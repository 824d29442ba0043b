import DragnetAudit
import DragnetCore
import DragnetRules
import Foundation

/// What `dragnet audit` tells a person on stderr: one line per failed item as it happens, and
/// at the end how many pages were audited, which platforms reach how many of them, the top
/// findings, flows the sites' policies do not disclose, the report paths and the exit code.
struct RunSummary {
    private(set) var pages = 0
    private(set) var failed = 0
    private var platformPages: [String: (name: String, pages: Int, contact: Int)] = [:]
    private var findings: [String: (title: String, platform: String, severity: Severity, pages: Int)] = [:]
    private var undisclosedPages = 0
    private var browserFailures = 0
    /// Per site, per platform: whether robots.txt lets one of the platform's AI crawlers in on any page.
    private var aiSites: [String: [String: Bool]] = [:]

    /// The stderr line for a failed item: where it came from and why, never its query string.
    static func errorLine(_ page: AuditedPage) -> String? {
        guard let error = page.error else { return nil }
        var message = error.message
        // Junk lines are named by list and line, not by their text (it can hold anything).
        if let line = page.line, let source = page.source, message.hasPrefix("line \(line): ") {
            message.removeFirst("line \(line): ".count)
            return "dragnet: \(source):\(line): \(message) (\(error.code))"
        }
        return "dragnet: \(URLParts.withoutQuery(page.url)): \(message) (\(error.code))"
    }

    /// The stderr line for a page the browser could not load (the static audit still stands).
    static func browserLine(_ page: AuditedPage) -> String? {
        guard let error = page.browserError, !page.failed else { return nil }
        return "dragnet: \(URLParts.withoutQuery(page.url)): browser: \(error) (static view only)"
    }

    mutating func add(_ page: AuditedPage) {
        pages += 1
        if let platforms = page.aiPlatforms {
            let site = page.site ?? page.url
            aiSites[site] = (aiSites[site] ?? [:]).merging(platforms) { $0 || $1 }
        }
        if page.browserError != nil && !page.failed { browserFailures += 1 }
        if page.failed {
            failed += 1
            return
        }
        if page.undisclosed > 0 { undisclosedPages += 1 }
        for platform in page.evaluation.exposure.platforms where platform.platform != Evaluator.unattributed {
            let contact = page.evaluation.findings.contains { $0.platform == platform.platform && $0.data.contains("contact-data") }
            var entry = platformPages[platform.platform] ?? (platform.name, 0, 0)
            entry.pages += 1
            if contact { entry.contact += 1 }
            platformPages[platform.platform] = entry
        }
        var seen = Set<String>()
        for finding in page.evaluation.findings where !finding.data.isEmpty && finding.severity >= .high && seen.insert(finding.rule).inserted {
            var entry = findings[finding.rule] ?? (finding.title, finding.platform, finding.severity, 0)
            entry.pages += 1
            findings[finding.rule] = entry
        }
    }

    /// The closing lines; `reports` in the order a person opens them (HTML first).
    func text(reports: [String]) -> String {
        let audited = pages - failed
        var lines = ["", "Audited \(audited) of \(pages) page\(pages == 1 ? "" : "s")\(failed > 0 ? " (\(failed) failed: the lines above say why)" : "")."]
        let platforms = platformPages.sorted { ($1.value.pages, $0.key) < ($0.value.pages, $1.key) }
        if !platforms.isEmpty {
            lines.append("Platforms reached:")
            for (_, entry) in platforms.prefix(8) {
                let contact = entry.contact > 0 ? ", \(entry.contact) with contact data" : ""
                lines.append("  \(entry.name) on \(entry.pages) of \(audited) page\(audited == 1 ? "" : "s")\(contact)")
            }
        }
        let top = findings.sorted { ($1.value.severity, $1.value.pages, $0.key) < ($0.value.severity, $0.value.pages, $1.key) }
        if !top.isEmpty {
            lines.append("Top findings:")
            for (_, entry) in top.prefix(5) {
                lines.append("  [\(entry.severity.rawValue)] \(entry.title) (\(entry.platform)) on \(entry.pages) page\(entry.pages == 1 ? "" : "s")")
            }
        }
        if undisclosedPages > 0 {
            lines.append("Flows the site's own privacy policy does not disclose: on \(undisclosedPages) page\(undisclosedPages == 1 ? "" : "s").")
        }
        if !aiSites.isEmpty {
            // The four platforms Dragnet exists to watch first, then the others by sites.
            let core = ["tiktok", "x", "meta", "google"]
            let counts = aiLetIn
            let others = counts.filter { !core.contains($0.key) }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
            let order = core.filter { counts[$0] != nil } + others
            let shown = order.prefix(8).map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ")
            lines.append("AI crawlers let in by robots.txt, sites of \(aiSites.count): \(shown)\(order.count > 8 ? ", … (\(order.count) platforms in summary.aiCrawlers)" : "").")
        }
        if browserFailures > 0 {
            lines.append("The browser could not load \(browserFailures) page\(browserFailures == 1 ? "" : "s") (the lines above say why): their static view is reported.")
        }
        if !reports.isEmpty {
            lines.append("Reports:")
            for path in reports { lines.append("  \(path)") }
        }
        if audited == 0 && pages > 0 {
            lines.append("Exit code 3: no page could be audited.")
        } else {
            lines.append("Exit code 0: \(audited) page\(audited == 1 ? " was" : "s were") audited.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per platform: the sites whose robots.txt lets one of its AI crawlers in.
    var aiLetIn: [String: Int] {
        var counts: [String: Int] = [:]
        for platforms in aiSites.values {
            for (platform, letIn) in platforms { counts[platform, default: 0] += letIn ? 1 : 0 }
        }
        return counts
    }

    /// `summary.aiCrawlers` of the report: per platform, the sites letting its crawlers in and those blocking them all.
    var aiJSON: JSONValue {
        var blocking: [String: Int] = [:]
        for platforms in aiSites.values { for (platform, letIn) in platforms where !letIn { blocking[platform, default: 0] += 1 } }
        let letIn = aiLetIn
        return .object([
            ("sites", .int(aiSites.count)),
            ("platforms", .object(Set(letIn.keys).union(blocking.keys).sorted().map { platform in
                (platform, .object([("sitesLettingIn", .int(letIn[platform] ?? 0)), ("sitesBlockingAll", .int(blocking[platform] ?? 0))]))
            })),
        ])
    }
}
