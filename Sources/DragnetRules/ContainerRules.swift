import DragnetCore
import Foundation
import Yams

/// How tag-manager contents map to tracker rules: data in `rules/containers/`, not code.
public struct ContainerRules: Sendable {
    /// A GTM tag template (built-in, `__awct`, or a template of a known vendor).
    public struct Template: Sendable {
        /// The tag's `function` (`__awct`, `__twitter_website_tag`, `__ogt_1p_data_v2` …).
        public var function: String
        public var tracker: String
        /// Parameters that hold the account, pixel or measurement id, first found wins.
        public var id: [String]
        /// The tag counts only when one of these parameters is true (empty: always).
        public var when: [String]
        /// What the tag does, for `dragnet container`.
        public var note: String?
        public var line: Int
    }

    /// A community (gallery) template `__cvt_…`, recognised by what it may inject or
    /// read (its `permissions`) and by its parameter names.
    public struct Community: Sendable {
        /// Hosts it is permitted to inject scripts from or send pixels to (suffix match).
        public var hosts: [String]
        /// Globals it is permitted to access (`ttq`, `fbq`, `twq`).
        public var globals: [String]
        public var tracker: String
        public var id: [String]
        /// Parameters that, when set, mean contact data (email, phone) goes along …
        public var contactParams: [String]
        /// … as this tracker rule.
        public var contactTracker: String?
        public var line: Int
    }

    /// A Segment destination, by the names Segment gives it in its settings.
    public struct SegmentDestination: Sendable {
        public var names: [String]
        /// A tracker rule (device mode in the browser) …
        public var tracker: String?
        /// … and the entity that receives the events.
        public var entity: String
        /// Settings keys holding the destination's account id.
        public var id: [String]
        /// The destination exists only in cloud mode (Segment's servers send the events).
        public var cloudOnly: Bool
        public var line: Int
    }

    public var templates: [String: Template] = [:]
    public var community: [Community] = []
    public var segment: [SegmentDestination] = []
    /// Data-layer events that consent managers push when the visitor agrees.
    public var consentEvents: [String] = []
    /// Data-layer variables and cookies that hold the visitor's consent choice.
    public var consentVariables: [String] = []
    /// Tag functions that only listen (click, form, timer, scroll triggers): no data leaves.
    public var infrastructure: Set<String> = []
    /// Data-layer variable names that hold contact data (`email`, `user.phone` …), lower-cased substrings.
    public var contactVariables: [String] = []

    public init() {}

    /// The destination rule whose names include `name` (case-insensitive).
    public func segmentDestination(named name: String) -> SegmentDestination? {
        let key = name.lowercased()
        return segment.first { $0.names.contains { $0.lowercased() == key } }
    }
}

extension RulePack {
    static let containerKeys = ["sources", "templates", "community", "segment", "consent", "infrastructure", "contactVariables", "description"]

