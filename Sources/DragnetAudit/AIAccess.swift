public import DragnetCore
import DragnetFetch
public import DragnetRobots
public import DragnetRules
import Foundation

/// Which AI crawlers may take a page: its site's robots.txt decided per crawler, the TDM
/// Reservation Protocol (tdmrep.json, the `tdm-reservation` header and meta tag) and the
/// `noai` / `noimageai` directives of `<meta name=robots>` and `X-Robots-Tag`.
public struct AIAccess: Sendable {
    public enum Access: String, Sendable {
        /// robots.txt lets the crawler fetch the page.
        case allowed
        /// robots.txt keeps it out (or is unreachable, which RFC 9309 reads as "disallow all").
        case blocked
        /// robots.txt lets it in, but the site reserves text and data mining (TDM) or says `noai`.
        case reserved
    }

    public struct Crawler: Sendable {
        public var crawler: AICrawler
        public var access: Access
        public var basis: String
        public var rule: RobotsTxt.Rule?
        /// The crawler is known to ignore robots.txt: a block there does not keep it out.
        public var exposed: Bool
    }

    public struct Reservation: Sendable {
        /// `tdmrep.json`, `header` or `meta`.
        public var source: String
        public var reserved: Bool
        public var policy: String?
        /// The tdmrep.json location that matched.
        public var location: String?
    }

    public var robots: SiteRobots
    public var tdm: Reservation?
    /// `noai`, `noimageai` … with where each was said (`meta`, `meta:gptbot`, `header`).
    public var directives: [(value: String, source: String)] = []
    public var crawlers: [Crawler] = []
    /// The crawlers grouped by outcome, and per platform: worked out once in `evaluate`.
    public private(set) var decisions: [Decision] = []
    public private(set) var platforms: [(platform: String, allowed: [String], blocked: [String], ignoring: [String])] = []

    /// Decides every crawler of `crawlers` for `report`'s URL.
    public static func evaluate(_ report: PageReport, robots: SiteRobots, crawlers: [AICrawler]) -> AIAccess {
        var access = AIAccess(robots: robots)
        let url = report.finalURL ?? report.url
        let path = RobotsTxt.normalisedPath(url)
        access.tdm = reservation(report, robots: robots, path: path)
        access.directives = directives(report)
        let reservedForAll = access.tdm?.reserved == true || access.directives.contains { $0.source == "meta" || $0.source == "header" }
        // Many crawlers share the `*` group: decide once per distinct set of groups.
        var decided: [[Int]: RobotsTxt.Decision] = [:]
        for crawler in crawlers {
            var entry = Crawler(crawler: crawler, access: .allowed, basis: robots.outcome.rawValue, rule: nil, exposed: false)
            switch robots.outcome {
            case .unavailable:
                entry.access = .allowed
            case .unreachable:
                entry.access = .blocked
            case .parsed:
                let parsed = robots.robots ?? RobotsTxt()
                let (groups, basis) = parsed.groups(forToken: crawler.productToken)
                let decision = decided[groups] ?? parsed.decide(groups: groups, basis: basis, path: path)
                decided[groups] = decision
                entry.access = decision.allowed ? .allowed : .blocked
                entry.rule = decision.rule
                entry.basis = basis.rawValue
            }
            let ownDirective = !access.directives.isEmpty && access.directives.contains { $0.source == "meta:" + crawler.productToken }
            if entry.access == .allowed && (reservedForAll || ownDirective) { entry.access = .reserved }
            entry.exposed = entry.access != .blocked || crawler.respectsRobots == .no
            access.crawlers.append(entry)
        }
        access.decisions = access.groupedDecisions()
        access.platforms = access.platformSummaries()
        return access
    }

