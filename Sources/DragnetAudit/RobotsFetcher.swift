import DragnetCore
import DragnetRules
public import DragnetFetch
public import DragnetRobots
import Foundation

/// A site's robots.txt as one run fetched it, and what RFC 9309 makes of the outcome.
public struct SiteRobots: Sendable {
    /// How the fetch ended, and so what crawlers may do (RFC 9309 §2.3.1).
    public enum Outcome: String, Sendable {
        /// A 2xx answer: its rules apply.
        case parsed
        /// 4xx, or more than five redirects: "unavailable", everything allowed.
        case unavailable
        /// 5xx, 429 or no answer: "unreachable", everything disallowed.
        case unreachable
    }

    public var url: String
    public var finalURL: String?
    public var status: Int?
    public var outcome: Outcome
    /// Why the outcome applies, in words ("HTTP 404: everything allowed (RFC 9309 §2.3.1.3)").
    public var reason: String
    public var robots: RobotsTxt?
    public var contentType: String?
    public var bytes = 0
    public var truncated = false
    /// `/.well-known/tdmrep.json` of the same origin.
    public var tdm = TDMFile()

    public init(url: String, outcome: Outcome, reason: String) {
        self.url = url
        self.outcome = outcome
        self.reason = reason
    }

    /// What RFC 9309 makes of a fetch result.
    public static func from(_ result: FetchResult, url: String) -> SiteRobots {
        if let error = result.error {
            if error.code == .tooManyRedirects {
                return SiteRobots(url: url, outcome: .unavailable, reason: "more than 5 redirects: treated as unavailable, everything allowed (RFC 9309 §2.3.1.2)")
            }
            var robots = SiteRobots(url: url, outcome: .unreachable, reason: "unreachable (\(error.code.rawValue): \(error.message)): everything disallowed (RFC 9309 §2.3.1.4)")
            robots.status = result.status
            return robots
        }
        guard let status = result.status else {
            return SiteRobots(url: url, outcome: .unreachable, reason: "no answer: everything disallowed (RFC 9309 §2.3.1.4)")
        }
        var robots: SiteRobots
        switch status {
        case 200..<300:
            robots = SiteRobots(url: url, outcome: .parsed, reason: "HTTP \(status): its rules apply")
            let parsed = RobotsTxt(result.body)
            robots.robots = parsed
            robots.truncated = result.truncated || parsed.truncated
            if robots.truncated { robots.reason += "; only the first \(RobotsTxt.defaultLimit / 1024) KiB were read (RFC 9309 §2.5)" }
        case 429, 500..<600:
            robots = SiteRobots(url: url, outcome: .unreachable, reason: "HTTP \(status): unreachable, everything disallowed (RFC 9309 §2.3.1.4)")
        case 400..<500:
            robots = SiteRobots(url: url, outcome: .unavailable, reason: "HTTP \(status): unavailable, everything allowed (RFC 9309 §2.3.1.3)")
        default:
            robots = SiteRobots(url: url, outcome: .unavailable, reason: "HTTP \(status): no robots.txt, everything allowed")
        }
        robots.status = status
        robots.finalURL = result.finalURL
        robots.contentType = result.contentType
        robots.bytes = result.bytes
        return robots
    }
}

/// `/.well-known/tdmrep.json` (W3C TDM Reservation Protocol): which paths reserve text and data mining rights.
public struct TDMFile: Sendable {
    public struct Rule: Sendable {
        public var location: String
        public var reserved: Bool
        public var policy: String?
        /// `location` percent-encoding normalised, once (pages of the site all match against it).
        let pattern: [UInt8]
    }

    public var status: Int?
    public var rules: [Rule] = []
    /// Why the file could not be used (absent files are not errors).
    public var error: String?

    public init() {}

