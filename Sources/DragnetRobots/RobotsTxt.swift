/// A robots.txt file as RFC 9309 reads it: groups of user-agent lines with their allow and
/// disallow rules, every rule keeping its line number and text so that a decision can name
/// the line that made it.
///
/// Parsing follows RFC 9309 §2.2 with the leniency of Google's reference parser (the one
/// most crawlers copy): keys are case-insensitive, the colon may be missing (`Disallow /x`),
/// frequent typos of the keys are accepted (with a warning), a user-agent value counts up to
/// its first space or `/` (`GPTBot/1.2` is `GPTBot`), lines are ended by LF, CR or CRLF, a
/// UTF-8 byte-order mark is skipped, and a line longer than 16,664 bytes is cut there.
/// Where RFC 9309 and Google's parser differ, docs/ai.md lists which one Dragnet follows.
public struct RobotsTxt: Sendable {
    /// One `allow` or `disallow` line.
    public struct Rule: Sendable, Equatable {
        public var allow: Bool
        /// 1-based line number in the file.
        public var line: Int
        /// The normalised pattern's bytes (Strings are made only when asked for: a 500 KiB file has 15,000 rules).
        let bytes: [UInt8]
        let textBytes: ArraySlice<UInt8>
        let plain: Bool

        /// The path pattern, percent-encoding normalised (`Pattern.normalise`).
        public var pattern: String { String(decoding: bytes, as: UTF8.self) }
        /// The line as written, without its comment and surrounding space.
        public var text: String { String(decoding: textBytes, as: UTF8.self) }

        public static func == (lhs: Rule, rhs: Rule) -> Bool {
            lhs.allow == rhs.allow && lhs.line == rhs.line && lhs.bytes == rhs.bytes && lhs.textBytes.elementsEqual(rhs.textBytes)
        }
    }

    /// A group: the user-agents it names (lower-cased product tokens, `*` for all) and its rules.
    public struct Group: Sendable {
        public var agents: [String]
        public var agentLines: [Int]
        public var rules: [Rule]
    }

    /// A line the parser did not understand or had to guess at.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public private(set) var groups: [Group] = []
    public private(set) var sitemaps: [String] = []
    public private(set) var warnings: [Warning] = []
    /// Lines read (after the size limit).
    public private(set) var lines = 0
    /// The file was longer than the limit; only its start was read.
    public private(set) var truncated = false

    /// The parsing limit RFC 9309 §2.5 asks crawlers to read at least: 500 KiB.
    public static let defaultLimit = 500 * 1024
    /// Google's parser keeps this much of a longer line (2,083 × 8 bytes, less its terminating NUL).
    public static let maxLineLength = 2083 * 8 - 1

    private var byAgent: [String: [Int]] = [:]
    private var global: [Int] = []

    public init() {}

    /// Parses `bytes`, reading at most `limit` of them.
    public init(_ bytes: some Collection<UInt8>, limit: Int = RobotsTxt.defaultLimit) {
        truncated = bytes.count > limit
        /// A rule line was seen since the last user-agent line: the next user-agent line starts a new group.
        var sawRule = true
        lines = Self.scan(Array(bytes.prefix(limit))) { directive in
            self.add(directive, sawRule: &sawRule)
        }
        for (position, group) in groups.enumerated() {
            for agent in group.agents {
                if agent == "*" {
                    if global.last != position { global.append(position) }
                } else if byAgent[agent]?.last != position {
                    byAgent[agent, default: []].append(position)
                }
            }
        }
    }

    public init(_ text: String, limit: Int = RobotsTxt.defaultLimit) {
        self.init(Array(text.utf8), limit: limit)
    }

    /// What one line of the file says.
    public struct Directive {
        public enum Key: String, Sendable {
            case userAgent = "user-agent", allow, disallow, sitemap, unknown
        }
        public var line: Int
        public var key: Key
        /// The key as written (lower-cased), for unknown keys and typos.
        public var keyBytes: ArraySlice<UInt8>
        /// The key as written, lower-cased.
        public var keyText: String { String(decoding: keyBytes, as: UTF8.self).lowercased() }
        public var value: ArraySlice<UInt8>
        /// The line without its comment and surrounding space.
        public var text: ArraySlice<UInt8>
        /// A key Google's parser accepts that RFC 9309 does not (`useragent`, `dissallow`).
        public var typo = false
        /// Why the line could not be read as `key: value` (then `key` is `.unknown`).
        public var problem: String?
    }

