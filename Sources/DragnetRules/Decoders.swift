public import DragnetCore
import Foundation
import Yams

/// A pixel decoder (`rules/decoders/*.yml`): which requests it reads (URL patterns, the
/// tracker syntax), where the event name and the account id are, and what each parameter is.
/// Decoders are data: adding a platform is a YAML entry with examples, not code.
public struct PixelDecoder: Sendable {
    public struct Field: Sendable {
        /// A parameter name; `*` stands for any run of characters (`cd[*]`, `ep.*`, `*context.user.email`).
        public var pattern: String
        public var label: String
        public var data: String
        let parts: [[UInt8]]

        public init(pattern: String, label: String, data: String) {
            self.pattern = pattern
            self.label = label
            self.data = data
            parts = Glob.parts(pattern)
        }

        func matches(_ name: String) -> Bool { Glob.matches(parts, name.utf8, anchoredEnd: true) }
    }

    public struct Example: Sendable {
        public var url: String
        public var body: String?
        /// For a request that must decode: the events, account id and field names (`name:form`) it must give.
        public var events: [String] = []
        public var account: String?
        public var fields: [String] = []
        public var decodes: Bool
        public var line: Int
    }

    public var id: String
    public var tracker: String
    public var urls: [String]
    /// Parameters holding the event name, first found per request part.
    public var event: [String] = []
    /// Parameters holding the pixel or account id, first found wins.
    public var account: [String] = []
    public var fields: [Field] = []
    public var examples: [Example] = []
    public var file: String
    public var line: Int
    var patterns: [URLPattern] = []

    func matches(host: String, pathAndQuery: Substring) -> Bool {
        patterns.contains { $0.matches(host: host, pathAndQuery: pathAndQuery) }
    }
}

/// Reading a request's parameters: the query, and a body that is URL-encoded (one event per line
/// for GA4's batches) or JSON; JSON is flattened to dotted names (`context.user.email`, array
/// positions dropped), and a parameter whose value is a JSON object is flattened under its name
/// (Pinterest's `pd={"em":…}` gives `pd.em`).
public enum RequestParameters {
    public static let maxBodyBytes = 512 * 1024
    static let maxPairs = 5_000

    public static func pairs(url: String, body: String?) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if let query = url.firstIndex(of: "?").map({ url[url.index(after: $0)...].prefix { $0 != "#" } }) {
            formPairs(Substring(query), into: &pairs)
        }
        if let body, !body.isEmpty, body.utf8.count <= maxBodyBytes {
            let trimmed = body.drop { $0.isWhitespace }
            if trimmed.first == "{" || trimmed.first == "[", let value = try? JSONValue.parse(Array(trimmed.utf8)) {
                flatten(value, prefix: "", into: &pairs)
            } else {
                for line in body.split(whereSeparator: \.isNewline) where line.contains("=") {
                    formPairs(line, into: &pairs)
                }
            }
        }
        return pairs
    }

    static func formPairs(_ text: Substring, into pairs: inout [(String, String)]) {
        for item in text.split(separator: "&") where pairs.count < maxPairs {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            guard !name.isEmpty else { continue }
            if value.first == "{", let json = try? JSONValue.parse(Array(value.utf8)), case .object = json {
                flatten(json, prefix: name, into: &pairs)
            } else {
                pairs.append((name, value))
            }
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func flatten(_ value: JSONValue, prefix: String, into pairs: inout [(String, String)], depth: Int = 0) {
        guard pairs.count < maxPairs, depth < 32 else { return }
        switch value {
        case .object(let members):
            for (key, member) in members { flatten(member, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &pairs, depth: depth + 1) }
        case .array(let items):
            for item in items { flatten(item, prefix: prefix, into: &pairs, depth: depth + 1) }
        case .string(let text): pairs.append((prefix, text))
        case .int(let number): pairs.append((prefix, String(number)))
        case .double(let number): pairs.append((prefix, String(number)))
        case .bool(let flag): pairs.append((prefix, flag ? "true" : "false"))
        case .null: break
        }
    }
}

/// What a value is, without keeping it: a hash by its length in hex (also inside Google's
/// `tv.1~em.HASH` user-data format), a plain email address, or plain.
public enum ValueForm {
    public static func form(of value: String) -> String {
        for token in value.split(whereSeparator: { $0 == "~" || $0 == "." || $0 == "," }) {
            if let hash = hashName(token) { return hash }
        }
        return "plain"
    }

    static func hashName(_ token: Substring) -> String? {
        guard token.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }) else { return nil }
        switch token.utf8.count {
        case 32: return "md5"
        case 40: return "sha1"
        case 64: return "sha256"
        case 128: return "sha512"
        default: return nil
        }
    }

    /// `name@domain.tld`, no spaces: an email address in clear.
    public static func isEmail(_ value: String) -> Bool {
        guard value.utf8.count <= 254, !value.contains(" "), let at = value.firstIndex(of: "@") else { return false }
        let local = value[..<at]
        let domain = value[value.index(after: at)...]
        return !local.isEmpty && domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("@")
    }
}

