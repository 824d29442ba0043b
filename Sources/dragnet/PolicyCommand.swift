import ArgumentParser
import DragnetCore
import DragnetFetch
import DragnetPolicy
import DragnetRules
import Foundation

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Analyse a privacy policy (file or URL): the practices it affirms, with quoted sentences; or diff two versions.",
        subcommands: [Analyze.self, Diff.self, Profile.self],
        defaultSubcommand: Analyze.self
    )

    /// Loads `rules/policy` from the rules folder, reporting rule errors on stderr.
    static func rules(_ flags: RuleFlags) throws -> PolicyRulePack {
        let directory = (try flags.locate() as NSString).appendingPathComponent("policy")
        guard FileManager.default.fileExists(atPath: directory) else { throw UsageError(description: "policy rules not found: \(directory)") }
        let pack = PolicyRulePack.load(directory: directory)
        for diagnostic in pack.errors { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
        return pack
    }

    /// Reads a policy from a file or fetches it from an http(s) URL.
    static func document(_ source: String) async throws -> PolicyDocument {
        if let scheme = URLInput.explicitScheme(source), scheme == "http" || scheme == "https" {
            var options = FetchOptions()
            options.allowPrivateHostsNamed(in: [source])
            options.maxBytes = 20 * 1024 * 1024
            var iterator = try Fetcher(options: options).fetch([URLInput(source)]).makeAsyncIterator()
            guard let result = await iterator.next() else { throw FetchFailure(description: "cannot fetch \(source)") }
            if let error = result.error { throw FetchFailure(description: "cannot fetch \(source): \(error.code.rawValue): \(error.message)") }
            guard let status = result.status, (200..<300).contains(status) else {
                throw FetchFailure(description: "cannot fetch \(source): HTTP \(result.status.map(String.init) ?? "error")")
            }
            return PolicyDocument(bytes: result.body, hint: result.contentType, charset: result.charsetSource == .header ? result.charset : nil)
        }
        guard let data = FileManager.default.contents(atPath: source) else { throw UsageError(description: "cannot read \(source)") }
        return PolicyDocument(bytes: [UInt8](data), hint: source)
    }

    /// `document(_:)`, with a fetch failure reported on stderr as exit code 3.
    static func documentOrExit(_ source: String, command: String) async throws -> PolicyDocument {
        do {
            return try await document(source)
        } catch let error as FetchFailure {
            FileHandle.standardError.write(Data("dragnet \(command): \(error)\n".utf8))
            throw ExitCode(ExitStatus.allFailed)
        }
    }

    struct FetchFailure: Error, CustomStringConvertible {
        var description: String
    }

    struct Analyze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "analyze",
            abstract: "Print the profile of one policy (HTML, Markdown or plain text; a file or an http(s) URL).",
            discussion: """
                With --classify-lines, reads one text per line on stdin and writes one JSON object per line: \
                {"categories": [...], "negated": [...]}. Exit codes: 0 success, 2 usage error, 3 the URL could not be fetched.
                """
        )

        @Argument(help: "A policy file or URL.")
        var source: String?

        @Option(help: "text or json.")
        var format: String = "text"

        @Flag(help: "Classify each line of stdin instead (one JSON object per line).")
        var classifyLines = false

        @OptionGroup var rules: RuleFlags

        func validate() throws {
            guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
            if !classifyLines && source == nil { throw ValidationError("give a policy file or URL, or --classify-lines") }
        }

        func run() async throws {
            let pack = try PolicyCommand.rules(rules)
            if classifyLines {
                var output = [UInt8]()
                while let line = readLine(strippingNewline: true) {
                    let labels = pack.classify(line)
                    JSONValue.object([
                        ("categories", .array(labels.categories.map { .string($0) })), ("negated", .array(labels.negated.map { .string($0) })),
                    ]).write(to: &output)
                    output.append(0x0A)
                    if output.count > 1 << 16 {
                        FileHandle.standardOutput.write(Data(output))
                        output.removeAll(keepingCapacity: true)
                    }
                }
                FileHandle.standardOutput.write(Data(output))
                return
            }
            let document = try await PolicyCommand.documentOrExit(source!, command: "policy")
            let analysis = PolicyAnalysis.analyze(document, rules: pack)
            if format == "json" {
                print(analysis.json.prettyText)
            } else {
                print(analysis.summary(titles: Dictionary(pack.categories.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })))
            }
        }
    }

    struct Profile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft a platform profile (rules/platforms/ID.yml) from dated versions of its privacy policy.",
            discussion: "Each FILE is named by its capture date (2023-09-29.md). Review the output by hand before committing it."
        )

        @Option(help: "Platform id (tiktok, x, meta, google …).")
        var platform: String

        @Option(help: "Platform name.")
        var name: String

        @Option(help: "The policy's public URL.")
        var url: String?

        @Argument(help: "Policy versions (files named YYYY-MM-DD.md|.html).")
        var files: [String]

        @OptionGroup var rules: RuleFlags

        func run() async throws {
            let pack = try PolicyCommand.rules(rules)
            var versions: [PlatformProfileBuilder.Version] = []
            for file in files {
                let document = try await PolicyCommand.documentOrExit(file, command: "policy profile")
                versions.append(.init(path: file, date: PlatformProfileBuilder.date(of: file), analysis: PolicyAnalysis.analyze(document, rules: pack)))
            }
            let today = Date().formatted(.iso8601.year().month().day())
            print(PlatformProfileBuilder.yaml(platform: platform, name: name, url: url, versions: versions, generated: today), terminator: "")
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Added, removed and changed sentences between two versions of a policy, with their categories.",
            discussion: "Whitespace, reflow, markup, case and dates/numbers alone do not count as changes."
        )

        @Argument(help: "The old version (file or URL).")
        var old: String

        @Argument(help: "The new version (file or URL).")
        var new: String

        @Option(help: "text, md or json.")
        var format: String = "text"

        @Flag(help: "Show every changed sentence, not only those with a category.")
        var all = false

        @OptionGroup var rules: RuleFlags

        func validate() throws {
            guard ["text", "md", "json"].contains(format) else { throw ValidationError("--format must be text, md or json") }
        }

        func run() async throws {
            let pack = try PolicyCommand.rules(rules)
            let before = try await PolicyCommand.documentOrExit(old, command: "policy diff")
            let after = try await PolicyCommand.documentOrExit(new, command: "policy diff")
            let diff = PolicyDiff.compare(before, after, rules: pack)
            if format == "json" {
                print(diff.json.prettyText)
            } else {
                print(diff.render(markdown: format == "md", labelledOnly: !all))
            }
        }
    }
}
