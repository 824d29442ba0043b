public import DragnetCore
public import DragnetFilters
import DragnetBrowser
import DragnetContainers
public import DragnetRules
public import DragnetFetch
public import DragnetSites
import Foundation

/// One thing to audit.
public enum AuditInput: Sendable {
    /// A URL to fetch (from an argument, or a line of a URL list).
    case url(URLInput, source: String?)
    /// A saved HTML file, placed at `pageURL` for resolving its links (nil: its canonical URL, if any).
    case file(path: String, pageURL: String?)
    /// A HAR capture (DevTools, Firefox, Playwright), audited as what a browser saw.
    case har(path: String)

    /// The URL to fetch, for `.url` inputs.
    public var urlInput: URLInput? {
        if case .url(let input, _) = self { return input }
        return nil
    }

    /// The URL list or file the input came from.
    public var source: String? {
        switch self {
        case .url(_, let source): source
        case .file(let path, _): path
        case .har(let path): path
        }
    }
}

/// What loads a page: its HTML only, the browser too, or the browser for pages whose static view is incomplete.
public enum AuditMode: String, Sendable {
    case staticOnly = "static"
    case browser
    case auto
}

/// Settings of an audit run; every field has a default.
public struct AuditOptions: Sendable {
    public var fetch = FetchOptions()
    /// Pages extracted at once (CPU-bound; defaults to the number of cores).
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// Sites the user owns besides each page's own site.
    public var firstPartySites: Set<String> = []
    /// Filter lists every network resource is checked against.
    public var filters: FilterEngine?
    /// Rule pack every page is evaluated with.
    public var rules: RulePack?
    /// Fetch each fetched page's privacy policy and classify it (needs `policyRules`).
    public var policies = true
    public var policyRules: PolicyRulePack?
    /// Also encode each page's JSON without its bulky lists (for the history).
    public var historyJSON = false
    /// Load fetched pages in headless Chromium too (`--mode browser`, or those below
    /// `escalateBelow` coverage with `--mode auto`); nil: no browser.
    public var browser: BrowserOptions?
    /// Resolves the CNAME chains of first-party hosts (nil: `--no-dns`).
    public var dns: CNAMEResolver?
    /// A pool already started (`BrowserPool.warmUp`) for `browser`; nil: the run starts its own.
    public var browserPool: BrowserPool?
    /// With `--mode auto` and no usable browser: why pages below the threshold were not escalated.
    public var browserUnavailable = "no browser on this machine"
    public var mode: AuditMode = .staticOnly
    public var escalateBelow = 0.8
    /// Read the tag-manager containers and Segment settings pages load (needs `rules`); nil: `--no-containers`.
    public var containers: ContainerOptions? = ContainerOptions()
    /// Fetch each site's robots.txt and tdmrep.json once and decide every AI crawler for each page (`--no-robots`: off).
    public var robots = true

    public init() {}
}

/// A finished page: its report, already encoded, and what the run summary needs.
public struct AuditedPage: Sendable {
    public var id: Int
    public var json: [UInt8]
    public var failed: Bool
    public var thirdPartySites: [String]
    /// The page's URL (final URL when fetched) and its evaluation, for summaries and `--explain`.
    public var url: String
    public var site: String?
    public var evaluation: Evaluation
    /// The report JSON without resources, links, inline scripts, policy links and graph: what the history keeps.
    public var historyJSON: [UInt8]
    /// Container URLs the page loads that were read, and that could not be.
    public var containers: (read: [String], failed: [String]) = ([], [])
    /// Why the page failed, when it did; its input line and list.
    public var error: PageError?
    public var line: Int?
    public var source: String?
    /// Findings the page's own privacy policy does not disclose (`policy-undisclosed-*`).
    public var undisclosed: Int = 0
    /// Why the browser could not load the page (`--mode browser|auto`): its static view stands alone.
    public var browserError: String?
    /// Per platform with AI crawlers: whether robots.txt lets one of them take the page (nil: robots.txt not fetched).
    public var aiPlatforms: [String: Bool]?
}

