/// Why a URL could not be fetched.
///
/// `code` comes from a short, documented list that scripts can rely on; `message`
/// is for people and never contains query strings, cookie values or bodies.
public struct FetchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code such as `dns` or `too-large`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, CaseIterable {
            case invalidURL = "invalid-url"
            case unsupportedScheme = "unsupported-scheme"
            case dns
            case connect
            case tls
            case timeout
            case tooManyRedirects = "too-many-redirects"
            case tooLarge = "too-large"
            case headersTooLarge = "headers-too-large"
            case connectionClosed = "connection-closed"
            case http2
            case proto = "protocol"
            case contentEncoding = "content-encoding"
            case cancelled
            case privateAddress = "private-address"
            case other
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input is not a URL (or its host is missing or malformed).
        public static let invalidURL = Code(.invalidURL)
        /// The URL, or a redirect, uses a scheme other than http or https.
        public static let unsupportedScheme = Code(.unsupportedScheme)
        /// The host name could not be resolved.
        public static let dns = Code(.dns)
        /// The TCP connection was refused or could not be made.
        public static let connect = Code(.connect)
        /// TLS handshake or certificate verification failed.
        public static let tls = Code(.tls)
        /// The transfer took longer than the timeout, or dripped below the low-speed limit.
        public static let timeout = Code(.timeout)
        /// More redirects than `--max-redirects` (a redirect loop ends here too).
        public static let tooManyRedirects = Code(.tooManyRedirects)
        /// The decoded body is larger than `--max-bytes`.
        public static let tooLarge = Code(.tooLarge)
        /// The response headers, over all hops, are larger than the header cap.
        public static let headersTooLarge = Code(.headersTooLarge)
        /// The server closed or reset the connection before the response was complete.
        public static let connectionClosed = Code(.connectionClosed)
        /// An HTTP/2 framing or stream error.
        public static let http2 = Code(.http2)
        /// The server's reply is not valid HTTP.
        public static let proto = Code(.proto)
        /// The body could not be decoded (broken gzip, brotli or zstd stream).
        public static let contentEncoding = Code(.contentEncoding)
        /// The fetch was cancelled before it finished.
        public static let cancelled = Code(.cancelled)
        /// A connection to a loopback, private, link-local … address was refused (no fetch into private networks).
        public static let privateAddress = Code(.privateAddress)
        /// Any other failure; `message` and `curlCode` say more.
        public static let other = Code(.other)

        /// Every code, in the documented order.
        public static var all: [Code] { Base.allCases.map(Code.init) }

        /// The code's spelling in JSON and on the command line.
        public var rawValue: String { base.rawValue }
        public var description: String { base.rawValue }

        public init?(rawValue: String) {
            guard let base = Base(rawValue: rawValue) else { return nil }
            self.base = base
        }
    }

    /// The stable error code.
    public var code: Code
    /// A human-readable explanation, free of query strings and cookie values.
    public var message: String
    /// libcurl's `CURLcode` when the error came from libcurl (the underlying cause).
    public var curlCode: Int?

    public init(code: Code, message: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { "\(code): \(message)" }
}
