/// What one page contains, as extraction found it. Host and site fields are
/// filled in by the classification stage (libpsl), not by the parser.
public struct Observations: Sendable, Hashable {
    /// Every resource the page loads or points the browser at, in document order.
    public var resources: [Resource] = []
    /// Inline `<script>` blocks, in document order.
    public var inlineScripts: [InlineScript] = []
    public var forms: [Form] = []
    /// Every `a[href]` and `area[href]`, in document order.
    public var links: [Link] = []
    /// Privacy-policy link candidates, best first.
    public var policyLinks: [PolicyLinkCandidate] = []
    public var meta = PageMeta()
    /// Requests the browser made (or a HAR holds) that a pixel decoder read, in request order.
    public var decoded: [DecodedRequest] = []
    /// Canaries the browser typed that requests sent before any submit.
    public var canaryLeaks: [CanaryLeak] = []
    /// CNAME chains of the page's first-party hosts (resolved unless `--no-dns`).
    public var cnames: [CNAMEChain] = []

    public init() {}
}

/// How a resource is referenced.
public enum ResourceKind: String, Sendable, Hashable, CaseIterable {
    case script
    case stylesheet
    case preload
    case modulepreload
    case prefetch
    case preconnect
    case dnsPrefetch = "dns-prefetch"
    case icon
    case manifest
    case image
    case iframe
    case frame
    case video
    case audio
    case source
    case track
    case object
    case embed
    case metaRefresh = "meta-refresh"
    /// A request a script made (XHR, fetch, beacon, WebSocket …), seen in the browser.
    case request
}

/// One URL the page loads or points the browser at.
public struct Resource: Sendable, Hashable {
    public var kind: ResourceKind
    /// The resolved URL (`data:` URLs are cut to their media type).
    public var url: String
    /// `http`, `https`, `data`, `blob`, `javascript` …
    public var scheme: String
    /// Lower-cased host, for network URLs.
    public var host: String?
    /// Registrable domain (eTLD+1) of `host`, set by classification.
    public var site: String?
    /// Whether `site` is the page's own site (or one the user declared theirs), set by classification.
    public var firstParty: Bool?
    /// The element and attribute it came from (`img@srcset`, `script@src`).
    public var element: String
    public var attribute: String
    /// Source line of the element (1-based).
    public var line: Int
    /// Inside `<noscript>` (pixels hide there).
    public var inNoscript: Bool = false
    /// An image of at most 2×2 pixels, or hidden by inline style.
    public var likelyPixel: Bool = false
    /// Named by a lazy-loading attribute (`data-src`, `data-rocket-src` …): a
    /// script library swaps it in after load or on interaction.
    public var lazy: Bool = false
    /// The filter-list rule that blocks it, when the audit ran with `--list`.
    public var blockedBy: String?
    /// Script flags.
    public var async: Bool = false
    public var deferred: Bool = false
    public var module: Bool = false
    public var integrity: String?
    /// Views that saw it besides the page's HTML: `browser` (a request the browser made). Empty: the HTML only.
    public var seenBy: [String] = []
    /// The script that made the request, when the browser says (its URL without the query).
    public var initiator: String?

    /// Whether the browser would fetch it over the network.
    public var isNetwork: Bool { scheme == "http" || scheme == "https" }

    public init(kind: ResourceKind, url: String, scheme: String, host: String?, element: String, attribute: String, line: Int) {
        self.kind = kind
        self.url = url
        self.scheme = scheme
        self.host = host
        self.element = element
        self.attribute = attribute
        self.line = line
    }
}

/// An inline `<script>` block.
public struct InlineScript: Sendable, Hashable {
    public var line: Int
    /// The `type` attribute, lower-cased (nil for classic scripts).
    public var type: String?
    public var size: Int
    public var sha256: String
    public var inNoscript: Bool = false
    /// The script text, kept for signature matching (not written to reports).
    public var text: String
    /// `browser` for a script only the rendered DOM has. Empty: the page's HTML.
    public var seenBy: [String] = []

    public init(line: Int, type: String?, size: Int, sha256: String, text: String) {
        self.line = line
        self.type = type
        self.size = size
        self.sha256 = sha256
        self.text = text
    }
}