    /// Reads `data` line by line (LF, CR or CRLF; a leading byte-order mark, or any start of
    /// one, skipped) and hands each non-empty line to `visit`; returns the number of lines.
    @discardableResult
    public static func scan(_ data: [UInt8], _ visit: (Directive) -> Void) -> Int {
        var start = 0
        for byte in [0xEF, 0xBB, 0xBF] as [UInt8] {
            guard start < data.count, data[start] == byte else { break }
            start += 1
        }
        var number = 0
        let count = data.count
        while start < count {
            var end = start
            while end < count, data[end] != 0x0A, data[end] != 0x0D { end += 1 }
            number += 1
            if let directive = directive(data[start..<end], number: number) { visit(directive) }
            start = end < count - 1 && data[end] == 0x0D && data[end + 1] == 0x0A ? end + 2 : end + 1
        }
        return number
    }

    private static func directive(_ raw: ArraySlice<UInt8>, number: Int) -> Directive? {
        var line = raw
        var cut = false
        if line.count > maxLineLength {
            line = line.prefix(maxLineLength)
            cut = true
        }
        if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
        line = trimmed(line)
        guard !line.isEmpty else { return nil }
        var directive = Directive(line: number, key: .unknown, keyBytes: [], value: [], text: line)
        let keyPart: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            keyPart = trimmed(line[..<colon])
            directive.value = trimmed(line[(colon + 1)...])
        } else if let space = line.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) {
            // A forgotten colon: accepted when exactly a key and one value remain.
            keyPart = line[..<space]
            directive.value = trimmed(line[space...])
            if directive.value.contains(where: { $0 == 0x20 || $0 == 0x09 }) {
                directive.problem = "no ':' between key and value"
                return directive
            }
        } else {
            directive.problem = "not a 'key: value' line"
            return directive
        }
        directive.keyBytes = keyPart
        if let (key, typo) = key(keyPart) {
            directive.key = key
            directive.typo = typo
        }
        if cut { directive.problem = "line longer than \(maxLineLength) bytes; the rest is ignored" }
        return directive
    }

    private mutating func add(_ directive: Directive, sawRule: inout Bool) {
        let number = directive.line
        if let problem = directive.problem, directive.key == .unknown {
            warnings.append(Warning(line: number, message: problem + "; line ignored"))
            return
        } else if let problem = directive.problem {
            warnings.append(Warning(line: number, message: problem))
        }
        if directive.typo {
            warnings.append(Warning(line: number, message: "'\(Self.printable(directive.keyText))' is not an RFC 9309 key; read as \(directive.key.rawValue) as Google's parser does"))
        }
        let value = directive.value
        switch directive.key {
        case .unknown:
            if !Self.knownOtherKeys.contains(directive.keyText) {
                warnings.append(Warning(line: number, message: "unknown key '\(Self.printable(directive.keyText))'; ignored"))
            }
        case .userAgent:
            if sawRule {
                groups.append(Group(agents: [], agentLines: [], rules: []))
                sawRule = false
            }
            let agent = Self.agentToken(value)
            if agent.isEmpty { warnings.append(Warning(line: number, message: "empty user-agent")) }
            groups[groups.count - 1].agents.append(agent)
            groups[groups.count - 1].agentLines.append(number)
        case .allow, .disallow:
            guard !groups.isEmpty else {
                warnings.append(Warning(line: number, message: "rule before any user-agent line; ignored"))
                return
            }
            sawRule = true
            // An empty pattern matches nothing (RFC 9309 §2.2.2: `Disallow:` allows all).
            if value.isEmpty { return }
            let pattern = Pattern.normalise(value)
            let plain = !pattern.contains(UInt8(ascii: "*")) && !pattern.contains(UInt8(ascii: "$"))
            groups[groups.count - 1].rules.append(Rule(allow: directive.key == .allow, line: number, bytes: pattern, textBytes: directive.text, plain: plain))
        case .sitemap:
            sitemaps.append(String(decoding: value, as: UTF8.self))
        }
    }

    private static let knownOtherKeys: Set<String> = ["crawl-delay", "host", "clean-param", "request-rate", "visit-time", "noindex", "content-signal"]

    /// The key a line names, and whether it was a typo Google's parser accepts.
    private static func key(_ bytes: ArraySlice<UInt8>) -> (Directive.Key, Bool)? {
        // The common keys without making a String: ASCII case-insensitive compares.
        func equals(_ literal: StaticString) -> Bool {
            guard bytes.count == literal.utf8CodeUnitCount else { return false }
            return literal.withUTF8Buffer { buffer in
                zip(bytes, buffer).allSatisfy { ($0 | 0x20) == $1 || ($0 == $1) }
            }
        }
        if equals("disallow") { return (.disallow, false) }
        if equals("allow") { return (.allow, false) }
        if equals("user-agent") { return (.userAgent, false) }
        let name = String(decoding: bytes, as: UTF8.self).lowercased()
        switch name {
        case "user-agent": return (.userAgent, false)
        case "allow": return (.allow, false)
        case "disallow": return (.disallow, false)
        case "sitemap", "site-map": return (.sitemap, false)
        case "useragent", "user agent": return (.userAgent, true)
        case "dissallow", "dissalow", "disalow", "diasllow", "disallaw": return (.disallow, true)
        default: return nil
        }
    }

    /// A user-agent value's product token, lower-cased: up to the first space or `/`
    /// (`GPTBot/1.2` → `gptbot`); `*` (also `* anything`) is the global group.
    static func agentToken(_ value: ArraySlice<UInt8>) -> String {
        if value.first == UInt8(ascii: "*"), value.count == 1 || value[value.startIndex + 1] == 0x20 || value[value.startIndex + 1] == 0x09 {
            return "*"
        }
        let token = value.prefix { $0 != 0x20 && $0 != 0x09 && $0 != UInt8(ascii: "/") }
        return String(decoding: token, as: UTF8.self).lowercased()
    }

    /// The product token of a crawler's name, as matched against the file (`GPTBot/1.2` → `gptbot`).
    public static func productToken(_ agent: String) -> String {
        agentToken(ArraySlice(agent.utf8))
    }

    /// RFC 9309 §2.2.1: a product token is letters, `_` and `-` only.
    public static func isValidProductToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }.prefix(60))
    }
}