    mutating func readContainerFile(_ file: inout YAMLFile) {
        guard let members = file.mapping(file.root, what: "a container rule file", allowed: Self.containerKeys) else { return }
        for (key, _, value) in members {
            switch key {
            case "templates":
                for node in file.sequence(value, what: "templates") ?? [] {
                    guard let fields = file.mapping(node, what: "a template", allowed: ["function", "tracker", "id", "when", "note"]) else { continue }
                    var template = ContainerRules.Template(function: "", tracker: "", id: [], when: [], note: nil, line: node.mark?.line ?? 1)
                    for (field, _, item) in fields {
                        switch field {
                        case "function": template.function = file.string(item, what: "function") ?? ""
                        case "tracker": template.tracker = file.string(item, what: "tracker") ?? ""
                        case "id": template.id = (file.strings(item, what: "id") ?? []).map(\.0)
                        case "when": template.when = (file.strings(item, what: "when") ?? []).map(\.0)
                        default: template.note = file.string(item, what: "note")
                        }
                    }
                    guard template.function.hasPrefix("__"), !template.tracker.isEmpty else {
                        file.error("a template needs function: (starting with __) and tracker:", at: node)
                        continue
                    }
                    if containers.templates[template.function] != nil {
                        file.error("template '\(template.function)' is listed twice", at: Self.member(node, "function"))
                        continue
                    }
                    containers.templates[template.function] = template
                    containerMarks.append((template.tracker, file.path, template.line))
                }
            case "community":
                for node in file.sequence(value, what: "community") ?? [] {
                    let allowed = ["hosts", "globals", "tracker", "id", "contact"]
                    guard let fields = file.mapping(node, what: "a community template", allowed: allowed) else { continue }
                    var rule = ContainerRules.Community(hosts: [], globals: [], tracker: "", id: [], contactParams: [], contactTracker: nil, line: node.mark?.line ?? 1)
                    for (field, _, item) in fields {
                        switch field {
                        case "hosts": rule.hosts = (file.strings(item, what: "hosts") ?? []).map { $0.0.lowercased() }
                        case "globals": rule.globals = (file.strings(item, what: "globals") ?? []).map(\.0)
                        case "tracker": rule.tracker = file.string(item, what: "tracker") ?? ""
                        case "id": rule.id = (file.strings(item, what: "id") ?? []).map(\.0)
                        default:
                            for (name, sub, detail) in file.mapping(item, what: "contact", allowed: ["params", "tracker"]) ?? [] {
                                _ = sub
                                if name == "params" { rule.contactParams = (file.strings(detail, what: "params") ?? []).map(\.0) } else {
                                    rule.contactTracker = file.string(detail, what: "tracker")
                                }
                            }
                        }
                    }
                    guard !rule.tracker.isEmpty, !(rule.hosts.isEmpty && rule.globals.isEmpty) else {
                        file.error("a community template needs tracker: and hosts: or globals:", at: node)
                        continue
                    }
                    containers.community.append(rule)
                    containerMarks.append((rule.tracker, file.path, rule.line))
                    if let contact = rule.contactTracker { containerMarks.append((contact, file.path, rule.line)) }
                }
            case "segment":
                for node in file.sequence(value, what: "segment") ?? [] {
                    guard let fields = file.mapping(node, what: "a Segment destination", allowed: ["names", "tracker", "entity", "id", "cloudOnly"]) else { continue }
                    var rule = ContainerRules.SegmentDestination(names: [], tracker: nil, entity: "", id: [], cloudOnly: false, line: node.mark?.line ?? 1)
                    for (field, _, item) in fields {
                        switch field {
                        case "names": rule.names = (file.strings(item, what: "names") ?? []).map(\.0)
                        case "tracker": rule.tracker = file.string(item, what: "tracker")
                        case "entity": rule.entity = file.string(item, what: "entity") ?? ""
                        case "id": rule.id = (file.strings(item, what: "id") ?? []).map(\.0)
                        default:
                            let text = file.string(item, what: "cloudOnly")
                            if text != "true" && text != "false" { file.error("cloudOnly must be true or false", at: item) }
                            rule.cloudOnly = text == "true"
                        }
                    }
                    guard !rule.names.isEmpty, !rule.entity.isEmpty else {
                        file.error("a Segment destination needs names: and entity:", at: node)
                        continue
                    }
                    for name in rule.names where containers.segmentDestination(named: name) != nil {
                        file.error("Segment destination '\(name)' is listed twice", at: node)
                    }
                    containers.segment.append(rule)
                    if let tracker = rule.tracker { containerMarks.append((tracker, file.path, rule.line)) }
                    segmentEntityMarks.append((rule.entity, file.path, rule.line))
                }
            case "consent":
                for (field, _, item) in file.mapping(value, what: "consent", allowed: ["events", "variables"]) ?? [] {
                    let values = (file.strings(item, what: field) ?? []).map(\.0)
                    if field == "events" { containers.consentEvents += values } else { containers.consentVariables += values }
                }
            case "infrastructure":
                containers.infrastructure.formUnion((file.strings(value, what: "infrastructure") ?? []).map(\.0))
            case "contactVariables":
                containers.contactVariables += (file.strings(value, what: "contactVariables") ?? []).map { $0.0.lowercased() }
            default:
                break
            }
        }
    }

    /// Container rules may only name trackers and entities that exist.
    mutating func linkContainers() {
        let known = Set(trackers.map(\.id))
        for (tracker, file, line) in containerMarks where !known.contains(tracker) {
            let hint = YAMLFile.closest(tracker, in: Array(known)).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(RuleDiagnostic(file: file, line: line, column: 1, message: "container rule names unknown tracker '\(tracker)'\(hint)"))
        }
        for (entity, file, line) in segmentEntityMarks where entityIndex[entity] == nil {
            diagnostics.append(RuleDiagnostic(file: file, line: line, column: 1, message: "Segment destination names unknown entity '\(entity)'"))
        }
        containers.templates = containers.templates.filter { known.contains($0.value.tracker) }
        containers.community = containers.community.filter { known.contains($0.tracker) }
        containers.segment = containers.segment.filter { entityIndex[$0.entity] != nil && ($0.tracker.map(known.contains) ?? true) }
    }
}
