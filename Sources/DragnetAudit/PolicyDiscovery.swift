public import DragnetCore
import DragnetFetch
public import DragnetPolicy
import DragnetRules
import Foundation

/// Where a page's privacy policy was found, and what it says.
public struct PagePolicy: Sendable {
    /// The URL fetched (the last one tried when none worked).
    public var url: String
    /// How it was found: `rel`, `text:LANG`, `url` (from the page's links), or `common-path`.
    public var foundBy: String
    /// Candidate URLs tried, in order.
    public var tried: [String]
    public var status: Int?
    public var error: String?
    public var analysis: PolicyAnalysis?

    public init(url: String, foundBy: String, tried: [String]) {
        self.url = url
        self.foundBy = foundBy
        self.tried = tried
    }
}

/// Picks the policy URLs to try for a page: its ranked policy-link candidates on the
/// page's own site (at most three), then common paths on the page's origin. Links to
/// other sites are not followed: a site's policy lives on the site, and an audit should
/// not wander off to wherever a page links.
public enum PolicyDiscovery {
    public static let commonPaths = ["/privacy", "/privacy-policy", "/legal/privacy", "/privacy-notice", "/legal/privacy-policy"]

    public static func candidates(for report: PageReport) -> [(url: String, foundBy: String)] {
        var result: [(String, String)] = []
        var seen = Set<String>()
        let site = report.site
        for candidate in report.observations.policyLinks where result.count < 3 {
            guard let url = WebURL(candidate.url), url.isNetwork, let host = url.host, let site,
                host == site || host.hasSuffix("." + site)
            else { continue }
            let key = url.withoutFragment
            guard seen.insert(key).inserted else { continue }
            let foundBy = candidate.reasons.first { $0 == "rel" } ?? candidate.reasons.first { $0.hasPrefix("text:") } ?? candidate.reasons.first ?? "url"
            result.append((key, foundBy))
        }
        if let page = WebURL(report.finalURL ?? report.url), page.isNetwork, let host = page.host {
            let origin = page.scheme + "://" + host + port(of: page.string, host: host)
            for path in commonPaths where seen.insert(origin + path).inserted {
                result.append((origin + path, "common-path"))
            }
        }
        return result
    }

    private static func port(of url: String, host: String) -> String {
        guard let hostRange = url.range(of: host) else { return "" }
        let rest = url[hostRange.upperBound...]
        guard rest.hasPrefix(":") else { return "" }
        return String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }
}

/// Fetches privacy policies with its own fetch session (the same libcurl fetcher and
/// options as the pages). Each policy URL is fetched once however many pages point to
/// it, and pages with the same candidates share one result; the result depends only on
/// the page's own candidates, never on which page of the site finished first.
actor PolicyFetcher {
    private let session: FetchSession
    private var waiting: [Int: CheckedContinuation<FetchResult, Never>] = [:]
    private var nextID = 0
    private var byCandidates: [String: Task<PagePolicy?, Never>] = [:]
    /// What each policy URL gave (status, error, analysis), never its body: a crawl tries
    /// thousands of candidate URLs, and keeping bodies made memory grow with them.
    private var byURL: [String: Task<PagePolicy, Never>] = [:]
    private let rules: PolicyRulePack

    init(options: FetchOptions, rules: PolicyRulePack) throws(FetchError) {
        var options = options
        options.keepBody = true
        session = try FetchSession(options: options)
        self.rules = rules
    }

    /// Reads results and hands each to whoever waits for its id.
    func start() {
        let session = self.session
        Task {
            for await result in session.results { self.deliver(result) }
        }
    }

    private func deliver(_ result: FetchResult) {
        waiting.removeValue(forKey: result.id)?.resume(returning: result)
    }

    /// What `candidate` gives, fetched and read once.
    private func attempt(_ candidate: (url: String, foundBy: String)) async -> PagePolicy {
        if let task = byURL[candidate.url] { return await task.value }
        let task = Task { await self.read(candidate) }
        byURL[candidate.url] = task
        return await task.value
    }

    private func read(_ candidate: (url: String, foundBy: String)) async -> PagePolicy {
        let result = await fetch(candidate.url)
        var policy = PagePolicy(url: candidate.url, foundBy: candidate.foundBy, tried: [])
        policy.status = result.status
        if let error = result.error {
            policy.error = "\(error.code.rawValue): \(error.message)"
            return policy
        }
        guard let status = result.status, (200..<300).contains(status) else {
            policy.error = "HTTP \(result.status.map(String.init) ?? "?")"
            return policy
        }
        let type = result.contentType?.lowercased() ?? ""
        guard type.isEmpty || type.contains("html") || type.hasPrefix("text/") else {
            policy.error = "not a text document (\(type))"
            return policy
        }
        let document = PolicyDocument(bytes: result.body, hint: type, charset: result.charsetSource == .header ? result.charset : nil)
        guard document.sentences.count >= 3 else {
            policy.error = "no policy text (\(document.sentences.count) sentences)"
            return policy
        }
        policy.analysis = PolicyAnalysis.analyze(document, rules: rules)
        return policy
    }

    private func fetch(_ url: String) async -> FetchResult {
        let id = nextID
        nextID += 1
        return await withCheckedContinuation { continuation in
            waiting[id] = continuation
            session.submit(id: id, input: URLInput(url))
        }
    }

    /// The policy for a page with these candidates, tried in order until one is a text document.
    func policy(candidates: [(url: String, foundBy: String)]) async -> PagePolicy? {
        let key = candidates.map { $0.url + " " + $0.foundBy }.joined(separator: "\n")
        if let task = byCandidates[key] { return await task.value }
        let task = Task { await self.resolve(candidates) }
        byCandidates[key] = task
        return await task.value
    }

    private func resolve(_ candidates: [(url: String, foundBy: String)]) async -> PagePolicy? {
        guard !candidates.isEmpty else { return nil }
        var tried: [String] = []
        var last: PagePolicy?
        for candidate in candidates {
            tried.append(candidate.url)
            var policy = await attempt(candidate)
            policy.foundBy = candidate.foundBy
            policy.tried = tried
            if policy.analysis != nil { return policy }
            last = policy
        }
        return last
    }

    func finish() { session.finish() }
    func cancel() { session.cancel() }
}

extension PagePolicy: JSONRepresentable {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("url", .string(url)), ("foundBy", .string(foundBy)), ("tried", .array(tried.map { .string($0) })),
            ("status", .int(status)), ("error", .string(error)),
        ]
        if let analysis {
            members.append(("format", .string(analysis.format.rawValue)))
            members.append(("sentenceCount", .int(analysis.sentenceCount)))
            members.append(("practices", .array(analysis.practices.map { .string($0) })))
            members.append(("negatedOnly", .array(analysis.negatedOnly.map { .string($0) })))
            // One quote per practice keeps reports small; `dragnet policy URL` shows them all.
            members.append(("quotes", .object(analysis.practices.compactMap { practice in
                analysis.quote(practice).map { (practice, $0.json) }
            })))
        }
        return .object(members)
    }
}