extension RobotsTxt {
    /// How a decision was reached.
    public enum Basis: String, Sendable {
        /// A group names the crawler.
        case agent
        /// No group names it; the `*` group applied.
        case global
        /// No group applies: everything is allowed.
        case noGroup = "no-group"
    }

    /// Whether a crawler may fetch a path, and the rule that decided (nil: no rule matched, allowed).
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var rule: Rule?
        public var basis: Basis
        /// Line numbers of the user-agent lines whose groups applied.
        public var groupLines: [Int]
    }

    /// The groups that apply to `agent` (a crawler name or product token) and how they were chosen.
    public func groups(for agent: String) -> (indexes: [Int], basis: Basis) {
        groups(forToken: Self.productToken(agent))
    }

    /// The groups for a product token already lower-cased and cut (`productToken`).
    public func groups(forToken token: String) -> (indexes: [Int], basis: Basis) {
        if let specific = byAgent[token], !specific.isEmpty { return (specific, .agent) }
        if !global.isEmpty { return (global, .global) }
        return ([], .noGroup)
    }

    /// Decides for `agent` and a URL or path (`https://a.example/x?y` or `/x?y`).
    public func decide(agent: String, url: String) -> Decision {
        let (indexes, basis) = groups(for: agent)
        return decide(groups: indexes, basis: basis, path: Self.normalisedPath(url))
    }

    /// Decides with groups already chosen and a path already normalised (`normalisedPath`):
    /// many crawlers share the `*` group, so callers decide once per distinct group set.
    public func decide(groups indexes: [Int], basis: Basis, path: [UInt8]) -> Decision {
        var best: Rule?
        for index in indexes {
            for rule in groups[index].rules {
                guard Pattern.matches(path: path, pattern: rule.bytes, plain: rule.plain) else { continue }
                if let current = best {
                    // Longest pattern wins; on a tie allow wins (RFC 9309 §2.2.2).
                    if rule.bytes.count > current.bytes.count || (rule.bytes.count == current.bytes.count && rule.allow && !current.allow) {
                        best = rule
                    }
                } else {
                    best = rule
                }
            }
        }
        let lines = indexes.flatMap { groups[$0].agentLines }
        return Decision(allowed: best?.allow ?? true, rule: best, basis: basis, groupLines: lines)
    }

    /// The path, parameters and query of a URL (`/` when empty; no fragment), percent-encoding normalised.
    public static func normalisedPath(_ url: String) -> [UInt8] {
        Pattern.normalise(ArraySlice(pathParamsQuery(url).utf8))
    }

    /// The part of a URL robots.txt rules match: path, parameters and query, without the
    /// fragment; `/` when there is no path (Google's `GetPathParamsQuery`).
    public static func pathParamsQuery(_ url: String) -> String {
        var bytes = Substring(url)
        if let hash = bytes.firstIndex(of: "#") { bytes = bytes[..<hash] }
        var start = bytes.startIndex
        if let colon = bytes.firstIndex(of: ":"), bytes[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
            bytes[colon...].hasPrefix("://")
        {
            start = bytes.index(colon, offsetBy: 3)
        } else if bytes.hasPrefix("//") {
            start = bytes.index(bytes.startIndex, offsetBy: 2)
        } else {
            // Already a path (or a bare host with no scheme).
            if bytes.hasPrefix("/") { return String(bytes) }
            if bytes.hasPrefix("?") { return "/" + bytes }
        }
        let rest = bytes[start...]
        guard let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let path = rest[pathStart...]
        return path.hasPrefix("?") ? "/" + path : String(path)
    }
}

