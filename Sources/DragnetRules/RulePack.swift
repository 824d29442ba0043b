public import DragnetCore

/// Where a fact in a rule file comes from.
public struct RuleSource: Sendable, Hashable {
    public var id: String
    public var url: String
    /// The day the fact was checked (YYYY-MM-DD).
    public var checked: String
    public var licence: String?
    public var note: String?
}

/// A company, the domains it owns, and the platform its data ends up with.
public struct Entity: Sendable, Hashable {
    public var id: String
    public var name: String
    public var platform: String
    public var platformName: String
    public var category: String
    public var country: String?
    /// The entity that owns this one (Moat → Oracle, LinkedIn → Microsoft); nil when it is its own owner.
    public var parent: String?
    /// Domain → the source id that documents it.
    public var domains: [String: String]
    public var sources: [String: RuleSource]
    public var file: String
    /// Where each domain is written, for diagnostics.
    var domainMarks: [String: SourceMark] = [:]
}

/// A line and column in a rule file.
struct SourceMark: Sendable, Hashable {
    var line: Int
    var column: Int
}

/// A signature: how to recognise one tracker on a page and what it sends.
public struct TrackerRule: Sendable {
    public struct InlinePattern: Sendable {
        public var contains: String
        public var regex: String?
        /// Another literal the same script must contain (a minified snippet renames `ttq`,
        /// so `a.load("C…")` counts only in a script that also names `TiktokAnalyticsObject`).
        public var near: String?
    }

    public struct Example: Sendable {
        public enum Kind: String, Sendable { case html, cookie }
        public var kind: Kind
        public var text: String
        public var id: String?
        public var line: Int
    }

    public var id: String
    public var title: String
    public var entity: String
    public var purpose: String
    public var severity: Severity
    public var data: [String]
    public var sources: [RuleSource]
    public var description: String
    public var urls: [String]
    public var inline: [InlinePattern]
    public var cookies: [String]
    public var urlID: String?
    public var requiresTrackers: [String]
    public var requiresFormData: [DataCategory]
    public var matchExamples: [Example]
    public var noMatchExamples: [Example]
    public var file: String
    public var line: Int
    var entityMark: SourceMark?
    var requireMarks: [String: SourceMark] = [:]
}

/// The weights that turn findings into exposure points.
public struct Scoring: Sendable, Hashable {
    public var channels: [Channel: Double]
    public var data: [String: Double]
    /// Platform multipliers; `default` applies to platforms not listed.
    public var platforms: [String: Double]
    public var defaultMultiplier: Double
    /// Grade thresholds, ascending: a score at or below `max` gets `grade`.
    public var grades: [(max: Double, grade: String)]
    /// Added to a platform's multiplier for each practice its profile confirms.
    public var practices: [String: Double] = [:]
    public var maxMultiplier: Double = 1.5

    public static func == (lhs: Scoring, rhs: Scoring) -> Bool {
        lhs.channels == rhs.channels && lhs.data == rhs.data && lhs.platforms == rhs.platforms
            && lhs.defaultMultiplier == rhs.defaultMultiplier && lhs.grades.map(\.max) == rhs.grades.map(\.max)
            && lhs.grades.map(\.grade) == rhs.grades.map(\.grade)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(data)
        hasher.combine(platforms)
    }

    public func grade(for score: Double) -> String {
        for entry in grades where score <= entry.max { return entry.grade }
        return grades.last?.grade ?? "F"
    }

    public func multiplier(for platform: String) -> Double { platforms[platform] ?? defaultMultiplier }

    /// The multiplier of a platform with a profile: the default plus the weight of each
    /// confirmed practice, at most `maxMultiplier`; the terms, for `--explain`.
    public func multiplier(for platform: String, profile: PlatformProfile?) -> (value: Double, terms: [(String, Double)]) {
        guard let profile else { return (multiplier(for: platform), []) }
        let terms = profile.confirmed.compactMap { id in practices[id].flatMap { $0 > 0 ? (id, $0) : nil } }
        let value = min(maxMultiplier, terms.reduce(defaultMultiplier) { $0 + $1.1 })
        return ((value * 100).rounded() / 100, terms)
    }
}

/// The vocabularies rule files may use.
public enum RuleVocabulary {
    /// Data categories a flow can carry.
    public static let data = [
        "identifiers", "browsing-activity", "device-info", "device-fingerprint", "contact-data", "keystrokes-mouse",
        "location", "user-content", "conversations", "credentials", "financial", "demographics", "government-id", "health",
    ]
    public static let purposes = [
        "advertising", "analytics", "session-replay", "fingerprinting", "tag-management", "social-embed", "video-embed",
        "customer-engagement", "consent", "cdn", "functional", "payments", "ai-assistant",
    ]
    public static let entityCategories = [
        "advertising", "analytics", "social", "session-replay", "tag-manager", "customer-engagement", "consent", "cdn",
        "video", "payments", "hosting", "utility", "font", "ai", "other",
    ]
    /// Entity categories that serve files rather than collect data: a script or stylesheet from
    /// them is a low-weight `infrastructure` flow (IP address and page address), not identifiers.
    public static let infrastructureCategories: Set<String> = ["cdn", "hosting", "utility", "font"]

    /// The flow category a form field of `category` sends.
    public static func flowData(for category: DataCategory) -> String? {
        switch category {
        case .email, .phone, .name, .postalAddress: "contact-data"
        case .birthDate: "demographics"
        case .password: "credentials"
        case .paymentCard: "financial"
        case .governmentID: "government-id"
        case .health: "health"
        case .freeText: "user-content"
        case .hidden, .other: nil
        }
    }
}

