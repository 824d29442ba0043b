public import DragnetCore
import Foundation

/// Help text for rule ids, from the rule pack when one is at hand.
public struct RuleHelp: Sendable {
    public var titles: [String: String]
    public var descriptions: [String: String]
    public var helpURI: [String: String]

    public init(titles: [String: String] = [:], descriptions: [String: String] = [:], helpURI: [String: String] = [:]) {
        self.titles = titles
        self.descriptions = descriptions
        self.helpURI = helpURI
    }

    static let generic: [String: String] = [
        "entity-script": "The page runs a script from a site the entity map attributes to this company: the script can read the page, its cookies and every interaction.",
        "entity-pixel": "The page loads a tracking pixel from the company: a request carrying identifiers and the page address.",
        "entity-iframe-embed": "The page embeds a frame from the company, which runs with its own cookies on every visit.",
        "entity-form-post": "A form on the page submits what the visitor types to the company.",
        "entity-cookie": "A response sets a cookie for the company's domain.",
        "entity-resource": "The page fetches a stylesheet, font or media file from the company: it learns the visitor's IP address, browser and the page.",
        "entity-link": "The page links to the company; nothing flows until the visitor clicks.",
        "unattributed-script": "The page runs a script from a third-party site no entity in the rules owns.",
        "unattributed-pixel": "The page loads a pixel from a third-party site no entity in the rules owns.",
        "unattributed-iframe-embed": "The page embeds a frame from a third-party site no entity in the rules owns.",
        "unattributed-form-post": "A form submits to a third-party site no entity in the rules owns.",
        "policy-undisclosed-recipient": "Data goes to a company the site's own privacy policy neither names nor covers in general terms.",
        "policy-undisclosed-session-replay": "Session replay records the visit while the privacy policy does not mention it.",
        "policy-undisclosed-form-recipient": "A form sends contact data to a third party the privacy policy does not name.",
        "policy-undisclosed-ai-vendor": "What visitors type goes to an AI vendor the privacy policy names neither by name nor as an AI provider.",
        "policy-ai-training-ai-vendor": "The privacy policy says data trains AI models, and the page sends visitors' words to an AI vendor.",
    ]

    func text(_ rule: String, fallback: String) -> String { descriptions[rule] ?? Self.generic[rule] ?? fallback }
}

/// Renderers over a report: Markdown, SARIF 2.1.0, JUnit XML, DOT/Mermaid/JSON graphs.
public enum ReportRenderer {
    // MARK: - Markdown

