import DragnetCore
import Foundation

/// Limits and behaviour of a fetch. Every field has a default, so new options
/// never break callers.
public struct FetchOptions: Sendable, Hashable {
    /// Transfers in flight at once.
    public var concurrency: Int = 32
    /// Transfers in flight to one host (`host:port`) at once.
    public var perHost: Int = 6
    /// Whole-transfer timeout in seconds, redirects and retries' individual attempts each.
    public var timeout: Double = 30
    /// Connect timeout in seconds (DNS, TCP and TLS).
    public var connectTimeout: Double = 10
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is ended (`timeout`).
    public var lowSpeedLimit: Int = 100
    public var lowSpeedTime: Int = 10
    /// Redirects followed before `too-many-redirects`.
    public var maxRedirects: Int = 10
    /// Cap on the decoded body, so a compression bomb cannot exhaust memory.
    public var maxBytes: Int = 10 * 1024 * 1024
    /// A body longer than `maxBytes` is cut there and the transfer succeeds with
    /// `FetchResult.truncated` (robots.txt: RFC 9309 reads the first 500 KiB), instead of `too-large`.
    public var truncateBody: Bool = false
    /// Cap on all response header bytes of a transfer, over every hop.
    public var maxHeaderBytes: Int = 256 * 1024
    /// Retries after a connection reset or a 429, 502, 503 or 504.
    public var retries: Int = 2
    /// First backoff delay in seconds; it doubles on each retry.
    public var retryBackoff: Double = 0.5
    /// The longest `Retry-After` honoured, in seconds.
    public var maxRetryAfter: Double = 30
    /// The `User-Agent` header.
    public var userAgent: String = FetchOptions.defaultUserAgent
    /// Keep cookie values in `ResponseCookie.value` and in `Set-Cookie` headers.
    public var includeCookieValues: Bool = false

    /// Transfer loops (each a libcurl multi handle on its own thread) sharing the
    /// work; up to two by default. More loops help when a single thread cannot
    /// keep up with a fast network (loopback, data centres).
    public var loops: Int = min(2, ProcessInfo.processInfo.activeProcessorCount)

    /// Keep each body in `FetchResult.body` for the next stage. Without it only
    /// the first 8 KiB are kept (for charset sniffing), and each loop hashes the
    /// bytes as they arrive, which saves a copy of every body.
    public var keepBody: Bool = true

    /// Compute the SHA-256 of every body (`FetchResult.sha256`). Hashing is the
    /// largest CPU cost of a fetch on a fast network; turn it off when digests are not needed.
    public var computeDigest: Bool = true

    /// `HOST:PORT:CONNECT-HOST:CONNECT-PORT` entries (curl's `--connect-to`, libcurl's
    /// `CURLOPT_CONNECT_TO`): requests to HOST:PORT connect to CONNECT-HOST:CONNECT-PORT
    /// instead, keeping the URL, the `Host` header and TLS SNI. An empty HOST or PORT
    /// matches any. Checked with `ConnectTo.validate` before a session starts.
    public var connectTo: [String] = []

    /// Skip TLS certificate and host-name verification (curl's `-k`).
    public var insecure: Bool = false

    /// Connect to loopback, private, link-local and other non-public addresses too
    /// (`--allow-private`). Off: such a connection is refused with `private-address`, whether
    /// a redirect, a discovered URL or a DNS answer leads there; only `--connect-to` targets and
    /// `privateHostsNamed` are reached.
    public var allowPrivateAddresses: Bool = false
    /// `HOST:PORT:ADDRESS` entries (curl's `--resolve`, libcurl's `CURLOPT_RESOLVE`): the name
    /// resolves to ADDRESS, as a DNS answer would; the private-network guard still applies.
    public var resolve: [String] = []
    /// Hosts the user named (inputs) that are loopback or private address literals or
    /// `localhost`: URLs on them may be fetched. A name that merely resolves to a private
    /// address is not one of them (DNS rebinding).
    public var privateHostsNamed: Set<String> = []

    /// Adds the hosts of `urls` that are private literals or localhost names to `privateHostsNamed`.
    public mutating func allowPrivateHostsNamed(in urls: some Sequence<String>) {
        for url in urls {
            guard let host = URLCredentials.host(of: url) else { continue }
            if host == "localhost" || host.hasSuffix(".localhost") || AddressGuard.kind(of: host) != nil { privateHostsNamed.insert(host) }
        }
    }

    /// Keep the DNS names of each page's TLS certificate (`FetchResult.certificateNames`): a
    /// first-party signal. Off for containers and policies, which need no such thing.
    public var certificateNames: Bool = false

    public init() {}

    /// `dragnet/VERSION (+homepage)`.
    public static let defaultUserAgent = "\(Dragnet.name)/\(Dragnet.version) (+\(Dragnet.homepage))"
}
