public import DragnetCore
public import Foundation

/// An audit report read back from its JSON (schema 2 or 3): what the renderers, `dragnet diff`
/// and `dragnet graph` need, typed.
public struct AuditReport: Sendable {
    /// The one finding type of the whole tool (DragnetCore's), read back from JSON.
    public typealias Finding = DragnetCore.Finding

    public struct Platform: Sendable, Hashable {
        public var id: String
        public var name: String
        public var score: Double
        public var grade: String
    }

    public struct Entity: Sendable, Hashable {
        public var id: String
        public var name: String
        public var platform: String
        public var sites: [String]
        /// Owner names above it, nearest first (Moat → Oracle); empty when it is its own owner.
        public var owners: [String] = []
    }

    public struct Cookie: Sendable, Hashable {
        public var name: String
        public var domain: String
    }

    public struct Form: Sendable, Hashable {
        public var action: String
        public var actionSite: String?
        public var firstParty: Bool
        public var categories: [String]
    }

    public struct Policy: Sendable, Hashable {
        public var url: String
        public var foundBy: String
        public var practices: [String]
        public var negatedOnly: [String]
        public var error: String?
    }

    public struct GraphNode: Sendable, Hashable {
        public var id: String
        public var type: String
        public var label: String
        public var firstParty: Bool?
    }

    public struct GraphEdge: Sendable, Hashable {
        public var from: String
        public var to: String
        public var type: String
        public var kind: String?
        public var count: Int
        public var labels: [String]
    }

    public struct Page: Sendable {
        public var url: String
        public var finalURL: String?
        public var site: String?
        public var status: Int?
        public var error: String?
        public var score: Double
        public var grade: String
        public var platforms: [Platform]
        public var findings: [Finding]
        public var entities: [Entity]
        public var thirdPartySites: [String]
        public var cookies: [Cookie]
        public var forms: [Form]
        public var policy: Policy?
        public var nodes: [GraphNode]
        public var edges: [GraphEdge]
        /// The summarised response headers, lower-case names (empty for saved files).
        public var headers: [String: String] = [:]
        /// AI crawler access (`aiAccess`): nil when robots.txt was not fetched.
        public var aiAccess: AIAccessSummary?

        /// The key two reports match pages on: the URL without scheme, query and fragment.
        public var key: String { AuditReport.key(finalURL ?? url) }
    }

