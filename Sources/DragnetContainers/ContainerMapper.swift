import Foundation
import DragnetCore
import DragnetHTML
public import DragnetRules

/// One tag (or Segment destination) of a container as Dragnet reads it, for `dragnet container`.
public struct MappedTag: Sendable, Hashable {
    public var index: Int?
    public var function: String
    public var firing: GTMContainer.Firing
    /// Tracker rules the tag brings (from its template, permissions or markup signatures are
    /// found later by the evaluator; these are the direct ones), with the ids found.
    public var trackers: [String]
    public var accountIDs: [String]
    /// Hosts the tag's markup or template reaches.
    public var hosts: [String]
    /// `mapped`, `markup` (custom HTML or image: read by the signatures), `infrastructure`, `unknown`.
    public var status: String
    public var note: String?
}

/// Turns a container into what the evaluator reads: per firing tag, the markup it injects
/// (custom HTML and image tags, extracted with the page extractor) and the trackers its
/// template names. Everything comes from `rules/containers/`; nothing here names a vendor.
public enum ContainerMapper {
    public struct Mapped: Sendable {
        public var contents: [ContainerContent] = []
        public var tags: [MappedTag] = []

        public init() {}
    }

    public static func map(_ container: GTMContainer, name: String, url: String, rules: RulePack) -> Mapped {
        var mapped = Mapped()
        let containerRules = rules.containers
        for tag in container.tags {
            var summary = MappedTag(index: tag.index, function: tag.function, firing: tag.firing, trackers: [], accountIDs: [], hosts: [], status: "unknown")
            defer { mapped.tags.append(summary) }
            if containerRules.infrastructure.contains(tag.function) {
                summary.status = "infrastructure"
                continue
            }
            let via = ContainerVia(container: name, tag: tag.index, template: tag.function, firing: tag.firing.kind, url: url)
            var content = ContainerContent(via: via)
            switch tag.function {
            case "__html":
                var html = container.render(tag.parameter("vtp_html") ?? .string(""))
                // GTM publishes custom HTML scripts as text/gtmscript and turns them into scripts at run time.
                html = html.replacingOccurrences(of: "text/gtmscript", with: "text/javascript")
                let extracted = HTMLExtractor.extract(Array(html.utf8), pageURL: nil)
                content.observations.resources = extracted.observations.resources.filter(\.isNetwork)
                content.observations.inlineScripts = extracted.observations.inlineScripts
                summary.status = "markup"
                summary.hosts = Array(Set(content.observations.resources.compactMap(\.host))).sorted()
            case "__img":
                var address = container.render(tag.parameter("vtp_url") ?? .string(""))
                if address.hasPrefix("//") { address = "https:" + address }
                if let resource = resource(address, kind: .image) {
                    content.observations.resources = [resource]
                    summary.hosts = [resource.host ?? ""]
                }
                summary.status = "markup"
            default:
                break
            }
            if let template = containerRules.templates[tag.function] {
                if template.when.isEmpty || template.when.contains(where: { container.isSet(tag.parameter($0)) }) {
                    let id = template.id.lazy.compactMap { container.constant(tag.parameter($0)) }.first
                    var detail = template.note ?? tag.function
                    if let event = container.constant(tag.parameter("vtp_eventName")) { detail += " event \(event)" }
                    content.signals.append(ContainerSignal(target: .tracker(template.tracker), accountID: id, channel: .script, detail: detail))
                    summary.trackers.append(template.tracker)
                    if let id { summary.accountIDs.append(id) }
                    summary.status = "mapped"
                } else {
                    summary.status = "mapped"
                    summary.note = "off: none of \(template.when.joined(separator: ", ")) is set"
                }
            } else if let permissions = container.permissions[tag.function], tag.function != "__html", tag.function != "__img" {
                summary.hosts = permissions.hosts
                let rule = containerRules.community.first { rule in
                    permissions.hosts.contains { host in rule.hosts.contains { host == $0 || host.hasSuffix("." + $0) } }
                        || permissions.globals.contains { rule.globals.contains($0) }
                }
                if let rule {
                    let id = rule.id.lazy.compactMap { container.constant(tag.parameter($0)) }.first
                    content.signals.append(ContainerSignal(target: .tracker(rule.tracker), accountID: id, channel: .script, detail: "template permitted to load \(permissions.hosts.joined(separator: ", "))"))
                    summary.trackers.append(rule.tracker)
                    if let id { summary.accountIDs.append(id) }
                    if let contact = rule.contactTracker, let parameter = rule.contactParams.first(where: { container.isSet(tag.parameter($0)) }) {
                        content.signals.append(ContainerSignal(
                            target: .tracker(contact), accountID: id, channel: .script, extraData: ["contact-data"], detail: "contact data from \(parameter)"))
                        summary.trackers.append(contact)
                    }
                    summary.status = "mapped"
                } else if !permissions.hosts.isEmpty {
                    // Unknown template: the hosts it may load from still name who receives data.
                    content.observations.resources = permissions.hosts.compactMap { resource("https://\($0)/", kind: .script) }
                    summary.status = "markup"
                }
            }
            if tag.firing.fires && (!content.signals.isEmpty || !content.observations.resources.isEmpty || !content.observations.inlineScripts.isEmpty) {
                mapped.contents.append(content)
            }
        }
        return mapped
    }

    public static func map(_ settings: SegmentSettings, name: String, url: String, rules: RulePack) -> Mapped {
        var mapped = Mapped()
        for destination in settings.destinations {
            var summary = MappedTag(
                index: nil, function: destination.name, firing: .init(kind: destination.mode + "-mode"), trackers: [], accountIDs: [], hosts: [], status: "unknown")
            defer { mapped.tags.append(summary) }
            guard let rule = rules.containers.segmentDestination(named: destination.name), let entity = rules.entity(id: rule.entity) else {
                summary.note = "no rule names this destination: not attributed"
                continue
            }
            let via = ContainerVia(container: name, tag: nil, template: destination.name, firing: destination.mode + "-mode", url: url)
            let id = rule.id.lazy.compactMap { destination.settings[$0] }.first
            let mode = rule.cloudOnly ? "cloud" : destination.mode
            let signal: ContainerSignal
            if mode == "device", let tracker = rule.tracker {
                signal = ContainerSignal(target: .tracker(tracker), accountID: id, channel: .script, detail: "Segment destination \(destination.name) (device mode)")
                summary.trackers = [tracker]
            } else {
                signal = ContainerSignal(
                    target: .entity(entity.id, title: "Segment forwards the page's events to \(entity.name) from its servers (\(destination.name), cloud mode)"),
                    accountID: id, channel: .serverSide, detail: "Segment destination \(destination.name) (cloud mode)")
            }
            summary.firing = .init(kind: mode + "-mode")
            var content = ContainerContent(via: ContainerVia(container: via.container, tag: nil, template: via.template, firing: mode + "-mode", url: url))
            content.signals = [signal]
            mapped.contents.append(content)
            if let id { summary.accountIDs = [id] }
            summary.status = "mapped"
            summary.note = entity.name
        }
        return mapped
    }

    static func resource(_ address: String, kind: ResourceKind) -> Resource? {
        guard let parts = URLParts.split(address), address.hasPrefix("https://") || address.hasPrefix("http://") else { return nil }
        var resource = Resource(
            kind: kind, url: address, scheme: address.hasPrefix("https") ? "https" : "http", host: parts.host, element: kind == .image ? "img" : "script",
            attribute: "src", line: 0)
        resource.likelyPixel = kind == .image
        return resource
    }
}
