public import DragnetBrowser
public import DragnetContainers
import DragnetCore
import Foundation
public import DragnetFilters
public import DragnetFetch
import DragnetHTML
public import DragnetRules
public import DragnetSites

/// Turns one fetched or saved page into a `PageReport`: extract (libxml2),
/// classify hosts into sites (libpsl) and parties, build the data-flow graph.
/// A pure function of its inputs apart from the site cache.
public struct PageAuditor {
    public var firstPartySites: Set<String>
    /// Filter lists to check every network resource against (`--list`).
    public var filters: FilterEngine?
    /// Entities, tracker signatures and scoring; nil audits without findings.
    public var rules: RulePack?
    private var sites: SiteCache

    public init(resolver: SiteResolver, firstPartySites: Set<String> = [], filters: FilterEngine? = nil, rules: RulePack? = nil) {
        self.sites = SiteCache(resolver)
        self.firstPartySites = firstPartySites.union(rules?.firstPartySites ?? [])
        self.filters = filters
        self.rules = rules
    }

    /// Audits a fetch result (its body was kept by the fetcher).
    /// With `evaluate: false` the rules and the graph wait for `evaluate(_:)` or
    /// `applyContainers`, so a page with containers is evaluated once, not twice.
    public mutating func audit(_ fetched: FetchResult, source: String?, evaluate evaluateNow: Bool = true) -> PageReport {
        var report = PageReport(id: fetched.id, url: fetched.url)
        report.line = fetched.line
        report.source = source
        report.finalURL = fetched.finalURL
        report.status = fetched.status
        var summary = fetched
        summary.body = []
        report.fetch = summary
        if let error = fetched.error {
            report.error = PageError(code: error.code.rawValue, message: error.message, stage: "fetch")
        }
        guard fetched.status != nil, fetched.error == nil || !fetched.body.isEmpty else {
            report.graph = graph(for: report, redirects: fetched)
            return report
        }
        let charset = fetched.charsetSource == .header ? fetched.charset : nil
        let extracted = HTMLExtractor.extract(fetched.body, pageURL: fetched.finalURL ?? fetched.requestURL, charset: charset)
        report.observations = extracted.observations
        classify(&report, pageURL: fetched.finalURL ?? fetched.requestURL)
        report.evaluationURL = fetched.finalURL ?? fetched.requestURL
        guard evaluateNow else {
            report.needsEvaluation = true
            return report
        }
        evaluate(&report, pageURL: report.evaluationURL, cookies: fetched.cookies.map { SeenCookie(name: $0.name, url: $0.url) })
        report.graph = graph(for: report, redirects: fetched)
        return report
    }

    /// Audits a saved HTML file; `pageURL` is where the page is taken to live.
    public mutating func audit(file path: String, bytes: [UInt8], id: Int, pageURL: String?, evaluate evaluateNow: Bool = true) -> PageReport {
        var report = PageReport(id: id, url: pageURL ?? path)
        report.source = path
        let extracted = HTMLExtractor.extract(bytes, pageURL: pageURL)
        report.finalURL = extracted.pageURL
        report.observations = extracted.observations
        classify(&report, pageURL: extracted.pageURL)
        report.evaluationURL = extracted.pageURL
        guard evaluateNow else {
            report.needsEvaluation = true
            return report
        }
        evaluate(&report, pageURL: extracted.pageURL, cookies: [])
        report.graph = graph(for: report, redirects: nil)
        return report
    }

    /// Audits a HAR capture as a browser-observed page: the document's HTML when the export kept
    /// it, every request as seen by the browser, the cookies responses set. A file that is not a
    /// HAR is a page error with the reason; evaluation follows in `evaluate(_:)`.
    public mutating func audit(har path: String, id: Int) -> PageReport {
        var report = PageReport(id: id, url: path)
        report.source = path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = (attributes[.size] as? NSNumber)?.intValue else {
            report.error = PageError(code: "read", message: "cannot read \(path)", stage: "read")
            return report
        }
        guard size <= HAR.maxBytes else {
            report.error = PageError(code: "har", message: "\(path): larger than \(HAR.maxBytes / 1024 / 1024) MB (\(size / 1024 / 1024) MB)", stage: "read")
            return report
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            report.error = PageError(code: "read", message: "cannot read \(path)", stage: "read")
            return report
        }
        let read: (capture: BrowserCapture, html: String?, setCookies: [(name: String, url: String)])
        do {
            read = try HAR.capture([UInt8](data))
        } catch {
            report.error = PageError(code: "har", message: "\(path): \(error.message)", stage: "read")
            return report
        }
        report.url = read.capture.url
        report.finalURL = read.capture.finalURL
        report.status = read.capture.requests.first?.status
        let extracted = HTMLExtractor.extract(Array((read.html ?? "").utf8), pageURL: read.capture.finalURL)
        report.observations = extracted.observations
        classify(&report, pageURL: read.capture.finalURL)
        report.evaluationURL = read.capture.finalURL
        applyBrowser(&report, capture: read.capture)
        report.browserCookies += read.setCookies.map { SeenCookie(name: $0.name, url: $0.url, seenBy: ["browser"]) }
        report.needsEvaluation = true
        return report
    }

