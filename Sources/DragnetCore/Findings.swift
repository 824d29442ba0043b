/// What the rules concluded about one page: who receives data, through which
/// channel, and how much that exposes the visitor to each platform.
public struct Evaluation: Sendable, Hashable {
    /// Entities seen on the page, sorted by id.
    public var entities: [EntitySummary] = []
    /// Findings, sorted by (platform, rule, channel, id).
    public var findings: [Finding] = []
    public var exposure = Exposure()

    public init() {}
}

/// An entity (company) the page sends data to, and the sites it was seen on.
public struct EntitySummary: Sendable, Hashable {
    public var id: String
    public var name: String
    public var platform: String
    public var platformName: String
    public var category: String
    public var sites: [String]
    /// The owners above it, nearest first (Moat → Oracle), empty when it is its own owner.
    public var owners: [Owner] = []

    public struct Owner: Sendable, Hashable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public init(id: String, name: String, platform: String, platformName: String, category: String, sites: [String]) {
        self.id = id
        self.name = name
        self.platform = platform
        self.platformName = platformName
        self.category = category
        self.sites = sites
    }
}

/// How data leaves the page.
public enum Channel: String, Sendable, Hashable, CaseIterable, Comparable {
    case script
    case pixel
    case iframeEmbed = "iframe-embed"
    case formPost = "form-post"
    /// Sent from a vendor's servers, not the visitor's browser (a Segment destination in cloud mode).
    case serverSide = "server-side"
    case cookie
    case link
    /// Any other fetched resource (stylesheet, font, media): IP, user agent and referrer still flow.
    case resource

    public static func < (lhs: Channel, rhs: Channel) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    public var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Where a finding was seen.
public struct Evidence: Sendable, Hashable, Comparable {
    /// The resource, form action or cookie-setting URL.
    public var url: String?
    /// `script@src`, `img@src`, `script` (inline), `form@action`, `set-cookie`, `a@href`.
    public var element: String
    /// Source line in the page (nil for cookies).
    public var line: Int?
    /// A short excerpt of an inline script around the match, or the cookie name.
    public var snippet: String?
    /// For `container-tag` evidence: the tag's index in the container's `tags` list.
    public var tag: Int?

    public init(url: String? = nil, element: String, line: Int? = nil, snippet: String? = nil, tag: Int? = nil) {
        self.url = url
        self.element = element
        self.line = line
        self.snippet = snippet
        self.tag = tag
    }

    public static func < (lhs: Evidence, rhs: Evidence) -> Bool {
        (lhs.line ?? Int.max, lhs.element, lhs.url ?? "", lhs.tag ?? -1, lhs.snippet ?? "")
            < (rhs.line ?? Int.max, rhs.element, rhs.url ?? "", rhs.tag ?? -1, rhs.snippet ?? "")
    }
}

/// The tag-manager container (and the tag in it) through which a finding reaches the page.
public struct ContainerVia: Sendable, Hashable, Comparable {
    /// `GTM-…`, `G-…`/`AW-…` (gtag) or `segment:WRITEKEY`.
    public var container: String
    /// Index of the tag in the container's `tags` list (nil for Segment destinations).
    public var tag: Int?
    /// The tag's template (`__html`, `__awct`, `__cvt_…`) or the Segment destination's name.
    public var template: String
    /// When it fires: `page-load`, `event`, `conditional`, `after-consent`, `device-mode`, `cloud-mode`.
    public var firing: String
    /// The container's URL.
    public var url: String

    public init(container: String, tag: Int?, template: String, firing: String, url: String) {
        self.container = container
        self.tag = tag
        self.template = template
        self.firing = firing
        self.url = url
    }

