import Foundation
public import DragnetCore
import DragnetRules
import DragnetContainers
public import DragnetFetch

/// Everything the report says about one audited page.
public struct PageReport: Sendable {
    /// Position in the run's inputs (reports list pages in this order).
    public var id: Int
    public var url: String
    public var line: Int?
    /// The URL list or HTML file the page came from.
    public var source: String?
    public var finalURL: String?
    public var status: Int?
    public var error: PageError?
    /// The page's own site (registrable domain of its final URL).
    public var site: String?
    public var fetch: FetchResult?
    public var observations = Observations()
    public var graph = DataFlowGraph()
    /// Entities, findings and exposure (empty when the audit ran without rules).
    public var evaluation = Evaluation()
    /// The site's privacy policy, when the audit fetched it (`--policies`).
    public var policy: PagePolicy?
    /// Tag-manager containers and Segment settings the page loads, as this run read them.
    public var containers: [LoadedContainer] = []
    /// Container ids that were not fetched (invalid, or `--no-containers`).
    public var containerWarnings: [String] = []
    /// How much of what the page runs could be read.
    public var coverage = Coverage()
    /// Sites the page's TLS certificate names besides its own (first party, at most 10).
    public var certificateSites: [String] = []
    /// What the browser saw (`--mode browser`), summarised.
    public var browser: BrowserSummary?
    /// Which AI crawlers may take the page (fetched pages, unless `--no-robots`).
    public var aiAccess: AIAccess?
    /// Cookies the browser held at the end of the page load.
    var browserCookies: [SeenCookie] = []
    /// The URL the rules evaluate the page at (final or requested URL; a saved page's URL).
    var evaluationURL: String?
    /// Audited with `evaluate: false`: the rules have not run yet.
    var needsEvaluation = false

    public init(id: Int, url: String) {
        self.id = id
        self.url = url
    }

    /// Third-party sites the page loads from, with their hosts and resource kinds.
    public var thirdParties: [ThirdParty] {
        var bySite: [String: ThirdParty] = [:]
        for resource in observations.resources where resource.isNetwork && resource.firstParty == false {
            guard let site = resource.site, let host = resource.host else { continue }
            var entry = bySite[site] ?? ThirdParty(site: site)
            entry.hosts.insert(host)
            entry.kinds.insert(resource.kind.rawValue)
            entry.count += 1
            bySite[site] = entry
        }
        return bySite.values.sorted { $0.site < $1.site }
    }
}

/// The page's load in headless Chromium.
public struct BrowserSummary: Sendable, Hashable {
    public var requests = 0
    public var cookies = 0
    public var seconds = 0.0
    public var error: String?
    public var finalURL: String?
    /// What was typed into which field (`fill`), and the main frame's storage keys with value sizes.
    public var canaries: [Canary] = []
    public var storage: [StorageKey] = []
    /// Private-network addresses the page's requests went for, refused before they were sent.
    public var refusedPrivate: [String] = []

    public init() {}
}

/// A localStorage or sessionStorage key the page set, and its value's size (never the value).
public struct StorageKey: Sendable, Hashable {
    public var area: String
    public var key: String
    public var bytes: Int
}

/// How completely Dragnet could read what a page runs (0–1), and what lowered it.
public struct Coverage: Sendable, Hashable {
    public var score = 1.0
    public var reasons: [String] = []

    public init() {}
}

/// A third-party site in the page summary.
public struct ThirdParty: Sendable, Hashable {
    public var site: String
    public var hosts: Set<String> = []
    public var kinds: Set<String> = []
    public var count = 0

    public init(site: String) { self.site = site }
}

/// Why a page could not be audited.
public struct PageError: Sendable, Hashable {
    /// `fetch`-stage codes (`dns`, `timeout` …) or `read` / `parse` for saved files.
    public var code: String
    public var message: String
    public var stage: String

    public init(code: String, message: String, stage: String) {
        self.code = code
        self.message = message
        self.stage = stage
    }
}

extension PageReport {
    /// Per platform: its entities, the data it receives, and its score.
    var platformSummaries: [(String, JSONValue)] {
        evaluation.exposure.platforms.map { platform in
            let findings = evaluation.findings.filter { $0.platform == platform.platform }
            let entities = Set(findings.compactMap(\.entity)).sorted()
            let data = Set(findings.flatMap(\.data)).sorted()
            let channels = Set(findings.map(\.channel.rawValue)).sorted()
            return (platform.platform, .object([
                ("name", .string(platform.name)),
                ("entities", .array(entities.map { .string($0) })),
                ("data", .array(data.map { .string($0) })),
                ("channels", .array(channels.map { .string($0) })),
                ("findings", .int(findings.count)),
                ("score", .double(platform.score)),
                ("grade", .string(platform.grade)),
            ]))
        }
    }
}

extension PageReport {
    static let bulkyKeys: Set<String> = ["resources", "links", "inlineScripts", "policyLinks", "graph"]

    /// The report JSON without its bulky lists.
    public var historyJSON: JSONValue {
        guard case .object(let members) = json else { return json }
        return .object(members.filter { !Self.bulkyKeys.contains($0.0) })
    }
}