    /// Sized for a pull-request comment: exposure per platform, the top findings with
    /// evidence, and what changed since `previous` when there is one.
    public static func markdown(_ report: AuditReport, previous: AuditReport? = nil, topFindings: Int = 15) -> String {
        var lines = ["## Dragnet audit", ""]
        let audited = report.pages.filter { $0.error == nil || $0.status != nil }
        lines.append("\(report.pages.count) page(s), \(report.pages.count - audited.count) failed · dragnet \(report.toolVersion)")
        lines.append("")
        if report.pages.count > 1 { lines += ReportOverview(report).markdown() }
        var best: [String: (name: String, score: Double, grade: String, pages: Int)] = [:]
        for page in report.pages {
            for platform in page.platforms {
                let current = best[platform.id]
                if current == nil || platform.score > current!.score {
                    best[platform.id] = (platform.name, platform.score, platform.grade, (current?.pages ?? 0) + 1)
                } else {
                    best[platform.id]!.pages += 1
                }
            }
        }
        lines.append("| platform | highest exposure | grade | pages |")
        lines.append("|---|---:|:---:|---:|")
        for (id, entry) in best.sorted(by: { ($1.value.score, $0.key) < ($0.value.score, $1.key) }) where entry.score > 0 {
            lines.append("| \(md(entry.name)) (`\(id)`) | \(ExposureText.number(entry.score)) | \(entry.grade) | \(entry.pages) |")
        }
        if report.pages.count > 1 {
            lines.append("")
            lines.append("| page | exposure | grade |")
            lines.append("|---|---:|:---:|")
            for page in report.pages {
                lines.append("| \(md(page.finalURL ?? page.url)) | \(page.error != nil && page.status == nil ? "failed" : ExposureText.number(page.score)) | \(page.grade) |")
            }
        }
        let findings = report.pages.flatMap { page in page.findings.map { (page, $0) } }
            .filter { $0.1.severityRank >= 2 }
            .sorted { ($1.1.severityRank, $0.1.platform, $0.1.id) < ($0.1.severityRank, $1.1.platform, $1.1.id) }
        lines.append("")
        lines.append("### Top findings")
        if findings.isEmpty { lines.append("None of medium severity or above.") }
        for (page, finding) in findings.prefix(topFindings) {
            let evidence = finding.evidence.first.map { item in
                [item.url.map { "`\(code(stripQuery($0)))`" }, item.snippet.map { "`\(code(String($0.prefix(60))))`" }, item.line.map { "line \($0)" }]
                    .compactMap { $0 }.joined(separator: " ")
            } ?? ""
            let data = finding.data.isEmpty ? "" : " — \(finding.data.joined(separator: ", "))"
            let account = finding.accountID.map { " `\(code($0))`" } ?? ""
            let via = (finding.viaText.map { " · via \(md($0))" } ?? "") + (finding.seenBy == ["browser"] ? " · seen only by the browser" : "")
                + (finding.decodedText.map { " · \(md($0))" } ?? "") + (page.ownerText(finding).map { " · \(md($0))" } ?? "")
            lines.append("- **\(finding.severity.rawValue)** \(md(finding.title))\(account)\(data) · \(evidence)\(via) · \(md(page.site ?? page.url))")
        }
        if findings.count > topFindings { lines.append("- … and \(findings.count - topFindings) more in the JSON report") }
        lines += AICrawlerOverview(report).markdown()
        if let previous {
            let diff = ReportDiff.compare(previous, report)
            lines.append("")
            lines.append("### Changes since the previous run")
            let changed = diff.pages.filter { $0.status != .unchanged }
            if changed.isEmpty { lines.append("No change.") }
            for page in changed {
                let items = page.summaryItems.map { item in
                    item.change == "~" ? item.item : "**\(item.change)** \(item.kind): `\(code(item.item))`"
                }
                lines.append("- `\(code(page.page))` (\(page.status.rawValue)): \(items.prefix(12).joined(separator: "; "))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Escapes Markdown table and emphasis characters in text from pages.
    package static func md(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "|", "*", "_", "`", "[", "]", "<", ">", "\\", "#": result.append("\\"); result.append(character)
            case "\n", "\r": result.append(" ")
            default: result.append(character)
            }
        }
        return result
    }

    /// Text inside a Markdown code span (backticks cannot be escaped there).
    static func code(_ text: String) -> String { text.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "\n", with: " ") }

    static func stripQuery(_ url: String) -> String {
        guard let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
        return String(url[..<cut])
    }

    // MARK: - SARIF 2.1.0

    /// One `rule` per Dragnet rule with help text, one `result` per finding, the page as the
    /// location, and the finding id as a stable partial fingerprint.
    public static func sarif(_ report: AuditReport, help: RuleHelp = RuleHelp(), extra: [ExtraResult] = []) -> JSONValue {
        var ruleIDs: [String] = []
        var titles: [String: String] = [:]
        for result in extra where titles[result.rule] == nil {
            ruleIDs.append(result.rule)
            titles[result.rule] = result.title
        }
        for page in report.pages {
            for finding in page.findings where titles[finding.rule] == nil {
                ruleIDs.append(finding.rule)
                titles[finding.rule] = help.titles[finding.rule] ?? finding.title
            }
        }
        ruleIDs.sort()
        let index = Dictionary(uniqueKeysWithValues: ruleIDs.enumerated().map { ($1, $0) })
        let rules: [JSONValue] = ruleIDs.map { id in
            var members: [(String, JSONValue)] = [
                ("id", .string(id)),
                ("name", .string(id)),
                ("shortDescription", .object([("text", .string(titles[id] ?? id))])),
                ("fullDescription", .object([("text", .string(help.text(id, fallback: titles[id] ?? id)))])),
                ("help", .object([("text", .string(help.text(id, fallback: titles[id] ?? id) + " See docs/rules.md."))])),
            ]
            if let uri = help.helpURI[id] { members.append(("helpUri", .string(uri))) }
            return .object(members)
        }
        var results: [JSONValue] = []
        for page in report.pages {
            for finding in page.findings {
                let level = finding.severityRank >= 3 ? "error" : finding.severityRank == 2 ? "warning" : "note"
                var message = finding.title
                if let account = finding.accountID { message += " (\(account))" }
                if let via = finding.viaText { message += ", via \(via)" }
                if !finding.data.isEmpty { message += ": sends \(finding.data.joined(separator: ", ")) to \(finding.platform)" }
                var location: [(String, JSONValue)] = [("artifactLocation", .object([("uri", .string(page.finalURL ?? page.url))]))]
                if let line = finding.evidence.first?.line { location.append(("region", .object([("startLine", .int(line))]))) }
                results.append(.object([
                    ("ruleId", .string(finding.rule)),
                    ("ruleIndex", .int(index[finding.rule] ?? 0)),
                    ("level", .string(level)),
                    ("message", .object([("text", .string(message))])),
                    ("locations", .array([.object([("physicalLocation", .object(location))])])),
                    ("partialFingerprints", .object([("dragnetFindingId/v1", .string(finding.id))])),
                    ("properties", .object([
                        ("severity", .string(finding.severity.rawValue)), ("platform", .string(finding.platform)), ("channel", .string(finding.channel.rawValue)),
                        ("entity", .string(finding.entity)), ("data", .array(finding.data.map { .string($0) })),
                        ("seenBy", .array(finding.seenBy.map { .string($0) })),
                    ] + (finding.events.isEmpty ? [] : [("events", .array(finding.events.map { .string($0) }))])
                        + (finding.fields.isEmpty ? [] : [("fields", .array(finding.fields.map(\.json)))]))),
                ]))
            }
        }
        for result in extra {
            results.append(.object([
                ("ruleId", .string(result.rule)),
                ("ruleIndex", .int(index[result.rule] ?? 0)),
                ("level", .string(result.failing ? "error" : "warning")),
                ("message", .object([("text", .string(result.message))])),
                ("locations", .array([.object([("physicalLocation", .object([("artifactLocation", .object([("uri", .string(result.page))]))]))])])),
            ]))
        }
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([
                ("tool", .object([("driver", .object([
                    ("name", .string("dragnet")), ("version", .string(report.toolVersion)),
                    ("informationUri", .string("https://github.com/dragnet-audit/dragnet")), ("rules", .array(rules)),
                ]))])),
                ("results", .array(results)),
            ])])),
        ])
    }

    // MARK: - JUnit XML

    /// A testsuite per page; testcases: the fetch, the privacy policy, and each finding
    /// (a failure when its severity is medium or above).
    public static func junit(_ report: AuditReport, extra: [ExtraResult] = []) -> String {
        var suites: [String] = []
        var totalTests = 0
        var totalFailures = 0
        for page in report.pages {
            var cases: [String] = []
            var failures = 0
            let name = page.finalURL ?? page.url
            if let error = page.error, page.status == nil {
                cases.append("    <testcase classname=\"\(xml(name))\" name=\"fetch\"><failure message=\"\(xml(error))\"/></testcase>")
                failures += 1
            } else {
                cases.append("    <testcase classname=\"\(xml(name))\" name=\"fetch\"/>")
                if let policy = page.policy {
                    if policy.practices.isEmpty, let error = policy.error {
                        cases.append("    <testcase classname=\"\(xml(name))\" name=\"privacy policy\"><failure message=\"\(xml("no policy read: " + error))\"/></testcase>")
                        failures += 1
                    } else {
                        cases.append("    <testcase classname=\"\(xml(name))\" name=\"privacy policy\"/>")
                    }
                }
            }
            for result in extra where result.page == name {
                if result.failing {
                    cases.append("    <testcase classname=\"\(xml(name))\" name=\"\(xml(result.rule + ": " + result.subject))\"><failure message=\"\(xml(result.message))\"/></testcase>")
                    failures += 1
                } else {
                    cases.append("    <testcase classname=\"\(xml(name))\" name=\"\(xml(result.rule + ": " + result.subject))\"><system-out>\(xml(result.message))</system-out></testcase>")
                }
            }
            for finding in page.findings {
                let caseName = "\(finding.rule) → \(finding.target)\(finding.accountID.map { " [\($0)]" } ?? "") (\(finding.id))"
                if finding.severityRank >= 2 {
                    let message = "\(finding.severity.rawValue): \(finding.title)"
                    let detail = finding.evidence.map { [$0.element, $0.url ?? "", $0.line.map { "line \($0)" } ?? ""].joined(separator: " ") }.joined(separator: "\n")
                    cases.append("    <testcase classname=\"\(xml(name))\" name=\"\(xml(caseName))\"><failure message=\"\(xml(message))\">\(xml(detail))</failure></testcase>")
                    failures += 1
                } else {
                    cases.append("    <testcase classname=\"\(xml(name))\" name=\"\(xml(caseName))\"/>")
                }
            }
            totalTests += cases.count
            totalFailures += failures
            suites.append("  <testsuite name=\"\(xml(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">\n" + cases.joined(separator: "\n") + "\n  </testsuite>")
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dragnet\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\">\n"
            + suites.joined(separator: "\n") + "\n</testsuites>\n"
    }

    /// Escapes text for XML and HTML (elements and attribute values).
    public static func xml(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" { result += " " } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }

    // MARK: - Graphs

    public static func dot(_ page: AuditReport.Page) -> String {
        var lines = ["digraph dragnet {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for node in page.nodes {
            let shape = node.type == "platform" ? "doubleoctagon" : node.type == "entity" ? "ellipse" : node.type == "page" ? "house" : "box"
            lines.append("  \"\(dotEscape(node.id))\" [label=\"\(dotEscape(node.label))\", shape=\(shape)];")
        }
        for edge in page.edges {
            let label = ([edge.type, edge.kind].compactMap { $0 } + (edge.labels.isEmpty ? [] : ["(" + edge.labels.joined(separator: ", ") + ")"])).joined(separator: " ")
            lines.append("  \"\(dotEscape(edge.from))\" -> \"\(dotEscape(edge.to))\" [label=\"\(dotEscape(label))\"];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func dotEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: " ")
    }

    public static func mermaid(_ page: AuditReport.Page) -> String {
        var ids: [String: String] = [:]
        for (index, node) in page.nodes.enumerated() { ids[node.id] = "n\(index)" }
        var lines = ["flowchart LR"]
        for node in page.nodes {
            let label = mermaidEscape(node.label)
            let shape = node.type == "platform" ? "{{\"\(label)\"}}" : node.type == "entity" ? "([\"\(label)\"])" : "[\"\(label)\"]"
            lines.append("  \(ids[node.id]!)\(shape)")
        }
        for edge in page.edges {
            guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
            let label = mermaidEscape(([edge.type, edge.kind].compactMap { $0 } + edge.labels).joined(separator: " "))
            lines.append("  \(from) -->|\"\(label)\"| \(to)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func mermaidEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "#quot;").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "#124;")
    }
}

/// A result that is not a finding of the report (a `dragnet check` gate such as `ai-crawlers:`),
/// written into SARIF and JUnit next to the findings.
public struct ExtraResult: Sendable {
    public var page: String
    public var rule: String
    public var title: String
    /// What the result is about (a crawler), for the JUnit test-case name.
    public var subject: String
    public var message: String
    public var failing: Bool

    public init(page: String, rule: String, title: String, subject: String, message: String, failing: Bool) {
        self.page = page
        self.rule = rule
        self.title = title
        self.subject = subject
        self.message = message
        self.failing = failing
    }
}
