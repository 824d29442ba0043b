import ArgumentParser
import DragnetCore
import DragnetReport
import DragnetRules
import Foundation

/// Output formats of a report, and where each goes next to the JSON file.
enum ReportFormats {
    static let all = ["json", "md", "html", "sarif", "junit"]
    static let extensions = ["md": "md", "html": "html", "sarif": "sarif", "junit": "junit.xml"]

    static func parse(_ text: String) throws -> [String] {
        let formats = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        for format in formats where !all.contains(format) {
            throw ValidationError("unknown format '\(format)' (use \(all.joined(separator: ", ")))")
        }
        return formats.isEmpty ? ["json"] : formats
    }

    /// Help text for SARIF rules from the rule pack.
    static func help(_ rules: RulePack?) -> RuleHelp {
        guard let rules else { return RuleHelp() }
        var titles: [String: String] = [:]
        var descriptions: [String: String] = [:]
        var uris: [String: String] = [:]
        for tracker in rules.trackers {
            titles[tracker.id] = tracker.title
            descriptions[tracker.id] = tracker.description.isEmpty ? tracker.title : tracker.description
            if let url = tracker.sources.first?.url { uris[tracker.id] = url }
        }
        return RuleHelp(titles: titles, descriptions: descriptions, helpURI: uris)
    }

    /// Per page URL, its scores in every recorded run.
    static func scoresByPage(_ store: HistoryStore?) -> [String: [(run: String, score: Double)]] {
        guard let entries = try? store?.entries(site: nil) else { return [:] }
        var result: [String: [(run: String, score: Double)]] = [:]
        for entry in entries { result[entry.key, default: []].append(("run \(entry.run), \(entry.startedAt)", entry.score)) }
        return result
    }

    /// The newest other `dragnet-*.json` report in the folder of `path`, if any.
    static func previous(of path: String) -> AuditReport? {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? [])
            .filter { $0.hasPrefix("dragnet-") && $0.hasSuffix(".json") && $0 != name && $0 < name }
            .sorted()
        guard let last = names.last else { return nil }
        return try? AuditReport(path: (folder as NSString).appendingPathComponent(last))
    }

    /// Writes every format but JSON next to `jsonPath`; returns the paths written.
    static func render(
        _ formats: [String], jsonPath: String, rules: RulePack?, previous: AuditReport?, history: [String: [(run: String, score: Double)]] = [:]
    ) throws -> [String] {
        let others = formats.filter { $0 != "json" }
        guard !others.isEmpty else { return [] }
        let report = try AuditReport(path: jsonPath)
        let base = jsonPath.hasSuffix(".json") ? String(jsonPath.dropLast(5)) : jsonPath
        var written: [String] = []
        for format in others {
            let path = base + "." + extensions[format]!
            try text(format, report: report, rules: rules, previous: previous, history: history).write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        return written
    }

    static func text(
        _ format: String, report: AuditReport, rules: RulePack?, previous: AuditReport?, history: [String: [(run: String, score: Double)]] = [:]
    ) -> String {
        switch format {
        case "md": ReportRenderer.markdown(report, previous: previous)
        case "html": ReportRenderer.html(report, previous: previous, history: history)
        case "sarif": ReportRenderer.sarif(report, help: help(rules)).prettyText + "\n"
        case "junit": ReportRenderer.junit(report)
        default: ""
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a JSON report as Markdown, HTML, SARIF 2.1.0 or JUnit XML.",
        discussion: "Exit codes: 0 success, 2 usage error (unreadable report)."
    )

    @Argument(help: "A report written by dragnet audit.")
    var report: String

    @Option(help: "md, html, sarif or junit.")
    var format: String = "md"

    @Option(help: "Write here instead of stdout.")
    var output: String?

    @Option(help: "An earlier report: the Markdown and HTML show what changed since.")
    var previous: String?

    @OptionGroup var rules: RuleFlags

    func validate() throws {
        guard ["md", "html", "sarif", "junit"].contains(format) else { throw ValidationError("--format must be md, html, sarif or junit") }
    }

    func run() throws {
        let parsed = try AuditReport(path: report)
        let earlier = try previous.map { try AuditReport(path: $0) }
        let pack = try? rules.load()
        let text = ReportFormats.text(format, report: parsed, rules: pack, previous: earlier)
        if let output { try text.write(toFile: output, atomically: true, encoding: .utf8) } else { print(text, terminator: "") }
    }
}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a page's data-flow graph from a report as DOT, Mermaid or JSON.",
        discussion: "Exit codes: 0 success, 2 usage error (unreadable report, no such page)."
    )

    @Argument(help: "A report written by dragnet audit.")
    var report: String

    @Option(help: "dot, mermaid or json.")
    var format: String = "dot"

    @Option(help: "Which page: its position (1-based) or its URL (default: every page).")
    var page: String?

    func validate() throws {
        guard ["dot", "mermaid", "json"].contains(format) else { throw ValidationError("--format must be dot, mermaid or json") }
    }

    func run() throws {
        let parsed = try AuditReport(path: report)
        var pages = parsed.pages
        if let page {
            if let number = Int(page), number >= 1, number <= pages.count {
                pages = [pages[number - 1]]
            } else {
                pages = pages.filter { $0.url == page || $0.finalURL == page }
                guard !pages.isEmpty else { throw UsageError(description: "no page \(page) in \(report)") }
            }
        }
        for page in pages {
            switch format {
            case "dot": print(ReportRenderer.dot(page), terminator: "")
            case "mermaid": print(ReportRenderer.mermaid(page), terminator: "")
            default:
                let json = JSONValue.object([
                    ("page", .string(page.finalURL ?? page.url)),
                    ("nodes", .array(page.nodes.map { node in
                        var members: [(String, JSONValue)] = [("id", .string(node.id)), ("type", .string(node.type)), ("label", .string(node.label))]
                        if let firstParty = node.firstParty { members.append(("firstParty", .bool(firstParty))) }
                        return .object(members)
                    })),
                    ("edges", .array(page.edges.map { edge in
                        var members: [(String, JSONValue)] = [
                            ("from", .string(edge.from)), ("to", .string(edge.to)), ("type", .string(edge.type)), ("count", .int(edge.count)),
                        ]
                        if let kind = edge.kind { members.append(("kind", .string(kind))) }
                        if !edge.labels.isEmpty { members.append(("labels", .array(edge.labels.map { .string($0) }))) }
                        return .object(members)
                    })),
                ])
                print(json.text)
            }
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two audits: sites, entities, platforms, trackers, cookies, data, forms, policy practices, scores.",
        discussion: """
            A and B are report files, or runs from the history database (a run id, or a date for that day's last run). \
            Pages are matched by URL without query; findings by their stable ids, so cache-busters and rotating parameters \
            are no change. Exit codes: 0, 1 when --fail-on matched, 2 usage error.
            """
    )

    @Argument(help: "The older report.")
    var old: String

    @Argument(help: "The newer report.")
    var new: String

    @Option(help: "text, md or json.")
    var format: String = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when anything was added (added) or a score went up (score-up); repeatable.")
    var failOn: [String] = []

    @Option(help: "The history database for run references (default: $DRAGNET_HISTORY, else reports/history.sqlite).")
    var history: String?

    func validate() throws {
        guard ["text", "md", "json"].contains(format) else { throw ValidationError("--format must be text, md or json") }
        for condition in failOn where !["added", "score-up"].contains(condition) {
            throw ValidationError("--fail-on takes added or score-up, not '\(condition)'")
        }
    }

    func run() throws {
        let diff = ReportDiff.compare(try HistoryLocation.report(old, history: history), try HistoryLocation.report(new, history: history))
        switch format {
        case "json": print(diff.json.prettyText)
        default: print(diff.render(markdown: format == "md"))
        }
        if (failOn.contains("added") && diff.hasAdditions) || (failOn.contains("score-up") && diff.scoreWentUp) {
            throw ExitCode(ExitStatus.violations)
        }
    }
}

