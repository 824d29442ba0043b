import Foundation
public import DragnetCore

/// A published Google Tag Manager or gtag.js container, read as data: the `var data = {…}`
/// object of the JavaScript file (strict JSON in real containers) with its tags, variables
/// (macros), trigger predicates and rules. Shapes and references: docs/containers.md.
public struct GTMContainer: Sendable {
    public struct Tag: Sendable {
        /// Index in `resource.tags`: what rules and evidence refer to.
        public var index: Int
        /// The template: `__html`, `__awct`, `__cvt_…`; for a paused tag, its original type.
        public var function: String
        public var tagID: Int?
        /// The `vtp_*` parameters, in container order.
        public var parameters: [(String, JSONValue)]
        public var paused: Bool
        /// Consent types the tag needs besides the page's defaults (`ad_storage` …).
        public var consent: [String]
        public var firing: Firing

        public func parameter(_ name: String) -> JSONValue? { parameters.first { $0.0 == name }?.1 }
    }

    /// When a tag fires, as far as its triggers tell.
    public struct Firing: Sendable, Hashable {
        /// `page-load` (every page view), `event` (named data-layer events), `conditional`
        /// (URL or variable conditions), `after-consent` (only on a consent manager's event or
        /// variable, or with additional consent required), `never` (no trigger), `paused`.
        public var kind: String
        public var events: [String] = []
        public var conditions: [String] = []

        public init(kind: String, events: [String] = [], conditions: [String] = []) {
            self.kind = kind
            self.events = events
            self.conditions = conditions
        }

        /// Whether the tag can run at all.
        public var fires: Bool { kind != "never" && kind != "paused" }
    }

    /// `GTM-…`, `G-…`, `AW-…` (from the reference that led here), or nil for a file.
    public var id: String?
    public var version: String?
    public var tags: [Tag] = []
    public var macros: [JSONValue] = []
    public var predicates: [JSONValue] = []
    /// Hosts each template may inject scripts from or send pixels to, and globals it may access, by function.
    public var permissions: [String: (hosts: [String], globals: [String])] = [:]
    public var sandboxedScripts: [String] = []
    /// Problems that did not stop the reading (indices out of range, nesting too deep).
    public var warnings: [String] = []
    /// Bytes of the whole file.
    public var size: Int = 0

    public init() {}
}

/// Why a container could not be read at all.
public struct ContainerError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension GTMContainer {
    /// Data-layer events that mean "a page view": the tag runs for every visitor.
    static let pageEvents: Set<String> = ["gtm.js", "gtm.dom", "gtm.load", "gtm.init", "gtm.init_consent"]