extension RulePack {
    /// Decodes a request with the first decoder whose URL patterns match; nil when none does.
    public func decode(url: String, body: String?) -> DecodedRequest? {
        guard let parts = URLParts.split(url), let decoder = decoders.first(where: { $0.matches(host: parts.host, pathAndQuery: parts.pathAndQuery) }) else {
            return nil
        }
        let pairs = RequestParameters.pairs(url: url, body: body)
        var events: [String] = []
        var account: String?
        var fields = Set<DecodedField>()
        for (name, value) in pairs {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            if decoder.event.contains(name) {
                for event in Self.eventNames(trimmed) where !events.contains(event) && events.count < Finding.maxEvents { events.append(event) }
            }
            if account == nil, decoder.account.contains(name) { account = trimmed }
            if let field = decoder.fields.first(where: { $0.matches(name) }) {
                fields.insert(DecodedField(name: name, label: field.label, data: field.data, form: ValueForm.form(of: trimmed)))
            } else if ValueForm.isEmail(trimmed) {
                // An email in clear under a name no decoder field explains: still contact data.
                fields.insert(DecodedField(name: name, label: "email address", data: "contact-data", form: "plain"))
            }
        }
        return DecodedRequest(decoder: decoder.id, tracker: decoder.tracker, url: url, events: events, accountID: account, fields: fields.sorted())
    }

    /// An event value, or the event names in a JSON array value (X's `events=[["pageview",{}]]`).
    static func eventNames(_ value: String) -> [String] {
        guard value.first == "[", let json = try? JSONValue.parse(Array(value.utf8)), case .array(let items) = json else {
            return [String(value.prefix(80))]
        }
        return items.compactMap { item -> String? in
            if case .string(let name) = item { return name }
            if case .array(let inner) = item, case .string(let name)? = inner.first { return name }
            return nil
        }
    }

    static let decoderKeys = ["sources", "description", "decoders"]

