import Foundation

/// A value typed into one of the page's fields (`--mode browser`, unless `--no-fill`): the
/// field's kind (`email`, `phone`, `name`, `password`), its name or id, and the canary.
public struct Canary: Sendable, Hashable {
    public var kind: String
    public var field: String
    public var value: String

    public init(kind: String, field: String, value: String) {
        self.kind = kind
        self.field = field
        self.value = value
    }

    /// The canary typed into a field of each kind: fixed, so the same page gives the same report.
    public static let values: [String: String] = [
        "email": "Dragnet.Canary@example.com",
        "phone": "+1 555 010 4477",
        "name": "Dana Canarysson",
        "password": "Dn-canary-Pw7!",
    ]
}

/// A canary found in a request sent after typing, before any submit.
public struct CanaryLeak: Sendable, Hashable, Comparable {
    public var kind: String
    public var field: String
    /// `plain`, `urlencoded`, `base64`, `lowercase`, `md5`, `sha1`, `sha256`, `sha512`.
    public var encoding: String
    public var url: String
    public var host: String
    /// From the page's classified resources: the request's site and whether it is first-party.
    public var site: String?
    public var firstParty: Bool?

    public init(kind: String, field: String, encoding: String, url: String, host: String) {
        self.kind = kind
        self.field = field
        self.encoding = encoding
        self.url = url
        self.host = host
    }

    public static func < (lhs: CanaryLeak, rhs: CanaryLeak) -> Bool {
        (lhs.host, lhs.kind, lhs.field, lhs.encoding, lhs.url) < (rhs.host, rhs.kind, rhs.field, rhs.encoding, rhs.url)
    }
}

/// Finds canaries in requests, whatever the page did to them: as typed, lower-cased and trimmed
/// (digits only for a phone), URL-encoded, base64 (standard or URL-safe), or hashed (MD5, SHA-1,
/// SHA-256, SHA-512 of the typed or the normalised value).
public enum CanarySearch {
    struct Needle {
        var text: String
        var encoding: String
        var caseSensitive: Bool
    }

    static func needles(_ canary: Canary) -> [Needle] {
        let typed = canary.value
        let normalised = canary.kind == "phone"
            ? typed.filter(\.isNumber)
            : typed.trimmingCharacters(in: .whitespaces).lowercased()
        var needles: [Needle] = [Needle(text: typed, encoding: "plain", caseSensitive: false)]
        if normalised != typed.lowercased() { needles.append(Needle(text: normalised, encoding: "lowercase", caseSensitive: false)) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        for value in Set([typed, normalised]).sorted() {
            if let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed), encoded != value {
                needles.append(Needle(text: encoded, encoding: "urlencoded", caseSensitive: false))
                needles.append(Needle(text: encoded.replacingOccurrences(of: "%20", with: "+"), encoding: "urlencoded", caseSensitive: false))
            }
            let base64 = Data(value.utf8).base64EncodedString()
            let unpadded = String(base64.prefix { $0 != "=" })
            needles.append(Needle(text: unpadded, encoding: "base64", caseSensitive: true))
            let urlSafe = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            if urlSafe != unpadded { needles.append(Needle(text: urlSafe, encoding: "base64", caseSensitive: true)) }
            for name in Digest.names {
                if let hex = Digest.hex(name, value) { needles.append(Needle(text: hex, encoding: name, caseSensitive: false)) }
            }
        }
        return needles
    }

    /// Every (canary, encoding, request) found; the first encoding found per canary and request.
    public static func find(_ canaries: [Canary], in requests: [(url: String, body: String?)]) -> [CanaryLeak] {
        // Strongest evidence first (a hash says more about intent than an echo): sorted once, not per request.
        let prepared = canaries.map { canary in (canary, needles(canary).sorted { rank($0.encoding) < rank($1.encoding) }) }
        var leaks: [CanaryLeak] = []
        for request in requests {
            let haystack = request.url + "\n" + (request.body ?? "")
            let lowered = haystack.lowercased()
            guard let host = URL(string: request.url)?.host?.lowercased() else { continue }
            for (canary, needles) in prepared {
                let hit = needles.first { needle in
                    needle.caseSensitive ? haystack.contains(needle.text) : lowered.contains(needle.text.lowercased())
                }
                if let hit {
                    leaks.append(CanaryLeak(kind: canary.kind, field: canary.field, encoding: hit.encoding, url: request.url, host: host))
                }
            }
        }
        return leaks
    }

    static func rank(_ encoding: String) -> Int {
        ["sha256", "sha512", "sha1", "md5", "base64", "urlencoded", "lowercase", "plain"].firstIndex(of: encoding) ?? 99
    }
}
