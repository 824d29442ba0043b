/// Resolving and taking apart URLs found in pages, the way a browser does for
/// `http`/`https` references: RFC 3986 §5 reference resolution with the WHATWG
/// URL standard's leniency (leading and trailing spaces and control characters
/// stripped, tabs and newlines removed, backslashes treated as `/` in special
/// schemes, `http:foo` relative to an http base, host lower-cased, default port dropped).
///
/// Works on UTF-8 bytes: pages hold thousands of URLs, and character-level
/// `String` processing made this the slowest part of extraction.
public struct WebURL: Sendable, Hashable {
    /// The full URL text.
    public var string: String
    /// Lower-cased scheme without `:` (`https`, `data`, `javascript` …).
    public var scheme: String
    /// Lower-cased host without port or user info; nil for URLs without an authority.
    public var host: String?

    // Components kept for resolving references against this URL without parsing it again.
    private var schemeBytes: [UInt8]
    private var authority: [UInt8]?
    private var path: [UInt8]
    private var query: [UInt8]?

    /// Whether the URL names something a browser fetches over the network.
    public var isNetwork: Bool { scheme == "http" || scheme == "https" }

    public static func == (lhs: WebURL, rhs: WebURL) -> Bool { lhs.string == rhs.string }
    public func hash(into hasher: inout Hasher) { hasher.combine(string) }

    /// Parses an absolute URL.
    public init?(_ text: String) {
        guard let url = WebURL.resolve(text, against: nil) else { return nil }
        self = url
    }

    /// The URL without its fragment.
    public var withoutFragment: String {
        guard let hash = string.utf8.firstIndex(of: UInt8(ascii: "#")) else { return string }
        return String(string[..<hash])
    }

    /// Resolves `reference` against `base` (an absolute URL). Returns nil for an
    /// empty reference or when the result is not a URL.
    public static func resolve(_ reference: String, against base: WebURL?) -> WebURL? {
        if let fast = fastPath(reference, base: base) { return fast }
        let cleaned = clean(Array(reference.utf8))
        guard !cleaned.isEmpty else { return nil }
        let ref = Parts(cleaned)
        if let scheme = ref.scheme {
            let afterScheme = cleaned[(scheme.count + 1)...]
            // Browsers treat `http:foo` (no slashes) with the base's scheme as relative.
            if let base, isSpecial(scheme), scheme == base.schemeBytes,
                afterScheme.first != UInt8(ascii: "/"), afterScheme.first != UInt8(ascii: "\\")
            {
                return resolveRelative(Parts(Array(afterScheme)), base: base)
            }
            return make(scheme: scheme, authority: ref.authority, path: removeDotSegments(ref.path), query: ref.query, fragment: ref.fragment)
        }
        guard let base else { return nil }
        return resolveRelative(ref, base: base)
    }

    /// Already-normal absolute http(s) URLs and root-relative paths — most of a page's
    /// URLs — taken as they are, without rebuilding them. Anything unusual (case, ports,
    /// user info, dot segments, characters to escape) goes the long way.
    private static func fastPath(_ reference: String, base: WebURL?) -> WebURL? {
        var reference = reference
        return reference.withUTF8 { bytes -> WebURL? in
            guard bytes.count >= 2 else { return nil }
            var start: Int
            var scheme: [UInt8]
            if bytes[0] == UInt8(ascii: "/") {
                guard bytes[1] != UInt8(ascii: "/"), let base, base.isNetwork, let authority = base.authority else { return nil }
                start = 0
                scheme = base.schemeBytes
                guard let rest = plainRest(bytes, from: 0) else { return nil }
                var text = scheme
                text.append(contentsOf: [0x3A, 0x2F, 0x2F])
                text.append(contentsOf: authority)
                text.append(contentsOf: bytes)
                return WebURL(string: String(decoding: text, as: UTF8.self), scheme: scheme, host: base.host,
                              authority: authority, path: rest.path, query: rest.query)
            }
            if bytes.starts(with: httpsPrefix) {
                start = httpsPrefix.count
                scheme = https
            } else if bytes.starts(with: httpPrefix) {
                start = httpPrefix.count
                scheme = http
            } else {
                return nil
            }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") {
                let byte = bytes[end]
                guard (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
                    || (byte == 0x2E && end > start && bytes[end - 1] != 0x2E)
                else { return nil }
                end += 1
            }
            guard end > start, bytes[end - 1] != 0x2E, end < bytes.count, bytes[end] == UInt8(ascii: "/"),
                let rest = plainRest(bytes, from: end)
            else { return nil }
            let authority = Array(bytes[start..<end])
            return WebURL(string: String(decoding: bytes, as: UTF8.self), scheme: scheme,
                          host: String(decoding: authority, as: UTF8.self), authority: authority, path: rest.path, query: rest.query)
        }
    }