    /// Parses the file: a JSON array of `{"location", "tdm-reservation", "tdm-policy"}`.
    /// A malformed file or entry is an error text; nothing is guessed from it.
    public static func parse(_ body: [UInt8], status: Int?) -> TDMFile {
        var file = TDMFile()
        file.status = status
        let root: JSONValue
        do {
            root = try JSONValue.parse(body, maxDepth: 16)
        } catch {
            file.error = "tdmrep.json is not JSON (\(error))"
            return file
        }
        guard let items = root.arrayValue else {
            file.error = "tdmrep.json is not a JSON array of rules"
            return file
        }
        for (index, item) in items.enumerated() {
            guard let location = item["location"]?.stringValue, let reservation = item["tdm-reservation"]?.intValue, reservation == 0 || reservation == 1 else {
                file.error = "tdmrep.json rule \(index + 1) lacks a 'location' or a 'tdm-reservation' of 0 or 1; ignored"
                continue
            }
            file.rules.append(Rule(
                location: location, reserved: reservation == 1, policy: item["tdm-policy"]?.stringValue,
                pattern: Pattern.normalise(ArraySlice(location.utf8))))
        }
        return file
    }

    /// The first rule whose location matches `path` (rules are read in order, as the protocol says).
    public func rule(for path: [UInt8]) -> Rule? {
        rules.first { Pattern.matches(path: path, pattern: $0.pattern) }
    }
}

/// Fetches each origin's robots.txt and tdmrep.json once per run, with its own fetch session:
/// at most 500 KiB and 5 redirects (RFC 9309 §2.3.1.2, §2.5). Pages of one site share the result.
public actor RobotsFetcher {
    /// One session for robots.txt and tdmrep.json, so both reuse one connection to the site.
    private let session: FetchSession
    private var waiting: [Int: CheckedContinuation<FetchResult, Never>] = [:]
    private var nextID = 0
    private var byOrigin: [String: Task<SiteRobots, Never>] = [:]

    public init(options: FetchOptions) throws(FetchError) {
        var robots = options
        robots.keepBody = true
        robots.maxBytes = RobotsTxt.defaultLimit
        robots.truncateBody = true
        robots.maxRedirects = 5
        // Nothing reads a robots.txt digest.
        robots.computeDigest = false
        robots.retries = min(options.retries, 1)
        // One transfer loop is plenty for two small files per site.
        robots.loops = 1
        session = try FetchSession(options: robots)
    }

    public func start() {
        let session = self.session
        Task {
            for await result in session.results { self.deliver(result) }
        }
    }

    private func deliver(_ result: FetchResult) {
        waiting.removeValue(forKey: result.id)?.resume(returning: result)
    }

    /// The origin (`scheme://host[:port]`) of an http(s) URL.
    public static func origin(of url: String) -> String? {
        guard let parsed = WebURL(url), parsed.isNetwork else { return nil }
        return URLParts.origin(parsed.string)
    }

    /// The robots.txt (and tdmrep.json) of `origin`, fetched once.
    public func robots(for origin: String) async -> SiteRobots {
        if let task = byOrigin[origin] { return await task.value }
        let task = Task { await self.load(origin) }
        byOrigin[origin] = task
        return await task.value
    }

    private func load(_ origin: String) async -> SiteRobots {
        // One after the other, so tdmrep.json reuses robots.txt's connection (and TLS session).
        var robots = SiteRobots.from(await fetch(origin + "/robots.txt", tdm: false), url: origin + "/robots.txt")
        let tdm = await fetch(origin + "/.well-known/tdmrep.json", tdm: true)
        if tdm.error == nil, !tdm.truncated, let status = tdm.status, (200..<300).contains(status) {
            robots.tdm = TDMFile.parse(tdm.body, status: status)
        } else {
            robots.tdm.status = tdm.status
        }
        return robots
    }

    private func fetch(_ url: String, tdm: Bool) async -> FetchResult {
        let id = nextID
        nextID += 1
        return await withCheckedContinuation { continuation in
            waiting[id] = continuation
            session.submit(id: id, input: URLInput(url))
        }
    }

    public func finish() {
        session.finish()
    }

    public func cancel() {
        session.cancel()
    }
}
