import DragnetCore

/// Parses `Set-Cookie` header values (RFC 6265 §5.2, with browsers' handling of
/// a nameless cookie).
enum SetCookieParser {
    /// The context a cookie arrives in.
    struct Origin {
        /// The URL of the response that carried the header.
        var url: String
        /// That URL's host, lower-cased.
        var host: String
        /// That URL's path (without query).
        var path: String
        /// Index of the response in the redirect chain.
        var hop: Int
        /// Seconds since 1970 the expiry is measured from: the response's `Date`
        /// header when present (the server's clock matches its `Expires`), else the arrival time.
        var reference: Double
    }

    /// Parses one header value; returns nil for a header that sets nothing.
    static func parse(_ header: String, origin: Origin, keepValue: Bool) -> ResponseCookie? {
        var parts = header.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
        guard let pair = parts.next() else { return nil }
        let name: String, value: String
        if let eq = pair.firstIndex(of: "=") {
            name = String(pair[..<eq]).trimmingASCIIWhitespace()
            value = String(pair[pair.index(after: eq)...]).trimmingASCIIWhitespace()
        } else {
            name = ""
            value = String(pair).trimmingASCIIWhitespace()
        }
        if name.isEmpty && value.isEmpty { return nil }
        // A control character (other than tab) in the name or value makes browsers ignore the
        // whole cookie (RFC 6265bis §5.6): it never reaches a report either.
        if (name + value).unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) { return nil }

        var domain: String?
        var path: String?
        var maxAge: Double?
        var expires: Double?
        var secure = false, httpOnly = false, partitioned = false
        var sameSite: String?

        while let part = parts.next() {
            let key: String, attribute: String
            if let eq = part.firstIndex(of: "=") {
                key = String(part[..<eq]).trimmingASCIIWhitespace().lowercased()
                attribute = String(part[part.index(after: eq)...]).trimmingASCIIWhitespace()
            } else {
                key = String(part).trimmingASCIIWhitespace().lowercased()
                attribute = ""
            }
            switch key {
            case "expires":
                if let date = HTTPDate.parse(attribute) { expires = date }
            case "max-age":
                let digits = attribute.hasPrefix("-") ? attribute.dropFirst() : Substring(attribute)
                if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let seconds = Double(attribute) {
                    maxAge = seconds
                }
            case "domain":
                var text = attribute.lowercased()
                if text.hasPrefix(".") { text.removeFirst() }
                if !text.isEmpty { domain = text }
            case "path":
                if attribute.hasPrefix("/") { path = attribute }
            case "secure":
                secure = true
            case "httponly":
                httpOnly = true
            case "partitioned":
                partitioned = true
            case "samesite":
                switch attribute.lowercased() {
                case "strict": sameSite = "Strict"
                case "lax": sameSite = "Lax"
                case "none": sameSite = "None"
                default: sameSite = nil
                }
            default:
                break
            }
        }

        let expiresIn: Double?
        if let maxAge {
            expiresIn = maxAge
        } else if let expires {
            expiresIn = expires - origin.reference
        } else {
            expiresIn = nil
        }

        return ResponseCookie(
            name: name,
            value: keepValue ? value : nil,
            domain: domain ?? origin.host,
            hostOnly: domain == nil,
            path: path ?? defaultPath(origin.path),
            expiresIn: expiresIn,
            secure: secure,
            httpOnly: httpOnly,
            sameSite: sameSite,
            partitioned: partitioned,
            url: origin.url,
            hop: origin.hop
        )
    }

    /// RFC 6265 §5.1.4 default-path: the request path up to, not including, its last `/`.
    static func defaultPath(_ path: String) -> String {
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The header with the cookie's value replaced by `[redacted]`.
    static func redactValue(_ header: String) -> String {
        let pairEnd = header.firstIndex(of: ";") ?? header.endIndex
        let pair = header[..<pairEnd]
        guard let eq = pair.firstIndex(of: "=") else { return "[redacted]" + header[pairEnd...] }
        return String(header[...eq]) + "[redacted]" + header[pairEnd...]
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// One `Set-Cookie` header as a response from `url` would set it, `reference` seconds after the
/// epoch: the parser the fetcher uses, for tools and the fuzz harness.
public func parseSetCookie(_ header: String, responseURL url: String, reference: Double, keepValue: Bool) -> ResponseCookie? {
    let parsed = try? CurlURL.parse(url).get()
    let origin = SetCookieParser.Origin(url: url, host: parsed?.host ?? "", path: parsed?.path ?? "/", hop: 0, reference: reference)
    return SetCookieParser.parse(header, origin: origin, keepValue: keepValue)
}
