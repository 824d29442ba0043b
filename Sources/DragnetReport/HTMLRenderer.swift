import DragnetCore
import Foundation

extension ReportRenderer {
    /// One self-contained HTML file (no network): exposure per platform, findings with
    /// evidence in sortable tables, the data-flow graph of each page as SVG, and the policy.
    /// Every string that comes from a page goes through `xml(_:)`.
    /// - Parameter history: per page key (URL without scheme and query), its scores over earlier runs (oldest first) for a small chart.
    public static func html(_ report: AuditReport, previous: AuditReport? = nil, history: [String: [(run: String, score: Double)]] = [:]) -> String {
        var body: [String] = []
        body.append("<h1>Dragnet audit</h1>")
        body.append("<p class=\"meta\">\(report.pages.count) page(s) · started \(xml(report.startedAt)) · dragnet \(xml(report.toolVersion))</p>")
        if report.pages.count > 1 { body.append(ReportOverview(report).html()) }
        let aiCrawlers = AICrawlerOverview(report).html()
        if !aiCrawlers.isEmpty { body.append(aiCrawlers) }
        if let previous {
            let diff = ReportDiff.compare(previous, report)
            let changed = diff.pages.filter { $0.status != .unchanged }
            body.append("<section><h2>Changes since the previous run</h2>")
            if changed.isEmpty { body.append("<p>No change.</p>") }
            for page in changed {
                let items = page.summaryItems.map { item in
                    item.change == "~"
                        ? "<li>\(xml(item.item))</li>"
                        : "<li class=\"\(item.change == "+" ? "added" : "removed")\">\(item.change) \(xml(item.kind)): \(xml(item.item))</li>"
                }
                body.append("<h3>\(xml(page.page))</h3><ul>\(items.joined())</ul>")
            }
            body.append("</section>")
        }
        for (index, page) in report.pages.enumerated() {
            body.append("<section class=\"page\" id=\"page-\(index)\">")
            body.append("<h2>\(xml(page.finalURL ?? page.url))</h2>")
            if let error = page.error, page.status == nil {
                body.append("<p class=\"error\">Not audited: \(xml(error))</p></section>")
                continue
            }
            body.append("<p class=\"score grade-\(xml(page.grade))\">Exposure <strong>\(ExposureText.number(page.score))</strong> (grade \(xml(page.grade)))</p>")
            if let points = history[page.key], points.count >= 2 { body.append(chart(points)) }
            body.append("<table class=\"sortable\"><thead><tr><th>platform</th><th>score</th><th>grade</th></tr></thead><tbody>")
            for platform in page.platforms.sorted(by: { ($1.score, $0.id) < ($0.score, $1.id) }) {
                body.append("<tr><td>\(xml(platform.name)) <code>\(xml(platform.id))</code></td><td>\(ExposureText.number(platform.score))</td><td>\(xml(platform.grade))</td></tr>")
            }
            body.append("</tbody></table>")
            body.append("<h3>Data flows</h3>")
            body.append(svg(page))
            let initiated = page.edges.filter { $0.type == "initiates" }
            if !initiated.isEmpty {
                let labels = Dictionary(page.nodes.map { ($0.id, $0.label) }, uniquingKeysWith: { first, _ in first })
                body.append("<p>Which site's scripts made requests to which other site (seen by the browser):</p><ul class=\"initiated\">")
                for edge in initiated.prefix(40) {
                    let scripts = edge.labels.prefix(3).map { "<code>\(xml($0))</code>" }.joined(separator: ", ")
                    body.append("<li>\(xml(labels[edge.from] ?? edge.from)) → \(xml(labels[edge.to] ?? edge.to)): \(edge.count) \(xml(edge.kind ?? "request")) request\(edge.count == 1 ? "" : "s") by \(scripts)</li>")
                }
                body.append("</ul>")
            }
            body.append("<h3>Findings</h3>")
            body.append("<table class=\"sortable\"><thead><tr><th>severity</th><th>platform</th><th>finding</th><th>channel</th><th>data</th><th>evidence</th><th>id</th></tr></thead><tbody>")
            for finding in page.findings.sorted(by: { ($1.severityRank, $0.platform, $0.id) < ($0.severityRank, $1.platform, $1.id) }) {
                let evidence = finding.evidence.map { item in
                    [item.element, item.url.map(stripQuery), item.line.map { "line \($0)" }, item.snippet.map { "“\(String($0.prefix(80)))”" }]
                        .compactMap { $0 }.map(xml).joined(separator: " ")
                }.joined(separator: "<br>")
                body.append(
                    "<tr class=\"sev-\(xml(finding.severity.rawValue))\"><td data-sort=\"\(finding.severityRank)\">\(xml(finding.severity.rawValue))</td><td>\(xml(finding.platform))</td>"
                        + "<td>\(xml(finding.title))\(finding.accountID.map { " <code>\(xml($0))</code>" } ?? "")\(finding.viaText.map { "<br><small>via \(xml($0))</small>" } ?? "")\(finding.seenByText.map { "<br><small>seen by: \(xml($0))</small>" } ?? "")\(finding.decodedText.map { "<br><small>\(xml($0))</small>" } ?? "")\(page.ownerText(finding).map { "<br><small>\(xml($0))</small>" } ?? "")</td><td>\(xml(finding.channel.rawValue))</td>"
                        + "<td>\(xml(finding.data.joined(separator: ", ")))</td><td class=\"evidence\">\(evidence)</td><td><code>\(xml(finding.id))</code></td></tr>")
            }
            body.append("</tbody></table>")
            if let access = page.aiAccess { body.append(AICrawlerOverview.pageHTML(access)) }
            if let policy = page.policy {
                body.append("<h3>Privacy policy</h3>")
                body.append("<p><a href=\"\(xml(safeLink(policy.url)))\">\(xml(policy.url))</a> (found by \(xml(policy.foundBy)))</p>")
                if !policy.practices.isEmpty { body.append("<p>States: \(policy.practices.map { "<code>\(xml($0))</code>" }.joined(separator: " "))</p>") }
                if !policy.negatedOnly.isEmpty { body.append("<p>Denies: \(policy.negatedOnly.map { "<code>\(xml($0))</code>" }.joined(separator: " "))</p>") }
                if let error = policy.error, policy.practices.isEmpty { body.append("<p class=\"error\">\(xml(error))</p>") }
            }
            body.append("</section>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
            <meta name="referrer" content="no-referrer">
            <title>Dragnet audit</title>
            <style>\(css)</style></head>
            <body>
            \(body.joined(separator: "\n"))
            <script>\(sortScript)</script>
            </body></html>

            """
    }

    /// The page's exposure over its recorded runs, as a small SVG line chart.
    static func chart(_ points: [(run: String, score: Double)]) -> String {
        let width = 320
        let height = 80
        let step = Double(width - 20) / Double(max(1, points.count - 1))
        let coordinates = points.enumerated().map { index, point in
            "\(10 + Int((Double(index) * step).rounded())),\(height - 10 - Int((point.score / 100 * Double(height - 20)).rounded()))"
        }
        let titles = points.map { "\(xml($0.run)): \(ExposureText.number($0.score))" }.joined(separator: "; ")
        return "<figure class=\"history\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"exposure over time\">"
            + "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#fafafa\"/><polyline fill=\"none\" stroke=\"#c62828\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>"
            + "<title>\(titles)</title></svg><figcaption>exposure over \(points.count) runs</figcaption></figure>"
    }

    /// Only http(s) links are clickable; anything else (javascript:, data:) becomes inert.
    static func safeLink(_ url: String) -> String {
        let lowered = url.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") ? url : "#"
    }

    /// The page's data flows as SVG: page → third-party sites → entities → platforms,
    /// with the data categories each entity receives on its edge to its platform.
    public static func svg(_ page: AuditReport.Page) -> String {
        let nodes = Dictionary(page.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var sites = page.nodes.filter { $0.type == "site" && $0.firstParty == false }.map(\.id).sorted()
        let shownSites = Set(sites.prefix(40))
        let hidden = sites.count - shownSites.count
        sites = Array(sites.prefix(40))
        let entities = page.nodes.filter { $0.type == "entity" }.map(\.id).sorted()
        let platforms = page.nodes.filter { $0.type == "platform" }.map(\.id).sorted()
        let rowHeight = 26
        let rows = max(1, sites.count, entities.count, platforms.count)
        let height = rows * rowHeight + 40
        let columns = [20, 240, 470, 900]
        let width = 1110
        var position: [String: (x: Int, y: Int)] = ["page": (columns[0], height / 2)]
        for (index, id) in sites.enumerated() { position[id] = (columns[1], 30 + index * rowHeight) }
        for (index, id) in entities.enumerated() { position[id] = (columns[2], 30 + index * rowHeight) }
        for (index, id) in platforms.enumerated() { position[id] = (columns[3], 30 + index * rowHeight) }
        var sent: [String: Set<String>] = [:]
        for edge in page.edges where edge.type == "sends" { sent[edge.to, default: []].formUnion(edge.labels) }
        var parts: [String] = []
        func line(_ from: String, _ to: String, _ cls: String, label: String? = nil) {
            guard let a = position[from], let b = position[to] else { return }
            parts.append("<line class=\"\(cls)\" x1=\"\(a.x + 190)\" y1=\"\(a.y)\" x2=\"\(b.x)\" y2=\"\(b.y)\"/>")
            if let label, !label.isEmpty {
                parts.append("<text class=\"edge\" x=\"\(a.x + 196)\" y=\"\(a.y - 3)\">\(xml(String(label.prefix(40))))</text>")
            }
        }
        for id in sites { line("page", id, "loads") }
        for edge in page.edges where edge.type == "owned-by" && shownSites.contains(edge.from) { line(edge.from, edge.to, "owned") }
        // A script of one site making requests to another: an arc beside the sites column.
        for edge in page.edges where edge.type == "initiates" {
            guard let a = position[edge.from], let b = position[edge.to], edge.from != "page" else { continue }
            let bend = a.x + 190 + 30 + abs(a.y - b.y) / 8
            parts.append("<path class=\"initiates\" d=\"M\(a.x + 190) \(a.y) C\(bend) \(a.y) \(bend) \(b.y) \(a.x + 190) \(b.y)\"><title>\(xml(edge.labels.first ?? "")) → \(xml(nodes[edge.to]?.label ?? edge.to))</title></path>")
        }
        for edge in page.edges where edge.type == "part-of" {
            line(edge.from, edge.to, "part", label: sent[edge.from].map { $0.sorted().joined(separator: ", ") })
        }
        for id in position.keys.sorted() {
            let point = position[id]!
            let node = nodes[id]
            let label = id == "page" ? "this page" : node?.label ?? id
            let type = node?.type ?? "page"
            parts.append("<g class=\"node \(xml(type))\"><rect x=\"\(point.x)\" y=\"\(point.y - 10)\" width=\"190\" height=\"20\" rx=\"4\"/>"
                + "<text x=\"\(point.x + 6)\" y=\"\(point.y + 4)\">\(xml(String(label.prefix(30))))</text><title>\(xml(label))</title></g>")
        }
        if hidden > 0 { parts.append("<text class=\"edge\" x=\"\(columns[1])\" y=\"\(height - 6)\">… and \(hidden) more sites</text>") }
        return "<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"data-flow graph\">"
            + parts.joined() + "</svg>"
    }

    static let css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{margin:0}.meta{color:#666}
        table{border-collapse:collapse;margin:.5em 0 1em;width:100%}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
        th{background:#f4f4f4;cursor:pointer}code{font-size:12px}.evidence{font-size:12px;word-break:break-all}
        .sev-critical td:first-child{background:#b00020;color:#fff}.sev-high td:first-child{background:#e65100;color:#fff}
        .sev-medium td:first-child{background:#ffb300}.score strong{font-size:1.6em}.error{color:#b00020}
        .added{color:#1b5e20}.removed{color:#b00020}section.page{border-top:2px solid #eee;margin-top:2em}
        svg.graph{max-width:100%;height:auto;background:#fafafa;border:1px solid #eee}
        svg line{stroke:#bbb;stroke-width:1}svg line.part{stroke:#c62828;stroke-width:2}svg line.owned{stroke:#888}
        svg .node rect{fill:#e3f2fd;stroke:#90caf9}svg .node.entity rect{fill:#fff3e0;stroke:#ffb74d}
        svg .node.platform rect{fill:#ffebee;stroke:#e57373}svg .node.page rect{fill:#e8f5e9;stroke:#81c784}
        svg path.initiates{fill:none;stroke:#6a1b9a;stroke-dasharray:3 2}svg text{font:11px sans-serif;fill:#222}svg text.edge{fill:#c62828;font-size:10px}
        """

    static let sortScript = """
        document.querySelectorAll('table.sortable').forEach(function (table) {
          table.querySelectorAll('th').forEach(function (th, column) {
            th.addEventListener('click', function () {
              var body = table.tBodies[0];
              var rows = Array.prototype.slice.call(body.rows);
              var descending = th.getAttribute('data-order') !== 'desc';
              th.setAttribute('data-order', descending ? 'desc' : 'asc');
              rows.sort(function (a, b) {
                var x = a.cells[column].getAttribute('data-sort') || a.cells[column].textContent;
                var y = b.cells[column].getAttribute('data-sort') || b.cells[column].textContent;
                var nx = parseFloat(x), ny = parseFloat(y);
                var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
                return descending ? -order : order;
              });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
        });
        """
}
