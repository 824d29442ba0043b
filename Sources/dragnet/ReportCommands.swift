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
    static func render(_ formats: [String], jsonPath: String, rules: RulePack?, previous: AuditReport?) throws -> [String] {
        let others = formats.filter { $0 != "json" }
        guard !others.isEmpty else { return [] }
        let report = try AuditReport(path: jsonPath)
        let base = jsonPath.hasSuffix(".json") ? String(jsonPath.dropLast(5)) : jsonPath
        var written: [String] = []
        for format in others {
            let path = base + "." + extensions[format]!
            try text(format, report: report, rules: rules, previous: previous).write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        return written
    }

    static func text(_ format: String, report: AuditReport, rules: RulePack?, previous: AuditReport?) -> String {
        switch format {
        case "md": ReportRenderer.markdown(report, previous: previous)
        case "html": ReportRenderer.html(report, previous: previous)
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
            A and B are report files. Pages are matched by URL without query; findings by their stable ids, so \
            cache-busters and rotating parameters are no change. Exit codes: 0, 1 when --fail-on matched, 2 usage error.
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

    func validate() throws {
        guard ["text", "md", "json"].contains(format) else { throw ValidationError("--format must be text, md or json") }
        for condition in failOn where !["added", "score-up"].contains(condition) {
            throw ValidationError("--fail-on takes added or score-up, not '\(condition)'")
        }
    }

    func run() throws {
        let diff = ReportDiff.compare(try AuditReport(path: old), try AuditReport(path: new))
        switch format {
        case "json": print(diff.json.prettyText)
        default: print(diff.render(markdown: format == "md"))
        }
        if (failOn.contains("added") && diff.hasAdditions) || (failOn.contains("score-up") && diff.scoreWentUp) {
            throw ExitCode(ExitStatus.violations)
        }
    }
}
