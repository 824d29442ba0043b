import CCurl

/// A URL checked and normalised by libcurl's URL parser (curl_url(3)), so that
/// what Dragnet accepts is exactly what libcurl will fetch.
struct CurlURL: Sendable, Hashable {
    /// The normalised URL (`https://example.com/`).
    var string: String
    var scheme: String
    /// Lower-cased host; IPv6 addresses keep their brackets.
    var host: String
    var port: Int?
    var path: String

    /// The key that `--per-host` limits count by.
    var hostKey: String { port.map { "\(host):\($0)" } ?? host }

    enum ParseError: Error {
        case malformed(String)
        case noHost
    }

    /// Parses an absolute URL.
    static func parse(_ text: String) -> Result<CurlURL, ParseError> {
        guard let handle = curl_url() else { return .failure(.malformed("out of memory")) }
        defer { curl_url_cleanup(handle) }

        let setResult = curl_url_set(handle, CURLUPART_URL, text, 0)
        guard setResult == CURLUE_OK else {
            return .failure(.malformed(String(cString: curl_url_strerror(setResult))))
        }
        guard let host = part(handle, CURLUPART_HOST), !host.isEmpty else { return .failure(.noHost) }
        // Host names are case-insensitive; browsers and caches use the lower-case form.
        if host != host.lowercased() { _ = curl_url_set(handle, CURLUPART_HOST, host.lowercased(), 0) }
        let url = part(handle, CURLUPART_URL) ?? text
        let scheme = part(handle, CURLUPART_SCHEME) ?? ""
        let path = part(handle, CURLUPART_PATH) ?? "/"
        let port = part(handle, CURLUPART_PORT).flatMap { Int($0) }
        return .success(CurlURL(string: url, scheme: scheme.lowercased(), host: host.lowercased(), port: port, path: path))
    }

    /// Resolves `reference` against `base` the way libcurl follows a `Location`.
    static func resolve(_ reference: String, against base: String) -> String? {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, base, 0) == CURLUE_OK,
            curl_url_set(handle, CURLUPART_URL, reference, 0) == CURLUE_OK
        else { return nil }
        return part(handle, CURLUPART_URL)
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart) -> String? {
        var out: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &out, 0) == CURLUE_OK, let out else { return nil }
        defer { curl_free(out) }
        return String(cString: out)
    }
}