    public var startedAt: String
    public var finishedAt: String
    public var toolVersion: String
    public var pages: [Page]
    public var source: String

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a report file written by `dragnet audit`.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReadError(description: "cannot read report \(path)") }
        try self.init(data: data, source: path)
    }

    public init(data: Data, source: String) throws {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ReadError(description: "\(source) is not a JSON report")
        }
        guard let version = root["schemaVersion"] as? Int, version == 2 || version == 3 else {
            throw ReadError(description: "\(source): unsupported report schemaVersion \(root["schemaVersion"] ?? "none") (this dragnet reads 2 and 3)")
        }
        self.source = source
        startedAt = root["startedAt"] as? String ?? ""
        finishedAt = root["finishedAt"] as? String ?? ""
        toolVersion = (root["tool"] as? [String: Any])?["version"] as? String ?? ""
        var catalogue: [String: [String: Any]] = [:]
        for entry in root["aiCrawlers"] as? [[String: Any]] ?? [] {
            if let agent = entry["agent"] as? String { catalogue[agent] = entry }
        }
        let crawlers = (root["aiCrawlers"] as? [[String: Any]] ?? []).compactMap { $0["agent"] as? String }
        pages = (root["pages"] as? [[String: Any]] ?? []).map { Self.page($0, crawlers: crawlers, catalogue: catalogue) }
    }

    static func page(_ json: [String: Any], crawlers order: [String] = [], catalogue: [String: [String: Any]] = [:]) -> Page {
        let exposure = json["exposure"] as? [String: Any] ?? [:]
        let platformJSON = exposure["platforms"] as? [String: [String: Any]] ?? [:]
        let platforms = platformJSON.keys.sorted().map { id in
            let entry = platformJSON[id]!
            return Platform(id: id, name: entry["name"] as? String ?? id, score: number(entry["score"]), grade: entry["grade"] as? String ?? "")
        }
        let findings = (json["findings"] as? [[String: Any]] ?? []).map { item in
            var finding = Finding(
                id: item["id"] as? String ?? "", rule: item["rule"] as? String ?? "", title: item["title"] as? String ?? "",
                severity: Severity(rawValue: item["severity"] as? String ?? "") ?? .info, entity: item["entity"] as? String,
                platform: item["platform"] as? String ?? "", channel: Channel(rawValue: item["channel"] as? String ?? "") ?? .resource,
                data: item["data"] as? [String] ?? [], purpose: item["purpose"] as? String,
                target: item["target"] as? String ?? "", accountID: item["accountId"] as? String,
                evidence: (item["evidence"] as? [[String: Any]] ?? []).map {
                    Evidence(url: $0["url"] as? String, element: $0["element"] as? String ?? "", line: $0["line"] as? Int, snippet: $0["snippet"] as? String, tag: $0["tag"] as? Int)
                },
                occurrences: item["occurrences"] as? Int ?? 1)
            // Schema 2 reports have no seenBy: everything there was seen in the page's HTML.
            finding.seenBy = item["seenBy"] as? [String] ?? ["static"]
            finding.events = item["events"] as? [String] ?? []
            finding.fields = (item["fields"] as? [[String: Any]] ?? []).map {
                DecodedField(name: $0["name"] as? String ?? "", label: $0["label"] as? String ?? "", data: $0["data"] as? String ?? "", form: $0["form"] as? String ?? "plain")
            }
            if let via = item["via"] as? [String: Any] {
                finding.via = ContainerVia(
                    container: via["container"] as? String ?? "", tag: via["tag"] as? Int, template: via["template"] as? String ?? "",
                    firing: via["firing"] as? String ?? "", url: via["url"] as? String ?? "")
            }
            return finding
        }
        let entities = (json["entities"] as? [[String: Any]] ?? []).map {
            Entity(
                id: $0["id"] as? String ?? "", name: $0["name"] as? String ?? "", platform: $0["platform"] as? String ?? "", sites: $0["sites"] as? [String] ?? [],
                owners: ($0["owners"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        }
        let cookies = (json["cookies"] as? [[String: Any]] ?? []).map { Cookie(name: $0["name"] as? String ?? "", domain: $0["domain"] as? String ?? "") }
        let forms = (json["forms"] as? [[String: Any]] ?? []).map {
            Form(
                action: stripQuery($0["action"] as? String ?? ""), actionSite: $0["actionSite"] as? String, firstParty: $0["firstParty"] as? Bool ?? true,
                categories: $0["categories"] as? [String] ?? [])
        }
        var policy: Policy?
        if let entry = json["policy"] as? [String: Any] {
            policy = Policy(
                url: entry["url"] as? String ?? "", foundBy: entry["foundBy"] as? String ?? "", practices: entry["practices"] as? [String] ?? [],
                negatedOnly: entry["negatedOnly"] as? [String] ?? [], error: entry["error"] as? String)
        }
        let graph = json["graph"] as? [String: Any] ?? [:]
        let nodes = (graph["nodes"] as? [[String: Any]] ?? []).map {
            GraphNode(id: $0["id"] as? String ?? "", type: $0["type"] as? String ?? "", label: $0["label"] as? String ?? "", firstParty: $0["firstParty"] as? Bool)
        }
        let edges = (graph["edges"] as? [[String: Any]] ?? []).map {
            GraphEdge(
                from: $0["from"] as? String ?? "", to: $0["to"] as? String ?? "", type: $0["type"] as? String ?? "", kind: $0["kind"] as? String,
                count: $0["count"] as? Int ?? 1, labels: $0["labels"] as? [String] ?? [])
        }
        let error = (json["error"] as? [String: Any]).map { "\($0["code"] as? String ?? "error"): \($0["message"] as? String ?? "")" }
        var page = Page(
            url: json["url"] as? String ?? "", finalURL: json["finalURL"] as? String, site: json["site"] as? String, status: json["status"] as? Int,
            error: error, score: number(exposure["score"]), grade: exposure["grade"] as? String ?? "A", platforms: platforms, findings: findings,
            entities: entities, thirdPartySites: (json["thirdParties"] as? [[String: Any]] ?? []).compactMap { $0["site"] as? String }.sorted(),
            cookies: cookies, forms: forms, policy: policy, nodes: nodes, edges: edges)
        for (name, value) in json["headers"] as? [String: Any] ?? [:] {
            if let text = value as? String { page.headers[name] = text }
        }
        if let access = json["aiAccess"] as? [String: Any] {
            let robots = access["robots"] as? [String: Any] ?? [:]
            let tdm = access["tdm"] as? [String: Any] ?? [:]
            page.aiAccess = AIAccessSummary(
                robotsURL: robots["finalURL"] as? String ?? robots["url"] as? String ?? "", outcome: robots["outcome"] as? String ?? "",
                reason: robots["reason"] as? String ?? "", tdmReserved: tdm["reserved"] as? Bool ?? false, tdmSource: tdm["source"] as? String,
                directives: (access["directives"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String },
                crawlers: Self.crawlers(access["decisions"] as? [[String: Any]] ?? [], order: order, catalogue: catalogue))
        }
        return page
    }

    /// Each crawler of the report's catalogue with its page's decision: the one naming it, else
    /// the decision for every other crawler (`agents` null).
    static func crawlers(_ decisions: [[String: Any]], order: [String], catalogue: [String: [String: Any]]) -> [AIAccessSummary.Crawler] {
        var byAgent: [String: [String: Any]] = [:]
        var others: [String: Any]?
        for decision in decisions {
            if let agents = decision["agents"] as? [String] {
                for agent in agents { byAgent[agent] = decision }
            } else {
                others = decision
            }
        }
        return order.compactMap { agent in
            guard let decision = byAgent[agent] ?? others else { return nil }
            let entry = catalogue[agent] ?? [:]
            let access = decision["access"] as? String ?? ""
            let respects = entry["respectsRobotsTxt"] as? String ?? "unclear"
            return AIAccessSummary.Crawler(
                agent: agent, operatorName: entry["operator"] as? String ?? "", platform: entry["platform"] as? String,
                access: access, line: decision["line"] as? Int, rule: decision["rule"] as? String,
                respects: respects, exposed: access != "blocked" || respects == "no")
        }
    }

    /// A page URL without scheme, query, fragment and trailing slashes, lower-cased.
    public static func key(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://") { text = String(text[scheme.upperBound...]) }
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) }
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text.lowercased()
    }

    static func number(_ value: Any?) -> Double {
        if let value = value as? Double { return value }
        if let value = value as? Int { return Double(value) }
        if let value = value as? NSNumber { return value.doubleValue }
        return 0
    }

    static func stripQuery(_ url: String) -> String {
        guard let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
        return String(url[..<cut])
    }
}

extension AuditReport.Page {
    /// "owned by Oracle Corporation" (or "owned by A, part of B") for a finding whose entity has owners; nil otherwise.
    public func ownerText(_ finding: Finding) -> String? {
        guard let id = finding.entity, let entity = entities.first(where: { $0.id == id }), let first = entity.owners.first else { return nil }
        return "owned by \(first)" + entity.owners.dropFirst().map { ", part of \($0)" }.joined()
    }
}

extension Finding {
    /// A tracker signature (not a flow the entity map explains or a policy check).
    public var isTracker: Bool { !rule.hasPrefix("entity-") && !rule.hasPrefix("unattributed-") && !rule.hasPrefix("policy-") }
    /// 0 (info) to 4 (critical).
    public var severityRank: Int { severity.rank }
    /// "browser", "browser, container" … when views other than the page's HTML saw it; nil for the HTML alone.
    public var seenByText: String? {
        seenBy == ["static"] || seenBy.isEmpty ? nil : seenBy.joined(separator: ", ")
    }

    /// "events Purchase, PageView; email (sha256), page URL" when a decoder read the requests; nil otherwise.
    public var decodedText: String? {
        guard !events.isEmpty || !fields.isEmpty else { return nil }
        var parts: [String] = []
        if !events.isEmpty { parts.append("events " + events.joined(separator: ", ")) }
        // Contact data first: what a reader must see.
        let ordered = fields.filter { $0.data == "contact-data" } + fields.filter { $0.data != "contact-data" }
        var labels: [String] = []
        for field in ordered {
            let text = field.label + (field.form == "plain" ? "" : " (\(field.form))") + (field.data == "contact-data" && field.form == "plain" ? " in clear" : "")
            if !labels.contains(text) { labels.append(text) }
        }
        if !labels.isEmpty { parts.append("sent: " + labels.prefix(8).joined(separator: ", ") + (labels.count > 8 ? " …" : "")) }
        return parts.joined(separator: "; ")
    }

    /// "GTM-… tag N (__html, page-load)" when a container brings it.
    public var viaText: String? {
        via.map { "\($0.container)\($0.tag.map { " tag \($0)" } ?? "") (\($0.template), \($0.firing))" }
    }
}

/// A page's AI crawler access as a report holds it (`aiAccess`).
public struct AIAccessSummary: Sendable {
    public struct Crawler: Sendable {
        public var agent: String
        public var operatorName: String
        public var platform: String?
        /// `allowed`, `blocked` or `reserved`.
        public var access: String
        public var line: Int?
        public var rule: String?
        /// `yes`, `no` or `unclear`.
        public var respects: String
        public var exposed: Bool
    }

    public var robotsURL: String
    /// `parsed`, `unavailable` or `unreachable`.
    public var outcome: String
    public var reason: String
    public var tdmReserved: Bool
    public var tdmSource: String?
    public var directives: [String]
    public var crawlers: [Crawler]

    /// The deciding line in words: `robots.txt line 4 "Disallow: /"`, or why no line decided.
    public func decidedBy(_ crawler: Crawler) -> String {
        if let line = crawler.line, let rule = crawler.rule { return "robots.txt line \(line) \"\(rule)\"" }
        switch outcome {
        case "unavailable", "unreachable": return reason
        default: return "no robots.txt rule matches (allowed by default)"
        }
    }
}