    private static let httpsPrefix = Array("https://".utf8), httpPrefix = Array("http://".utf8)

    /// The path and query of `bytes[from...]` when nothing in it needs normalising.
    private static func plainRest(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (path: [UInt8], query: [UInt8]?)? {
        var queryStart: Int?
        var fragmentStart: Int?
        var previous: UInt8 = 0
        for index in start..<bytes.count {
            let byte = bytes[index]
            if byte <= 0x20 || byte == 0x7F || byte == 0x22 || byte == 0x3C || byte == 0x3E || byte == 0x60 || byte == 0x5C { return nil }
            if fragmentStart == nil {
                if byte == UInt8(ascii: "#") {
                    fragmentStart = index
                } else if byte == UInt8(ascii: "?"), queryStart == nil {
                    queryStart = index
                } else if queryStart == nil, byte == UInt8(ascii: "."), previous == UInt8(ascii: "/") {
                    return nil  // a dot segment, or something that might be one
                } else if queryStart == nil, byte == UInt8(ascii: "%"), previous == UInt8(ascii: "/") {
                    return nil  // `%2e` dot segments
                }
            }
            previous = byte
        }
        let pathEnd = queryStart ?? fragmentStart ?? bytes.count
        let path = Array(bytes[start..<pathEnd])
        let query = queryStart.map { Array(bytes[($0 + 1)..<(fragmentStart ?? bytes.count)]) }
        return (path, query)
    }

    // MARK: - Parsing

    private struct Parts {
        var scheme: [UInt8]?
        var authority: [UInt8]?
        var path: [UInt8] = []
        var query: [UInt8]?
        var fragment: [UInt8]?

        init(_ input: [UInt8]) {
            var end = input.count
            if let hash = input.firstIndex(of: UInt8(ascii: "#")) {
                fragment = Array(input[(hash + 1)...])
                end = hash
            }
            var start = 0
            if let colon = WebURL.schemeEnd(input, end: end) {
                scheme = input[0..<colon].map { WebURL.lower($0) }
                start = colon + 1
            }
            if let q = input[start..<end].firstIndex(of: UInt8(ascii: "?")) {
                query = Array(input[(q + 1)..<end])
                end = q
            }
            let special = scheme.map(WebURL.isSpecial) ?? true
            var rest = Array(input[start..<end])
            if special { for index in rest.indices where rest[index] == UInt8(ascii: "\\") { rest[index] = UInt8(ascii: "/") } }
            if rest.count >= 2, rest[0] == UInt8(ascii: "/"), rest[1] == UInt8(ascii: "/") {
                let slash = rest[2...].firstIndex(of: UInt8(ascii: "/")) ?? rest.count
                authority = Array(rest[2..<slash])
                path = Array(rest[slash...])
            } else if special, scheme != nil, rest.first != UInt8(ascii: "/") {
                // `https:example.com` means `https://example.com`.
                let slash = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.count
                authority = Array(rest[0..<slash])
                path = Array(rest[slash...])
            } else if special, scheme != nil, rest.count >= 1, rest[0] == UInt8(ascii: "/"), authority == nil {
                // `https:/example.com/x` likewise.
                let trimmed = rest.drop(while: { $0 == UInt8(ascii: "/") })
                let slash = trimmed.firstIndex(of: UInt8(ascii: "/")) ?? trimmed.endIndex
                authority = Array(trimmed[trimmed.startIndex..<slash])
                path = Array(trimmed[slash...])
            } else {
                path = rest
            }
        }
    }

    /// The index of the `:` ending a scheme, if the input starts with one.
    private static func schemeEnd(_ input: [UInt8], end: Int) -> Int? {
        guard let first = input.first, isAlpha(first) else { return nil }
        var index = 1
        while index < end {
            let byte = input[index]
            if byte == UInt8(ascii: ":") { return index }
            guard isAlpha(byte) || (0x30...0x39).contains(byte) || byte == 0x2B || byte == 0x2D || byte == 0x2E else { return nil }
            index += 1
        }
        return nil
    }

    private static func resolveRelative(_ ref: Parts, base: WebURL) -> WebURL? {
        let scheme = base.schemeBytes
        if let authority = ref.authority {
            return make(scheme: scheme, authority: authority, path: removeDotSegments(ref.path), query: ref.query, fragment: ref.fragment)
        }
        if ref.path.isEmpty {
            return make(scheme: scheme, authority: base.authority, path: base.path, query: ref.query ?? base.query, fragment: ref.fragment)
        }
        if ref.path.first == UInt8(ascii: "/") {
            return make(scheme: scheme, authority: base.authority, path: removeDotSegments(ref.path), query: ref.query, fragment: ref.fragment)
        }
        // A base like `data:` or `javascript:` cannot take relative references.
        guard base.authority != nil || base.path.first == UInt8(ascii: "/") else { return nil }
        var merged: [UInt8]
        if base.authority != nil && base.path.isEmpty {
            merged = [UInt8(ascii: "/")] + ref.path
        } else if let slash = base.path.lastIndex(of: UInt8(ascii: "/")) {
            merged = Array(base.path[...slash]) + ref.path
        } else {
            merged = ref.path
        }
        return make(scheme: scheme, authority: base.authority, path: removeDotSegments(merged), query: ref.query, fragment: ref.fragment)
    }

    private static func make(scheme: [UInt8], authority: [UInt8]?, path: [UInt8], query: [UInt8]?, fragment: [UInt8]?) -> WebURL? {
        let special = isSpecial(scheme)
        var host: String?
        var authorityBytes = authority
        if let authority {
            var hostStart = 0
            if let at = authority.lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
            var hostEnd = authority.count
            var portStart = authority.count
            if authority.count > hostStart, authority[hostStart] == UInt8(ascii: "["), let close = authority[hostStart...].firstIndex(of: UInt8(ascii: "]")) {
                hostEnd = close + 1
                portStart = hostEnd
            } else if let colon = authority[hostStart...].lastIndex(of: UInt8(ascii: ":")) {
                hostEnd = colon
                portStart = colon
            }
            var hostBytes = Array(authority[hostStart..<hostEnd])
            while hostBytes.count > 1, hostBytes.last == UInt8(ascii: ".") { hostBytes.removeLast() }
            let loweredHost = lowerHost(hostBytes)
            if special {
                guard !loweredHost.isEmpty, isValidHost(loweredHost) else { return nil }
                let port = authority[portStart...]
                let dropPort = port.count == 1 || (scheme == http && port.elementsEqual(port80)) || (scheme == https && port.elementsEqual(port443))
                if hostStart == 0, dropPort || port.isEmpty, loweredHost == hostBytes, hostBytes.count == authority.count - port.count {
                    authorityBytes = dropPort ? hostBytes : authority
                } else {
                    var rebuilt = Array(authority[0..<hostStart])
                    rebuilt.append(contentsOf: loweredHost)
                    if !dropPort { rebuilt.append(contentsOf: port) }
                    authorityBytes = rebuilt
                }
            }
            host = loweredHost.isEmpty ? nil : String(decoding: loweredHost, as: UTF8.self)
        }
        var fullPath = path
        if authority != nil, special, fullPath.isEmpty { fullPath = [UInt8(ascii: "/")] }

        var text = [UInt8]()
        text.reserveCapacity(scheme.count + 3 + (authorityBytes?.count ?? 0) + fullPath.count + (query?.count ?? 0) + (fragment?.count ?? 0) + 2)
        text.append(contentsOf: scheme)
        text.append(UInt8(ascii: ":"))
        if let authorityBytes {
            text.append(contentsOf: [UInt8(ascii: "/"), UInt8(ascii: "/")])
            text.append(contentsOf: authorityBytes)
        }
        appendEncoded(fullPath, to: &text)
        if let query {
            text.append(UInt8(ascii: "?"))
            appendEncoded(query, to: &text)
        }
        if let fragment {
            text.append(UInt8(ascii: "#"))
            appendEncoded(fragment, to: &text)
        }
        return WebURL(
            string: String(decoding: text, as: UTF8.self), scheme: scheme, host: host,
            authority: authorityBytes, path: fullPath, query: query)
    }

    private init(string: String, scheme: [UInt8], host: String?, authority: [UInt8]?, path: [UInt8], query: [UInt8]?) {
        self.string = string
        self.scheme = String(decoding: scheme, as: UTF8.self)
        self.schemeBytes = scheme
        self.host = host
        self.authority = authority
        self.path = path
        self.query = query
    }

    /// RFC 3986 §5.2.4, including the percent-encoded dot segments browsers honour.
    static func removeDotSegments(_ path: [UInt8]) -> [UInt8] {
        guard path.contains(UInt8(ascii: ".")) else { return path }
        let absolute = path.first == UInt8(ascii: "/")
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var output: [ArraySlice<UInt8>] = []
        for (index, segment) in segments.enumerated() {
            if absolute && index == 0 { continue }
            let last = index == segments.count - 1
            switch dotKind(segment) {
            case 1:
                if last { output.append([]) }
            case 2:
                if !output.isEmpty { output.removeLast() }
                if last { output.append([]) }
            default:
                output.append(segment)
            }
        }
        var result: [UInt8] = absolute ? [UInt8(ascii: "/")] : []
        for (index, segment) in output.enumerated() {
            if index > 0 { result.append(UInt8(ascii: "/")) }
            result.append(contentsOf: segment)
        }
        return result
    }

    /// 1 for `.` (or `%2e`), 2 for `..` (any mix of `.` and `%2e`), else 0.
    private static func dotKind(_ segment: ArraySlice<UInt8>) -> Int {
        var dots = 0
        var index = segment.startIndex
        while index < segment.endIndex {
            if segment[index] == UInt8(ascii: ".") {
                index += 1
            } else if segment.endIndex - index >= 3, segment[index] == UInt8(ascii: "%"), segment[index + 1] == UInt8(ascii: "2"),
                lower(segment[index + 2]) == UInt8(ascii: "e")
            {
                index += 3
            } else {
                return 0
            }
            dots += 1
        }
        return dots <= 2 ? dots : 0
    }

    private static let http = Array("http".utf8), https = Array("https".utf8)
    private static let ws = Array("ws".utf8), wss = Array("wss".utf8), ftp = Array("ftp".utf8)
    private static let port80 = Array(":80".utf8), port443 = Array(":443".utf8)

    static func isSpecial(_ scheme: [UInt8]) -> Bool {
        scheme == http || scheme == https || scheme == ws || scheme == wss || scheme == ftp
    }

    private static func isAlpha(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    private static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    private static func lowerHost(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.allSatisfy({ $0 < 0x80 && !(0x41...0x5A).contains($0) }) { return bytes }
        if bytes.allSatisfy({ $0 < 0x80 }) { return bytes.map(lower) }
        return Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
    }

    private static func isValidHost(_ host: [UInt8]) -> Bool {
        if host.first == UInt8(ascii: "[") { return host.last == UInt8(ascii: "]") }
        if host.first == UInt8(ascii: ".") { return false }
        var previousDot = false
        for byte in host {
            if byte < 0x21 || byte == 0x7F { return false }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                UInt8(ascii: "?"), UInt8(ascii: "@"), UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "^"),
                UInt8(ascii: "|"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: ","), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "`"), UInt8(ascii: "$"), UInt8(ascii: "!"),
                UInt8(ascii: "="), UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "+"), UInt8(ascii: "~"):
                return false
            case UInt8(ascii: "."):
                if previousDot { return false }
                previousDot = true
                continue
            default:
                break
            }
            previousDot = false
        }
        return true
    }

    /// Leading/trailing C0 controls and spaces removed; tabs and newlines removed everywhere.
    static func clean(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0, end = bytes.count
        while start < end, bytes[start] <= 0x20 { start += 1 }
        while end > start, bytes[end - 1] <= 0x20 { end -= 1 }
        let trimmed = bytes[start..<end]
        guard trimmed.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return Array(trimmed) }
        return trimmed.filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }

    /// Percent-encodes the bytes browsers encode in paths, queries and fragments (space, `"`, `<`, `>`, `` ` ``).
    private static func appendEncoded(_ bytes: [UInt8], to out: inout [UInt8]) {
        guard bytes.contains(where: { $0 == 0x20 || $0 == 0x22 || $0 == 0x3C || $0 == 0x3E || $0 == 0x60 }) else {
            out.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0x20: out.append(contentsOf: [0x25, 0x32, 0x30])
            case 0x22: out.append(contentsOf: [0x25, 0x32, 0x32])
            case 0x3C: out.append(contentsOf: [0x25, 0x33, 0x43])
            case 0x3E: out.append(contentsOf: [0x25, 0x33, 0x45])
            case 0x60: out.append(contentsOf: [0x25, 0x36, 0x30])
            default: out.append(byte)
            }
        }
    }
}