    mutating func readDecoderFile(_ file: inout YAMLFile) {
        guard let members = file.mapping(file.root, what: "a decoder file", allowed: Self.decoderKeys) else { return }
        for (key, _, value) in members where key == "decoders" {
            for node in file.sequence(value, what: "decoders") ?? [] {
                let allowed = ["id", "tracker", "urls", "event", "account", "fields", "examples", "source", "description"]
                guard let fields = file.mapping(node, what: "a decoder", allowed: allowed) else { continue }
                var decoder = PixelDecoder(id: "", tracker: "", urls: [], file: file.path, line: node.mark?.line ?? 1)
                for (field, _, item) in fields {
                    switch field {
                    case "id": decoder.id = file.string(item, what: "id") ?? ""
                    case "tracker": decoder.tracker = file.string(item, what: "tracker") ?? ""
                    case "urls":
                        for (pattern, patternNode) in file.strings(item, what: "urls") ?? [] {
                            if let problem = URLPattern.problem(pattern) { file.error(problem, at: patternNode) } else { decoder.urls.append(pattern) }
                        }
                    case "event": decoder.event = (file.strings(item, what: "event") ?? []).map(\.0)
                    case "account": decoder.account = (file.strings(item, what: "account") ?? []).map(\.0)
                    case "fields":
                        for (name, nameNode, detail) in file.mapping(item, what: "fields", allowed: []) ?? [] {
                            var label = "", data = ""
                            for (part, _, partValue) in file.mapping(detail, what: "a field", allowed: ["label", "data"]) ?? [] {
                                if part == "label" { label = file.string(partValue, what: "label") ?? "" } else { data = file.string(partValue, what: "data") ?? "" }
                            }
                            guard !label.isEmpty, RuleVocabulary.data.contains(data) else {
                                let hint = YAMLFile.closest(data, in: RuleVocabulary.data).map { "; did you mean '\($0)'?" } ?? ""
                                file.error("field '\(name)' needs label: and data: (one of \(RuleVocabulary.data.joined(separator: ", ")))\(hint)", at: nameNode)
                                continue
                            }
                            decoder.fields.append(PixelDecoder.Field(pattern: name, label: label, data: data))
                        }
                    case "examples": decoder.examples = readDecoderExamples(item, &file)
                    default: break
                    }
                }
                guard !decoder.id.isEmpty, !decoder.tracker.isEmpty, !decoder.urls.isEmpty else {
                    file.error("a decoder needs id:, tracker: and urls:", at: node)
                    continue
                }
                if decoders.contains(where: { $0.id == decoder.id }) {
                    file.error("decoder '\(decoder.id)' is defined twice", at: Self.member(node, "id"))
                    continue
                }
                decoder.patterns = decoder.urls.map(URLPattern.init)
                decoders.append(decoder)
            }
        }
    }

    private func readDecoderExamples(_ node: Node, _ file: inout YAMLFile) -> [PixelDecoder.Example] {
        var examples: [PixelDecoder.Example] = []
        for (kind, _, list) in file.mapping(node, what: "examples", allowed: ["decode", "ignore"]) ?? [] {
            for item in file.sequence(list, what: kind) ?? [] {
                var example = PixelDecoder.Example(url: "", decodes: kind == "decode", line: item.mark?.line ?? 1)
                if case .scalar = item {
                    example.url = file.string(item, what: "an example URL") ?? ""
                } else {
                    for (field, _, value) in file.mapping(item, what: "an example", allowed: ["url", "body", "events", "account", "fields"]) ?? [] {
                        switch field {
                        case "url": example.url = file.string(value, what: "url") ?? ""
                        case "body": example.body = file.string(value, what: "body")
                        case "events": example.events = (file.strings(value, what: "events") ?? []).map(\.0)
                        case "account": example.account = file.string(value, what: "account")
                        default: example.fields = (file.strings(value, what: "fields") ?? []).map(\.0)
                        }
                    }
                }
                if example.url.hasPrefix("https://") || example.url.hasPrefix("http://") {
                    examples.append(example)
                } else {
                    file.error("an example needs an http(s) url:", at: item)
                }
            }
        }
        return examples
    }

    /// Decoders may only name trackers that exist.
    mutating func linkDecoders() {
        let known = Set(trackers.map(\.id))
        for decoder in decoders where !known.contains(decoder.tracker) {
            let hint = YAMLFile.closest(decoder.tracker, in: Array(known)).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(RuleDiagnostic(file: decoder.file, line: decoder.line, column: 1, message: "decoder '\(decoder.id)' names unknown tracker '\(decoder.tracker)'\(hint)"))
        }
        decoders = decoders.filter { known.contains($0.tracker) }
    }
}
