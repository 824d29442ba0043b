import DragnetCore
import Foundation

/// One line or argument of input, checked before anything is fetched.
public struct URLInput: Sendable, Hashable {
    /// The text as given, trimmed.
    public var text: String
    /// The 1-based line number when the input came from a file or stdin.
    public var line: Int?
    /// The normalised URL to fetch, or why the input cannot be fetched.
    public var target: Result<String, FetchError>
    /// The parsed form of `target`, so the fetcher does not parse it again.
    let parsed: CurlURL?

    /// Reads a URL list: one URL per line, `#` comments and blank lines skipped,
    /// whitespace trimmed. Every other line becomes an input, junk included, so
    /// that a junk line is reported with its line number instead of being lost.
    public static func parseList(_ text: String) -> [URLInput] {
        var inputs: [URLInput] = []
        var lineNumber = 0
        for rawLine in text.splitLines() {
            lineNumber += 1
            let line = String(rawLine).trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            inputs.append(URLInput(line, line: lineNumber))
        }
        return inputs
    }

    /// Checks one URL. A bare host (`example.com`, `example.com/path`,
    /// `localhost:8080`) means https. Only http and https are accepted.
    public init(_ text: String, line: Int? = nil) {
        let trimmed = text.trimmingASCIIWhitespace()
        self.text = trimmed
        self.line = line
        let checked = URLInput.check(trimmed, line: line)
        self.target = checked.map(\.string)
        self.parsed = try? checked.get()
    }

    /// The requested URL when the input is fetchable.
    public var url: String? {
        if case .success(let url) = target { return url }
        return nil
    }

    static let allowedSchemes: Set<String> = ["http", "https"]

    private static func check(_ text: String, line: Int?) -> Result<CurlURL, FetchError> {
        let place = line.map { "line \($0): " } ?? ""
        if text.isEmpty {
            return .failure(FetchError(code: .invalidURL, message: "\(place)empty URL"))
        }
        if text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return .failure(FetchError(code: .invalidURL, message: "\(place)not a URL: it contains spaces or control characters"))
        }

        var candidate = text
        if let scheme = explicitScheme(text) {
            guard allowedSchemes.contains(scheme) else {
                return .failure(FetchError(
                    code: .unsupportedScheme,
                    message: "\(place)unsupported scheme '\(scheme)': only http and https are fetched"))
            }
        } else if text.hasPrefix("//") {
            candidate = "https:" + text
        } else {
            candidate = "https://" + text
        }

        // An internationalised host goes to libcurl as DNS carries it (xn--…).
        if let scheme = candidate.range(of: "://") {
            let rest = candidate[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            var hostStart = rest.startIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") { hostStart = rest.index(after: at) }
            var hostEnd = authorityEnd
            if !rest[hostStart...].hasPrefix("["), let colon = rest[hostStart..<authorityEnd].lastIndex(of: ":") { hostEnd = colon }
            let host = String(rest[hostStart..<hostEnd])
            if !host.allSatisfy(\.isASCII) {
                guard let ascii = IDNA.toASCII(host) else {
                    return .failure(FetchError(code: .invalidURL, message: "\(place)not a URL: the host cannot be written as an internationalised domain name"))
                }
                candidate = String(candidate[..<hostStart]) + ascii + candidate[hostEnd...]
            }
        }

        switch CurlURL.parse(candidate) {
        case .success(let url):
            guard allowedSchemes.contains(url.scheme) else {
                return .failure(FetchError(
                    code: .unsupportedScheme,
                    message: "\(place)unsupported scheme '\(url.scheme)': only http and https are fetched"))
            }
            guard isPlausibleHost(url.host) else {
                return .failure(FetchError(code: .invalidURL, message: "\(place)not a URL: malformed host"))
            }
            return .success(url)
        case .failure(.noHost):
            return .failure(FetchError(code: .invalidURL, message: "\(place)not a URL: no host"))
        case .failure(.malformed(let reason)):
            return .failure(FetchError(code: .invalidURL, message: "\(place)not a URL: \(reason)"))
        }
    }

    /// The lower-cased scheme when `text` starts with one (`ftp:`, `javascript:`),
    /// nil for a bare host, including `host:port`.
    public static func explicitScheme(_ text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return nil }
        // `localhost:8080/x` and `example.com:443` are a host and a port, not a scheme.
        let rest = text[text.index(after: colon)...]
        let digits = rest.prefix(while: { $0.isASCIIDigit })
        if !digits.isEmpty {
            let after = rest.dropFirst(digits.count)
            if after.isEmpty || after.hasPrefix("/") || after.hasPrefix("?") || after.hasPrefix("#") { return nil }
        }
        return scheme.lowercased()
    }

    /// Rejects hosts no DNS name or IP literal can have (`?`, `*`, empty labels).
    private static func isPlausibleHost(_ host: String) -> Bool {
        if host.hasPrefix("[") { return host.hasSuffix("]") }
        if host.hasPrefix(".") || host.contains("..") { return false }
        return host.unicodeScalars.allSatisfy { scalar in
            if !scalar.isASCII { return true }  // IDN; libcurl converts it with libidn2
            let c = Character(scalar)
            return c.isLetter || c.isNumber || c == "-" || c == "." || c == "_"
        }
    }
}
