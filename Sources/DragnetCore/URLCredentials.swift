/// The authority of URLs: user names and passwords (`https://user:secret@host/`), which the
/// fetcher sends and nothing Dragnet writes ever shows, and the host itself.
public enum URLCredentials {
    /// The host of an http(s) URL (or of a bare `host[:port]/…` input), lower-case, without user
    /// info and port, an IPv6 literal without its brackets; nil when there is none.
    public static func host(of url: String) -> String? {
        var rest = Substring(url)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") { rest = rest[rest.index(colon, offsetBy: 3)...] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.firstIndex(of: ":") {
            host = host[..<colon]
        }
        return host.isEmpty ? nil : host.lowercased()
    }

    /// The URL without the user info of its authority; any other text unchanged.
    public static func strip(_ url: String) -> String {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return url }
        let authorityStart = url.index(colon, offsetBy: 3)
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<authorityStart]) + rest[rest.index(after: at)...]
    }
}
