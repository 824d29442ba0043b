import ArgumentParser
import DragnetAudit
import DragnetCore
import DragnetRules
import DragnetSites
import Foundation

/// Where the rules come from: shared by `audit` and `rules`.
struct RuleFlags: ParsableArguments {
    @Option(name: .customLong("rules"), help: "The rules folder (default: $DRAGNET_RULES, ./rules, or the rules installed with dragnet).")
    var directory: String?

    @Option(name: .customLong("overrides"), help: "A user override file: your first-party sites, owner corrections, your own entities (repeatable).")
    var overrides: [String] = []

    /// The folder to read: --rules, $DRAGNET_RULES, ./rules, then next to the executable
    /// (a checkout's `rules/` above `.build/…/dragnet`, or `share/dragnet/rules` of an install),
    /// else the pack built into the binary (written once to the cache folder).
    func locate() throws -> String {
        if let directory { return directory }
        if let fromEnvironment = ProcessInfo.processInfo.environment["DRAGNET_RULES"], !fromEnvironment.isEmpty { return fromEnvironment }
        let fileManager = FileManager.default
        func isRules(_ path: String) -> Bool { fileManager.fileExists(atPath: (path as NSString).appendingPathComponent("entities")) }
        let local = (fileManager.currentDirectoryPath as NSString).appendingPathComponent("rules")
        if isRules(local) { return local }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            for candidate in [folder.appendingPathComponent("rules"), folder.appendingPathComponent("share/dragnet/rules")] where isRules(candidate.path) {
                return candidate.path
            }
            folder = folder.deletingLastPathComponent()
        }
        return try BuiltInPack.materialize()
    }

    func load() throws -> RulePack {
        let directory = try locate()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError(description: "rules folder not found: \(directory)")
        }
        for path in overrides where !FileManager.default.fileExists(atPath: path) {
            throw UsageError(description: "override file not found: \(path)")
        }
        return RulePack.load(directory: directory, overrides: overrides)
    }

    /// The policy classifier in `policy/` of the rules folder, when there is one.
    func loadPolicy() throws -> PolicyRulePack? {
        let directory = (try locate() as NSString).appendingPathComponent("policy")
        guard FileManager.default.fileExists(atPath: directory) else { return nil }
        return PolicyRulePack.load(directory: directory)
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work on rule packs: lint them, run their examples, list the catalogue.",
        subcommands: [Lint.self, Test.self, List.self, Suggest.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every rule file and report problems as file:line:col: error: … with the line and a caret.",
            discussion: "Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error."
        )

        @OptionGroup var rules: RuleFlags

        func run() throws {
            let pack = try rules.load()
            let policy = try rules.loadPolicy()
            let diagnostics = (pack.diagnostics + (policy?.diagnostics ?? [])).sorted()
            for diagnostic in diagnostics { print(diagnostic) }
            let errors = diagnostics.filter { $0.level == .error }.count
            let warnings = diagnostics.count - errors
            let files = pack.files.count + (policy?.files.count ?? 0)
            let categories = policy.map { ", \($0.categories.count) policy categories" } ?? ""
            print("\(files) files, \(pack.entities.count) entities, \(pack.trackers.count) trackers, \(pack.decoders.count) decoders\(categories): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
            if errors > 0 { throw ExitCode(ExitStatus.violations) }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every rule's examples (must match / must not match) through extraction and evaluation.",
            discussion: "Exit codes: 0 all examples pass, 1 some fail or a rule file has errors, 2 usage error."
        )

        @OptionGroup var rules: RuleFlags

        @Option(help: "A public suffix list (.dat) to use instead of the system's.")
        var publicSuffixList: String?

        func run() throws {
            let pack = try rules.load()
            for diagnostic in pack.errors { print(diagnostic) }
            let resolver = try SiteResolver(listPath: publicSuffixList)
            let result = RuleTester.run(pack, resolver: resolver)
            for failure in result.failures { print("FAIL \(failure)") }
            let policy = try rules.loadPolicy()
            for diagnostic in policy?.errors ?? [] { print(diagnostic) }
            let policyResult = policy?.testExamples() ?? (examples: 0, failures: [])
            for failure in policyResult.failures { print("FAIL \(failure)") }
            let examples = result.examples + policyResult.examples
            let failures = result.failures.count + policyResult.failures.count
            let categories = policy.map { " + \($0.categories.count) policy categories" } ?? ""
            print("\(pack.trackers.count) rules + \(pack.decoders.count) decoders\(categories), \(examples) examples: \(examples - failures) passed, \(failures) failed")
            if failures > 0 || !pack.errors.isEmpty || !(policy?.errors.isEmpty ?? true) { throw ExitCode(ExitStatus.violations) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the catalogue of tracker rules (or entities) with what each sends.")

        @OptionGroup var rules: RuleFlags

        @Flag(help: "List entities and their domains instead of tracker rules.")
        var entities = false

        @Option(help: "text or json.")
        var format: String = "text"

        func validate() throws {
            guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        }

        func run() throws {
            let pack = try rules.load()
            if !pack.errors.isEmpty {
                FileHandle.standardError.write(Data("dragnet rules list: \(pack.errors.count) rule file errors (run `dragnet rules lint`); listing the valid rules\n".utf8))
            }
            if entities {
                let sorted = pack.entities.sorted { $0.id < $1.id }
                if format == "json" {
                    print(JSONValue.array(sorted.map { entity in
                        .object([
                            ("id", .string(entity.id)), ("name", .string(entity.name)), ("platform", .string(entity.platform)),
                            ("category", .string(entity.category)), ("domains", .array(entity.domains.keys.sorted().map { .string($0) })),
                        ])
                    }).prettyText)
                } else {
                    for entity in sorted {
                        print("\(entity.id)\t\(entity.name)\tplatform=\(entity.platform)\t\(entity.category)\t\(entity.domains.count) domains: \(entity.domains.keys.sorted().prefix(6).joined(separator: ", "))\(entity.domains.count > 6 ? ", …" : "")")
                    }
                    print("\(sorted.count) entities")
                }
                return
            }
            if format == "json" {
                print(JSONValue.array(pack.trackers.map { rule in
                    .object([
                        ("id", .string(rule.id)), ("title", .string(rule.title)), ("entity", .string(rule.entity)),
                        ("platform", .string(pack.entity(id: rule.entity)?.platform)), ("purpose", .string(rule.purpose)),
                        ("severity", .string(rule.severity.rawValue)), ("data", .array(rule.data.map { .string($0) })),
                        ("matches", .array(Self.matchKinds(rule).map { .string($0) })), ("description", .string(rule.description)),
                        ("sources", .array(rule.sources.map { .string($0.url) })),
                    ])
                }).prettyText)
            } else {
                for rule in pack.trackers {
                    let platform = pack.entity(id: rule.entity)?.platform ?? "?"
                    print("\(rule.id)\t\(rule.title)\t\(platform)\t\(rule.purpose)\t\(rule.severity.rawValue)\t\(rule.data.joined(separator: ","))\t\(Self.matchKinds(rule).joined(separator: ","))")
                }
                print("\(pack.trackers.count) tracker rules, \(pack.entities.count) entities")
            }
        }

        static func matchKinds(_ rule: TrackerRule) -> [String] {
            var kinds: [String] = []
            if !rule.urls.isEmpty { kinds.append("url") }
            if !rule.inline.isEmpty { kinds.append("inline") }
            if !rule.cookies.isEmpty { kinds.append("cookie") }
            if !rule.requiresTrackers.isEmpty || !rule.requiresFormData.isEmpty { kinds.append("requires") }
            return kinds
        }
    }
}