/// Pages waiting for their privacy policy: at most `limit` at once (each holds its whole
/// report), so a slow policy server slows the audit down instead of filling memory.
actor PendingTasks {
    private var running = 0
    private let limit: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var idle: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    /// Runs `body` once a place is free; returns when it has started.
    func add(_ body: @escaping @Sendable () async -> Void) async {
        if running >= limit { await withCheckedContinuation { waiters.append($0) } }
        running += 1
        Task {
            await body()
            self.done()
        }
    }

    private func done() {
        running -= 1
        if !waiters.isEmpty {
            waiters.removeFirst().resume()
        } else if running == 0 {
            for continuation in idle { continuation.resume() }
            idle = []
        }
    }

    func waitAll() async {
        if running == 0 && waiters.isEmpty { return }
        await withCheckedContinuation { idle.append($0) }
    }
}

/// A running audit: its pages, and a way to stop it.
public struct AuditRun: Sendable {
    /// Finished pages, in completion order.
    public let pages: AsyncStream<AuditedPage>
    private let session: FetchSession?
    private let onCancel: @Sendable () -> Void

    init(pages: AsyncStream<AuditedPage>, session: FetchSession?, onCancel: @escaping @Sendable () -> Void = {}) {
        self.pages = pages
        self.session = session
        self.onCancel = onCancel
    }

    /// Stops fetching and quits the browsers: transfers in flight end as `cancelled` pages,
    /// pages in the browser end with a browser error, and the stream finishes once every
    /// input has been accounted for.
    public func cancel() {
        session?.cancel()
        onCancel()
    }
}

