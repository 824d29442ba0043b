import ArgumentParser
import DragnetCore
import DragnetCheck
import DragnetReport
import DragnetRules
import Foundation

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Audit the targets of dragnet.yml and fail on denied flows, budgets, headers and policy rules (privacy policy-as-code for CI).",
        discussion: """
            Exit codes: 0 pass (warnings, flaky, baselined and allowed findings never fail), 1 violations, \
            2 configuration or usage error (reported as file:line:col). With GITHUB_ACTIONS=true, violations are \
            also printed as workflow annotations; with GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it.
            """
    )

    @Option(help: "The configuration (default: dragnet.yml in the current directory).")
    var config: String = "dragnet.yml"

    @Option(help: "Findings already accepted (a JSON file of finding ids): only new findings fail.")
    var baseline: String?

    @Flag(help: "Write the current findings to --baseline and pass.")
    var updateBaseline = false

    @Option(name: .customLong("repeat"), help: "Audit each target K times; a finding seen in only some runs is flaky and never fails.")
    var repeatCount: Int = 1

    @Option(help: "Write SARIF 2.1.0 here.")
    var sarif: String?

    @Option(help: "Write JUnit XML here.")
    var junit: String?

    @Option(help: "Folder for the audit reports (default: reports).")
    var out: String = "reports"

    @Option(help: "Today's date for allow expiry (YYYY-MM-DD; default: the current UTC date).")
    var today: String?

    @Option(help: "static, browser or auto, as for audit (default: mode: in dragnet.yml, else static).")
    var mode: String?

    @Option(help: "As for audit: the Chromium to drive.")
    var browser: String?

    @Option(name: .customLong("connect-to"), help: ArgumentHelp("As for audit: connect there for requests to HOST:PORT (repeatable).", valueName: "HOST:PORT:CONNECT-HOST:CONNECT-PORT"))
    var connectTo: [String] = []

    @Flag(name: [.customShort("k"), .long], help: "As for audit: do not verify TLS certificates.")
    var insecure = false

    @Flag(name: .customLong("allow-private"), help: "As for audit: also connect to loopback, private and link-local addresses.")
    var allowPrivate = false

    @Flag(name: .customLong("no-containers"), help: "As for audit: do not read tag-manager containers and Segment settings.")
    var noContainers = false

    @Flag(name: .customLong("no-robots"), help: "As for audit: do not fetch robots.txt (the ai-crawlers: gate then has nothing to check).")
    var noRobots = false

    @Option(name: .customLong("dns-server"), help: "As for audit: the DNS server (IPv4[:PORT]) for first-party subdomains' CNAME chains.")
    var dnsServer: String?

    @Flag(name: .customLong("no-dns"), help: "As for audit: no CNAME-cloaking check.")
    var noDNS = false

    @Option(name: .customLong("containers-cache"), help: "As for audit: folder for cached containers.")
    var containersCache: String?

    @Option(name: .customLong("containers-max-age"), help: "As for audit: use a cached container younger than this (default 1d).")
    var containersMaxAge: String?

    func validate() throws {
        guard repeatCount >= 1 && repeatCount <= 10 else { throw ValidationError("--repeat must be from 1 to 10") }
        if updateBaseline && baseline == nil { throw ValidationError("--update-baseline needs --baseline FILE") }
    }

    func run() async throws {
        let configuration = CheckConfig(path: config)
        if !configuration.errors.isEmpty {
            for diagnostic in configuration.errors { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
            throw ExitCode(ExitStatus.usage)
        }
        var accepted = Set<String>()
        if let baseline, !updateBaseline, FileManager.default.fileExists(atPath: baseline) {
            guard let data = FileManager.default.contents(atPath: baseline),
                let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let ids = json["findings"] as? [String]
            else { throw UsageError(description: "\(baseline) is not a dragnet baseline ({\"findings\": [ids]})") }
            accepted = Set(ids)
        }

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let stamp = AuditCommand.reportName(Date()).replacingOccurrences(of: ".json", with: "")
        var runs: [AuditReport] = []
        for index in 1...repeatCount {
            let path = (out as NSString).appendingPathComponent("\(stamp)-check\(repeatCount > 1 ? "-\(index)" : "").json")
            var arguments = ["-q", "--output", path]
            if let rules = configuration.rules { arguments += ["--rules", rules] }
            for list in configuration.lists { arguments += ["--list", list] }
            for entry in connectTo { arguments += ["--connect-to", entry] }
            if let mode = mode ?? configuration.mode { arguments += ["--mode", mode] }
            if let browser { arguments += ["--browser", browser] }
            if insecure { arguments.append("--insecure") }
            if allowPrivate { arguments.append("--allow-private") }
            if noContainers { arguments.append("--no-containers") }
            if noRobots { arguments.append("--no-robots") }
            if noDNS { arguments.append("--no-dns") }
            if let dnsServer { arguments += ["--dns-server", dnsServer] }
            if let containersCache { arguments += ["--containers-cache", containersCache] }
            if let containersMaxAge { arguments += ["--containers-max-age", containersMaxAge] }
            arguments += configuration.targets
            let audit = try AuditCommand.parse(arguments)
            do {
                try await audit.run()
            } catch let code as ExitCode where code.rawValue == ExitStatus.allFailed {
                // Every target failed: the report says why, and the check fails on it below.
            }
            runs.append(try AuditReport(path: path))
        }

        let date = today ?? Date().formatted(.iso8601.year().month().day())
        let result = Checker.check(runs, config: configuration, baseline: accepted, today: date)
        if let last = runs.last {
            // The ai-crawlers gate judges robots.txt, not findings: its results join the findings there.
            let extra = result.violations.filter { $0.kind == "ai-crawler" && ($0.status == .failing || $0.status == .warning) }.map {
                ExtraResult(
                    page: $0.page, rule: "ai-crawler-allowed", title: "An AI crawler the configuration blocks may crawl the page",
                    subject: String($0.message.prefix { $0 != " " }), message: $0.message, failing: $0.status == .failing)
            }
            if let sarif { try (ReportRenderer.sarif(last, help: ReportFormats.help(try? RuleFlags.parse([]).load()), extra: extra).prettyText + "\n").write(toFile: sarif, atomically: true, encoding: .utf8) }
            if let junit { try ReportRenderer.junit(last, extra: extra).write(toFile: junit, atomically: true, encoding: .utf8) }
        }
        if updateBaseline, let baseline {
            let json = JSONValue.object([("findings", .array(result.findings.map { .string($0) }))])
            try (json.prettyText + "\n").write(toFile: baseline, atomically: true, encoding: .utf8)
            print("wrote \(result.findings.count) finding(s) to \(baseline)")
            return
        }
        print(result.text())
        let environment = ProcessInfo.processInfo.environment
        if environment["GITHUB_ACTIONS"] == "true" {
            let annotations = result.githubAnnotations(configFile: config)
            if !annotations.isEmpty { print(annotations) }
        }
        if let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
            if let handle = FileHandle(forWritingAtPath: summary) ?? (FileManager.default.createFile(atPath: summary, contents: nil) ? FileHandle(forWritingAtPath: summary) : nil) {
                handle.seekToEndOfFile()
                handle.write(Data(result.markdown().utf8))
                handle.closeFile()
            }
        }
        if result.failed { throw ExitCode(ExitStatus.violations) }
    }
}