/// The history database path every command uses by default.
enum HistoryLocation {
    static func path(_ explicit: String?) -> String {
        explicit ?? ProcessInfo.processInfo.environment["DRAGNET_HISTORY"].flatMap { $0.isEmpty ? nil : $0 } ?? "reports/history.sqlite"
    }

    /// A report file, or a run in the history (its id, or a date: the day's last run).
    static func report(_ reference: String, history: String?) throws -> AuditReport {
        if FileManager.default.fileExists(atPath: reference) { return try AuditReport(path: reference) }
        let path = Self.path(history)
        guard FileManager.default.fileExists(atPath: path) else {
            throw UsageError(description: "\(reference) is neither a report file nor a run (no history at \(path))")
        }
        guard let report = try HistoryStore(path: path).report(reference) else {
            throw UsageError(description: "\(reference) is neither a report file nor a run in \(path)")
        }
        return report
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Score, grade and finding counts per run over time, from the history database.",
        discussion: "SITE is a registrable domain (example.com) or the start of a page URL without scheme. Exit codes: 0, 2 usage error."
    )

    @Argument(help: "A site, or the start of a page URL (default: every page).")
    var site: String?

    @Option(help: "The history database (default: $DRAGNET_HISTORY, else reports/history.sqlite).")
    var history: String?

    @Option(help: "text or json.")
    var format: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
    }

    func run() throws {
        let path = HistoryLocation.path(history)
        guard FileManager.default.fileExists(atPath: path) else { throw UsageError(description: "no history database at \(path)") }
        let store = try HistoryStore(path: path)
        let entries = try store.entries(site: site)
        if format == "json" {
            print(JSONValue.array(entries.map { entry in
                .object([
                    ("run", .int(Int(entry.run))), ("startedAt", .string(entry.startedAt)), ("url", .string(entry.url)), ("page", .string(entry.key)),
                    ("site", .string(entry.site)),
                    ("score", .double(entry.score)), ("grade", .string(entry.grade)), ("findings", .int(entry.findings)),
                    ("critical", .int(entry.critical)), ("high", .int(entry.high)),
                ])
            }).prettyText)
            return
        }
        guard !entries.isEmpty else {
            print("no runs\(site.map { " for \($0)" } ?? "") in \(path)")
            return
        }
        var byPage: [String: [HistoryStore.Entry]] = [:]
        for entry in entries { byPage[entry.key, default: []].append(entry) }
        for key in byPage.keys.sorted() {
            let list = byPage[key]!
            print("\(key)  \(HistoryStore.sparkline(list.map(\.score)))")
            for entry in list {
                print("  run \(entry.run)  \(entry.startedAt)  \(ExposureText.number(entry.score).leftPadded(5)) \(entry.grade)  \(entry.findings) findings (\(entry.critical) critical, \(entry.high) high)")
            }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
