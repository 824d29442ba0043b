import DragnetCore
/// The first thing a reader of a multi-page report wants: which platforms reach how many
/// pages (and how many with contact data), which companies, how the pages grade, the worst
/// pages, and flows the sites' own policies do not disclose.
public struct ReportOverview: Sendable, Hashable {
    public struct Reach: Sendable, Hashable {
        public var id: String
        public var name: String
        public var pages: Int
        /// Pages where the platform receives contact data (email, phone, name, address).
        public var contactPages: Int
    }

    public struct WorstPage: Sendable, Hashable {
        /// Index into the report's pages (the HTML links to `#page-N`).
        public var index: Int
        public var url: String
        public var score: Double
        public var grade: String
    }

    /// Pages audited (a response or a saved file).
    public var audited: Int
    public var failed: Int
    /// By pages, most first.
    public var platforms: [Reach]
    /// Companies by the pages they receive data from, most first (at most 10).
    public var companies: [(name: String, pages: Int)]
    /// Pages per grade, A to F (grades with no page left out).
    public var grades: [(grade: String, pages: Int)]
    /// Highest exposure first (at most 5).
    public var worst: [WorstPage]
    /// Pages with flows their site's privacy policy does not disclose, and how many such findings.
    public var undisclosedPages: Int
    public var undisclosedFindings: Int
    /// Third-party sites no entity claims, by registrable domain, most pages first.
    public var unattributed: [(site: String, pages: Int)] = []

    public init(_ report: AuditReport) {
        let pages = report.pages.enumerated().filter { $0.element.error == nil || $0.element.status != nil }
        audited = pages.count
        failed = report.pages.count - pages.count
        var reach: [String: Reach] = [:]
        var companies: [String: Int] = [:]
        var grades: [String: Int] = [:]
        undisclosedPages = 0
        undisclosedFindings = 0
        var unknown: [String: Int] = [:]
        for (_, page) in pages {
            for site in Set(page.findings.filter { $0.platform == "unattributed" && $0.rule.hasPrefix("unattributed-") }.map(\.target)) {
                unknown[site, default: 0] += 1
            }
            grades[page.grade, default: 0] += 1
            for platform in page.platforms where platform.id != "unattributed" && page.findings.contains(where: { $0.platform == platform.id && !$0.data.isEmpty }) {
                var entry = reach[platform.id] ?? Reach(id: platform.id, name: platform.name, pages: 0, contactPages: 0)
                entry.pages += 1
                if page.findings.contains(where: { $0.platform == platform.id && $0.data.contains("contact-data") }) { entry.contactPages += 1 }
                reach[platform.id] = entry
            }
            // Companies that receive data (a link sends nothing until it is clicked).
            let receiving = Set(page.findings.filter { !$0.data.isEmpty }.compactMap(\.entity))
            for name in Set(page.entities.filter { receiving.contains($0.id) }.map(\.name)) { companies[name, default: 0] += 1 }
            let undisclosed = page.findings.filter { $0.rule.hasPrefix("policy-undisclosed") }.count
            if undisclosed > 0 {
                undisclosedPages += 1
                undisclosedFindings += undisclosed
            }
        }
        platforms = reach.values.sorted { ($1.pages, $0.id) < ($0.pages, $1.id) }
        self.companies = companies.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(10).map { ($0.key, $0.value) }
        self.grades = grades.keys.sorted().map { ($0, grades[$0]!) }
        unattributed = unknown.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        worst = pages.sorted { ($1.element.score, $0.offset) < ($0.element.score, $1.offset) }.prefix(5)
            .filter { $0.element.score > 0 }
            .map { WorstPage(index: $0.offset, url: $0.element.finalURL ?? $0.element.url, score: $0.element.score, grade: $0.element.grade) }
    }

    public static func == (lhs: ReportOverview, rhs: ReportOverview) -> Bool {
        lhs.platforms == rhs.platforms && lhs.worst == rhs.worst && lhs.audited == rhs.audited && lhs.failed == rhs.failed
            && lhs.companies.map(\.name) == rhs.companies.map(\.name) && lhs.companies.map(\.pages) == rhs.companies.map(\.pages)
            && lhs.grades.map(\.grade) == rhs.grades.map(\.grade) && lhs.grades.map(\.pages) == rhs.grades.map(\.pages)
            && lhs.undisclosedPages == rhs.undisclosedPages && lhs.undisclosedFindings == rhs.undisclosedFindings
            && lhs.unattributed.map(\.site) == rhs.unattributed.map(\.site) && lhs.unattributed.map(\.pages) == rhs.unattributed.map(\.pages)
    }

    /// "12 sites: a.example (3), b.example (2), …" for the sites no entity claims; nil when none.
    public var unattributedText: String? {
        guard !unattributed.isEmpty else { return nil }
        let shown = unattributed.prefix(10).map { "\($0.site) (\($0.pages))" }.joined(separator: ", ")
        return "\(unattributed.count) site\(unattributed.count == 1 ? "" : "s"): \(shown)\(unattributed.count > 10 ? ", …" : "")"
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(platforms)
        hasher.combine(worst)
    }