/// Path patterns: `*` matches any run of characters, a final `$` anchors the end.
public enum Pattern {
    /// RFC 9309 §2.2.2: octets outside ASCII are percent-encoded, percent-encoded unreserved
    /// characters are decoded, and the hex digits of the others are upper-cased, so that
    /// `/%7Ejoe`, `/~joe` and `/%7ejoe` all compare equal.
    public static func normalise(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        // Most patterns are plain ASCII without escapes: nothing to change.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 >= 0x80 }) { return Array(bytes) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), bytes.distance(from: index, to: bytes.endIndex) >= 3,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                let decoded = high << 4 | low
                if isUnreserved(decoded) {
                    result.append(decoded)
                } else {
                    result.append(contentsOf: [UInt8(ascii: "%"), hex[Int(high)], hex[Int(low)]])
                }
                index += 3
                continue
            }
            if byte >= 0x80 {
                result.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            } else {
                result.append(byte)
            }
            index += 1
        }
        return result
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// RFC 3986 §2.3 unreserved: ALPHA, DIGIT, `-`, `.`, `_`, `~`.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }

    /// Whether `pattern` matches `path` from its start. Linear in path × pattern at worst
    /// (the set of positions reachable so far, as Google's matcher keeps it), never exponential.
    public static func matches(path: [UInt8], pattern: [UInt8], plain: Bool? = nil) -> Bool {
        if plain ?? (!pattern.contains(UInt8(ascii: "*")) && !pattern.contains(UInt8(ascii: "$"))) {
            return path.count >= pattern.count && path.starts(with: pattern)
        }
        // positions[0..<count]: the path offsets the pattern so far can end at, ascending.
        var positions = [0]
        positions.reserveCapacity(path.count + 1)
        var next: [Int] = []
        next.reserveCapacity(path.count + 1)
        for (offset, symbol) in pattern.enumerated() {
            if symbol == UInt8(ascii: "$") && offset == pattern.count - 1 {
                return positions.last == path.count
            }
            if symbol == UInt8(ascii: "*") {
                // Every offset from the smallest reachable one onwards.
                guard let first = positions.first else { return false }
                positions = Array(first...path.count)
                continue
            }
            next.removeAll(keepingCapacity: true)
            for position in positions where position < path.count && path[position] == symbol {
                next.append(position + 1)
            }
            if next.isEmpty { return false }
            swap(&positions, &next)
        }
        return true
    }
}