extension LoadedContainer: JSONRepresentable {
    public var json: JSONValue {
        let firing = mapped.tags.filter { $0.firing.fires && $0.status != "infrastructure" }
        return .object([
            ("id", .string(reference.id)), ("kind", .string(reference.kind.rawValue)), ("url", .string(reference.url)),
            ("dataLayer", .string(reference.dataLayer)), ("foundIn", .string("\(reference.element) line \(reference.line)")),
            ("source", .string(source)), ("fetchedAt", .string(fetchedAt.map { $0.formatted(.iso8601) })), ("status", .int(status)),
            ("error", .string(error)), ("version", .string(version)), ("bytes", .int(size)),
            ("tags", .int(mapped.tags.count)), ("firingTags", .int(firing.count)),
            ("trackers", .array(Array(Set(firing.flatMap(\.trackers))).sorted().map { .string($0) })),
            ("warnings", .array(warnings.map { .string($0) })),
        ])
    }
}

extension PageReport: JSONRepresentable {
    /// Headers worth auditing; others (dates, caching, tracing ids) change on every request.
    static let summarisedHeaders = [
        "content-type", "server", "x-powered-by", "content-security-policy", "content-security-policy-report-only",
        "referrer-policy", "permissions-policy", "strict-transport-security", "x-frame-options",
        "x-content-type-options", "cross-origin-opener-policy", "cross-origin-embedder-policy",
        "cross-origin-resource-policy", "report-to", "reporting-endpoints", "nel", "timing-allow-origin",
    ]

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("url", .string(url)),
            ("finalURL", .string(finalURL)),
            ("status", .int(status)),
            ("site", .string(site)),
            ("error", error.map { .object([("code", .string($0.code)), ("message", .string($0.message)), ("stage", .string($0.stage))]) } ?? .null),
            ("thirdParties", .array(thirdParties.map { party in
                .object([
                    ("count", .int(party.count)),
                    ("hosts", .array(party.hosts.sorted().map { .string($0) })),
                    ("kinds", .array(party.kinds.sorted().map { .string($0) })),
                    ("site", .string(party.site)),
                ])
            })),
            ("graph", graph.json),
            ("entities", .array(evaluation.entities.map(\.json))),
            ("findings", .array(evaluation.findings.map(\.json))),
            ("exposure", evaluation.exposure.json),
            ("platforms", .object(platformSummaries)),
            ("policy", policy?.json ?? .null),
            ("containers", .array(containers.map { $0.json })),
            ("containerWarnings", .array(containerWarnings.map { .string($0) })),
            ("coverage", .object([("score", .double(coverage.score)), ("reasons", .array(coverage.reasons.map { .string($0) }))])),
        ]
        if let browser {
            members.append(("browser", .object([
                ("requests", .int(browser.requests)), ("cookies", .int(browser.cookies)), ("seconds", .double(browser.seconds)),
                ("error", .string(browser.error)), ("finalURL", .string(browser.finalURL)),
                ("canaries", .array(browser.canaries.map { .object([("kind", .string($0.kind)), ("field", .string($0.field)), ("value", .string($0.value))]) })),
                ("storage", .array(browser.storage.map {
                    .object([("area", .string($0.area)), ("key", .string($0.key)), ("bytes", .int($0.bytes)), ("seenBy", .array([.string("browser")]))])
                })),
                ("refusedPrivate", .array(browser.refusedPrivate.map { .string($0) })),
            ])))
        }
        if let aiAccess { members.append(("aiAccess", aiAccess.json)) }
        members += observations.jsonMembers
        if let line { members.append(("line", .int(line))) }
        if let source { members.append(("source", .string(source))) }
        if let fetch {
            members.append(("fetch", .object([
                ("attempts", .int(fetch.attempts)),
                ("bytes", .int(fetch.bytes)),
                ("charset", .string(fetch.charset)),
                ("charsetSource", .string(fetch.charsetSource?.rawValue)),
                ("contentType", .string(fetch.contentType)),
                ("httpVersion", .string(fetch.httpVersion)),
                ("redirectChain", .array(fetch.redirectChain.map { hop in
                    .object([("location", .string(hop.location)), ("status", .int(hop.status)), ("url", .string(hop.url))])
                })),
                ("remoteIP", .string(fetch.remoteIP)),
                ("sha256", .string(fetch.sha256)),
            ] + (fetch.certificateNames.isEmpty ? [] : [
                ("certificateNames", .array(fetch.certificateNames.map { .string($0) })),
                ("certificateSites", .array(certificateSites.map { .string($0) })),
            ]))))
            var headers: [(String, JSONValue)] = []
            for name in Self.summarisedHeaders {
                let values = fetch.headers.values(name)
                if !values.isEmpty { headers.append((name, .string(values.joined(separator: ", ")))) }
            }
            headers.append(("set-cookie-count", .int(fetch.headers.values("set-cookie").count)))
            members.append(("headers", .object(headers)))
            members.append(("cookies", .array(fetch.cookies.map(\.json))))
        } else {
            members.append(("fetch", .null))
            members.append(("headers", .object([])))
            members.append(("cookies", .array([])))
        }
        return .object(members)
    }
}