    static let maxCertificateSites = 10

    private mutating func classify(_ report: inout PageReport, pageURL: String?) {
        let pageHost = pageURL.flatMap(WebURL.init)?.host
        let pageSite = pageHost.map { sites.site(of: $0) }
        report.site = pageSite
        // The page's TLS certificate names its owner's other sites (www.brand.example and
        // brand-static.example); a certificate shared by more than 10 sites (a CDN's) says nothing.
        let named = Set((report.fetch?.certificateNames ?? []).map { sites.site(of: $0.hasPrefix("*.") ? String($0.dropFirst(2)) : $0) })
        report.certificateSites = named.count <= Self.maxCertificateSites ? named.subtracting([pageSite].compactMap { $0 }).sorted() : []
        let ownSites = firstParty(of: report)
        func isFirstParty(_ site: String) -> Bool { ownSites.contains(site) }

        for index in report.observations.resources.indices {
            guard let host = report.observations.resources[index].host else { continue }
            let site = sites.site(of: host)
            report.observations.resources[index].site = site
            report.observations.resources[index].firstParty = isFirstParty(site)
        }
        if let filters, let pageURL {
            var scratch = FilterEngine.MatchScratch()
            for index in report.observations.resources.indices where report.observations.resources[index].isNetwork {
                let resource = report.observations.resources[index]
                let request = FilterRequest(url: resource.url, sourceURL: pageURL, type: Self.requestType(resource.kind))
                let decision = filters.match(request, cache: &sites, scratch: &scratch)
                if decision.blocked { report.observations.resources[index].blockedBy = decision.filter }
            }
        }
        for index in report.observations.links.indices {
            guard let host = report.observations.links[index].host else { continue }
            let site = sites.site(of: host)
            report.observations.links[index].site = site
            report.observations.links[index].firstParty = isFirstParty(site)
        }
        for index in report.observations.forms.indices {
            guard let host = report.observations.forms[index].actionHost else { continue }
            let site = sites.site(of: host)
            report.observations.forms[index].actionSite = site
            report.observations.forms[index].firstParty = isFirstParty(site)
        }
    }

    private func evaluate(_ report: inout PageReport, pageURL: String?, cookies: [SeenCookie], containers: [ContainerContent] = []) {
        guard let rules else { return }
        let firstParty = firstParty(of: report)
        let input = EvaluationInput(pageURL: pageURL, firstPartySites: firstParty, observations: report.observations, cookies: cookies, containers: containers)
        report.evaluation = Evaluator.evaluate(input, rules: rules)
    }

    /// The containers the page loads, found in its observations.
    public static func containerReferences(_ report: PageReport) -> ContainerDetector.Result {
        ContainerDetector.detect(report.observations, pageURL: report.finalURL ?? report.url)
    }

    /// Adds what the page's containers hold: their tags' markup and trackers are evaluated
    /// with the page (one finding where a pixel is both inline and in a container), and the
    /// report lists each container, how it was read and what could not be.
    public mutating func applyContainers(_ report: inout PageReport, loaded: [LoadedContainer], warnings: [String]) {
        report.containers = loaded.sorted { $0.reference < $1.reference }
        if report.coverage == Coverage() { report.coverage = Self.coverage(report, rules: rules) }
        report.containerWarnings = warnings
        var contents: [ContainerContent] = []
        for container in report.containers where container.readable {
            for var content in container.mapped.contents {
                classify(&content.observations.resources, firstParty: firstParty(of: report))
                contents.append(content)
            }
        }
        evaluate(&report, containers: contents)
    }

