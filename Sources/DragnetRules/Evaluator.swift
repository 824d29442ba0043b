public import DragnetCore

/// A cookie a response set, as the evaluator needs it (no value).
public struct SeenCookie: Sendable, Hashable {
    public var name: String
    /// The URL of the response that set it (for a cookie the browser holds: its domain and path).
    public var url: String
    /// `browser` for a cookie only the browser saw (set by a script). Empty: a `Set-Cookie` of the fetch.
    public var seenBy: [String]

    public init(name: String, url: String, seenBy: [String] = []) {
        self.name = name
        self.url = url
        self.seenBy = seenBy
    }
}

/// What the evaluator looks at: one page's classified observations.
public struct EvaluationInput: Sendable {
    public var pageURL: String?
    /// The page's own site and the sites the user declared first-party.
    public var firstPartySites: Set<String>
    /// Observations after classification (resources carry `site` and `firstParty`).
    public var observations: Observations
    public var cookies: [SeenCookie]
    /// What the page's tag-manager containers add: one entry per tag that can fire.
    public var containers: [ContainerContent]

    public init(
        pageURL: String?, firstPartySites: Set<String>, observations: Observations, cookies: [SeenCookie] = [], containers: [ContainerContent] = []
    ) {
        self.pageURL = pageURL
        self.firstPartySites = firstPartySites
        self.observations = observations
        self.cookies = cookies
        self.containers = containers
    }
}

/// A tracker (or an entity) a container tag names directly, without markup to match:
/// a built-in template's pixel id, a community template's permissions, a Segment destination.
public struct ContainerSignal: Sendable, Hashable {
    public enum Target: Sendable, Hashable {
        case tracker(String)
        /// An entity that receives data without a tracker rule of its own (a cloud-mode destination).
        case entity(String, title: String)
    }

    public var target: Target
    public var accountID: String?
    public var channel: Channel
    /// Data categories beyond the tracker's own (contact data from advanced matching).
    public var extraData: [String]
    /// A short description for the evidence (`GA4 event purchase`, `pixel id 123`).
    public var detail: String

    public init(target: Target, accountID: String?, channel: Channel, extraData: [String] = [], detail: String) {
        self.target = target
        self.accountID = accountID
        self.channel = channel
        self.extraData = extraData
        self.detail = detail
    }
}

/// One firing tag of a container (or one Segment destination): the markup it injects
/// (custom HTML and image tags, already classified) and the signals it names.
public struct ContainerContent: Sendable {
    public var via: ContainerVia
    public var observations: Observations
    public var signals: [ContainerSignal]

    public init(via: ContainerVia, observations: Observations = Observations(), signals: [ContainerSignal] = []) {
        self.via = via
        self.observations = observations
        self.signals = signals
    }
}

/// Rules applied to a page: a pure function of the input and the rule pack.
public enum Evaluator {
    public static let unattributed = "unattributed"

    /// One sighting before findings are grouped.
    struct Occurrence {
        var rule: String
        var title: String
        var severity: Severity
        var entity: String?
        var platform: String
        var channel: Channel
        var data: Set<String>
        var purpose: String?
        var target: String
        var accountID: String?
        var evidence: Evidence
        /// The site the data goes to, when the evidence names one (for the entity summary).
        var site: String? = nil
        /// The container tag that brings it (nil: the page's own HTML).
        var via: ContainerVia? = nil
        /// Views that saw it when no container brings it: `static`, `browser` (empty: `static`).
        var views: [String] = []
        /// What a pixel decoder read from the requests behind it.
        var events: [String] = []
        var fields: [DecodedField] = []
    }

