import ArgumentParser
import DragnetAudit
import DragnetContainers
import DragnetCore
import DragnetFetch
import DragnetRules
import Foundation

struct ContainerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container",
        abstract: "What does this container do? A GTM or gtag container's tags, triggers and the platforms they send data to; a Segment source's destinations.",
        discussion: """
            Each INPUT is a container id (GTM-…, or G-…/AW-…/DC-…/GT-… for a Google tag; segment:WRITEKEY), a URL \
            (…/gtm.js?id=…, …/gtag/js?id=…, …/v1/projects/KEY/settings), or a saved file (JSON files are read as Segment settings). \
            Exit codes: 0 when at least one container was read, 3 when none could be, 2 for usage errors.
            """
    )

    @Argument(help: "Container ids, URLs or files.")
    var inputs: [String] = []

    @Option(help: "Output: text or json.")
    var format: String = "text"

    @Flag(help: "Print how many bytes were parsed and how fast (stderr).")
    var stats = false

    @OptionGroup var fetch: FetchFlags

    @OptionGroup var rules: RuleFlags

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one container id, URL or file") }
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
    }

    func run() async throws {
        let pack = try rules.load()
        var fetcher: ContainerFetcher?
        var results: [LoadedContainer] = []
        var parseSeconds = 0.0
        var parsedBytes = 0
        for input in inputs {
            if FileManager.default.fileExists(atPath: input) {
                guard let data = FileManager.default.contents(atPath: input) else {
                    results.append(Self.failed(input, "cannot read \(input)"))
                    continue
                }
                let bytes = [UInt8](data)
                let isJSON = bytes.first { $0 > 0x20 } == UInt8(ascii: "{")
                var name = (input as NSString).lastPathComponent
                if let range = name.range(of: "id=") { name = String(name[range.upperBound...].prefix { $0 != "&" }) }
                var loaded = LoadedContainer(reference: ContainerReference(kind: isJSON ? .segment : .gtm, id: name, url: input, element: "file", line: 0))
                loaded.source = "file"
                loaded.size = bytes.count
                let start = Date()
                ContainerFetcher.parse(bytes, into: &loaded, rules: pack)
                parseSeconds += Date().timeIntervalSince(start)
                parsedBytes += bytes.count
                results.append(loaded)
                continue
            }
            guard let reference = Self.reference(input) else {
                results.append(Self.failed(input, "not a container id, container URL or file"))
                continue
            }
            if fetcher == nil {
                var options = fetch.options()
                options.allowPrivateHostsNamed(in: inputs)
                fetcher = try ContainerFetcher(fetch: options, options: ContainerOptions(), rules: pack)
                await fetcher?.start()
            }
            if let loaded = await fetcher?.load(reference) { results.append(loaded) }
        }
        await fetcher?.finish()

        if format == "json" {
            let json = JSONValue.array(results.map { Self.json($0, rules: pack) })
            FileHandle.standardOutput.write(Data((json.prettyText + "\n").utf8))
        } else {
            FileHandle.standardOutput.write(Data(results.map { Self.text($0, rules: pack) }.joined(separator: "\n").utf8))
        }
        if stats {
            let megabytes = Double(parsedBytes) / 1_000_000
            let rate = parseSeconds > 0 ? megabytes / parseSeconds : 0
            FileHandle.standardError.write(Data(String(format: "parsed %d file(s), %.2f MB in %.4f s: %.1f MB/s\n", results.count, megabytes, parseSeconds, rate).utf8))
        }
        if !results.contains(where: \.readable) { throw ExitCode(ExitStatus.allFailed) }
    }

    static func failed(_ input: String, _ message: String) -> LoadedContainer {
        var loaded = LoadedContainer(reference: ContainerReference(kind: .gtm, id: input, url: input, element: "argument", line: 0))
        loaded.error = message
        return loaded
    }

    /// An id or URL as a container reference.
    static func reference(_ input: String) -> ContainerReference? {
        let text = Substring(input)
        if ContainerReference.isGTMID(text) {
            return ContainerReference(kind: .gtm, id: input, url: "https://www.googletagmanager.com/gtm.js?id=\(input)", element: "argument", line: 0)
        }
        if ContainerReference.isGtagID(text) {
            return ContainerReference(kind: .gtag, id: input, url: "https://www.googletagmanager.com/gtag/js?id=\(input)", element: "argument", line: 0)
        }
        if text.hasPrefix("segment:"), ContainerReference.isSegmentKey(text.dropFirst(8)) {
            let key = String(text.dropFirst(8))
            return ContainerReference(kind: .segment, id: key, url: "https://cdn.segment.com/v1/projects/\(key)/settings", element: "argument", line: 0)
        }
        guard input.hasPrefix("https://") || input.hasPrefix("http://"), let path = URLParts.pathAndQuery(input) else { return nil }
        let id = path.split(separator: "id=").last.map { String($0.prefix { $0 != "&" }) } ?? input
        if path.contains("/gtag/js") { return ContainerReference(kind: .gtag, id: id, url: input, element: "argument", line: 0) }
        if path.hasSuffix("/settings"), let key = path.split(separator: "/").dropLast().last {
            return ContainerReference(kind: .segment, id: String(key), url: input, element: "argument", line: 0)
        }
        return ContainerReference(kind: .gtm, id: id, url: input, element: "argument", line: 0)
    }

    /// Per mapped tag: the tracker rules and platforms its content gives on its own.
    static func evaluated(_ loaded: LoadedContainer, rules: RulePack) -> [String: (trackers: [String], platforms: [String], ids: [String])] {
        var result: [String: (trackers: [String], platforms: [String], ids: [String])] = [:]
        for content in loaded.mapped.contents {
            let input = EvaluationInput(pageURL: nil, firstPartySites: [], observations: Observations(), containers: [content])
            let findings = Evaluator.evaluate(input, rules: rules).findings
            let key = content.via.tag.map(String.init) ?? content.via.template
            result[key] = (
                Array(Set(findings.map(\.rule))).sorted(), Array(Set(findings.map(\.platform))).sorted(),
                Array(Set(findings.compactMap(\.accountID))).sorted()
            )
        }
        return result
    }

    static func json(_ loaded: LoadedContainer, rules: RulePack) -> JSONValue {
        let found = evaluated(loaded, rules: rules)
        let tags: [JSONValue] = loaded.mapped.tags.map { tag in
            let key = tag.index.map(String.init) ?? tag.function
            let result = found[key]
            return .object([
                ("index", .int(tag.index)), ("template", .string(tag.function)),
                ("firing", .object([
                    ("kind", .string(tag.firing.kind)), ("events", .array(tag.firing.events.map { .string($0) })),
                    ("conditions", .array(tag.firing.conditions.map { .string($0) })),
                ])),
                ("status", .string(tag.status)), ("note", .string(tag.note)), ("hosts", .array(tag.hosts.map { .string($0) })),
                ("trackers", .array((result?.trackers ?? []).map { .string($0) })), ("platforms", .array((result?.platforms ?? []).map { .string($0) })),
                ("accountIds", .array((result?.ids ?? tag.accountIDs).map { .string($0) })),
            ])
        }
        var base = loaded.json
        if case .object(var members) = base {
            members.append(("tagList", .array(tags)))
            members.append(("platforms", .array(Array(Set(found.values.flatMap(\.platforms))).sorted().map { .string($0) })))
            base = .object(members)
        }
        return base
    }

    static func text(_ loaded: LoadedContainer, rules: RulePack) -> String {
        var lines: [String] = []
        let reference = loaded.reference
        if let error = loaded.error {
            return "\(reference.name)  \(reference.url)\n  error: \(error)\n"
        }
        let firing = loaded.mapped.tags.filter { $0.firing.fires && $0.status != "infrastructure" }.count
        let unit = reference.kind == .segment ? "destinations" : "tags"
        lines.append("\(reference.name)  \(reference.url)  (\(loaded.version.map { "version \($0), " } ?? "")\(loaded.mapped.tags.count) \(unit), \(firing) can send data)")
        let found = evaluated(loaded, rules: rules)
        for tag in loaded.mapped.tags {
            let key = tag.index.map(String.init) ?? tag.function
            let result = found[key]
            var line = "  " + (tag.index.map { "tag \($0)".padding(toLength: 7, withPad: " ", startingAt: 0) } ?? "")
            line += tag.function.padding(toLength: 26, withPad: " ", startingAt: 0) + " " + tag.firing.kind.padding(toLength: 14, withPad: " ", startingAt: 0)
            if !tag.firing.events.isEmpty { line += " on " + tag.firing.events.joined(separator: ", ") }
            if let result, !result.platforms.isEmpty {
                line += "  → " + result.platforms.joined(separator: ", ") + " (" + result.trackers.joined(separator: ", ")
                    + (result.ids.isEmpty ? "" : "; " + result.ids.joined(separator: ", ")) + ")"
            } else if tag.status == "infrastructure" {
                line += "  (trigger listener)"
            }
            if let note = tag.note { line += "  [\(note)]" }
            lines.append(line)
        }
        for warning in loaded.warnings { lines.append("  warning: \(warning)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