    /// Evaluates a page audited with `evaluate: false` (rules, then the graph).
    public mutating func evaluate(_ report: inout PageReport, containers: [ContainerContent] = []) {
        if report.needsEvaluation {
            report.needsEvaluation = false
            // A cookie both a response set and the browser holds counts once, as the fetch's.
            let fetched = (report.fetch?.cookies ?? []).map { SeenCookie(name: $0.name, url: $0.url) }
            let names = Set(fetched.map(\.name))
            let cookies = fetched + report.browserCookies.filter { !names.contains($0.name) }
            evaluate(&report, pageURL: report.evaluationURL, cookies: cookies, containers: containers)
        }
        report.graph = graph(for: report, redirects: report.fetch)
    }

    /// Merges what the browser saw into the page: requests the HTML does not name become
    /// resources seen by `browser` (those it names are seen by both), scripts only the rendered
    /// DOM has, and the cookies the browser holds at the end (JavaScript-set ones included).
    /// Evaluation follows in `evaluate(_:)` or `applyContainers`.
    public mutating func applyBrowser(_ report: inout PageReport, capture: BrowserCapture) {
        var summary = BrowserSummary()
        summary.requests = capture.requests.count
        summary.cookies = capture.cookies.count
        summary.seconds = (capture.seconds * 100).rounded() / 100
        summary.error = capture.error
        summary.finalURL = capture.finalURL
        summary.canaries = capture.canaries
        summary.storage = capture.storage.map { StorageKey(area: $0.area, key: $0.key, bytes: $0.bytes) }
        summary.refusedPrivate = capture.refused
        report.browser = summary
        var byURL: [String: Int] = [:]
        for (index, resource) in report.observations.resources.enumerated() where byURL[resource.url] == nil { byURL[resource.url] = index }
        let pageURL = report.finalURL ?? report.url
        var added: [Resource] = []
        for request in capture.requests where request.url.hasPrefix("http://") || request.url.hasPrefix("https://") {
            // The page's own document request is the page, not a resource.
            if added.isEmpty && request.type == "Document" && (request.url == pageURL || request.url == report.url) { continue }
            if let index = byURL[request.url] {
                // -1: a request this loop already added (the same URL requested again).
                if index >= 0 && !report.observations.resources[index].seenBy.contains("browser") {
                    report.observations.resources[index].seenBy = ["browser", "static"]
                }
                continue
            }
            guard let host = URLParts.split(request.url)?.host else { continue }
            var resource = Resource(
                kind: Self.kind(ofRequest: request.type), url: request.url, scheme: request.url.hasPrefix("https") ? "https" : "http", host: host,
                element: "request", attribute: request.type.lowercased(), line: 0)
            resource.likelyPixel = request.type == "Image" || request.type == "Ping"
            resource.seenBy = ["browser"]
            if request.initiatorType == "script", let script = request.initiatorURL, script.hasPrefix("http") { resource.initiator = URLParts.withoutQuery(script) }
            byURL[request.url] = -1
            added.append(resource)
        }
        classify(&added, firstParty: firstParty(of: report))
        report.observations.resources += added
        // Canaries in what was sent after the typing began (nothing was submitted).
        if !capture.canaries.isEmpty {
            let after = capture.requests.dropFirst(capture.requestsBeforeFill).filter { $0.url.hasPrefix("http://") || $0.url.hasPrefix("https://") }
            var sites: [String: (site: String?, firstParty: Bool?)] = [:]
            for resource in report.observations.resources { sites[resource.url] = sites[resource.url] ?? (resource.site, resource.firstParty) }
            report.observations.canaryLeaks = CanarySearch.find(capture.canaries, in: after.map { ($0.url, $0.postData) }).map { leak in
                var leak = leak
                leak.site = sites[leak.url]?.site
                leak.firstParty = sites[leak.url]?.firstParty
                return leak
            }
        }
        if let rules, !rules.decoders.isEmpty {
            report.observations.decoded = capture.requests.compactMap { request in
                request.url.hasPrefix("http://") || request.url.hasPrefix("https://") ? rules.decode(url: request.url, body: request.postData) : nil
            }
        }
        if !capture.html.isEmpty {
            let rendered = HTMLExtractor.extract(Array(capture.html.utf8), pageURL: capture.finalURL ?? pageURL)
            let known = Set(report.observations.inlineScripts.map(\.sha256))
            for var script in rendered.observations.inlineScripts where !known.contains(script.sha256) {
                script.seenBy = ["browser"]
                report.observations.inlineScripts.append(script)
            }
        }
        report.browserCookies = capture.cookies.map {
            let domain = $0.domain.hasPrefix(".") ? String($0.domain.dropFirst()) : $0.domain
            return SeenCookie(name: $0.name, url: "https://\(domain)\($0.path)", seenBy: ["browser"])
        }
    }