    public static func evaluate(_ input: EvaluationInput, rules: RulePack) -> Evaluation {
        var occurrences: [Occurrence] = []
        let firstPartyEntities = Set(input.firstPartySites.compactMap { rules.entity(forHost: $0)?.id })
        func isOwn(_ entity: String) -> Bool { firstPartyEntities.contains(entity) }

        // 1. Signatures over resources, forms, inline scripts and cookies. Sightings of rules
        // with `requires` wait in `pending` until their conditions are checked.
        var consumedResources = Set<Int>()
        var consumedForms = Set<Int>()
        var consumedCookies = Set<Int>()
        var pending: [String: [Occurrence]] = [:]
        func record(
            _ ruleIndex: Int, _ channel: Channel, _ evidence: Evidence, id: String?, extraData: [String] = [], site: String? = nil, via: ContainerVia? = nil,
            views: [String] = []
        ) {
            let rule = rules.trackers[ruleIndex]
            guard let entity = rules.entity(id: rule.entity) else { return }
            let item = Occurrence(
                rule: rule.id, title: rule.title, severity: rule.severity, entity: entity.id, platform: entity.platform,
                channel: channel, data: Set(rule.data + extraData), purpose: rule.purpose, target: entity.id,
                accountID: id, evidence: evidence, site: site, via: via, views: views)
            if rule.requiresTrackers.isEmpty && rule.requiresFormData.isEmpty {
                occurrences.append(item)
            } else {
                pending[rule.id, default: []].append(item)
            }
        }
        /// Evidence for a resource of the page, or of a container tag's markup.
        func resourceEvidence(_ resource: Resource, via: ContainerVia?) -> Evidence {
            guard let via else {
                return Evidence(url: resource.url, element: "\(resource.element)@\(resource.attribute)", line: resource.line > 0 ? resource.line : nil)
            }
            return Evidence(url: via.url, element: "container-tag", snippet: "\(via.template) \(resource.element)@\(resource.attribute) \(URLParts.withoutQuery(resource.url))", tag: via.tag)
        }
        // Decoded pixel requests, by URL (one resource may stand for several requests).
        var decodedByURL: [String: [DecodedRequest]] = [:]
        for request in input.observations.decoded { decodedByURL[request.url, default: []].append(request) }
        func scanResources(_ observations: Observations, via: ContainerVia?, consumed: inout Set<Int>) {
            for (index, resource) in observations.resources.enumerated() where resource.isNetwork && resource.firstParty != true {
                guard let channel = channel(of: resource), let host = resource.host, let path = URLParts.pathAndQuery(resource.url) else { continue }
                let decoded = via == nil ? decodedByURL[resource.url] ?? [] : []
                for ruleIndex in rules.trackersMatching(host: host, pathAndQuery: path)
                where !isOwn(rules.trackers[ruleIndex].entity) {
                    consumed.insert(index)
                    let rule = rules.trackers[ruleIndex]
                    let mine = decoded.filter { $0.tracker == rule.id }
                    let id = rules.compiled[ruleIndex].urlID.flatMap { CompiledTracker.capture($0, in: Substring(resource.url)).id }
                        ?? mine.lazy.compactMap(\.accountID).first
                    let fields = Set(mine.flatMap(\.fields)).sorted()
                    let before = occurrences.count
                    record(
                        ruleIndex, channel, resourceEvidence(resource, via: via), id: id, extraData: fields.map(\.data), site: resource.site, via: via,
                        views: resource.seenBy)
                    if occurrences.count > before, !mine.isEmpty {
                        occurrences[before].events = mine.flatMap(\.events)
                        occurrences[before].fields = fields
                        if fields.contains(where: { $0.data == "contact-data" }) { occurrences[before].severity = max(occurrences[before].severity, .high) }
                    }
                }
            }
        }
        scanResources(input.observations, via: nil, consumed: &consumedResources)
        for form in input.observations.forms where form.firstParty == false {
            guard let parts = URLParts.split(form.action) else { continue }
            for ruleIndex in rules.trackersMatching(host: parts.host, pathAndQuery: parts.pathAndQuery)
            where !isOwn(rules.trackers[ruleIndex].entity) {
                consumedForms.insert(form.index)
                record(
                    ruleIndex, .formPost, Evidence(url: URLParts.withoutQuery(form.action), element: "form@action", line: form.line), id: nil,
                    extraData: form.categories.compactMap(RuleVocabulary.flowData), site: form.actionSite)
            }
        }
        // Inline scripts: one Aho–Corasick pass finds every `contains` literal of every rule.
        func scanInline(_ observations: Observations, via: ContainerVia?) {
            for script in observations.inlineScripts {
                var lines = LineCounter(text: script.text)
                var perLiteral: [Int: Int] = [:]
                // Where each tracker last matched: overlapping patterns (`ttq.load(` and the
                // minified `.load(` inside it) count once.
                var lastMatch: [Int: Int] = [:]
                for hit in rules.inlineScanner.scan(script.text).sorted(by: { ($0.start, $0.literal) < ($1.start, $1.literal) }) {
                    let owner = rules.inlineOwners[hit.literal]
                    guard !isOwn(rules.trackers[owner.tracker].entity), perLiteral[hit.literal, default: 0] < 50 else { continue }
                    if let last = lastMatch[owner.tracker], hit.start - last < 16 { continue }
                    let pattern = rules.compiled[owner.tracker].inline[owner.pattern]
                    if let near = pattern.near, !script.text.containsBytes(near) { continue }
                    guard let found = inlineHit((pattern.contains, pattern.regex), in: script.text, at: hit.start) else { continue }
                    perLiteral[hit.literal, default: 0] += 1
                    lastMatch[owner.tracker] = hit.start
                    let evidence: Evidence
                    if let via {
                        evidence = Evidence(url: via.url, element: "container-tag", snippet: "\(via.template): \(found.snippet)", tag: via.tag)
                    } else {
                        evidence = Evidence(element: "script", line: script.line + lines.newlines(before: hit.start), snippet: found.snippet)
                    }
                    record(owner.tracker, .script, evidence, id: found.id, via: via, views: script.seenBy)
                }
            }
        }
        scanInline(input.observations, via: nil)

        // Container tags: their markup through the same signatures, and the trackers they name.
        var consumedContainerResources = [Set<Int>](repeating: [], count: input.containers.count)
        for (position, content) in input.containers.enumerated() {
            scanResources(content.observations, via: content.via, consumed: &consumedContainerResources[position])
            scanInline(content.observations, via: content.via)
            for signal in content.signals {
                let evidence = Evidence(url: content.via.url, element: "container-tag", snippet: "\(content.via.template): \(signal.detail)", tag: content.via.tag)
                switch signal.target {
                case .tracker(let id):
                    guard let ruleIndex = rules.trackerIndex(id), !isOwn(rules.trackers[ruleIndex].entity) else { continue }
                    record(ruleIndex, signal.channel, evidence, id: signal.accountID, extraData: signal.extraData, via: content.via)
                case .entity(let id, let title):
                    guard let entity = rules.entity(id: id), !isOwn(entity.id) else { continue }
                    var item = entityOccurrence(entity, channel: signal.channel, evidence: evidence, extraData: signal.extraData)
                    item.title = title
                    item.accountID = signal.accountID
                    item.via = content.via
                    occurrences.append(item)
                }
            }
        }
        for (ruleIndex, rule) in rules.trackers.enumerated() where !isOwn(rule.entity) {
            let compiled = rules.compiled[ruleIndex]
            if !compiled.cookies.isEmpty {
                for (index, cookie) in input.cookies.enumerated() where compiled.matchesCookie(cookie.name) {
                    consumedCookies.insert(index)
                    let element = cookie.seenBy == ["browser"] ? "cookie" : "set-cookie"
                    record(ruleIndex, .cookie, Evidence(url: URLParts.withoutQuery(cookie.url), element: element, snippet: cookie.name), id: nil, views: cookie.seenBy)
                }
            }
        }

        // 2. Rules that require other rules (and forms) on the same page, until nothing changes.
        var fired = Set(occurrences.map(\.rule))
        var derived = Set<String>()
        var changed = true
        while changed {
            changed = false
            for rule in rules.trackers where (!rule.requiresTrackers.isEmpty || !rule.requiresFormData.isEmpty) && !derived.contains(rule.id) {
                guard let entity = rules.entity(id: rule.entity), !isOwn(entity.id) else { continue }
                let ownMatch = !rule.urls.isEmpty || !rule.inline.isEmpty || !rule.cookies.isEmpty
                let own = pending[rule.id] ?? []
                guard !ownMatch || !own.isEmpty, rule.requiresTrackers.allSatisfy(fired.contains) else { continue }
                let forms = input.observations.forms.filter { form in form.fields.contains { rule.requiresFormData.contains($0.category) } }
                guard rule.requiresFormData.isEmpty || !forms.isEmpty else { continue }
                let required = occurrences.filter { rule.requiresTrackers.contains($0.rule) }.sorted { $0.evidence < $1.evidence }
                let id = own.lazy.compactMap(\.accountID).first ?? required.lazy.compactMap(\.accountID).first
                let channel = own.first?.channel ?? required.first?.channel ?? .script
                let evidence = own.map(\.evidence)
                    + forms.prefix(Finding.maxEvidence).map { Evidence(url: URLParts.withoutQuery($0.action), element: "form", line: $0.line) }
                    + required.prefix(1).map(\.evidence)
                // Views and containers that saw the rule's own match, or else the required tracker's.
                let vias: [ContainerVia?] = own.isEmpty ? required.prefix(1).map(\.via) : own.map(\.via)
                let extra = own.reduce(into: Set<String>()) { $0.formUnion($1.data) }
                for (position, item) in evidence.enumerated() {
                    occurrences.append(Occurrence(
                        rule: rule.id, title: rule.title, severity: rule.severity, entity: entity.id, platform: entity.platform,
                        channel: channel, data: Set(rule.data).union(extra), purpose: rule.purpose, target: entity.id, accountID: id, evidence: item,
                        via: vias.isEmpty ? nil : vias[min(position, vias.count - 1)]))
                }
                derived.insert(rule.id)
                fired.insert(rule.id)
                changed = true
            }
        }

        // 3. Data flows the entity map explains without a signature.
        for (index, resource) in input.observations.resources.enumerated()
        where resource.isNetwork && resource.firstParty == false && !consumedResources.contains(index) {
            guard let channel = channel(of: resource), let host = resource.host, let site = resource.site else { continue }
            let evidence = resourceEvidence(resource, via: nil)
            if let entity = rules.entity(forHost: host) {
                guard !isOwn(entity.id) else { continue }
                var item = entityOccurrence(entity, channel: channel, evidence: evidence, extraData: [], site: site)
                item.views = resource.seenBy
                occurrences.append(item)
            } else if channel == .script || channel == .iframeEmbed || channel == .pixel {
                var item = unattributedOccurrence(site: site, channel: channel, evidence: evidence, extraData: [])
                item.views = resource.seenBy
                occurrences.append(item)
            }
        }
        for (position, content) in input.containers.enumerated() {
            for (index, resource) in content.observations.resources.enumerated()
            where resource.isNetwork && resource.firstParty == false && !consumedContainerResources[position].contains(index) {
                guard let channel = channel(of: resource), let host = resource.host, let site = resource.site else { continue }
                let evidence = resourceEvidence(resource, via: content.via)
                var item: Occurrence
                if let entity = rules.entity(forHost: host) {
                    guard !isOwn(entity.id) else { continue }
                    item = entityOccurrence(entity, channel: channel, evidence: evidence, extraData: [], site: site)
                } else if channel == .script || channel == .iframeEmbed || channel == .pixel {
                    item = unattributedOccurrence(site: site, channel: channel, evidence: evidence, extraData: [])
                } else {
                    continue
                }
                item.via = content.via
                occurrences.append(item)
            }
        }
        for form in input.observations.forms where form.firstParty == false && !consumedForms.contains(form.index) {
            guard let host = form.actionHost, let site = form.actionSite else { continue }
            let data = form.categories.compactMap(RuleVocabulary.flowData)
            let evidence = Evidence(url: URLParts.withoutQuery(form.action), element: "form@action", line: form.line)
            if let entity = rules.entity(forHost: host) {
                if !isOwn(entity.id) { occurrences.append(entityOccurrence(entity, channel: .formPost, evidence: evidence, extraData: data, site: site)) }
            } else {
                occurrences.append(unattributedOccurrence(site: site, channel: .formPost, evidence: evidence, extraData: data))
            }
        }
        for link in input.observations.links where link.firstParty == false {
            guard let host = link.host, let entity = rules.entity(forHost: host), !isOwn(entity.id) else { continue }
            occurrences.append(entityOccurrence(
                entity, channel: .link, evidence: Evidence(url: link.url, element: "a@href", line: link.line), extraData: [], site: link.site))
        }
        for (index, cookie) in input.cookies.enumerated() where !consumedCookies.contains(index) {
            guard let host = URLParts.split(cookie.url)?.host, let entity = rules.entity(forHost: host), !isOwn(entity.id),
                !input.firstPartySites.contains(where: { host == $0 || host.hasSuffix("." + $0) })
            else { continue }
            var item = entityOccurrence(
                entity, channel: .cookie,
                evidence: Evidence(url: URLParts.withoutQuery(cookie.url), element: cookie.seenBy == ["browser"] ? "cookie" : "set-cookie", snippet: cookie.name),
                extraData: [])
            item.views = cookie.seenBy
            occurrences.append(item)
        }

        // 4. First-party subdomains that are CNAMEs to a tracker: attributed and scored as that tracker.
        if !input.observations.cnames.isEmpty {
            let chains = Dictionary(input.observations.cnames.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
            for resource in input.observations.resources where resource.isNetwork && resource.firstParty == true {
                guard let host = resource.host, let chain = chains[host], let channel = channel(of: resource),
                    let match = cloakingTarget(chain, rules: rules)
                else { continue }
                if let entity = match.entity, isOwn(entity.id) { continue }
                let path = ([host] + chain.chain).joined(separator: " → ")
                let evidence = Evidence(url: URLParts.withoutQuery(resource.url), element: "\(resource.element)@\(resource.attribute)", snippet: "CNAME \(path)")
                let company = match.entity?.name ?? match.company ?? match.domain
                occurrences.append(Occurrence(
                    rule: "cname-cloaking", title: "First-party subdomain \(host) is a CNAME to \(company) (\(match.domain))", severity: .high,
                    entity: match.entity?.id, platform: match.entity?.platform ?? unattributed, channel: channel,
                    data: Set((channelData[channel] ?? []) + ["identifiers"]), purpose: match.entity?.category,
                    target: match.entity?.id ?? match.domain, accountID: nil, evidence: evidence, site: match.entity == nil ? nil : match.domain,
                    views: resource.seenBy))
            }
        }

        // 5. Canaries typed into the page's fields that a third party received before any submit.
        for leak in input.observations.canaryLeaks where leak.firstParty == false {
            let data = leak.kind == "password" ? "credentials" : "contact-data"
            let evidence = Evidence(url: URLParts.withoutQuery(leak.url), element: "request", snippet: "\(leak.kind) field '\(leak.field)' (\(leak.encoding))")
            var item: Occurrence
            if let entity = rules.entity(forHost: leak.host) {
                guard !isOwn(entity.id) else { continue }
                item = entityOccurrence(entity, channel: .formPost, evidence: evidence, extraData: [data], site: leak.site)
                item.title = "Form data sent to \(entity.name) before the form was submitted"
            } else {
                let site = leak.site ?? leak.host
                item = unattributedOccurrence(site: site, channel: .formPost, evidence: evidence, extraData: [data])
                item.title = "Form data sent to \(site), an unattributed third party, before the form was submitted"
            }
            item.rule = "form-data-before-submit"
            item.severity = leak.kind == "password" ? .critical : .high
            item.views = ["browser"]
            item.fields = [DecodedField(name: leak.field, label: leak.kind, data: data, form: leak.encoding)]
            occurrences.append(item)
        }

        var evaluation = Evaluation()
        evaluation.findings = group(occurrences, pageKey: pageKey(input.pageURL))
        evaluation.entities = entities(occurrences, rules: rules)
        evaluation.exposure = ExposureCalculator.exposure(evaluation.findings, entities: evaluation.entities, scoring: rules.scoring, profiles: rules.profiles)
        return evaluation
    }

    /// The channel a resource sends data through; nil for hints that fetch nothing (preconnect, dns-prefetch).
    static func channel(of resource: Resource) -> Channel? {
        switch resource.kind {
        case .script, .modulepreload: .script
        case .image: resource.likelyPixel || resource.inNoscript ? .pixel : .resource
        case .iframe, .frame: .iframeEmbed
        case .metaRefresh: .link
        case .request: .pixel
        case .preconnect, .dnsPrefetch: nil
        default: .resource
        }
    }

    static let channelData: [Channel: [String]] = [
        .script: ["identifiers", "browsing-activity", "device-info"],
        .pixel: ["identifiers", "browsing-activity", "device-info"],
        .iframeEmbed: ["identifiers", "browsing-activity", "device-info"],
        .cookie: ["identifiers"],
        .resource: ["device-info"],
        .formPost: ["device-info"],
        .serverSide: ["identifiers", "browsing-activity"],
        .link: [],
    ]

    static func genericSeverity(_ channel: Channel, category: String, data: [String]) -> Severity {
        switch channel {
        case .formPost:
            let sensitive: Set = ["credentials", "financial", "government-id", "health"]
            if data.contains(where: sensitive.contains) { return .critical }
            return data.contains("contact-data") ? .high : .medium
        case .script, .iframeEmbed, .pixel:
            switch category {
            case "session-replay": return .high
            case "advertising", "social": return .medium
            case "cdn": return .info
            default: return .low
            }
        case .serverSide: return category == "advertising" || category == "social" ? .high : .medium
        case .cookie: return .low
        case .resource, .link: return .info
        }
    }

    static let channelWords: [Channel: String] = [
        .script: "runs a script from", .pixel: "loads a tracking pixel from", .iframeEmbed: "embeds a frame from",
        .formPost: "posts a form to", .serverSide: "has its events forwarded from a vendor's servers to", .cookie: "receives a cookie from", .link: "links to", .resource: "loads resources from",
    ]

    static func entityOccurrence(_ entity: Entity, channel: Channel, evidence: Evidence, extraData: [String], site: String? = nil) -> Occurrence {
        if RuleVocabulary.infrastructureCategories.contains(entity.category), extraData.isEmpty,
            channel == .script || channel == .resource || channel == .iframeEmbed
        {
            // A CDN, host or font service serves files: it learns the visitor's IP address, user
            // agent and the page address (Referer), no identifier, unless other evidence (a cookie,
            // a pixel, a beacon) shows collection; those stay ordinary findings.
            return Occurrence(
                rule: "infrastructure", title: "Page loads files from \(entity.name) (\(entity.category)): it receives the visitor's IP address and the page address",
                severity: .info, entity: entity.id, platform: entity.platform, channel: .resource, data: ["device-info"], purpose: entity.category,
                target: entity.id, accountID: nil, evidence: evidence, site: site)
        }
        let data = Set((channelData[channel] ?? []) + extraData)
        return Occurrence(
            rule: "entity-\(channel.rawValue)", title: "Page \(channelWords[channel]!) \(entity.name)",
            severity: genericSeverity(channel, category: entity.category, data: Array(data)), entity: entity.id, platform: entity.platform,
            channel: channel, data: data, purpose: nil, target: entity.id, accountID: nil, evidence: evidence, site: site)
    }

    /// The tracker a CNAME chain ends at: an entity of a collecting category (the entity map
    /// first), or a domain of the CNAME-tracker list. A chain to a CDN or host is not cloaking.
    static func cloakingTarget(_ chain: CNAMEChain, rules: RulePack) -> (domain: String, entity: Entity?, company: String?)? {
        for name in chain.chain {
            let listed = rules.cnameTracker(forHost: name)
            if let entity = rules.entity(forHost: name), !RuleVocabulary.infrastructureCategories.contains(entity.category) || listed != nil {
                return (listed?.domain ?? name, entity, listed?.company)
            }
            if let listed { return (listed.domain, nil, listed.company) }
        }
        return nil
    }

    static func unattributedOccurrence(site: String, channel: Channel, evidence: Evidence, extraData: [String]) -> Occurrence {
        let data = Set((channelData[channel] ?? []) + extraData)
        return Occurrence(
            rule: "unattributed-\(channel.rawValue)", title: "Page \(channelWords[channel]!) \(site), an unattributed third party",
            severity: genericSeverity(channel, category: "other", data: Array(data)), entity: nil, platform: unattributed,
            channel: channel, data: data, purpose: nil, target: site, accountID: nil, evidence: evidence)
    }

    struct InlineHit {
        var snippet: String
        var id: String?
    }

    /// Counts newlines up to increasing offsets without rescanning from the start.
    struct LineCounter {
        let text: String
        var offset = 0
        var count = 0

        init(text: String) { self.text = text }

        mutating func newlines(before target: Int) -> Int {
            guard target > offset else { return count }
            let utf8 = text.utf8
            let from = utf8.index(utf8.startIndex, offsetBy: offset)
            let to = utf8.index(utf8.startIndex, offsetBy: target)
            count += utf8[from..<to].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            offset = target
            return count
        }
    }

    /// The hit of an inline pattern whose literal starts at `offset`, when the regex (if any)
    /// matches from there and the snippet is not HTML-escaped.
    static func inlineHit(_ pattern: (contains: String, regex: Regex<AnyRegexOutput>?), in text: String, at offset: Int) -> InlineHit? {
        let utf8 = text.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: offset)
        // A snippet whose quotes are HTML-escaped (`&quot;`) inside <script> is a syntax
        // error to the browser: it never runs, so it sends nothing.
        let nearStart = utf8.index(from, offsetBy: -min(offset, 200))
        let nearEnd = utf8.index(from, offsetBy: 200, limitedBy: utf8.endIndex) ?? utf8.endIndex
        if String(decoding: utf8[nearStart..<nearEnd], as: UTF8.self).containsBytes("&quot;") { return nil }
        var id: String?
        if let regex = pattern.regex {
            let windowEnd = utf8.index(from, offsetBy: 2000, limitedBy: utf8.endIndex) ?? utf8.endIndex
            let window = text[from..<windowEnd]
            // Anchored at the literal: searching the whole window from every hit of a common
            // literal (`gtag(` appears dozens of times on some pages) cost more than the rest of
            // the evaluation together.
            guard let match = try? regex.prefixMatch(in: window) else { return nil }
            if match.output.count > 1, let group = match.output[1].substring { id = String(group) }
        }
        let snippetEnd = utf8.index(from, offsetBy: 120, limitedBy: utf8.endIndex) ?? utf8.endIndex
        let snippet = String(decoding: utf8[from..<snippetEnd], as: UTF8.self)
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        return InlineHit(snippet: snippet, id: id)
    }

