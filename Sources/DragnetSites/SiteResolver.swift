import CLibPSL
import DragnetCore

/// Maps hosts to sites: the registrable domain (eTLD+1) from the Public Suffix
/// List through libpsl. `www.tiktok.com` → `tiktok.com`, `a.b.co.uk` → `b.co.uk`,
/// `user.github.io` → `user.github.io` (github.io is a public suffix).
///
/// IP addresses and hosts without a registrable domain (`localhost`, a bare
/// public suffix) are their own site. Lookups are thread-safe.
public final class SiteResolver: @unchecked Sendable {
    // psl_ctx_t is immutable once loaded; libpsl's lookups only read it.
    private let context: OpaquePointer
    private let owned: Bool
    /// Where the list came from: a path, or `builtin`.
    public let source: String

    /// Loads the Public Suffix List: `path` when given (a `.dat` file), else the
    /// system's list when it is newer than libpsl's built-in one.
    public init(listPath path: String? = nil) throws(SiteError) {
        if let path {
            guard let loaded = psl_load_file(path) else { throw SiteError(message: "cannot load public suffix list \(path)") }
            context = loaded
            owned = true
            source = path
        } else if let latest = psl_latest(nil) {
            context = latest
            owned = true
            source = psl_dist_filename().map { String(cString: $0) } ?? "system"
        } else if let builtin = psl_builtin() {
            context = builtin
            owned = false
            source = "builtin"
        } else {
            throw SiteError(message: "libpsl has no public suffix list")
        }
    }

    deinit {
        if owned { psl_free(context) }
    }

    /// The site of `host` (lower-cased).
    public func site(of host: String) -> String {
        var host = host.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        if host.isEmpty || Self.isIPAddress(host) { return host }
        // psl_registrable_domain returns a pointer into its argument: copy inside the closure.
        let site: String? = host.withCString { pointer in
            guard let result = psl_registrable_domain(context, pointer) else { return nil }
            return String(cString: result)
        }
        return site ?? host
    }

    /// Whether `host` is itself a public suffix (`co.uk`, `github.io`).
    public func isPublicSuffix(_ host: String) -> Bool {
        host.lowercased().withCString { psl_is_public_suffix2(context, $0, Int32(PSL_TYPE_ANY)) != 0 }
    }

    static func isIPAddress(_ host: String) -> Bool {
        if host.hasPrefix("[") || host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
    }
}

/// A cache in front of a `SiteResolver`, for one worker (not shared between threads).
public struct SiteCache {
    public let resolver: SiteResolver
    private var cache: [String: String] = [:]

    public init(_ resolver: SiteResolver) {
        self.resolver = resolver
    }

    private var urlHosts: [String: String?] = [:]

    /// The host of an absolute URL (cached: a page's resources share its URL as their source).
    public mutating func host(ofURL url: String) -> String? {
        if let cached = urlHosts[url] { return cached }
        let host = Self.hostOf(url)
        if urlHosts.count > 10_000 { urlHosts.removeAll(keepingCapacity: true) }
        urlHosts[url] = host
        return host
    }

    static func hostOf(_ url: String) -> String? {
        let bytes = Array(url.utf8)
        guard let range = ByteSearch.hostRange(ofURL: bytes), !range.isEmpty else { return nil }
        return String(decoding: bytes[range], as: UTF8.self).lowercased()
    }

    public mutating func site(of host: String) -> String {
        if let site = cache[host] { return site }
        let site = resolver.site(of: host)
        if cache.count > 50_000 { cache.removeAll(keepingCapacity: true) }
        cache[host] = site
        return site
    }
}

public struct SiteError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