/// Entities, tracker signatures and scoring weights, loaded from a `rules/` folder
/// (and optional user override files). Immutable once loaded.
public struct RulePack: Sendable {
    public internal(set) var entities: [Entity] = []
    public internal(set) var trackers: [TrackerRule] = []
    public internal(set) var scoring: Scoring
    /// Platform profiles from `platforms/*.yml`, by platform id.
    public internal(set) var profiles: [String: PlatformProfile] = [:]
    /// Sites the user declared first-party in an override file.
    public internal(set) var firstPartySites: Set<String> = []
    /// Everything wrong with the files (errors stop an audit; warnings don't).
    public internal(set) var diagnostics: [RuleDiagnostic] = []
    /// The files read, relative to the rules folder where possible.
    public internal(set) var files: [String] = []
    /// AI crawlers (`ai-crawlers/robots.json` with `operators.yml`), sorted by token.
    public internal(set) var aiCrawlers: [AICrawler] = []

    /// Domain → index into `entities`.
    var domainIndex: [String: Int] = [:]
    var entityIndex: [String: Int] = [:]
    /// Compiled tracker patterns, parallel to `trackers`.
    var compiled: [CompiledTracker] = []
    /// Pattern host → (tracker index, pattern), for patterns whose host has no `*`.
    var urlIndex: [String: [(Int, URLPattern)]] = [:]
    var globPatterns: [(Int, URLPattern)] = []
    /// Every inline `contains` literal, and which tracker and pattern each belongs to.
    var inlineScanner = LiteralScanner([])
    var inlineOwners: [(tracker: Int, pattern: Int)] = []
    /// How tag-manager containers and Segment destinations map to trackers (`containers/*.yml`).
    public internal(set) var containers = ContainerRules()
    /// Pixel decoders (`decoders/*.yml`), in file order: the first whose URLs match reads a request.
    public internal(set) var decoders: [PixelDecoder] = []
    /// CNAME-tracker domains (`cname/*.txt`, AdGuard's list format) → the company that runs them.
    public internal(set) var cnameTrackers: [String: String] = [:]

    /// The company of the CNAME-tracker domain `host` is, or is below.
    public func cnameTracker(forHost host: String) -> (domain: String, company: String)? {
        var candidate = Substring(host.lowercased())
        while true {
            if let company = cnameTrackers[String(candidate)] { return (String(candidate), company) }
            guard let dot = candidate.firstIndex(of: ".") else { return nil }
            candidate = candidate[candidate.index(after: dot)...]
        }
    }
    /// Tracker ids and Segment entities named by container rules, for linking: (id, file, line).
    var containerMarks: [(String, String, Int)] = []
    var segmentEntityMarks: [(String, String, Int)] = []

    public var errors: [RuleDiagnostic] { diagnostics.filter { $0.level == .error } }

    public init(scoring: Scoring = .builtIn) {
        self.scoring = scoring
    }

    public func entity(id: String) -> Entity? { entityIndex[id].map { entities[$0] } }

    /// The entity owning `host` (the longest listed domain that is `host` or one of its parents).
    public func entity(forHost host: String) -> Entity? {
        var rest = Substring(host)
        while true {
            if let index = domainIndex[String(rest)] { return entities[index] }
            guard let dot = rest.firstIndex(of: ".") else { return nil }
            rest = rest[rest.index(after: dot)...]
        }
    }
}

extension Scoring {
    /// Used when a rules folder has no scoring.yml (and by tests of the evaluator).
    public static let builtIn = Scoring(
        channels: [.script: 1.0, .pixel: 0.8, .iframeEmbed: 0.7, .formPost: 1.0, .serverSide: 0.9, .cookie: 0.6, .resource: 0.3, .link: 0],
        data: [
            "identifiers": 15, "browsing-activity": 15, "device-info": 5, "device-fingerprint": 20, "contact-data": 30,
            "keystrokes-mouse": 30, "location": 15, "user-content": 10, "conversations": 25, "credentials": 40, "financial": 40,
            "demographics": 10, "government-id": 40, "health": 40,
        ],
        platforms: [:],
        defaultMultiplier: 1.0,
        grades: [(10, "A"), (25, "B"), (45, "C"), (65, "D"), (80, "E"), (100, "F")]
    )
}

extension RulePack {
    /// Indexes of the trackers with a URL pattern matching this URL, ascending.
    func trackersMatching(host: String, pathAndQuery: Substring) -> [Int] {
        var result: [Int] = []
        var rest = Substring(host)
        while true {
            for (rule, pattern) in urlIndex[String(rest)] ?? [] where pattern.matches(host: host, pathAndQuery: pathAndQuery) {
                if result.last != rule && !result.contains(rule) { result.append(rule) }
            }
            guard let dot = rest.firstIndex(of: ".") else { break }
            rest = rest[rest.index(after: dot)...]
        }
        for (rule, pattern) in globPatterns where pattern.matches(host: host, pathAndQuery: pathAndQuery) && !result.contains(rule) {
            result.append(rule)
        }
        return result.sorted()
    }
}

extension RulePack {
    /// Whether some tracker's inline literal occurs in `text` (a known snippet).
    public func explainsInline(_ text: String) -> Bool { !inlineScanner.scan(text).isEmpty }

    /// The index of the tracker rule `id` (rules are sorted by id).
    public func trackerIndex(_ id: String) -> Int? {
        var low = 0
        var high = trackers.count
        while low < high {
            let mid = (low + high) / 2
            if trackers[mid].id < id { low = mid + 1 } else { high = mid }
        }
        return low < trackers.count && trackers[low].id == id ? low : nil
    }
}
