import DragnetCore

/// A tracker URL pattern: `HOST[/PATH]`. A host without `*` matches itself and
/// its subdomains; `*` stands for any run of characters. The path is a prefix of
/// the URL's path; the query takes part only when the pattern contains `?`.
struct URLPattern: Sendable {
    /// Lower-cased host part; a plain domain unless `hostGlob`.
    var host: String
    var hostGlob: Bool
    /// Path part starting with `/`, or empty.
    var path: String
    var includesQuery: Bool
    /// The host and path split at `*` once, for `Glob`.
    private let hostParts: [[UInt8]]
    private let pathParts: [[UInt8]]

    init(_ pattern: String) {
        let slash = pattern.firstIndex(of: "/") ?? pattern.endIndex
        host = pattern[..<slash].lowercased()
        hostGlob = host.contains("*")
        path = String(pattern[slash...])
        includesQuery = path.contains("?")
        hostParts = Glob.parts(host)
        pathParts = Glob.parts(path)
    }

    static func problem(_ pattern: String) -> String? {
        if pattern.contains("://") { return "write the URL pattern without a scheme: '\(pattern)'" }
        if pattern.contains(" ") { return "a URL pattern cannot contain spaces: '\(pattern)'" }
        let host = pattern.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if host.isEmpty || !host.contains(".") { return "a URL pattern starts with a host name: '\(pattern)'" }
        if host.hasPrefix("*.") { return "write '\(host.dropFirst(2))' instead of '\(host)': a host already covers its subdomains" }
        return nil
    }

    func matches(host urlHost: String, pathAndQuery: Substring) -> Bool {
        if hostGlob {
            guard Glob.matches(hostParts, urlHost.utf8, anchoredEnd: true) else { return false }
        } else {
            guard urlHost == host || (urlHost.hasSuffix(host) && urlHost.utf8.dropLast(host.utf8.count).last == UInt8(ascii: ".")) else { return false }
        }
        if path.isEmpty { return true }
        let subject = includesQuery ? pathAndQuery : pathAndQuery.prefix { $0 != "?" }
        return Glob.matches(pathParts, subject.utf8, anchoredEnd: false)
    }
}

enum Glob {
    /// A pattern split at its `*`s, as `matches` takes it (split once, when the rule is compiled).
    static func parts(_ pattern: String) -> [[UInt8]] {
        pattern.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    /// Whether `text` starts with the pattern whose `*`-separated `parts` are given, `*`
    /// matching any run of characters; with `anchoredEnd` the whole text must be matched.
    static func matches(_ parts: [[UInt8]], _ text: some Sequence<UInt8>, anchoredEnd: Bool) -> Bool {
        let bytes = Array(text)
        guard let first = parts.first, bytes.starts(with: first) else { return false }
        var position = first.count
        for (index, part) in parts.enumerated().dropFirst() {
            let isLast = index == parts.count - 1
            if part.isEmpty {
                if isLast { return true }
                continue
            }
            if isLast && anchoredEnd {
                return bytes.count - position >= part.count && bytes[(bytes.count - part.count)...].elementsEqual(part)
            }
            guard let found = find(part, in: bytes, from: position) else { return false }
            position = found + part.count
        }
        return !anchoredEnd || position == bytes.count
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

/// A tracker rule with its patterns compiled.
struct CompiledTracker: @unchecked Sendable {
    var urls: [URLPattern]
    var inline: [(contains: String, regex: Regex<AnyRegexOutput>?, near: String?)]
    var cookies: [(name: String, prefix: Bool)]
    var urlID: Regex<AnyRegexOutput>?

    init(_ rule: TrackerRule) {
        urls = rule.urls.map(URLPattern.init)
        inline = rule.inline.map { ($0.contains, $0.regex.flatMap { try? Regex($0) }, $0.near) }
        cookies = rule.cookies.map { $0.hasSuffix("*") ? (String($0.dropLast()), true) : ($0, false) }
        urlID = rule.urlID.flatMap { try? Regex($0) }
    }

    func matchesCookie(_ name: String) -> Bool {
        cookies.contains { $0.prefix ? name.hasPrefix($0.name) : name == $0.name }
    }

    /// The first capture of `regex` in `text`, or the whole match when it has no group.
    static func capture(_ regex: Regex<AnyRegexOutput>, in text: Substring) -> (matched: Bool, id: String?) {
        guard let match = try? regex.firstMatch(in: text) else { return (false, nil) }
        if match.output.count > 1, let group = match.output[1].substring { return (true, String(group)) }
        return (true, nil)
    }
}

/// Splits an absolute http(s) URL into its host and the path-and-query after it.
public enum URLParts {
    public static func split(_ url: String) -> (host: String, pathAndQuery: Substring)? {
        guard let (authority, rest) = authorityAndRest(url) else { return nil }
        var host = authority
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if let colon = host.lastIndex(of: ":"), !host.hasPrefix("[") { host = host[..<colon] }
        return (host.lowercased(), rest)
    }

    /// The path and query of an absolute URL (without the fragment), `/` when empty.
    public static func pathAndQuery(_ url: String) -> Substring? {
        authorityAndRest(url)?.rest
    }

    /// The authority after `scheme://`, and the path and query after it (`/` when empty).
    private static func authorityAndRest(_ url: String) -> (authority: Substring, rest: Substring)? {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        let afterScheme = url[url.index(colon, offsetBy: 3)...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var rest = afterScheme[authorityEnd...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        return (afterScheme[..<authorityEnd], rest.isEmpty ? "/" : rest)
    }

    /// `scheme://authority` of an absolute URL (port kept, user info dropped).
    public static func origin(_ url: String) -> String? {
        guard let (authority, _) = authorityAndRest(url), let colon = url.firstIndex(of: ":") else { return nil }
        let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        return url[..<colon].lowercased() + "://" + host.lowercased()
    }

    /// The URL without user info, query and fragment: what logs and messages may show.
    public static func withoutQuery(_ url: String) -> String {
        let url = URLCredentials.strip(url)
        guard let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
        return String(url[..<cut])
    }
}