    static func reservation(_ report: PageReport, robots: SiteRobots, path: [UInt8]) -> Reservation? {
        if let header = report.fetch?.headers.values("tdm-reservation").first {
            let policy = report.fetch?.headers.values("tdm-policy").first
            return Reservation(source: "header", reserved: header.trimmingCharacters(in: .whitespaces) == "1", policy: policy)
        }
        if let meta = report.observations.meta.robots["tdm-reservation"]?.first {
            return Reservation(source: "meta", reserved: meta.trimmingCharacters(in: .whitespaces) == "1", policy: report.observations.meta.robots["tdm-policy"]?.first)
        }
        if let rule = robots.tdm.rule(for: path) {
            return Reservation(source: "tdmrep.json", reserved: rule.reserved, policy: rule.policy, location: rule.location)
        }
        return nil
    }

    /// The AI-related values of `<meta name=robots|CRAWLER>` and `X-Robots-Tag` (`noai`, `noimageai`).
    static func directives(_ report: PageReport) -> [(value: String, source: String)] {
        var found: [(String, String)] = []
        func scan(_ text: String, source: String) {
            for part in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
                let value = part.lowercased()
                if value == "noai" || value == "noimageai" { found.append((value, source)) }
            }
        }
        for (name, values) in report.observations.meta.robots.sorted(by: { $0.key < $1.key }) where name != "tdm-reservation" && name != "tdm-policy" {
            for value in values { scan(value, source: name == "robots" ? "meta" : "meta:" + name) }
        }
        for value in report.fetch?.headers.values("x-robots-tag") ?? [] {
            // `X-Robots-Tag: gptbot: noai` addresses one crawler.
            if let colon = value.firstIndex(of: ":"), !value[..<colon].contains(",") {
                scan(String(value[value.index(after: colon)...]), source: "meta:" + value[..<colon].trimmingCharacters(in: .whitespaces).lowercased())
            } else {
                scan(value, source: "header")
            }
        }
        return found
    }
}

extension AIAccess {
    /// One outcome shared by several crawlers (the same access, basis and deciding line).
    public struct Decision: Sendable {
        public var access: Access
        public var basis: String
        public var rule: RobotsTxt.Rule?
        /// The crawlers it applies to; nil for every crawler no other decision names (the largest group).
        public var agents: [String]?
    }

    /// The crawlers grouped by outcome, in first-seen order; the largest group is written as
    /// "every other crawler" (agents nil). 166 crawlers written one by one made the report of a
    /// 500-site run 18 MB larger and the run 35% slower; grouped, a page holds a few entries.
    private struct DecisionKey: Hashable {
        var access: Access
        var basis: String
        var line: Int
    }

    func groupedDecisions() -> [Decision] {
        var groups: [(key: DecisionKey, decision: Decision)] = []
        var index: [DecisionKey: Int] = [:]
        for entry in crawlers {
            let key = DecisionKey(access: entry.access, basis: entry.basis, line: entry.rule?.line ?? 0)
            if let position = index[key] {
                groups[position].decision.agents?.append(entry.crawler.token)
            } else {
                index[key] = groups.count
                groups.append((key, Decision(access: entry.access, basis: entry.basis, rule: entry.rule, agents: [entry.crawler.token])))
            }
        }
        guard let largest = groups.indices.max(by: { (groups[$0].decision.agents?.count ?? 0, $1) < (groups[$1].decision.agents?.count ?? 0, $0) }) else { return [] }
        groups[largest].decision.agents = nil
        // The named groups first, in first-seen order, then "every other crawler".
        return groups.enumerated().filter { $0.offset != largest }.map(\.element.decision) + [groups[largest].decision]
    }

    /// The crawler catalogue a report holds once (`aiCrawlers` at its top level): per-page
    /// decisions name crawlers by agent only.
    public static func catalogueJSON(_ crawlers: [AICrawler]) -> JSONValue {
        .array(crawlers.map { crawler in
            .object([
                ("agent", .string(crawler.token)), ("operator", .string(crawler.operatorName)), ("entity", .string(crawler.entity)),
                ("platform", .string(crawler.platform)), ("respectsRobotsTxt", .string(crawler.respectsRobots.rawValue)),
            ])
        })
    }

