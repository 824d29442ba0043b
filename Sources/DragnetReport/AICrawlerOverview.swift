/// Per platform, which AI crawlers the audited sites let in: the table Markdown and HTML show.
/// A crawler is let in on a site when robots.txt allows it on any audited page of the site
/// (access `allowed` or `reserved`: a TDM reservation does not stop a crawler).
public struct AICrawlerOverview: Sendable {
    public struct Row: Sendable, Equatable {
        public var platform: String
        public var operatorName: String
        public var crawlers: [String]
        /// Sites where robots.txt lets at least one of the platform's crawlers in.
        public var sitesAllowing: Int
        /// Sites where the platform's crawlers are all blocked.
        public var sitesBlocking: Int
        /// Of the blocked ones, the crawlers known to ignore robots.txt.
        public var ignoring: [String]
        /// Sites whose TDM reservation or noai directive applies though robots.txt lets a crawler in.
        public var sitesReserving: Int
    }

    public var sites: Int
    public var rows: [Row]

    public init(_ report: AuditReport) {
        var bySite: [String: [AuditReport.Page]] = [:]
        for page in report.pages where page.aiAccess != nil {
            bySite[page.site ?? page.finalURL ?? page.url, default: []].append(page)
        }
        sites = bySite.count
        var rows: [String: Row] = [:]
        for (_, pages) in bySite.sorted(by: { $0.key < $1.key }) {
            var allowing: Set<String> = []
            var reserving: Set<String> = []
            var seen: Set<String> = []
            for page in pages {
                for crawler in page.aiAccess?.crawlers ?? [] {
                    guard let platform = crawler.platform else { continue }
                    var row = rows[platform] ?? Row(platform: platform, operatorName: crawler.operatorName, crawlers: [], sitesAllowing: 0, sitesBlocking: 0, ignoring: [], sitesReserving: 0)
                    if !row.crawlers.contains(crawler.agent) { row.crawlers.append(crawler.agent) }
                    if crawler.access == "blocked", crawler.respects == "no", !row.ignoring.contains(crawler.agent) { row.ignoring.append(crawler.agent) }
                    rows[platform] = row
                    seen.insert(platform)
                    if crawler.access != "blocked" { allowing.insert(platform) }
                    if crawler.access == "reserved" { reserving.insert(platform) }
                }
            }
            for platform in seen {
                if allowing.contains(platform) { rows[platform]?.sitesAllowing += 1 } else { rows[platform]?.sitesBlocking += 1 }
                if reserving.contains(platform) { rows[platform]?.sitesReserving += 1 }
            }
        }
        self.rows = rows.values.sorted { ($1.sitesAllowing, $0.platform) < ($0.sitesAllowing, $1.platform) }
    }

    public func markdown() -> [String] {
        guard sites > 0 else { return [] }
        var lines = ["", "### AI crawlers", ""]
        lines.append("robots.txt read for \(sites) site(s). \"Let in\": robots.txt allows at least one of the platform's crawlers on an audited page of the site.")
        lines += ["", "| platform | crawlers | sites letting in | sites blocking all | blocked but ignores robots.txt |", "|---|---|---:|---:|---|"]
        for row in rows {
            let crawlers = row.crawlers.prefix(6).joined(separator: ", ") + (row.crawlers.count > 6 ? ", …" : "")
            lines.append("| \(ReportRenderer.md(row.operatorName)) (`\(row.platform)`) | \(ReportRenderer.md(crawlers)) | \(row.sitesAllowing) of \(sites)\(row.sitesReserving > 0 ? " (\(row.sitesReserving) reserve TDM)" : "") | \(row.sitesBlocking) | \(row.ignoring.isEmpty ? "—" : ReportRenderer.md(row.ignoring.joined(separator: ", "))) |")
        }
        return lines
    }

    public func html() -> String {
        guard sites > 0 else { return "" }
        var parts = ["<section class=\"ai-crawlers\"><h2>AI crawlers</h2>"]
        parts.append("<p class=\"meta\">robots.txt read for \(sites) site(s); let in: robots.txt allows at least one of the platform's crawlers on an audited page of the site</p>")
        parts.append("<table class=\"sortable\"><thead><tr><th>platform</th><th>crawlers</th><th>sites letting in</th><th>sites blocking all</th><th>blocked but ignores robots.txt</th></tr></thead><tbody>")
        for row in rows {
            parts.append(
                "<tr><td>\(ReportRenderer.xml(row.operatorName)) <code>\(ReportRenderer.xml(row.platform))</code></td><td>\(ReportRenderer.xml(row.crawlers.joined(separator: ", ")))</td>"
                    + "<td data-sort=\"\(row.sitesAllowing)\">\(row.sitesAllowing) of \(sites)\(row.sitesReserving > 0 ? " (\(row.sitesReserving) reserve TDM)" : "")</td><td>\(row.sitesBlocking)</td>"
                    + "<td>\(row.ignoring.isEmpty ? "—" : ReportRenderer.xml(row.ignoring.joined(separator: ", ")))</td></tr>")
        }
        parts.append("</tbody></table></section>")
        return parts.joined()
    }

    /// One page's AI crawler access in a few lines of HTML: the robots.txt case and each platform's crawlers.
    public static func pageHTML(_ access: AIAccessSummary) -> String {
        var parts = ["<h3>AI crawlers</h3>"]
        parts.append("<p>robots.txt: \(ReportRenderer.xml(access.robotsURL)) — \(ReportRenderer.xml(access.reason))"
            + (access.tdmReserved ? "; text and data mining reserved (\(ReportRenderer.xml(access.tdmSource ?? "")))" : "")
            + (access.directives.isEmpty ? "" : "; \(ReportRenderer.xml(access.directives.joined(separator: ", ")))") + "</p>")
        var byPlatform: [String: [AIAccessSummary.Crawler]] = [:]
        for crawler in access.crawlers { if let platform = crawler.platform { byPlatform[platform, default: []].append(crawler) } }
        guard !byPlatform.isEmpty else { return parts.joined() }
        parts.append("<table><thead><tr><th>platform</th><th>crawler</th><th>access</th><th>decided by</th></tr></thead><tbody>")
        for platform in byPlatform.keys.sorted() {
            for crawler in byPlatform[platform] ?? [] {
                let ignores = crawler.access == "blocked" && crawler.respects == "no" ? " (known to ignore robots.txt)" : ""
                parts.append("<tr><td><code>\(ReportRenderer.xml(platform))</code></td><td>\(ReportRenderer.xml(crawler.agent))</td><td>\(ReportRenderer.xml(crawler.access + ignores))</td><td>\(ReportRenderer.xml(access.decidedBy(crawler)))</td></tr>")
            }
        }
        parts.append("</tbody></table>")
        return parts.joined()
    }
}