    /// Scheme-less, query-less page URL: the part of a finding id that names the page.
    public static func pageKey(_ url: String?) -> String {
        guard let url, let parts = URLParts.split(url) else { return url ?? "" }
        var path = parts.pathAndQuery.prefix { $0 != "?" }
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return parts.host + path
    }

    public static func findingID(pageKey: String, rule: String, channel: Channel, target: String, accountID: String?) -> String {
        let digest = SHA256.hex([pageKey, rule, channel.rawValue, target, accountID ?? ""].joined(separator: "\u{1F}"))
        return "dn-" + digest.prefix(16)
    }

    /// Groups occurrences into findings: one per (rule, channel, target, account id). Sightings
    /// without an id join the first id'd finding of their rule and channel when there is one.
    static func group(_ occurrences: [Occurrence], pageKey: String) -> [Finding] {
        struct Key: Hashable {
            var rule: String
            var channel: Channel
            var target: String
            var accountID: String?
        }
        var idsByRule: [Key: [String]] = [:]
        for item in occurrences {
            guard let id = item.accountID else { continue }
            idsByRule[Key(rule: item.rule, channel: item.channel, target: item.target), default: []].append(id)
        }
        var groups: [Key: [Occurrence]] = [:]
        for item in occurrences {
            var key = Key(rule: item.rule, channel: item.channel, target: item.target, accountID: item.accountID)
            if key.accountID == nil, let ids = idsByRule[Key(rule: item.rule, channel: item.channel, target: item.target)] {
                key.accountID = ids.min()
            }
            groups[key, default: []].append(item)
        }
        var findings: [Finding] = []
        for (key, items) in groups {
            let first = items[0]
            let evidence = Array(Set(items.map(\.evidence))).sorted()
            let data = items.reduce(into: Set<String>()) { $0.formUnion($1.data) }
            let severity = items.map(\.severity).max() ?? first.severity
            var finding = Finding(
                id: findingID(pageKey: pageKey, rule: key.rule, channel: key.channel, target: key.target, accountID: key.accountID),
                rule: key.rule, title: first.title, severity: severity, entity: first.entity, platform: first.platform,
                channel: key.channel, data: data.sorted(), purpose: first.purpose, target: key.target, accountID: key.accountID,
                evidence: Array(evidence.prefix(Finding.maxEvidence)), occurrences: evidence.count)
            let vias = items.compactMap(\.via)
            finding.seenBy = Set(items.flatMap { $0.via != nil ? ["container"] : $0.views.isEmpty ? ["static"] : $0.views }).sorted()
            finding.via = vias.min()
            for event in items.flatMap(\.events) where !finding.events.contains(event) && finding.events.count < Finding.maxEvents {
                finding.events.append(event)
            }
            finding.fields = Set(items.flatMap(\.fields)).sorted()
            findings.append(finding)
        }
        return findings.sorted { ($0.platform, $0.rule, $0.channel.rawValue, $0.id) < ($1.platform, $1.rule, $1.channel.rawValue, $1.id) }
    }

    /// The entities with findings, each with the sites its data went to.
    static func entities(_ occurrences: [Occurrence], rules: RulePack) -> [EntitySummary] {
        var sites: [String: Set<String>] = [:]
        for item in occurrences {
            guard let entity = item.entity else { continue }
            if let site = item.site { sites[entity, default: []].insert(site) } else if sites[entity] == nil { sites[entity] = [] }
        }
        return sites.keys.sorted().compactMap { id in
            guard let entity = rules.entity(id: id) else { return nil }
            var summary = EntitySummary(
                id: entity.id, name: entity.name, platform: entity.platform, platformName: entity.platformName,
                category: entity.category, sites: sites[id, default: []].sorted())
            // The ownership path, at most 5 steps (a cycle in the data cannot loop).
            var next = entity.parent
            while let parentID = next, summary.owners.count < 5, parentID != entity.id, let parent = rules.entity(id: parentID) {
                summary.owners.append(EntitySummary.Owner(id: parent.id, name: parent.name))
                next = parent.parent
            }
            return summary
        }
    }
}