    /// Markdown for the top of a multi-page report.
    public func markdown() -> [String] {
        var lines = ["### Overview", ""]
        lines.append("\(audited) page(s) audited\(failed > 0 ? ", \(failed) failed" : "").")
        if !platforms.isEmpty {
            lines += ["", "| platform | pages | with contact data |", "|---|---:|---:|"]
            for entry in platforms {
                lines.append("| \(ReportRenderer.md(entry.name)) (`\(entry.id)`) | \(entry.pages) of \(audited) | \(entry.contactPages) |")
            }
        }
        if !companies.isEmpty {
            lines += ["", "Top companies: " + companies.map { "\(ReportRenderer.md($0.name)) (\($0.pages))" }.joined(separator: ", ") + "."]
        }
        if !grades.isEmpty {
            lines.append("Pages by grade: " + grades.map { "\($0.grade) \($0.pages)" }.joined(separator: " · ") + ".")
        }
        if !worst.isEmpty {
            lines.append("Worst pages: " + worst.map { "\(ReportRenderer.md($0.url)) (\(ExposureText.number($0.score)), \($0.grade))" }.joined(separator: "; ") + ".")
        }
        if undisclosedPages > 0 {
            lines.append("Flows the site's own policy does not disclose: \(undisclosedFindings) on \(undisclosedPages) page(s).")
        }
        if let text = unattributedText {
            lines.append("Third parties no entity claims: \(ReportRenderer.md(text)) (`dragnet rules suggest REPORT.json` drafts entities for them).")
        }
        lines.append("")
        return lines
    }

    /// HTML for the top of a multi-page report: the platform reach as an inline SVG bar chart, then tables.
    public func html() -> String {
        var parts = ["<section class=\"overview\"><h2>Overview</h2>"]
        parts.append("<p>\(audited) page(s) audited\(failed > 0 ? ", \(failed) failed" : "").</p>")
        if !platforms.isEmpty {
            let rowHeight = 22
            let width = 560
            let labelWidth = 150
            let scale = Double(width - labelWidth - 90) / Double(max(audited, 1))
            var svg = "<svg class=\"reach\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(rowHeight * platforms.count + 8)\" role=\"img\" aria-label=\"pages per platform\">"
            for (row, entry) in platforms.enumerated() {
                let y = row * rowHeight + 4
                let bar = max(1, Int((Double(entry.pages) * scale).rounded()))
                let contact = Int((Double(entry.contactPages) * scale).rounded())
                svg += "<text x=\"0\" y=\"\(y + 14)\" font-size=\"12\">\(ReportRenderer.xml(entry.name))</text>"
                svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(bar)\" height=\"16\" fill=\"#8aa4c8\"><title>\(entry.pages) pages</title></rect>"
                if contact > 0 {
                    svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(contact)\" height=\"16\" fill=\"#c0392b\"><title>\(entry.contactPages) with contact data</title></rect>"
                }
                svg += "<text x=\"\(labelWidth + bar + 6)\" y=\"\(y + 13)\" font-size=\"12\">\(entry.pages)\(entry.contactPages > 0 ? " (\(entry.contactPages) contact)" : "")</text>"
            }
            svg += "</svg>"
            parts.append("<h3>Platform reach</h3><p class=\"meta\">pages per platform; red: pages that send it contact data</p>" + svg)
        }
        if !companies.isEmpty {
            parts.append("<h3>Top companies</h3><table><thead><tr><th>company</th><th>pages</th></tr></thead><tbody>")
            for company in companies { parts.append("<tr><td>\(ReportRenderer.xml(company.name))</td><td>\(company.pages)</td></tr>") }
            parts.append("</tbody></table>")
        }
        if !grades.isEmpty {
            parts.append("<h3>Pages by grade</h3><p>" + grades.map { "<span class=\"grade-\(ReportRenderer.xml($0.grade))\">\(ReportRenderer.xml($0.grade)): \($0.pages)</span>" }.joined(separator: " · ") + "</p>")
        }
        if !worst.isEmpty {
            parts.append("<h3>Worst pages</h3><ol>")
            for page in worst {
                parts.append("<li><a href=\"#page-\(page.index)\">\(ReportRenderer.xml(page.url))</a> — \(ExposureText.number(page.score)) (\(ReportRenderer.xml(page.grade)))</li>")
            }
            parts.append("</ol>")
        }
        if undisclosedPages > 0 {
            parts.append("<p>Flows the site's own policy does not disclose: <strong>\(undisclosedFindings)</strong> on \(undisclosedPages) page(s).</p>")
        }
        if let text = unattributedText {
            parts.append("<p>Third parties no entity claims: \(ReportRenderer.xml(text)) (<code>dragnet rules suggest REPORT.json</code> drafts entities for them).</p>")
        }
        parts.append("</section>")
        return parts.joined()
    }
}