    public static func < (lhs: ContainerVia, rhs: ContainerVia) -> Bool {
        (lhs.container, lhs.tag ?? -1, lhs.template) < (rhs.container, rhs.tag ?? -1, rhs.template)
    }
}

/// One conclusion of one rule on one page.
public struct Finding: Sendable, Hashable {
    /// Stable: the same rule, entity and target on the same page give the same id
    /// on every run, whatever cache-busters the URLs carry.
    public var id: String
    /// The tracker rule id, or `entity-<channel>` / `unattributed-<channel>` for
    /// data flows the entity map explains without a specific signature.
    public var rule: String
    public var title: String
    public var severity: Severity
    /// Entity id; nil for an unattributed third-party site.
    public var entity: String?
    /// Platform id (`tiktok`, `x`, `meta`, `google` …), or `unattributed`.
    public var platform: String
    public var channel: Channel
    /// Data categories sent (identifiers, browsing-activity, contact-data …), sorted.
    public var data: [String]
    public var purpose: String?
    /// The third-party site (or, for entity findings, the entity) the data goes to.
    public var target: String
    /// Pixel, account or container id found on the page.
    public var accountID: String?
    /// At most `Finding.maxEvidence` occurrences, in page order.
    public var evidence: [Evidence]
    /// How many occurrences were seen in total.
    public var occurrences: Int
    /// Which views saw it: `static` (the page's HTML), `container` (a tag-manager container), sorted.
    public var seenBy: [String] = ["static"]
    /// The first container tag (in container, tag order) that brings it, when a container does.
    public var via: ContainerVia?
    /// What the browser saw it send, decoded (`rules/decoders/`): event names, in first-seen
    /// order, at most `maxEvents`; and the fields, sorted.
    public var events: [String] = []
    public var fields: [DecodedField] = []

    public static let maxEvidence = 5
    public static let maxEvents = 20

    public init(
        id: String, rule: String, title: String, severity: Severity, entity: String?, platform: String, channel: Channel,
        data: [String], purpose: String?, target: String, accountID: String?, evidence: [Evidence], occurrences: Int
    ) {
        self.id = id
        self.rule = rule
        self.title = title
        self.severity = severity
        self.entity = entity
        self.platform = platform
        self.channel = channel
        self.data = data
        self.purpose = purpose
        self.target = target
        self.accountID = accountID
        self.evidence = evidence
        self.occurrences = occurrences
    }
}

/// The exposure score: per platform and overall, 0–100, every point traced to findings.
public struct Exposure: Sendable, Hashable {
    public var score: Double = 0
    public var grade: String = "A"
    /// Per platform, sorted by platform id.
    public var platforms: [PlatformExposure] = []
    /// The overall formula with the numbers filled in.
    public var formula: String = "0"

    public init() {}
}

public struct PlatformExposure: Sendable, Hashable {
    public var platform: String
    public var name: String
    public var score: Double
    public var grade: String
    /// Sum of the contributions before the platform multiplier.
    public var subtotal: Double
    public var multiplier: Double
    /// One contribution per data category: the finding that sends it through the
    /// heaviest channel. Other findings sending the same category add nothing.
    public var contributions: [Contribution]
    /// Findings of this platform, by id.
    public var findings: [String]
    /// Practices of the platform's policy profile that raised the multiplier.
    public var practices: [PracticeWeight] = []

    public init(platform: String, name: String, score: Double, grade: String, subtotal: Double, multiplier: Double, contributions: [Contribution], findings: [String]) {
        self.platform = platform
        self.name = name
        self.score = score
        self.grade = grade
        self.subtotal = subtotal
        self.multiplier = multiplier
        self.contributions = contributions
        self.findings = findings
    }
}

public struct PracticeWeight: Sendable, Hashable {
    public var practice: String
    public var weight: Double

    public init(practice: String, weight: Double) {
        self.practice = practice
        self.weight = weight
    }
}

public struct Contribution: Sendable, Hashable {
    public var data: String
    public var dataWeight: Double
    public var channel: Channel
    public var channelWeight: Double
    public var points: Double
    public var finding: String

    public init(data: String, dataWeight: Double, channel: Channel, channelWeight: Double, points: Double, finding: String) {
        self.data = data
        self.dataWeight = dataWeight
        self.channel = channel
        self.channelWeight = channelWeight
        self.points = points
        self.finding = finding
    }
}

extension Evaluation: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("entities", .array(entities.map(\.json))),
            ("findings", .array(findings.map(\.json))),
            ("exposure", exposure.json),
        ])
    }
}

extension EntitySummary: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("name", .string(name)), ("platform", .string(platform)),
            ("platformName", .string(platformName)), ("category", .string(category)),
            ("sites", .array(sites.map { .string($0) })),
        ] + (owners.isEmpty ? [] : [("owners", .array(owners.map { .object([("id", .string($0.id)), ("name", .string($0.name))]) }))]))
    }
}

