import ArgumentParser
import DragnetAudit
import DragnetCore
import DragnetFilters
import DragnetBrowser
import DragnetFetch
import DragnetReport
import DragnetRules
import DragnetSites
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Fetch pages (or read saved ones): who receives which data, through which channel, the exposure per platform, the privacy policy; JSON and other reports.",
        discussion: """
            Each INPUT is a URL, a bare host, a file of URLs, a saved HTML file (.html/.htm, or any file \
            that starts with '<'), or - for a URL list on stdin. The report goes to reports/ (--out DIR) \
            or to stdout (--output -). Pages are written as they finish; an interrupted run keeps them. \
            Exit codes: 0 when at least one page was audited, 3 when every page failed, 2 for usage errors.
            """
    )

    @Argument(help: "URLs, URL lists, saved HTML files, or - for stdin.")
    var inputs: [String] = []

    @Option(name: .customLong("input-dir"), help: "Audit every .html/.htm file below this folder (repeatable).")
    var inputDirs: [String] = []

    @Option(help: "Where saved files live: the page URL of a single file, or the URL their folder maps to.")
    var baseURL: String?

    @Option(name: .customLong("first-party"), help: "A site you own, counted as first-party on every page (repeatable).")
    var firstParty: [String] = []

    @Option(help: "Folder for the report (default: reports).")
    var out: String = "reports"

    @Option(help: "Report file to write, or - for stdout (default: OUT/dragnet-TIME.json).")
    var output: String?

    @Option(help: "Pages extracted at once (default: number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "A public suffix list (.dat) to use instead of the system's.")
    var publicSuffixList: String?

    @Option(name: .customLong("list"), help: "A filter list (EasyList syntax; a file or an http(s) URL): resources it blocks are marked `blockedBy` (repeatable).")
    var lists: [String] = []

    @OptionGroup var fetch: FetchFlags

    @OptionGroup var rules: RuleFlags

    @Flag(name: .customLong("no-rules"), help: "Skip entities, tracker signatures and the exposure score.")
    var noRules = false

    @Flag(inversion: .prefixedNo, help: "Find, fetch and classify each fetched page's privacy policy (each policy URL once), and flag flows it does not disclose.")
    var policies = true

    @Option(help: "static (HTML only, the default), browser (every fetched page also loaded in headless Chromium over the DevTools pipe), or auto (static first; pages whose coverage is below --escalate-below go to the browser).")
    var mode: String = "static"

    @Option(name: .customLong("escalate-below"), help: "With --mode auto: pages whose static coverage (0-1) is below this are loaded in the browser.")
    var escalateBelow: Double = 0.8

    @Option(help: "The Chromium to drive (default: $DRAGNET_BROWSER, else chromium, chromium-browser or google-chrome on PATH).")
    var browser: String?

    @Option(name: .customLong("browser-jobs"), help: "Long-lived browsers in --mode browser (default: min(cores, 4)).")
    var browserJobs: Int = min(ProcessInfo.processInfo.activeProcessorCount, 4)

    @Option(name: .customLong("pages-per-browser"), help: "Pages loading at once in one browser, each in its own context.")
    var pagesPerBrowser: Int = 2

    @Option(help: "With --mode browser: write one HAR 1.2 file per page into this folder (cookie values and request bodies redacted).")
    var har: String?

    @Flag(name: .customLong("har-content"), help: "Keep cookie values and request bodies in the HAR files.")
    var harContent = false

    @Option(name: .customLong("page-timeout"), help: "Longest page load in the browser, navigation to network idle (seconds).")
    var pageTimeout: Double = 30

    @Option(help: "Seconds the browser stays on a page after network idle.")
    var dwell: Double = 2

    @Option(name: .customLong("browser-arg"), help: "An extra Chromium flag (repeatable), after Dragnet's own, e.g. --browser-arg=--proxy-server=http://127.0.0.1:8080.")
    var browserArgs: [String] = []

    @Flag(name: .customLong("no-fill"), help: "In the browser, do not type canaries (an email, a phone number, a name, a password) into the page's fields to find form data sent before submit.")
    var noFill = false

    @Flag(name: .customLong("no-containers"), help: "Do not fetch and read the tag-manager containers (GTM, gtag) and Segment settings pages load.")
    var noContainers = false

    @Option(name: .customLong("dns-server"), help: "Resolve the CNAME chains of first-party subdomains through this DNS server (IPv4[:PORT]) instead of the system's resolvers.")
    var dnsServer: String?

    @Flag(name: .customLong("no-dns"), help: "Do not resolve first-party subdomains' CNAME chains (no CNAME-cloaking check).")
    var noDNS = false

    @Flag(name: .customLong("no-robots"), help: "Do not fetch each site's robots.txt and tdmrep.json (no AI crawler access in the report).")
    var noRobots = false

    @Option(name: .customLong("containers-max-age"), help: "Use a cached container younger than this (seconds, or with s/m/h/d: 30m, 1d; default 1d).")
    var containersMaxAge: String = "1d"

    @Option(name: .customLong("containers-cache"), help: "Folder for cached containers (default: $XDG_CACHE_HOME/dragnet/containers or ~/.cache/dragnet/containers).")
    var containersCache: String?

    @Option(help: "The history database (default: $DRAGNET_HISTORY, else reports/history.sqlite under the current directory; --out does not move it).")
    var history: String?

    @Flag(name: .customLong("no-history"), help: "Do not record this audit in the history database.")
    var noHistory = false

    @Option(help: "Report formats, comma-separated: json, md, html, sarif, junit (default json). Others are written next to the JSON file.")
    var format: String = "json"

    @Flag(help: "Print how each page's exposure score adds up, finding by finding (stdout; stderr when the report goes to stdout).")
    var explain = false

    @Flag(name: .shortAndLong, help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        let formats = try ReportFormats.parse(format)
        if output == "-" && formats != ["json"] { throw ValidationError("--output - writes JSON only; use --out DIR for --format \(format)") }
        if let baseURL, WebURL(baseURL)?.isNetwork != true { throw ValidationError("--base-url must be an http or https URL") }
        guard ["static", "browser", "auto"].contains(mode) else { throw ValidationError("--mode must be static, browser or auto") }
        guard (0...1).contains(escalateBelow) else { throw ValidationError("--escalate-below must be between 0 and 1") }
        guard browserJobs >= 1 else { throw ValidationError("--browser-jobs must be at least 1") }
        guard pagesPerBrowser >= 1 else { throw ValidationError("--pages-per-browser must be at least 1") }
        if let bad = browserArgs.first(where: { !$0.hasPrefix("--") }) {
            throw ValidationError("--browser-arg takes a Chromium flag starting with --, not '\(bad)' (write --browser-arg=--flag)")
        }
        if har != nil && mode == "static" { throw ValidationError("--har needs --mode browser or auto (a HAR is what the browser saw)") }
        guard pageTimeout > 0, dwell >= 0 else { throw ValidationError("--page-timeout must be positive and --dwell 0 or more") }
        if Self.seconds(containersMaxAge) == nil { throw ValidationError("--containers-max-age must be a number of seconds, or a number with s, m, h or d (30m, 1d)") }
    }

    /// `90`, `30s`, `15m`, `6h`, `1d` as seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let unit = trimmed.last, let scale = units[unit], let value = Double(trimmed.dropLast()), value >= 0 { return value * scale }
        if let value = Double(trimmed), value >= 0 { return value }
        return nil
    }

    func run() async throws {
        let startedAt = Date()
        let list: [AuditInput]
        let resolver: SiteResolver
        var filterTexts: [String] = []
        var rulePack: RulePack?
        var policyRules: PolicyRulePack?
        do {
            list = try AuditInputs.load(arguments: inputs, directories: inputDirs, baseURL: baseURL)
            resolver = try SiteResolver(listPath: publicSuffixList)
            filterTexts = try await FilterLists.texts(lists)
            if !noRules {
                rulePack = try rules.load()
                if policies { policyRules = try rules.loadPolicy() }
            }
        } catch {
            FileHandle.standardError.write(Data("dragnet audit: \(error)\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }

        if let policyRules, !policyRules.errors.isEmpty {
            for diagnostic in policyRules.errors { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
        }
        if let rulePack, !rulePack.errors.isEmpty {
            // A bad rule file loses only its own bad rules: report them and audit with the rest.
            for diagnostic in rulePack.errors { FileHandle.standardError.write(Data("\(diagnostic)\n".utf8)) }
            FileHandle.standardError.write(Data("dragnet audit: \(rulePack.errors.count) rule error(s); those rules are skipped (run `dragnet rules lint`)\n".utf8))
        }

        let destination: URL?
        if output == "-" {
            destination = nil
        } else if let output {
            destination = URL(fileURLWithPath: output)
        } else {
            destination = URL(fileURLWithPath: out).appendingPathComponent(Self.reportName(startedAt))
        }
        // Fail before anything is fetched when the report cannot be written.
        if let folder = destination?.deletingLastPathComponent().path {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
                FileManager.default.isWritableFile(atPath: folder)
            else {
                FileHandle.standardError.write(Data("dragnet audit: cannot write the report: \(folder) is not a folder this user can write to (use --out DIR or --output FILE)\n".utf8))
                throw ExitCode(ExitStatus.usage)
            }
        }
        let writer = try ReportWriter(destination: destination, scratchDirectory: FileManager.default.temporaryDirectory)
        var store: HistoryStore?
        var runID: Int64?
        if !noHistory {
            let path = history ?? ProcessInfo.processInfo.environment["DRAGNET_HISTORY"].flatMap { $0.isEmpty ? nil : $0 } ?? "reports/history.sqlite"
            do {
                store = try HistoryStore(path: path)
                runID = try store?.beginRun(startedAt: Self.timestamp(startedAt), tool: Dragnet.version)
            } catch {
                FileHandle.standardError.write(Data("dragnet audit: cannot open the history database \(path): \(error)\n".utf8))
                throw ExitCode(ExitStatus.usage)
            }
        }

        var options = AuditOptions()
        options.fetch = fetch.options()
        // Loopback and private addresses the user named (a dev server, 127.0.0.1) may be audited; nothing else private.
        options.fetch.allowPrivateHostsNamed(in: list.compactMap { $0.urlInput?.url })
        options.jobs = jobs
        options.firstPartySites = Set(firstParty.map { $0.lowercased() }).union(rulePack?.firstPartySites ?? [])
        options.rules = rulePack
        options.historyJSON = store != nil
        options.policies = policies
        options.policyRules = policyRules
        options.mode = AuditMode(rawValue: mode) ?? .staticOnly
        options.escalateBelow = escalateBelow
        if mode == "auto" && BrowserProcess.find(browser) == nil {
            FileHandle.standardError.write(Data("dragnet audit: warning: --mode auto found no Chromium (Debian: apt-get install chromium); pages are audited statically and the report says which were not escalated\n".utf8))
        } else if mode != "static" {
            guard let executable = BrowserProcess.find(browser) else {
                let named = browser ?? ProcessInfo.processInfo.environment["DRAGNET_BROWSER"]
                let detail = named.map { "\($0) is not an executable" } ?? "no chromium, chromium-browser or google-chrome on PATH"
                FileHandle.standardError.write(Data("dragnet audit: --mode browser needs Chromium: \(detail) (Debian: apt-get install chromium)\n".utf8))
                throw ExitCode(ExitStatus.usage)
            }
            var browserOptions = BrowserOptions(executable: executable)
            browserOptions.jobs = browserJobs
            browserOptions.pagesPerBrowser = pagesPerBrowser
            browserOptions.harDirectory = har
            browserOptions.harContent = harContent
            browserOptions.capture.pageTimeout = pageTimeout
            browserOptions.capture.dwell = dwell
            browserOptions.capture.fill = !noFill
            // The private-network guard in the browser: requests to address literals and localhost
            // names the user did not name are failed before they are sent.
            browserOptions.capture.allowPrivate = options.fetch.allowPrivateAddresses
            browserOptions.capture.privateHostsNamed = options.fetch.privateHostsNamed
            browserOptions.capture.addressKind = { AddressGuard.kind(of: $0) }
            browserOptions.arguments = BrowserOptions.arguments(connectTo: fetch.connectTo, insecure: fetch.insecure) + browserArgs
            let pool = BrowserPool(options: browserOptions)
            do {
                try await pool.warmUp()
                options.browser = browserOptions
                options.browserPool = pool
            } catch {
                await pool.shutDown()
                if mode == "browser" {
                    FileHandle.standardError.write(Data("dragnet audit: cannot start the browser: \(error)\n".utf8))
                    throw ExitCode(ExitStatus.usage)
                }
                FileHandle.standardError.write(Data("dragnet audit: warning: --mode auto cannot start the browser (\(error)); pages are audited statically and the report says which were not escalated\n".utf8))
                options.browserUnavailable = "the browser could not be started"
            }
        }
        if !noDNS {
            do {
                options.dns = try CNAMEResolver(server: dnsServer)
            } catch {
                throw ValidationError(error.description)
            }
        }
        options.robots = !noRobots
        if noContainers {
            options.containers = nil
        } else {
            var containers = ContainerOptions()
            containers.maxAge = Self.seconds(containersMaxAge) ?? 86_400
            containers.cacheDirectory = containersCache ?? ContainerOptions.defaultCacheDirectory
            options.containers = containers
        }
        if !filterTexts.isEmpty { options.filters = FilterEngine.load(lists: filterTexts, sites: resolver) }
        let run = try AuditRunner.run(list, options: options, resolver: resolver)
        let progress = Progress(total: list.count, enabled: !quiet)

        // Ctrl-C stops fetching; the pages that finished are still written out.
        let interrupted = InterruptFlag()
        let signals = interrupted.install { run.cancel() }
        var failed = 0
        var thirdParties = Set<String>()
        var findings = 0
        let historyQueue = DispatchQueue(label: "dragnet.history")
        let historyFailure = FirstFailure()
        var platforms: [String: (pages: Int, maxScore: Double)] = [:]
        var explanations: [(Int, String)] = []
        var summary = RunSummary()
        var containersRead = Set<String>()
        var containersFailed = Set<String>()
        for await page in run.pages {
            containersRead.formUnion(page.containers.read)
            containersFailed.formUnion(page.containers.failed)
            try writer.append(id: page.id, json: page.json)
            if let store, let runID {
                let findings = page.evaluation.findings
                let summary = HistoryStore.PageSummary(
                    url: page.url, site: page.site, score: page.evaluation.exposure.score, grade: page.evaluation.exposure.grade,
                    findings: findings.count, critical: findings.filter { $0.severity == .critical }.count,
                    high: findings.filter { $0.severity == .high }.count,
                    platforms: page.evaluation.exposure.platforms.map { ($0.platform, $0.score, $0.grade) })
                // Written off the page loop, in order, one transaction per page.
                let json = page.historyJSON
                let position = page.id
                historyQueue.async {
                    do { try store.addPage(run: runID, position: position, summary: summary, json: json) } catch { historyFailure.set("\(error)") }
                }
            }
            if page.failed { failed += 1 }
            thirdParties.formUnion(page.thirdPartySites)
            findings += page.evaluation.findings.count
            for platform in page.evaluation.exposure.platforms {
                let entry = platforms[platform.platform] ?? (0, 0)
                platforms[platform.platform] = (entry.pages + 1, max(entry.maxScore, platform.score))
            }
            if explain && !page.failed { explanations.append((page.id, ExposureCalculator.explanation(page.evaluation, page: page.url))) }
            summary.add(page)
            if let line = RunSummary.errorLine(page) ?? RunSummary.browserLine(page) { progress.message(line) }
            progress.record(failed: page.failed)
        }
        signals.cancel()
        progress.finish()
        historyQueue.sync {}
        if let failure = historyFailure.value {
            FileHandle.standardError.write(Data("dragnet audit: the history database could not record every page: \(failure)\n".utf8))
        }

        let header: [(String, JSONValue)] = [
            ("schemaVersion", .int(ReportWriter.schemaVersion)),
            ("tool", .object([("name", .string(Dragnet.name)), ("version", .string(Dragnet.version))])),
            ("startedAt", .string(Self.timestamp(startedAt))),
            ("finishedAt", .string(Self.timestamp(Date()))),
            ("interrupted", .bool(interrupted.isSet)),
            ("inputs", .object([
                ("count", .int(list.count)),
                ("firstParty", .array(options.firstPartySites.sorted().map { .string($0) })),
            ])),
            ("summary", .object([
                ("pages", .int(writer.count)),
                ("failed", .int(failed)),
                ("thirdPartySites", .int(thirdParties.count)),
                ("findings", .int(findings)),
                ("containers", .object([("read", .int(containersRead.count)), ("failed", .int(containersFailed.count))])),
                ("aiCrawlers", summary.aiJSON),
                ("platforms", .object(platforms.keys.sorted().map { id in
                    (id, .object([("pages", .int(platforms[id]!.pages)), ("maxScore", .double(platforms[id]!.maxScore))]))
                })),
            ])),
            ("aiCrawlers", options.robots && list.contains { $0.urlInput != nil } ? (rulePack.map { AIAccess.catalogueJSON($0.aiCrawlers) } ?? .null) : .null),
            ("rules", rulePack.map { pack in
                .object([
                    ("entities", .int(pack.entities.count)), ("trackers", .int(pack.trackers.count)), ("errors", .int(pack.errors.count)),
                ])
            } ?? .null),
        ]
        try writer.finish(header: header)
        if let store, let runID {
            try store.finishRun(runID, finishedAt: Self.timestamp(Date()), interrupted: interrupted.isSet, report: destination?.path)
        }
        var reports: [String] = []
        if let destination {
            let previous = ReportFormats.previous(of: destination.path)
            let rendered = try ReportFormats.render(
                try ReportFormats.parse(format), jsonPath: destination.path, rules: rulePack, previous: previous, history: ReportFormats.scoresByPage(store))
            reports = rendered.sorted { ($0.hasSuffix(".html") ? 0 : $0.hasSuffix(".md") ? 1 : 2, $0) < ($1.hasSuffix(".html") ? 0 : $1.hasSuffix(".md") ? 1 : 2, $1) }
                + [destination.path]
        }
        if explain {
            let text = explanations.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n\n") + "\n"
            if destination == nil { FileHandle.standardError.write(Data(text.utf8)) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
        }
        if !quiet {
            FileHandle.standardError.write(Data(summary.text(reports: reports).utf8))
        }
        if interrupted.terminated { throw ExitCode(ExitStatus.terminated) }
        if writer.count > 0 && failed == writer.count { throw ExitCode(ExitStatus.allFailed) }
    }

    static func reportName(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "dragnet-\(formatter.string(from: date)).json"
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// The first error a background writer met.
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: String?

    var value: String? { lock.withLock { first } }

    func set(_ message: String) { lock.withLock { if first == nil { first = message } } }
}

/// SIGINT (Ctrl-C) and SIGTERM (what Kubernetes, Slurm and `kill` send) → a flag and a
/// callback instead of killing the process: the run stops fetching and writes what finished,
/// marked `interrupted`.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?

    var isSet: Bool { lock.withLock { received != nil } }
    /// SIGTERM was received: the process exits 143 (128 + 15) once the report is written.
    var terminated: Bool { lock.withLock { received == SIGTERM } }

    final class Sources: @unchecked Sendable {
        let sources: [any DispatchSourceSignal]
        init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
        func cancel() { sources.forEach { $0.cancel() } }
    }

    func install(_ onInterrupt: @escaping @Sendable () -> Void) -> Sources {
        Sources([SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let first = lock.withLock {
                    defer { if received == nil { received = number } }
                    return received == nil
                }
                if first { onInterrupt() }
            }
            source.resume()
            return source
        })
    }
}