    static func kind(ofRequest type: String) -> ResourceKind {
        switch type {
        case "Script": .script
        case "Image": .image
        case "Document": .iframe
        case "Stylesheet": .stylesheet
        case "Media": .video
        case "Font", "Manifest", "TextTrack": .preload
        default: .request
        }
    }

    /// Notes that the page loads containers this run did not read (`--no-containers`).
    public static func containersSkipped(_ report: inout PageReport, references: [ContainerReference]) {
        report.containerWarnings = references.sorted().map { "\($0.name) not read (--no-containers)" }
    }

    /// How much of what the page runs a static reader sees (0–1), and why less: each tag-manager
    /// container not read costs 0.4 (it can hold any tracker); a script that injects other scripts
    /// and no known signature explains, 0.3; a consent manager that gates tags, 0.2.
    /// `--mode auto` loads the pages below `--escalate-below` in the browser.
    public static func coverage(_ report: PageReport, rules: RulePack?) -> Coverage {
        var coverage = Coverage()
        var cost = 0.0
        for container in report.containers where !container.readable {
            coverage.reasons.append("\(container.reference.name) could not be read: \(container.error ?? "unknown")")
            cost += 0.4
        }
        for warning in report.containerWarnings where warning.hasSuffix("(--no-containers)") {
            coverage.reasons.append(warning)
            cost += 0.4
        }
        let injectors = report.observations.inlineScripts.filter { script in
            script.seenBy.isEmpty && Self.injects(script.text) && !(rules?.explainsInline(script.text) ?? false)
                && !script.text.containsBytes("gtm.js") && !script.text.containsBytes("analytics.js/v1/")
        }
        if let first = injectors.first {
            coverage.reasons.append("\(injectors.count) inline script(s) inject scripts no signature explains (first at line \(first.line))")
            cost += 0.3
        }
        if let rules, let consent = report.observations.resources.lazy.compactMap({ $0.host.flatMap(rules.entity(forHost:)) }).first(where: { $0.category == "consent" }) {
            coverage.reasons.append("a consent manager (\(consent.name)) decides which tags run")
            cost += 0.2
        }
        coverage.score = max(0, ((1 - cost) * 100).rounded() / 100)
        return coverage
    }

    static func injects(_ text: String) -> Bool {
        text.containsBytes("createElement(\"script\")") || text.containsBytes("createElement('script')") || text.containsBytes("document.write(")
            || text.containsBytes("createElement(\"SCRIPT\")")
    }

    /// The page's own sites: its site, the declared first-party sites and those its certificate names.
    func firstParty(of report: PageReport) -> Set<String> {
        Set([report.site].compactMap { $0 }).union(firstPartySites).union(report.certificateSites)
    }

    private mutating func classify(_ resources: inout [Resource], firstParty: Set<String>) {
        for index in resources.indices {
            guard let host = resources[index].host else { continue }
            let site = sites.site(of: host)
            resources[index].site = site
            resources[index].firstParty = firstParty.contains(site)
        }
    }

    /// The filter-list request type of a resource kind (uBlock's names).
    static func requestType(_ kind: ResourceKind) -> RequestType {
        switch kind {
        case .script, .modulepreload: .script
        case .image, .icon: .image
        case .stylesheet: .stylesheet
        case .iframe, .frame: .subdocument
        case .video, .audio, .source, .track: .media
        case .object, .embed: .object
        default: .other
        }
    }