/// Personal-data categories a form field can collect.
public enum DataCategory: String, Sendable, Hashable, CaseIterable, Comparable {
    case email
    case phone
    case name
    case postalAddress = "postal-address"
    case birthDate = "birth-date"
    case password
    case paymentCard = "payment-card"
    case governmentID = "government-id"
    case health
    case freeText = "free-text"
    case hidden
    case other

    public static func < (lhs: DataCategory, rhs: DataCategory) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A `<form>` and its fields.
public struct Form: Sendable, Hashable {
    /// Position among the page's forms (0-based).
    public var index: Int
    public var line: Int
    public var id: String?
    public var name: String?
    /// The resolved action URL (the page's own URL when the form has no action).
    public var action: String
    public var actionHost: String?
    public var actionSite: String?
    public var firstParty: Bool?
    /// `get` or `post` (lower-cased; `get` when absent, as in browsers).
    public var method: String
    public var fields: [FormField] = []

    /// The categories its fields collect, sorted, without duplicates.
    public var categories: [DataCategory] { Array(Set(fields.map(\.category))).sorted() }

    public init(index: Int, line: Int, action: String, method: String) {
        self.index = index
        self.line = line
        self.action = action
        self.method = method
    }
}

/// One field of a form. Values are never recorded.
public struct FormField: Sendable, Hashable {
    /// `input`, `select`, `textarea`.
    public var element: String
    public var type: String?
    public var name: String?
    public var id: String?
    public var autocomplete: String?
    public var placeholder: String?
    /// Text of the `<label>` that names it (by `for=` or by wrapping), or `aria-label`.
    public var label: String?
    public var category: DataCategory
    /// What decided the category: `autocomplete`, `type`, `name`, `label`, `placeholder`, or `default`.
    public var categorySource: String
    public var line: Int

    public init(element: String, line: Int) {
        self.element = element
        self.line = line
        self.category = .other
        self.categorySource = "default"
    }
}

/// An `a[href]` or `area[href]`.
public struct Link: Sendable, Hashable {
    public var url: String
    public var scheme: String
    public var host: String?
    public var site: String?
    public var firstParty: Bool?
    public var line: Int

    public init(url: String, scheme: String, host: String?, line: Int) {
        self.url = url
        self.scheme = scheme
        self.host = host
        self.line = line
    }
}

/// A link that may lead to the site's privacy policy.
public struct PolicyLinkCandidate: Sendable, Hashable {
    public var url: String
    /// Anchor text (whitespace collapsed, at most 200 characters).
    public var text: String
    /// Why it is a candidate: `rel`, `text:LANG`, `url`.
    public var reasons: [String]
    /// Higher is better; candidates are sorted by score, then document order.
    public var score: Int
    public var line: Int

    public init(url: String, text: String, reasons: [String], score: Int, line: Int) {
        self.url = url
        self.text = text
        self.reasons = reasons
        self.score = score
        self.line = line
    }
}

/// Page-level metadata.
public struct PageMeta: Sendable, Hashable {
    public var title: String?
    /// `<base href>`, resolved.
    public var baseHref: String?
    /// `<link rel=canonical>`, resolved.
    public var canonical: String?
    /// `<meta name=referrer>`.
    public var referrerPolicy: String?
    /// Content-Security-Policy from `<meta http-equiv>`.
    public var contentSecurityPolicy: String?
    /// The charset the page declares in `<meta>`.
    public var declaredCharset: String?
    /// Site-verification tags (`facebook-domain-verification`, `google-site-verification` …), name → values.
    public var verifications: [String: [String]] = [:]
    /// `twitter:*` tags, name → values.
    public var twitter: [String: [String]] = [:]
    /// `og:*` and other `property=` tags in the Open Graph family, name → values.
    public var openGraph: [String: [String]] = [:]
    /// Directives for crawlers, name → values: `robots`, a crawler's own name (`gptbot`,
    /// `googlebot`, `ccbot` …) and the TDM Reservation Protocol's `tdm-reservation` and `tdm-policy`.
    public var robots: [String: [String]] = [:]

    public init() {}
}

/// A host's CNAME chain, or why there is none.
public struct CNAMEChain: Sendable, Hashable {
    public var host: String
    /// The names the host points at, in order (empty: no CNAME).
    public var chain: [String]
    /// `nxdomain`, `timeout`, `malformed answer`, `CNAME loop`, or nil.
    public var error: String?

    public init(host: String, chain: [String], error: String? = nil) {
        self.host = host
        self.chain = chain
        self.error = error
    }
}