    /// Reads the container in `bytes` (the JavaScript GTM serves). `consentEvents` and
    /// `consentVariables` (lower-cased) tell which triggers mean "after consent".
    public static func parse(
        _ bytes: [UInt8], id: String? = nil, consentEvents: [String] = [], consentVariables: [String] = []
    ) throws(ContainerError) -> GTMContainer {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }) else {
            throw ContainerError("the container is empty")
        }
        if first == UInt8(ascii: "<") {
            throw ContainerError("the container URL answered with HTML (a login, consent or error page?), not JavaScript")
        }
        guard let range = dataObjectRange(bytes) else {
            throw ContainerError("no `var data = {…}` object: not a Google Tag Manager or gtag.js container")
        }
        guard range.upperBound <= bytes.count else {
            throw ContainerError("truncated: the `data` object is not closed before the end of the file (\(bytes.count) bytes)")
        }
        let data: JSONValue
        do {
            data = try JSONValue.parse(bytes[range], maxDepth: 256)
        } catch {
            throw ContainerError("the `data` object is not JSON: \(error.reason) at byte \(range.lowerBound + error.offset)")
        }
        guard let resource = data["resource"], case .object = resource else {
            throw ContainerError("the `data` object has no `resource` (tags, macros, predicates, rules)")
        }
        var container = GTMContainer()
        container.id = id
        container.size = bytes.count
        container.version = resource["version"]?.stringValue ?? resource["version"]?.intValue.map(String.init)
        container.macros = resource["macros"]?.arrayValue ?? []
        container.predicates = resource["predicates"]?.arrayValue ?? []
        container.sandboxedScripts = (data["sandboxed_scripts"]?.arrayValue ?? []).compactMap(\.stringValue)
        for (function, value) in data["permissions"]?.objectValue ?? [] {
            container.permissions[function] = permissionSummary(value)
        }
        let rawTags = resource["tags"]?.arrayValue ?? []
        for (index, raw) in rawTags.enumerated() {
            guard let members = raw.objectValue, let function = raw["function"]?.stringValue else {
                container.warnings.append("tag \(index) has no function: skipped")
                continue
            }
            let paused = function == "__paused"
            var tag = Tag(
                index: index, function: paused ? "__" + (raw["vtp_originalTagType"]?.stringValue ?? "unknown") : function,
                tagID: raw["tag_id"]?.intValue, parameters: members.filter { $0.0.hasPrefix("vtp_") }, paused: paused,
                consent: [], firing: Firing(kind: paused ? "paused" : "never"))
            if let consent = raw["consent"]?.arrayValue, consent.first?.stringValue == "list" {
                tag.consent = consent.dropFirst().compactMap(\.stringValue)
            }
            container.tags.append(tag)
        }
        container.deriveFiring(rules: resource["rules"]?.arrayValue ?? [], rawTags: rawTags, consentEvents: consentEvents, consentVariables: consentVariables)
        return container
    }

    /// The byte range of the object after `var data =`, found by a brace scan that skips
    /// strings; its upper bound is past the end when the object never closes.
    static func dataObjectRange(_ bytes: [UInt8]) -> Range<Int>? {
        let marker = Array("var data =".utf8)
        guard let found = bytes.firstRange(of: marker) else { return nil }
        var index = found.upperBound
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        let start = index
        var depth = 0
        var quote: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if quote != 0 {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return start..<(index + 1) }
            }
            index += 1
        }
        return start..<(bytes.count + 1)
    }

    /// Hosts a template may inject scripts from or send pixels to, and the globals it may read or write.
    static func permissionSummary(_ value: JSONValue) -> (hosts: [String], globals: [String]) {
        var hosts: [String] = []
        var globals: [String] = []
        for (permission, detail) in value.objectValue ?? [] {
            switch permission {
            case "inject_script", "send_pixel", "inject_hidden_iframe", "send_beacon":
                for url in (detail["urls"]?.arrayValue ?? detail["allowedUrls"]?.arrayValue ?? []).compactMap(\.stringValue) {
                    if let host = urlHost(url), !hosts.contains(host) { hosts.append(host) }
                }
            case "access_globals":
                for key in detail["keys"]?.arrayValue ?? [] {
                    if let name = key["key"]?.stringValue, !globals.contains(name) { globals.append(name) }
                }
            default:
                break
            }
        }
        return (hosts.sorted(), globals.sorted())
    }

    /// `https://connect.facebook.net/*` → `connect.facebook.net` (wildcard hosts keep their suffix).
    static func urlHost(_ pattern: String) -> String? {
        var rest = Substring(pattern)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] } else if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != ":" }.lowercased()
        let trimmed = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
        return trimmed.isEmpty || trimmed == "*" ? nil : trimmed
    }

    // MARK: - Triggers

    mutating func deriveFiring(rules: [JSONValue], rawTags: [JSONValue], consentEvents: [String], consentVariables: [String]) {
        let consentEventSet = Set(consentEvents.map { $0.lowercased() })
        var adding: [Int: [Firing]] = [:]
        for (ruleIndex, rule) in rules.enumerated() {
            var ifs: [Int] = []
            var adds: [Int] = []
            for clause in rule.arrayValue ?? [] {
                guard let items = clause.arrayValue, let op = items.first?.stringValue else { continue }
                let numbers = items.dropFirst().compactMap(\.intValue)
                switch op {
                case "if": ifs += numbers
                case "add": adds += numbers
                default: break  // `unless` and `block` narrow a rule; they never make a tag fire
                }
            }
            var firing = Firing(kind: "page-load")
            var consent = false
            var events: [String] = []
            for predicateIndex in ifs {
                guard predicates.indices.contains(predicateIndex) else {
                    warnings.append("rule \(ruleIndex) names predicate \(predicateIndex), but the container has \(predicates.count): condition unknown")
                    firing.conditions.append("unknown predicate \(predicateIndex)")
                    continue
                }
                let condition = describe(predicates[predicateIndex], consentEvents: consentEventSet, consentVariables: consentVariables)
                if condition.consent { consent = true }
                if let names = condition.events {
                    events += names
                } else {
                    firing.conditions.append(condition.text)
                }
            }
            let allPageEvents = !events.isEmpty && events.allSatisfy(Self.pageEvents.contains)
            firing.events = events.filter { !Self.pageEvents.contains($0) }
            if consent {
                firing.kind = "after-consent"
            } else if !firing.conditions.isEmpty {
                firing.kind = "conditional"
            } else if !events.isEmpty && !allPageEvents {
                firing.kind = "event"
            }
            for tagIndex in adds {
                guard rawTags.indices.contains(tagIndex) else {
                    warnings.append("rule \(ruleIndex) adds tag \(tagIndex), but the container has \(rawTags.count): ignored")
                    continue
                }
                adding[tagIndex, default: []].append(firing)
            }
        }
        // Setup and teardown tags fire with the tag that names them.
        var inherited: [Int: [Firing]] = [:]
        for (index, raw) in rawTags.enumerated() {
            guard let firings = adding[index] else { continue }
            for key in ["setup_tags", "teardown_tags"] {
                for item in raw[key]?.arrayValue?.dropFirst() ?? [] {
                    guard let reference = item.arrayValue, reference.first?.stringValue == "tag", reference.count > 1, let target = reference[1].intValue else { continue }
                    if rawTags.indices.contains(target) { inherited[target, default: []] += firings } else {
                        warnings.append("tag \(index) names \(key) \(target), but the container has \(rawTags.count): ignored")
                    }
                }
            }
        }
        let rank = ["page-load": 0, "conditional": 1, "event": 2, "after-consent": 3]
        for position in tags.indices where !tags[position].paused {
            let index = tags[position].index
            let firings = (adding[index] ?? []) + (inherited[index] ?? [])
            guard !firings.isEmpty else { continue }
            var best = firings.min { rank[$0.kind, default: 9] < rank[$1.kind, default: 9] }!
            best.events = Array(Set(firings.filter { $0.kind == best.kind }.flatMap(\.events))).sorted()
            best.conditions = Array(Set(firings.filter { $0.kind == best.kind }.flatMap(\.conditions))).sorted()
            if !tags[position].consent.isEmpty && best.kind != "after-consent" {
                best.conditions.append("needs consent: " + tags[position].consent.joined(separator: ", "))
                best.kind = "after-consent"
            }
            tags[position].firing = best
        }
    }

    /// A predicate as text; `events` when it tests the event name, `consent` when it waits for consent.
    func describe(_ predicate: JSONValue, consentEvents: Set<String>, consentVariables: [String]) -> (text: String, events: [String]?, consent: Bool) {
        let function = predicate["function"]?.stringValue ?? "?"
        let operand = macroFunction(predicate["arg0"])
        var values: [String] = []
        if let list = predicate["arg1"]?.arrayValue, list.first?.stringValue == "list" {
            values = list.dropFirst().compactMap(\.stringValue)
        } else if let value = predicate["arg1"].map(render) {
            values = [value]
        }
        let operatorText = ["_eq": "equals", "_cn": "contains", "_sw": "starts with", "_ew": "ends with", "_re": "matches", "_css": "matches CSS", "_um": "matches URL"][function] ?? function
        let text = "\(operand.description) \(operatorText) \(values.joined(separator: " | "))"
        if operand.function == "__e" {
            var events: [String] = []
            var consent = false
            for value in values {
                if function == "_eq" {
                    events.append(value)
                    if consentEvents.contains(value.lowercased()) { consent = true }
                } else {
                    // A pattern over event names: it fires on the events it names.
                    events.append("/\(value)/")
                    if consentEvents.contains(where: { value.lowercased().contains($0) }) { consent = true }
                }
            }
            if function == "_re" && values.allSatisfy({ $0 == ".*" }) { return (text, [], false) }
            return (text, events, consent)
        }
        let lowered = operand.name?.lowercased() ?? ""
        let consent = !lowered.isEmpty && consentVariables.contains { lowered.contains($0) }
        return (text, nil, consent)
    }

    /// The macro a predicate operand names: its function and variable name, when it has one.
    func macroFunction(_ operand: JSONValue?) -> (function: String?, name: String?, description: String) {
        guard let items = operand?.arrayValue, items.first?.stringValue == "macro", items.count > 1, let index = items[1].intValue else {
            return (nil, nil, operand.map(render) ?? "?")
        }
        guard macros.indices.contains(index) else { return (nil, nil, "{{macro \(index)?}}") }
        let macro = macros[index]
        let function = macro["function"]?.stringValue
        let name = macro["vtp_name"]?.stringValue ?? macro["vtp_component"]?.stringValue
        switch function {
        case "__e": return (function, "event", "{{Event}}")
        case "__u": return (function, name, "{{Page \(name?.lowercased() ?? "URL")}}")
        default: return (function, name, "{{\(function ?? "?")\(name.map { " " + $0 } ?? "")}}")
        }
    }

    // MARK: - Values

    /// A parameter value as text: strings as they are, templates joined, a variable
    /// reference as the expression GTM writes in its place (`google_tag_manager["GTM-…"].macro(n)`).
    public func render(_ value: JSONValue) -> String {
        var depth = 0
        return render(value, depth: &depth)
    }

    func render(_ value: JSONValue, depth: inout Int) -> String {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { return "" }
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .object: return ""
        case .array(let items):
            switch items.first?.stringValue {
            case "template": return items.dropFirst().map { render($0, depth: &depth) }.joined()
            case "escape":
                guard items.count > 1 else { return "" }
                let codes = items.dropFirst(2).compactMap(\.intValue)
                // Escape 8 writes a constant (a string in the container) as a quoted JavaScript literal.
                if codes.contains(8), let text = constant(items[1]) {
                    return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
                }
                return render(items[1], depth: &depth)
            case "macro":
                guard items.count > 1, let index = items[1].intValue else { return "" }
                if macros.indices.contains(index), macros[index]["function"]?.stringValue == "__c", let constant = macros[index]["vtp_value"] {
                    return render(constant, depth: &depth)
                }
                return "google_tag_manager[\"\(id ?? "GTM")\"].macro(\(index))"
            case "list": return items.dropFirst().map { render($0, depth: &depth) }.joined(separator: ",")
            default: return ""
            }
        }
    }

    /// A value that is a constant (directly, or through constant variables); nil for run-time values.
    public func constant(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        switch value {
        case .string(let text): return text.isEmpty ? nil : text
        case .int(let number): return String(number)
        case .array(let items) where items.first?.stringValue == "macro":
            guard items.count > 1, let index = items[1].intValue, macros.indices.contains(index) else { return nil }
            let macro = macros[index]
            switch macro["function"]?.stringValue {
            case "__c": return constant(macro["vtp_value"])
            case "__gas": return constant(macro["vtp_trackingId"])
            default: return nil
            }
        case .array(let items) where items.first?.stringValue == "template":
            let parts = items.dropFirst().map { constant($0) }
            return parts.contains(nil) ? nil : parts.compactMap { $0 }.joined()
        default: return nil
        }
    }

    /// Whether a value is set: true, a non-empty string other than "false", a non-empty list, or a variable.
    public func isSet(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(let flag)?: return flag
        case .string(let text)?: return !text.isEmpty && text.lowercased() != "false" && text != "0"
        case .int(let number)?: return number != 0
        case .array(let items)?: return items.first?.stringValue == "list" ? items.count > 1 : !items.isEmpty
        default: return false
        }
    }
}