/// Runs fetch → extract → classify → graph → JSON as a stream: pages are
/// extracted while others download, at most `jobs` at once, and each page is
/// handed out as soon as it is done, so memory stays flat on long lists.
public enum AuditRunner {
    public static func run(_ inputs: [AuditInput], options: AuditOptions, resolver: SiteResolver) throws(FetchError) -> AuditRun {
        let (stream, continuation) = AsyncStream<AuditedPage>.makeStream()
        var urlInputs: [(id: Int, input: URLInput)] = []
        var sources: [Int: String] = [:]
        var files: [(id: Int, path: String, pageURL: String?)] = []
        var hars: [(id: Int, path: String)] = []
        for (id, input) in inputs.enumerated() {
            switch input {
            case .url(let url, let source):
                urlInputs.append((id, url))
                if let source { sources[id] = source }
            case .file(let path, let pageURL):
                files.append((id, path, pageURL))
            case .har(let path):
                hars.append((id, path))
            }
        }
        var fetchOptions = options.fetch
        fetchOptions.concurrency = max(1, fetchOptions.concurrency)
        // Page fetches keep their certificates' names (a first-party signal); containers and policies do not.
        var pageFetchOptions = fetchOptions
        pageFetchOptions.certificateNames = true
        let session: FetchSession? = urlInputs.isEmpty ? nil : try FetchSession(options: pageFetchOptions)
        session?.submit(urlInputs)
        session?.finish()
        let sourcesByID = sources
        let jobs = max(1, options.jobs)
        let firstParty = options.firstPartySites
        let filters = options.filters
        let rules = options.rules
        let keepHistory = options.historyJSON
        let policyFetcher: PolicyFetcher? =
            if options.policies, session != nil, let policyRules = options.policyRules { try PolicyFetcher(options: fetchOptions, rules: policyRules) } else { nil }
        let pending = PendingTasks(limit: 64)
        let robotsFetcher: RobotsFetcher? = if options.robots, session != nil, rules != nil { try RobotsFetcher(options: fetchOptions) } else { nil }
        let containerFetcher: ContainerFetcher? =
            if let containerOptions = options.containers, let rules { try ContainerFetcher(fetch: fetchOptions, options: containerOptions, rules: rules) } else { nil }

        let browserPool: BrowserPool? = options.browserPool ?? options.browser.map { BrowserPool(options: $0) }
        let dnsResolver = options.dns

        /// Browser, containers, then the policy, for a page whose static audit is done; waiting holds no extraction slot.
        let mode = options.mode
        let escalateBelow = options.escalateBelow
        let unavailable = options.browserUnavailable
        @Sendable func complete(_ report: PageReport, auditor: PageAuditor, fetched: Bool) async {
            var report = report
            var auditor = auditor
            let detected = PageAuditor.containerReferences(report)
            report.containerWarnings = detected.warnings
            if containerFetcher == nil, rules != nil, !detected.references.isEmpty {
                PageAuditor.containersSkipped(&report, references: detected.references)
                report.containerWarnings = detected.warnings + report.containerWarnings
            }
            // In auto mode the browser is for pages whose static view is incomplete; the decision
            // waits for the containers, since a container read is one reason not to escalate.
            let browserCandidate = fetched && report.status != nil && mode != .staticOnly
            let needsBrowser = browserCandidate && browserPool != nil
            let needsContainers = containerFetcher != nil && !detected.references.isEmpty
            let needsPolicy = fetched && policyFetcher != nil && report.error == nil && report.site != nil && (200..<300).contains(report.status ?? 0)
            // First-party hosts other than the page's own that serve it something: CNAME cloaking candidates.
            let pageHost = URLParts.split(report.finalURL ?? report.url)?.host
            let dnsHosts: [String] = dnsResolver == nil || rules == nil ? [] : Array(Set(report.observations.resources.compactMap { resource in
                resource.isNetwork && resource.firstParty == true && resource.host != pageHost ? resource.host : nil
            }).sorted().prefix(20))
            let needsDNS = !dnsHosts.isEmpty
            let robotsOrigin = fetched && report.status != nil && robotsFetcher != nil ? RobotsFetcher.origin(of: report.finalURL ?? report.url) : nil
            let needsRobots = robotsOrigin != nil
            /// Coverage of a page that will not go to the browser (none here, or not needed).
            @Sendable func staticCoverage(_ report: inout PageReport) {
                report.coverage = PageAuditor.coverage(report, rules: rules)
                if browserCandidate && mode == .auto && report.coverage.score < escalateBelow {
                    report.coverage.reasons.append("not escalated: \(unavailable)")
                }
            }
            if !needsContainers && !needsBrowser && !needsDNS {
                staticCoverage(&report)
                auditor.evaluate(&report)
            }
            guard needsContainers || needsPolicy || needsBrowser || needsDNS || needsRobots else {
                continuation.yield(Self.finished(report, historyJSON: keepHistory))
                return
            }
            let staticReport = report
            await pending.add {
                var report = staticReport
                var auditor = PageAuditor(resolver: resolver, firstPartySites: firstParty, filters: filters, rules: rules)
                if needsDNS, let dnsResolver {
                    var chains: [CNAMEChain] = []
                    for host in dnsHosts { chains.append(await dnsResolver.chain(host)) }
                    report.observations.cnames = chains
                    if !needsContainers && !needsBrowser { staticCoverage(&report) }
                }
                var loaded: [LoadedContainer] = []
                if needsContainers, let containerFetcher {
                    for reference in detected.references { loaded.append(await containerFetcher.load(reference)) }
                    report.containers = loaded
                }
                if needsContainers || needsBrowser { report.coverage = PageAuditor.coverage(report, rules: rules) }
                let escalate = needsBrowser && (mode == .browser || report.coverage.score < escalateBelow)
                if mode == .auto && escalate { report.coverage.reasons.append("escalated to the browser (coverage below \(escalateBelow))") }
                if escalate, let browserPool {
                    switch await browserPool.capture(report.finalURL ?? report.url) {
                    case .success(let capture):
                        auditor.applyBrowser(&report, capture: capture)
                        if let folder = options.browser?.harDirectory {
                            let har = HAR.document(capture, startedAt: capture.startedAt, browser: capture.browser, includeContent: options.browser?.harContent ?? false)
                            let host = URLParts.split(capture.url)?.host ?? "page"
                            let name = String(format: "%04d-", report.id) + host.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" } + ".har"
                            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                            // Whole or not at all: a crash never leaves a truncated HAR under its name.
                            AtomicFile.write(Array((har.prettyText + "\n").utf8), to: (folder as NSString).appendingPathComponent(name))
                        }
                    case .failure(let error):
                        var summary = BrowserSummary()
                        summary.error = error.message
                        report.browser = summary
                    }
                }
                if needsContainers {
                    auditor.applyContainers(&report, loaded: loaded, warnings: detected.warnings)
                } else if needsBrowser || needsDNS {
                    auditor.evaluate(&report)
                }
                if let robotsOrigin, let robotsFetcher, let rules {
                    report.aiAccess = AIAccess.evaluate(report, robots: await robotsFetcher.robots(for: robotsOrigin), crawlers: rules.aiCrawlers)
                }
                if needsPolicy, let policyFetcher {
                    report.policy = await policyFetcher.policy(candidates: PolicyDiscovery.candidates(for: report))
                    if let policy = report.policy, let rules { Self.checkPractice(&report, policy: policy, rules: rules) }
                }
                continuation.yield(Self.finished(report, historyJSON: keepHistory))
            }
        }

        let task = Task {
            await policyFetcher?.start()
            await containerFetcher?.start()
            await robotsFetcher?.start()
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                func admit() async {
                    if running >= jobs {
                        await group.next()
                        running -= 1
                    }
                    running += 1
                }
                for har in hars {
                    await admit()
                    group.addTask {
                        var auditor = PageAuditor(resolver: resolver, firstPartySites: firstParty, filters: filters, rules: rules)
                        let report = auditor.audit(har: har.path, id: har.id)
                        await complete(report, auditor: auditor, fetched: false)
                    }
                }
                for file in files {
                    await admit()
                    group.addTask {
                        var auditor = PageAuditor(resolver: resolver, firstPartySites: firstParty, filters: filters, rules: rules)
                        let report = Self.auditFile(file.path, id: file.id, pageURL: file.pageURL, auditor: &auditor)
                        await complete(report, auditor: auditor, fetched: false)
                    }
                }
                if let session {
                    for await result in session.results {
                        await admit()
                        group.addTask {
                            var auditor = PageAuditor(resolver: resolver, firstPartySites: firstParty, filters: filters, rules: rules)
                            let report = auditor.audit(result, source: sourcesByID[result.id], evaluate: false)
                            await complete(report, auditor: auditor, fetched: true)
                        }
                    }
                }
                await group.waitForAll()
            }
            await pending.waitAll()
            await browserPool?.shutDown()
            await policyFetcher?.finish()
            await containerFetcher?.finish()
            await robotsFetcher?.finish()
            continuation.finish()
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination {
                session?.cancel()
                Task {
                    await policyFetcher?.cancel()
                    await containerFetcher?.cancel()
                    await robotsFetcher?.cancel()
                    await browserPool?.shutDown()
                }
                task.cancel()
            }
        }
        return AuditRun(pages: stream, session: session) {
            Task { await browserPool?.shutDown() }
        }
    }

    /// Adds the policy-versus-practice findings and recomputes the exposure.
    static func checkPractice(_ report: inout PageReport, policy: PagePolicy, rules: RulePack) {
        let extra = PolicyPractice.check(report.evaluation, policy: policy, rules: rules, pageKey: Evaluator.pageKey(report.finalURL ?? report.url))
        guard !extra.isEmpty else { return }
        report.evaluation.findings = (report.evaluation.findings + extra).sorted {
            ($0.platform, $0.rule, $0.channel.rawValue, $0.id) < ($1.platform, $1.rule, $1.channel.rawValue, $1.id)
        }
        report.evaluation.exposure = ExposureCalculator.exposure(report.evaluation.findings, entities: report.evaluation.entities, scoring: rules.scoring, profiles: rules.profiles)
    }

    static func auditFile(_ path: String, id: Int, pageURL: String?, auditor: inout PageAuditor) -> PageReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            var report = PageReport(id: id, url: pageURL ?? path)
            report.source = path
            report.error = PageError(code: "read", message: "cannot read \(path)", stage: "read")
            return report
        }
        return auditor.audit(file: path, bytes: [UInt8](data), id: id, pageURL: pageURL, evaluate: false)
    }

    static func finished(_ report: PageReport, historyJSON: Bool = false) -> AuditedPage {
        let json = report.json
        var history: [UInt8] = []
        if historyJSON, case .object(let members) = json {
            history = JSONValue.object(members.filter { !PageReport.bulkyKeys.contains($0.0) }).bytes
        }
        return AuditedPage(
            id: report.id,
            json: json.bytes,
            failed: report.error != nil && report.status == nil,
            thirdPartySites: report.thirdParties.map(\.site),
            url: report.finalURL ?? report.url,
            site: report.site,
            evaluation: report.evaluation,
            historyJSON: history,
            containers: (report.containers.filter(\.readable).map(\.reference.url), report.containers.filter { !$0.readable }.map(\.reference.url)),
            error: report.error, line: report.line, source: report.source,
            undisclosed: report.evaluation.findings.filter { $0.rule.hasPrefix("policy-undisclosed") }.count,
            browserError: report.browser?.error,
            aiPlatforms: report.aiAccess.map { access in
                Dictionary(access.platforms.map { ($0.platform, !$0.allowed.isEmpty) }, uniquingKeysWith: { $0 || $1 })
            })
    }
}