    private mutating func graph(for report: PageReport, redirects fetched: FetchResult?) -> DataFlowGraph {
        var graph = DataFlowGraph()
        graph.addNode(.init(id: DataFlowGraph.pageID, type: .page, label: report.finalURL ?? report.url))
        let firstParty = firstParty(of: report)
        func siteNode(_ site: String) -> String {
            let id = DataFlowGraph.siteID(site)
            graph.addNode(.init(id: id, type: .site, label: site, firstParty: firstParty.contains(site)))
            return id
        }

        for resource in report.observations.resources where resource.isNetwork {
            guard let site = resource.site else { continue }
            graph.addEdge(.init(from: DataFlowGraph.pageID, to: siteNode(site), type: .loads, kind: resource.kind.rawValue))
        }
        // Who made which request: "a script from site A made a request to site B".
        for resource in report.observations.resources where resource.isNetwork {
            guard let site = resource.site, let script = resource.initiator, let host = WebURL(script)?.host else { continue }
            let from = sites.site(of: host)
            guard from != site else { continue }
            graph.addEdge(.init(from: siteNode(from), to: siteNode(site), type: .initiates, kind: resource.kind.rawValue, labels: [script]))
        }
        for link in report.observations.links where link.scheme == "http" || link.scheme == "https" {
            guard let site = link.site else { continue }
            graph.addEdge(.init(from: DataFlowGraph.pageID, to: siteNode(site), type: .linksTo))
        }
        for form in report.observations.forms {
            let formID = DataFlowGraph.formID(form.index)
            graph.addNode(.init(id: formID, type: .form, label: "\(form.method.uppercased()) \(form.action)"))
            graph.addEdge(.init(from: DataFlowGraph.pageID, to: formID, type: .contains))
            if let site = form.actionSite {
                graph.addEdge(.init(from: formID, to: siteNode(site), type: .postsForm, count: max(1, form.fields.count)))
            }
            for category in form.categories {
                let dataID = DataFlowGraph.dataID(category.rawValue)
                graph.addNode(.init(id: dataID, type: .dataCategory, label: category.rawValue))
                graph.addEdge(.init(from: formID, to: dataID, type: .collects, count: form.fields.filter { $0.category == category }.count))
            }
        }
        if let fetched {
            let hopURLs = fetched.redirectChain.map(\.url) + [fetched.finalURL].compactMap { $0 }
            let hopSites = hopURLs.map { WebURL($0)?.host.map { sites.site(of: $0) } }
            for (from, to) in zip(hopSites, hopSites.dropFirst()) {
                guard let from, let to else { continue }
                graph.addEdge(.init(from: siteNode(from), to: siteNode(to), type: .redirects))
            }
            for cookie in fetched.cookies {
                guard let host = WebURL(cookie.url)?.host else { continue }
                graph.addEdge(.init(from: siteNode(sites.site(of: host)), to: DataFlowGraph.pageID, type: .setsCookie, labels: [cookie.name]))
            }
        }
        addFlows(to: &graph, report: report, firstParty: firstParty)
        return graph
    }

    /// Entity and platform nodes, `owned-by`, `part-of` and `sends` edges from the findings.
    private func addFlows(to graph: inout DataFlowGraph, report: PageReport, firstParty: Set<String>) {
        func siteNode(_ site: String) -> String {
            let id = DataFlowGraph.siteID(site)
            graph.addNode(.init(id: id, type: .site, label: site, firstParty: firstParty.contains(site)))
            return id
        }
        let entities = Dictionary(report.evaluation.entities.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for entity in report.evaluation.entities {
            let entityNode = DataFlowGraph.entityID(entity.id)
            graph.addNode(.init(id: entityNode, type: .entity, label: entity.name))
            let platformNode = DataFlowGraph.platformID(entity.platform)
            graph.addNode(.init(id: platformNode, type: .platform, label: entity.platformName))
            graph.addEdge(.init(from: entityNode, to: platformNode, type: .partOf))
            for site in entity.sites { graph.addEdge(.init(from: siteNode(site), to: entityNode, type: .ownedBy)) }
        }
        let formsByLine = Dictionary(report.observations.forms.map { ($0.line, $0.index) }, uniquingKeysWith: { first, _ in first })
        for finding in report.evaluation.findings where !finding.data.isEmpty {
            let to: String
            if let entity = finding.entity, entities[entity] != nil {
                to = DataFlowGraph.entityID(entity)
            } else {
                to = siteNode(finding.target)
            }
            var from = DataFlowGraph.pageID
            if finding.channel == .formPost, let line = finding.evidence.first?.line, let form = formsByLine[line] {
                from = DataFlowGraph.formID(form)
            } else if let via = finding.via, !finding.seenBy.contains("static") {
                // page → container → tag → entity: the tag is where the data leaves.
                let container = DataFlowGraph.containerID(via.container)
                graph.addNode(.init(id: container, type: .container, label: via.container))
                graph.addEdge(.init(from: DataFlowGraph.pageID, to: container, type: .loads, kind: "container"))
                from = DataFlowGraph.tagID(via.container, via.tag, via.template)
                graph.addNode(.init(id: from, type: .tag, label: via.tag.map { "\(via.template) (tag \($0))" } ?? via.template))
                graph.addEdge(.init(from: container, to: from, type: .contains))
            }
            graph.addEdge(.init(from: from, to: to, type: .sends, kind: finding.channel.rawValue, labels: finding.data))
        }
    }
}