extension Finding: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("rule", .string(rule)), ("title", .string(title)), ("severity", .string(severity.rawValue)),
            ("entity", .string(entity)), ("platform", .string(platform)), ("channel", .string(channel.rawValue)),
            ("data", .array(data.map { .string($0) })), ("purpose", .string(purpose)), ("target", .string(target)),
            ("accountId", .string(accountID)), ("occurrences", .int(occurrences)),
            ("seenBy", .array(seenBy.map { .string($0) })),
            ("evidence", .array(evidence.map { item in
                var members: [(String, JSONValue)] = [("element", .string(item.element))]
                if let url = item.url { members.append(("url", .string(url))) }
                if let line = item.line { members.append(("line", .int(line))) }
                if let snippet = item.snippet { members.append(("snippet", .string(snippet))) }
                if let tag = item.tag { members.append(("tag", .int(tag))) }
                return .object(members)
            })),
        ] + (via.map { [("via", $0.json)] } ?? [])
            + (events.isEmpty ? [] : [("events", .array(events.map { .string($0) }))])
            + (fields.isEmpty ? [] : [("fields", .array(fields.map(\.json)))]))
    }
}

extension ContainerVia: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("container", .string(container)), ("tag", .int(tag)), ("template", .string(template)), ("firing", .string(firing)),
            ("url", .string(url)),
        ])
    }
}

extension Exposure: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("score", .double(score)), ("grade", .string(grade)), ("formula", .string(formula)),
            ("platforms", .object(platforms.map { platform in
                (platform.platform, .object([
                    ("name", .string(platform.name)), ("score", .double(platform.score)), ("grade", .string(platform.grade)),
                    ("subtotal", .double(platform.subtotal)), ("multiplier", .double(platform.multiplier)),
                    ("practices", .array(platform.practices.map { .object([("practice", .string($0.practice)), ("weight", .double($0.weight))]) })),
                    ("findings", .array(platform.findings.map { .string($0) })),
                    ("contributions", .array(platform.contributions.map { item in
                        .object([
                            ("data", .string(item.data)), ("dataWeight", .double(item.dataWeight)),
                            ("channel", .string(item.channel.rawValue)), ("channelWeight", .double(item.channelWeight)),
                            ("points", .double(item.points)), ("finding", .string(item.finding)),
                        ])
                    })),
                ]))
            })),
        ])
    }
}

/// One field a decoded pixel request carried: its parameter, what it is, the data category,
/// and in which form the value went (never the value itself).
public struct DecodedField: Sendable, Hashable, Comparable {
    /// The parameter as the request named it (`ud[em]`, `context.user.email`, `ep.value`).
    public var name: String
    /// What it is (`email`, `page URL`, `event parameter` …).
    public var label: String
    /// Its data category (`contact-data`, `browsing-activity`, `identifiers` …).
    public var data: String
    /// `plain`, or the hash the value is: `md5`, `sha1`, `sha256`, `sha512`.
    public var form: String

    public init(name: String, label: String, data: String, form: String) {
        self.name = name
        self.label = label
        self.data = data
        self.form = form
    }

    /// A hashed email or phone number: still personal data (it identifies the person to the platform).
    public var isHashedContact: Bool { data == "contact-data" && form != "plain" }

    public static func < (lhs: DecodedField, rhs: DecodedField) -> Bool {
        (lhs.name, lhs.form, lhs.label, lhs.data) < (rhs.name, rhs.form, rhs.label, rhs.data)
    }
}

/// A request the browser saw (or a HAR holds) decoded by a pixel decoder of the rule pack.
public struct DecodedRequest: Sendable, Hashable {
    /// The decoder and the tracker rule whose finding it describes.
    public var decoder: String
    public var tracker: String
    /// The request's URL, as observed (matched against the page's resources).
    public var url: String
    /// Event names, in the order sent, each once.
    public var events: [String]
    public var accountID: String?
    public var fields: [DecodedField]

    public init(decoder: String, tracker: String, url: String, events: [String], accountID: String?, fields: [DecodedField]) {
        self.decoder = decoder
        self.tracker = tracker
        self.url = url
        self.events = events
        self.accountID = accountID
        self.fields = fields
    }
}

extension DecodedField: JSONRepresentable {
    public var json: JSONValue {
        .object([("name", .string(name)), ("label", .string(label)), ("data", .string(data)), ("form", .string(form))])
    }
}
