import DragnetCore

/// Reads filter lists in Adblock Plus / uBlock Origin syntax. Network filters
/// are kept; cosmetic and scriptlet rules are counted and skipped, as are
/// network filters whose options change a response rather than block it.
public struct FilterParser {
    /// What a list held besides the network filters kept.
    public struct Counts: Sendable, Hashable {
        public var network = 0
        public var cosmetic = 0
        public var scriptlet = 0
        public var comments = 0
        /// Network filters with options Dragnet does not apply (`$csp=`, `$removeparam=` …) or cannot parse.
        public var unsupported = 0
        public init() {}
    }

    public private(set) var filters: [NetworkFilter] = []
    public private(set) var counts = Counts()

    public init() {}

    public mutating func add(list text: String) {
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            add(line: String(line))
        }
    }

    public mutating func add(line raw: String) {
        let line = raw.trimming(" \t")
        guard !line.isEmpty else { return }
        if line.hasPrefix("!") || line.hasPrefix("[") {
            counts.comments += 1
            return
        }
        if let kind = Self.cosmeticKind(line) {
            if kind == .scriptlet { counts.scriptlet += 1 } else { counts.cosmetic += 1 }
            return
        }
        if let filter = Self.parseNetwork(line) {
            filters.append(filter)
            counts.network += 1
        } else {
            counts.unsupported += 1
        }
    }

    enum CosmeticKind { case cosmetic, scriptlet }

    static func cosmeticKind(_ line: String) -> CosmeticKind? {
        guard let hash = line.firstIndex(of: "#") else { return nil }
        let rest = line[hash...]
        if rest.hasPrefix("##+js(") || rest.hasPrefix("#@#+js(") || rest.hasPrefix("#%#") || rest.hasPrefix("#@%#") { return .scriptlet }
        for marker in ["##", "#@#", "#?#", "#@?#", "#$#", "#@$#", "#$?#", "#@$?#"] where rest.hasPrefix(marker) {
            return .cosmetic
        }
        return nil
    }

    /// Options that only change responses, or apply to documents; such filters never block a subresource.
    private static let nonBlockingOptions: Set<String> = [
        "csp", "removeparam", "queryprune", "rewrite", "header", "permissions", "replace", "urltransform",
        "generichide", "ghide", "elemhide", "ehide", "specifichide", "shide", "genericblock", "inline-script",
        "inline-font", "cname", "stealth", "content", "webrtc", "jsinject", "urlblock", "empty", "mp4", "redirect-rule",
    ]

    static func parseNetwork(_ line: String) -> NetworkFilter? {
        var filter = NetworkFilter(text: line)
        var body = Substring(line)
        if body.hasPrefix("@@") {
            filter.isException = true
            body = body.dropFirst(2)
        }
        // Options follow the last `$`, unless the filter is a /regex/.
        var optionText: Substring?
        if !(body.hasPrefix("/") && body.hasSuffix("/") && body.count > 2), let dollar = body.lastIndex(of: "$") {
            let candidate = body[body.index(after: dollar)...]
            if !candidate.isEmpty, candidate.first != "/" {
                optionText = candidate
                body = body[..<dollar]
            }
        }
        if let optionText, !applyOptions(optionText, to: &filter) { return nil }

        if body.hasPrefix("/"), body.hasSuffix("/"), body.count > 2 {
            filter.isRegex = true
            filter.pattern = String(body.dropFirst().dropLast())
            return filter
        }
        if body.hasPrefix("||") {
            filter.leftAnchor = .hostname
            body = body.dropFirst(2)
        } else if body.hasPrefix("|") {
            filter.leftAnchor = .start
            body = body.dropFirst()
        }
        if body.hasSuffix("|") {
            filter.rightAnchor = true
            body = body.dropLast()
        }
        // Leading and trailing `*` say nothing.
        while body.hasPrefix("*") && filter.leftAnchor == .none { body = body.dropFirst() }
        while body.hasSuffix("*") && !filter.rightAnchor { body = body.dropLast() }
        filter.pattern = filter.matchCase ? String(body) : body.lowercased()
        return filter
    }

    /// Returns false when an option makes the filter one Dragnet does not apply.
    private static func applyOptions(_ text: Substring, to filter: inout NetworkFilter) -> Bool {
        var typesOn: UInt16 = 0
        var typesOff: UInt16 = 0
        for rawOption in text.split(separator: ",") {
            var option = rawOption.trimming(" \t")
            var negated = false
            if option.hasPrefix("~") {
                negated = true
                option.removeFirst()
            }
            let name: String
            var value: String?
            if let eq = option.firstIndex(of: "=") {
                name = option[..<eq].lowercased()
                value = String(option[option.index(after: eq)...])
            } else {
                name = option.lowercased()
            }
            if nonBlockingOptions.contains(name) { return false }
            switch name {
            case "third-party", "3p":
                filter.thirdParty = !negated
            case "first-party", "1p":
                filter.thirdParty = negated
            case "domain", "from":
                guard let value else { return false }
                for domain in value.split(separator: "|") where !domain.isEmpty {
                    if domain.hasPrefix("~") {
                        filter.excludeDomains.append(domain.dropFirst().lowercased())
                    } else {
                        filter.includeDomains.append(domain.lowercased())
                    }
                }
            case "important":
                filter.important = true
            case "badfilter":
                filter.badfilter = true
            case "match-case":
                filter.matchCase = true
            case "all":
                typesOn |= RequestType.allBits
            case "redirect":
                break  // a redirect still blocks the original request
            case "document", "doc":
                // Page-level allow-listing; Dragnet judges subresources.
                if negated { typesOff |= RequestType.document.bit } else { typesOn |= RequestType.document.bit }
            default:
                if let type = RequestType.fromOption(name) {
                    if negated { typesOff |= type.bit } else { typesOn |= type.bit }
                } else if name == "to" || name == "denyallow" || name == "method" || name == "ipaddress" || name == "header" {
                    return false
                } else {
                    return false
                }
            }
        }
        if typesOn != 0 {
            filter.types = typesOn & ~typesOff
        } else if typesOff != 0 {
            filter.types = (RequestType.allBits & ~(RequestType.document.bit | RequestType.popup.bit)) & ~typesOff
        }
        return filter.types != 0
    }
}
