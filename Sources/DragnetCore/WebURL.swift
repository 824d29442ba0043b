/// Resolving and taking apart URLs found in pages, the way a browser does for
/// `http`/`https` references: RFC 3986 §5 reference resolution with the WHATWG
/// URL standard's leniency (leading and trailing spaces and control characters
/// stripped, tabs and newlines removed, backslashes in the path treated as `/`).
///
/// Pure Swift over UTF-8 bytes, so extraction never calls out for it.
public struct WebURL: Sendable, Hashable {
    /// The full URL text.
    public var string: String
    /// Lower-cased scheme without `:` (`https`, `data`, `javascript` …).
    public var scheme: String
    /// Lower-cased host without port or user info; nil for URLs without an authority.
    public var host: String?

    /// Whether the URL names something a browser fetches over the network.
    public var isNetwork: Bool { scheme == "http" || scheme == "https" }

    /// Resolves `reference` against `base` (an absolute URL). Returns nil for an
    /// empty reference or when the result is not a URL.
    public static func resolve(_ reference: String, against base: WebURL?) -> WebURL? {
        let cleaned = clean(reference)
        guard !cleaned.isEmpty else { return nil }
        let ref = Parts(cleaned)
        if let scheme = ref.scheme {
            // Browsers treat `http:foo` (no slashes) with the base's scheme as relative.
            let afterScheme = cleaned.dropFirst(scheme.count + 1)
            if let base, isSpecial(scheme), scheme == base.scheme, !afterScheme.hasPrefix("/"), !afterScheme.hasPrefix("\\") {
                return resolveRelative(Parts(String(afterScheme)), base: base, scheme: scheme)
            }
            return make(scheme: scheme, authority: ref.authority, path: removeDotSegments(ref.path, hasAuthority: ref.authority != nil), query: ref.query, fragment: ref.fragment)
        }
        guard let base else { return nil }
        return resolveRelative(ref, base: base, scheme: base.scheme)
    }

    /// Parses an absolute URL.
    public init?(_ text: String) {
        guard let url = WebURL.resolve(text, against: nil) else { return nil }
        self = url
    }

    private init(string: String, scheme: String, host: String?) {
        self.string = string
        self.scheme = scheme
        self.host = host
    }

    /// The URL without its fragment.
    public var withoutFragment: String {
        guard let hash = string.utf8.firstIndex(of: UInt8(ascii: "#")) else { return string }
        return String(string[..<hash])
    }

    // MARK: - Internals

    private struct Parts {
        var scheme: String?
        var authority: String?
        var path: String
        var query: String?
        var fragment: String?

        init(_ text: String) {
            var rest = Substring(text)
            if let hash = rest.firstIndex(of: "#") {
                fragment = String(rest[rest.index(after: hash)...])
                rest = rest[..<hash]
            }
            if let colon = rest.firstIndex(of: ":"), WebURL.isScheme(rest[..<colon]) {
                scheme = rest[..<colon].lowercased()
                rest = rest[rest.index(after: colon)...]
            }
            if let q = rest.firstIndex(of: "?") {
                query = String(rest[rest.index(after: q)...])
                rest = rest[..<q]
            }
            let special = scheme.map(WebURL.isSpecial) ?? true
            var pathPart = special ? Substring(rest.replacingBackslashes()) : rest
            if pathPart.hasPrefix("//") {
                let afterSlashes = pathPart.dropFirst(2)
                let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
                authority = String(afterSlashes[..<end])
                pathPart = afterSlashes[end...]
            } else if special, scheme != nil, !pathPart.hasPrefix("/") {
                // `https:example.com` and `https:/example.com` mean `https://example.com`.
                let trimmed = pathPart.drop(while: { $0 == "/" })
                let end = trimmed.firstIndex(of: "/") ?? trimmed.endIndex
                authority = String(trimmed[..<end])
                pathPart = trimmed[end...]
            }
            path = String(pathPart)
        }
    }

    private static func resolveRelative(_ ref: Parts, base: WebURL, scheme: String) -> WebURL? {
        let baseParts = Parts(base.string)
        if let authority = ref.authority {
            return make(scheme: scheme, authority: authority, path: removeDotSegments(ref.path, hasAuthority: true), query: ref.query, fragment: ref.fragment)
        }
        if ref.path.isEmpty {
            return make(scheme: scheme, authority: baseParts.authority, path: baseParts.path, query: ref.query ?? baseParts.query, fragment: ref.fragment)
        }
        if ref.path.hasPrefix("/") {
            return make(scheme: scheme, authority: baseParts.authority, path: removeDotSegments(ref.path, hasAuthority: true), query: ref.query, fragment: ref.fragment)
        }
        // A base without an authority and a path like `data:` or `javascript:` cannot take relative references.
        guard baseParts.authority != nil || baseParts.path.hasPrefix("/") else { return nil }
        let merged: String
        if baseParts.authority != nil && baseParts.path.isEmpty {
            merged = "/" + ref.path
        } else if let slash = baseParts.path.lastIndex(of: "/") {
            merged = baseParts.path[...slash] + ref.path
        } else {
            merged = ref.path
        }
        return make(scheme: scheme, authority: baseParts.authority, path: removeDotSegments(merged, hasAuthority: true), query: ref.query, fragment: ref.fragment)
    }