    /// Every crawler with its decision in full (`dragnet robots --format json`).
    public var crawlersJSON: JSONValue {
        .array(crawlers.map { entry in
            .object([
                ("agent", .string(entry.crawler.token)), ("operator", .string(entry.crawler.operatorName)), ("entity", .string(entry.crawler.entity)),
                ("platform", .string(entry.crawler.platform)), ("access", .string(entry.access.rawValue)), ("basis", .string(entry.basis)),
                ("line", .int(entry.rule?.line)), ("rule", .string(entry.rule?.text)),
                ("respectsRobotsTxt", .string(entry.crawler.respectsRobots.rawValue)), ("exposed", .bool(entry.exposed)),
            ])
        })
    }

    /// Per platform: its crawlers and how many may take the page.
    func platformSummaries() -> [(platform: String, allowed: [String], blocked: [String], ignoring: [String])] {
        var byPlatform: [String: (allowed: [String], blocked: [String], ignoring: [String])] = [:]
        for entry in crawlers {
            guard let platform = entry.crawler.platform else { continue }
            var summary = byPlatform[platform] ?? ([], [], [])
            if entry.access == .blocked { summary.blocked.append(entry.crawler.token) } else { summary.allowed.append(entry.crawler.token) }
            if entry.access == .blocked && entry.crawler.respectsRobots == .no { summary.ignoring.append(entry.crawler.token) }
            byPlatform[platform] = summary
        }
        return byPlatform.keys.sorted().map { key in
            let value = byPlatform[key]!
            return (key, value.allowed, value.blocked, value.ignoring)
        }
    }

    public var json: JSONValue {
        var robotsMembers: [(String, JSONValue)] = [
            ("url", .string(robots.url)), ("finalURL", .string(robots.finalURL)), ("status", .int(robots.status)),
            ("outcome", .string(robots.outcome.rawValue)), ("reason", .string(robots.reason)),
            ("bytes", .int(robots.bytes)), ("truncated", .bool(robots.truncated)), ("contentType", .string(robots.contentType)),
        ]
        if let parsed = robots.robots {
            robotsMembers.append(("groups", .int(parsed.groups.count)))
            robotsMembers.append(("lines", .int(parsed.lines)))
            robotsMembers.append(("sitemaps", .int(parsed.sitemaps.count)))
            robotsMembers.append(("warnings", .array(parsed.warnings.prefix(20).map { .string($0.description) })))
        }
        var tdmMembers: [(String, JSONValue)] = [("tdmrepStatus", .int(robots.tdm.status)), ("tdmrepError", .string(robots.tdm.error))]
        if let tdm {
            tdmMembers += [("source", .string(tdm.source)), ("reserved", .bool(tdm.reserved)), ("policy", .string(tdm.policy)), ("location", .string(tdm.location))]
        } else {
            tdmMembers += [("source", .null), ("reserved", .bool(false))]
        }
        return .object([
            ("robots", .object(robotsMembers)),
            ("tdm", .object(tdmMembers)),
            ("directives", .array(directives.map { .object([("value", .string($0.value)), ("source", .string($0.source))]) })),
            ("decisions", .array(decisions.map { decision in
                .object([
                    ("access", .string(decision.access.rawValue)),
                    ("basis", .string(decision.basis)),
                    ("line", .int(decision.rule?.line)),
                    ("rule", .string(decision.rule?.text)),
                    ("agents", decision.agents.map { .array($0.map { .string($0) }) } ?? .null),
                ])
            })),
            ("platforms", .object(platforms.map { summary in
                (summary.platform, .object([
                    ("allowed", .array(summary.allowed.map { .string($0) })),
                    ("blocked", .array(summary.blocked.map { .string($0) })),
                    ("ignoringRobotsTxt", .array(summary.ignoring.map { .string($0) })),
                ]))
            })),
        ])
    }
}
