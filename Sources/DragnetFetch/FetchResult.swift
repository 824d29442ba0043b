public import DragnetCore

/// Everything recorded about one fetched URL.
///
/// A 404 or 500 is a result with its `status`; `error` is set only when no
/// complete response arrived (or the input was not a fetchable URL).
public struct FetchResult: Sendable, Hashable {
    /// The request's position in the input (0-based); results stream out of order.
    public var id: Int
    /// The URL exactly as given (trimmed).
    public var url: String
    /// The line number in the input file, when the URL came from a file or stdin.
    public var line: Int?
    /// The normalised URL that was requested (a bare host becomes `https://host/`).
    public var requestURL: String?
    /// The URL of the last response, after redirects.
    public var finalURL: String?
    /// The HTTP status of the last response.
    public var status: Int?
    /// `1.0`, `1.1`, `2` or `3`.
    public var httpVersion: String?
    /// The IP address the last response came from.
    public var remoteIP: String?
    /// The DNS names of the page's TLS certificate (with `FetchOptions.certificateNames`).
    public var certificateNames: [String] = []
    /// Every redirect response before the last one, in order.
    public var redirectChain: [RedirectHop]
    /// Headers of the last response.
    public var headers: HTTPHeaders
    /// Cookies set by every hop, in order.
    public var cookies: [ResponseCookie]
    /// The `Content-Type` of the last response.
    public var contentType: String?
    /// The body's character set, and where it was found.
    public var charset: String?
    public var charsetSource: CharsetSource?
    /// Size of the decoded body in bytes.
    public var bytes: Int
    /// SHA-256 of the decoded body (hex), when a body was received.
    public var sha256: String?
    /// Phase timings in milliseconds.
    public var timings: Timings?
    /// How many times the URL was requested (1 + retries).
    public var attempts: Int
    /// When the last response's headers arrived, in seconds since 1970.
    public var responseTime: Double?
    /// Why the fetch failed, if it did.
    public var error: FetchError?
    /// The decoded body, kept for the next stage (not part of the JSON encoding).
    public var body: [UInt8]
    /// The body was cut at `FetchOptions.maxBytes` (only with `truncateBody`).
    public var truncated = false

    public init(id: Int, url: String, line: Int? = nil) {
        self.id = id
        // Credentials in the input are sent, never kept: reports and logs are made from results.
        self.url = URLCredentials.strip(url)
        self.line = line
        self.redirectChain = []
        self.headers = HTTPHeaders()
        self.cookies = []
        self.bytes = 0
        self.attempts = 0
        self.body = []
    }

    /// A result that failed before any request was made.
    public static func failed(id: Int, url: String, line: Int?, error: FetchError) -> FetchResult {
        var result = FetchResult(id: id, url: url, line: line)
        result.error = error
        return result
    }

    /// Whether a response arrived (any status) without a transfer error.
    public var succeeded: Bool { error == nil && status != nil }
}

/// One redirect response in a chain.
public struct RedirectHop: Sendable, Hashable {
    public var url: String
    public var status: Int
    /// The `Location` header, as sent.
    public var location: String?
    public var headers: HTTPHeaders

    public init(url: String, status: Int, location: String?, headers: HTTPHeaders) {
        self.url = url
        self.status = status
        self.location = location
        self.headers = headers
    }
}

/// Where the character set of a body was found.
public typealias CharsetSource = Charset.Source

/// Phase timings in milliseconds, as libcurl measured the last request.
public struct Timings: Sendable, Hashable {
    /// Name resolution.
    public var dns: Double
    /// TCP connect, after resolution.
    public var connect: Double
    /// TLS handshake, after connect (0 for plain HTTP or a reused connection).
    public var tls: Double
    /// From the start of the last request to its first response byte.
    public var ttfb: Double
    /// Time spent on redirects before the last request.
    public var redirect: Double
    /// The whole transfer, redirects included.
    public var total: Double

    public init(dns: Double, connect: Double, tls: Double, ttfb: Double, redirect: Double, total: Double) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.ttfb = ttfb
        self.redirect = redirect
        self.total = total
    }
}

/// A cookie from a `Set-Cookie` header, parsed as RFC 6265 §5.2 describes.
public struct ResponseCookie: Sendable, Hashable {
    public var name: String
    /// The value; left out unless the caller asked for cookie values.
    public var value: String?
    /// The `Domain` attribute without its leading dot, or the hop's host for a host-only cookie.
    public var domain: String
    /// True when the cookie had no `Domain` attribute.
    public var hostOnly: Bool
    public var path: String
    /// Seconds from the response time until expiry (`Max-Age` wins over `Expires`);
    /// nil for a session cookie; zero or negative deletes the cookie.
    public var expiresIn: Double?
    public var secure: Bool
    public var httpOnly: Bool
    /// `Strict`, `Lax` or `None` as sent (normalised capitalisation), nil when absent.
    public var sameSite: String?
    public var partitioned: Bool
    /// The URL of the response that set it.
    public var url: String
    /// Index of that response in the chain (0 = the first request).
    public var hop: Int

    public init(
        name: String, value: String?, domain: String, hostOnly: Bool, path: String,
        expiresIn: Double?, secure: Bool, httpOnly: Bool, sameSite: String?,
        partitioned: Bool, url: String, hop: Int
    ) {
        self.name = name
        self.value = value
        self.domain = domain
        self.hostOnly = hostOnly
        self.path = path
        self.expiresIn = expiresIn
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.partitioned = partitioned
        self.url = url
        self.hop = hop
    }
}