    private static func make(scheme: String, authority: String?, path: String, query: String?, fragment: String?) -> WebURL? {
        var host: String?
        var authorityText = authority
        if let authority {
            var userInfo = Substring("")
            var hostPort = Substring(authority)
            if let at = hostPort.lastIndex(of: "@") {
                userInfo = hostPort[...at]
                hostPort = hostPort[hostPort.index(after: at)...]
            }
            var hostPart: Substring
            var portPart = Substring("")
            if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
                hostPart = hostPort[...close]
                portPart = hostPort[hostPort.index(after: close)...]
            } else if let colon = hostPort.lastIndex(of: ":") {
                hostPart = hostPort[..<colon]
                portPart = hostPort[colon...]
            } else {
                hostPart = hostPort
            }
            while hostPart.hasSuffix(".") && hostPart.count > 1 { hostPart = hostPart.dropLast() }
            let lowered = hostPart.lowercased()
            if isSpecial(scheme) {
                guard !lowered.isEmpty, isValidHost(lowered) else { return nil }
                // Default ports are dropped, as browsers do.
                if (scheme == "http" && portPart == ":80") || (scheme == "https" && portPart == ":443") || portPart == ":" {
                    portPart = ""
                }
                authorityText = userInfo + lowered + portPart
            }
            host = lowered.isEmpty ? nil : lowered
        }
        var text = scheme + ":"
        if let authorityText { text += "//" + authorityText }
        var fullPath = path
        if authority != nil, isSpecial(scheme), fullPath.isEmpty { fullPath = "/" }
        text += encodeSpaces(fullPath)
        if let query { text += "?" + encodeSpaces(query) }
        if let fragment { text += "#" + encodeSpaces(fragment) }
        return WebURL(string: text, scheme: scheme, host: host)
    }

    /// RFC 3986 §5.2.4.
    static func removeDotSegments(_ path: String, hasAuthority: Bool) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let absolute = path.hasPrefix("/")
        for (index, segment) in segments.enumerated() {
            if absolute && index == 0 { continue }
            let last = index == segments.count - 1
            switch segment {
            case ".", "%2e", "%2E":
                if last { output.append("") }
            case "..", ".%2e", "%2e.", "%2e%2e", ".%2E", "%2E.", "%2E%2E":
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            default:
                output.append(segment)
            }
        }
        let joined = output.joined(separator: "/")
        return absolute || hasAuthority ? "/" + joined : joined
    }

    static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    static func isSpecial(_ scheme: String) -> Bool {
        scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" || scheme == "ftp"
    }

    private static func isValidHost(_ host: String) -> Bool {
        if host.hasPrefix("[") { return host.hasSuffix("]") }
        for scalar in host.unicodeScalars {
            switch scalar {
            case " ", "#", "%", "/", ":", "<", ">", "?", "@", "[", "\\", "]", "^", "|", "\"", "'", "*", "(", ")", ",", "{", "}", "`", "$", "!", "=", ";", "&", "+", "~":
                return false
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { return false }
            }
        }
        return !host.hasPrefix(".") && !host.contains("..")
    }

    /// Leading/trailing C0 controls and spaces removed; tabs and newlines removed everywhere.
    static func clean(_ text: String) -> String {
        let bytes = text.utf8
        var needsWork = false
        if let first = bytes.first, first <= 0x20 { needsWork = true }
        if let last = bytes.last, last <= 0x20 { needsWork = true }
        if !needsWork, bytes.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { needsWork = true }
        guard needsWork else { return text }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for byte in bytes where byte != 0x09 && byte != 0x0A && byte != 0x0D { out.append(byte) }
        var start = 0, end = out.count
        while start < end, out[start] <= 0x20 { start += 1 }
        while end > start, out[end - 1] <= 0x20 { end -= 1 }
        return String(decoding: out[start..<end], as: UTF8.self)
    }

    private static func encodeSpaces(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x20 || $0 == 0x22 || $0 == 0x3C || $0 == 0x3E || $0 == 0x60 }) else { return text }
        var out = ""
        for char in text {
            switch char {
            case " ": out += "%20"
            case "\"": out += "%22"
            case "<": out += "%3C"
            case ">": out += "%3E"
            case "`": out += "%60"
            default: out.append(char)
            }
        }
        return out
    }
}

extension Substring {
    fileprivate func replacingBackslashes() -> String {
        guard contains("\\") else { return String(self) }
        return String(map { $0 == "\\" ? "/" : $0 })
    }
}
