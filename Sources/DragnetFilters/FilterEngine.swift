import CSupport
import DragnetCore
public import DragnetSites
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The outcome of matching one request.
public struct FilterDecision: Sendable, Hashable {
    public var blocked: Bool
    /// The filter that decided: the blocking filter, the exception that allowed it, or nil.
    public var filter: String?
    /// The URL has no `scheme://host`, so no filter could apply (it is allowed).
    public var noHost: Bool

    public init(blocked: Bool, filter: String?, noHost: Bool = false) {
        self.blocked = blocked
        self.filter = filter
        self.noHost = noHost
    }
}

/// One request to classify.
public struct FilterRequest: Sendable {
    public var url: String
    public var sourceURL: String?
    public var type: RequestType

    public init(url: String, sourceURL: String? = nil, type: RequestType = .other) {
        self.url = url
        self.sourceURL = sourceURL
        self.type = type
    }
}

/// An immutable, compiled set of network filters with a token index, in the
/// manner of adblock-rust: each filter is filed under the rarest token it must
/// contain as a whole word, so a request is tested only against filters whose
/// token occurs in its URL (plus the few filters with no usable token).
public final class FilterEngine: @unchecked Sendable {
    /// A filter ready to match, with the fields the hot path reads flattened out
    /// (copying a whole `NetworkFilter` per candidate cost a quarter of match time in retains).
    struct Compiled {
        let filter: NetworkFilter
        let types: UInt16
        let thirdParty: Int8  // -1 any, 0 first-party, 1 third-party
        let matchCase: Bool
        let leftAnchor: NetworkFilter.Anchor
        let rightAnchor: Bool
        let hasDomains: Bool
        /// This filter's `*`-separated segments: indices into the engine's segment table.
        var firstSegment: Int32 = 0
        var segmentCount: Int32 = 0
        let regex: NSRegularExpression?
        /// A literal every URL the regex matches must contain (lower-case), checked first.
        let regexLiteral: [UInt8]?

        init(filter: NetworkFilter, regex: NSRegularExpression?) {
            self.filter = filter
            self.types = filter.types
            self.thirdParty = filter.thirdParty.map { $0 ? 1 : 0 } ?? -1
            self.matchCase = filter.matchCase
            self.leftAnchor = filter.leftAnchor
            self.rightAnchor = filter.rightAnchor
            self.hasDomains = !filter.includeDomains.isEmpty || !filter.excludeDomains.isEmpty
            self.regex = regex
            self.regexLiteral = filter.isRegex ? FilterEngine.requiredLiteral(ofRegex: filter.pattern) : nil
        }
    }

    private let filters: ContiguousArray<Compiled>
    private let table: TokenTable
    /// The compiled filters in list order, as the cache stores them.
    let keptFilters: [NetworkFilter]
    /// The token each kept filter is filed under (0: none), stored in the cache.
    let chosenTokens: [UInt64]
    /// Every pattern segment's bytes, back to back, and (offset, length) per segment:
    /// matching reads them through unsafe buffers, so it retains nothing.
    private let patternBytes: ContiguousArray<UInt8>
    /// The fields every candidate check reads, as arrays of plain values (struct-of-arrays):
    /// reading them through a `Compiled` element retained its strings and arrays each time.
    private let hot: ContiguousArray<Hot>

    /// Every `$domain=` entry, back to back: (offset, length, flags) with flags 1 = excluded, 2 = `name.*`.
    private let domainBytes: ContiguousArray<UInt8>
    private let domainTable: ContiguousArray<SIMD3<Int32>>
    /// Each domain entry's FNV-1a hash (0 for `name.*` entries).
    private let domainHashes: ContiguousArray<UInt64>

    struct Hot {
        var firstDomain: Int32 = 0
        var domainCount: Int32 = 0
        /// The first `hashedDomainCount` domain entries are plain names sorted by hash.
        var hashedDomainCount: Int32 = 0
        var types: UInt16
        var thirdParty: Int8
        var flags: UInt8  // 1 matchCase, 2 rightAnchor, 4 hasDomains, 8 regex, 16 has included domains
        var leftAnchor: NetworkFilter.Anchor
        var firstSegment: Int32
        var segmentCount: Int32
    }
    private let segmentTable: ContiguousArray<SIMD2<Int32>>
    public let counts: FilterParser.Counts
    private let sites: SiteResolver

    /// Filters by token for the three kinds (important, blocking, exception) in one
    /// open-addressing table: one probe per URL token finds all three candidate
    /// lists, as ranges of a flat array (no copies, no retains, no SipHash).
    struct TokenTable {
        static let kinds = 3
        private var keys: [UInt64]
        /// For slot `s` and kind `k`: `ranges[(s * 3 + k) * 2]` start, `+ 1` end in `entries`.
        private var ranges: [Int32]
        private(set) var entries: ContiguousArray<Int32> = []
        private let mask: Int
        /// Filters filed under no token, per kind and request type (`kind * types + type.index`):
        /// a request is checked only against those that can apply to its type.
        var fallback: [ContiguousArray<Int32>] = []

        init(_ lists: [[UInt64: [Int32]]], fallback: [[Int32]], hot: ContiguousArray<Hot>) {
            var tokens = Set<UInt64>()
            for list in lists { tokens.formUnion(list.keys) }
            var capacity = 16
            while capacity < tokens.count * 2 { capacity <<= 1 }
            mask = capacity - 1
            keys = [UInt64](repeating: 0, count: capacity)
            ranges = [Int32](repeating: 0, count: capacity * Self.kinds * 2)
            for token in tokens {
                var slot = Int(truncatingIfNeeded: token) & mask
                while keys[slot] != 0 { slot = (slot + 1) & mask }
                keys[slot] = token == 0 ? 1 : token
                for kind in 0..<Self.kinds {
                    let list = lists[kind][token] ?? []
                    ranges[(slot * Self.kinds + kind) * 2] = Int32(entries.count)
                    entries.append(contentsOf: list)
                    ranges[(slot * Self.kinds + kind) * 2 + 1] = Int32(entries.count)
                }
            }
            self.fallback = []
            for list in fallback {
                for type in RequestType.allCases {
                    self.fallback.append(ContiguousArray(list.filter { hot[Int($0)].types & type.bit != 0 }))
                }
            }
        }

        /// The slot of `token`, or nil.
        @inline(__always) func slot(_ token: UInt64) -> Int? {
            let key = token == 0 ? 1 : token
            var slot = Int(truncatingIfNeeded: key) & mask
            while true {
                let stored = keys[slot]
                if stored == key { return slot }
                if stored == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }

        @inline(__always) func range(_ slot: Int, _ kind: Int) -> Range<Int> {
            Int(ranges[(slot * Self.kinds + kind) * 2])..<Int(ranges[(slot * Self.kinds + kind) * 2 + 1])
        }
    }

    /// Compiles parsed filters. `$badfilter` filters remove the filters they name.
    public convenience init(_ parser: FilterParser, sites: SiteResolver) {
        let badFilters = parser.filters.filter(\.badfilter)
        let bad = Set(badFilters.map(\.identity))
        let badPatterns = Set(badFilters.map(\.pattern))
        let kept = parser.filters.filter { !$0.badfilter && !(badPatterns.contains($0.pattern) && bad.contains($0.identity)) }
        self.init(kept: kept, counts: parser.counts, sites: sites)
    }

    /// Compiles filters that `$badfilter` has already been applied to (from a parser or the cache).
    /// - Parameter tokens: each kept filter's index token (0 for none), as `chosenTokens`
    ///   recorded them; computed when nil (the cache stores them to skip that work).
    init(kept: [NetworkFilter], counts: FilterParser.Counts, sites: SiteResolver, tokens: [UInt64]? = nil) {
        self.sites = sites
        self.counts = counts
        self.keptFilters = kept

        var compiled: [Compiled] = []
        compiled.reserveCapacity(kept.count)
        var keptIndex: [Int] = []
        var tokenLists: [[UInt64]] = []
        var frequency: [UInt64: Int] = [:]
        for (index, filter) in kept.enumerated() {
            var regex: NSRegularExpression?
            if filter.isRegex {
                // A regex that can backtrack exponentially is dropped like an invalid one (RegexSafety).
                if RegexSafety.problem(filter.pattern) != nil { continue }
                regex = try? NSRegularExpression(pattern: filter.pattern, options: filter.matchCase ? [] : [.caseInsensitive])
                if regex == nil { continue }
            }
            let entry = Compiled(filter: filter, regex: regex)
            compiled.append(entry)
            keptIndex.append(index)
            if tokens == nil {
                let candidates = filter.isRegex ? Self.regexTokens(literal: entry.regexLiteral) : Self.wholeTokens(filter)
                tokenLists.append(candidates)
                for token in Set(candidates) { frequency[token, default: 0] += 1 }
            }
        }
        var lists: [[UInt64: [Int32]]] = [[:], [:], [:]]
        var fallbacks: [[Int32]] = [[], [], []]
        // Tokens nearly every URL contains make poor keys: file a filter under one only as a last resort.
        let common = Set(["http", "https", "www", "com", "net", "org", "js", "html", "php", "cdn", "static", "img",
                          "images", "assets", "min", "css", "jpg", "png", "gif", "co", "uk", "de", "io", "api", "en"].map { Self.hash(Array($0.utf8)) })
        func cost(_ token: UInt64) -> Int { frequency[token, default: 0] + (common.contains(token) ? 1_000_000 : 0) }
        var chosen = [UInt64](repeating: 0, count: kept.count)
        for (index, entry) in compiled.enumerated() {
            let best: UInt64?
            if let tokens {
                best = tokens[keptIndex[index]] == 0 ? nil : tokens[keptIndex[index]]
            } else {
                best = tokenLists[index].min { cost($0) < cost($1) }
            }
            chosen[keptIndex[index]] = best ?? 0
            let kind = entry.filter.isException ? 2 : entry.filter.important ? 0 : 1
            if let best { lists[kind][best, default: []].append(Int32(index)) } else { fallbacks[kind].append(Int32(index)) }
        }
        self.chosenTokens = chosen
        var bytes = ContiguousArray<UInt8>()
        var table = ContiguousArray<SIMD2<Int32>>()
        for index in compiled.indices where !compiled[index].filter.isRegex {
            compiled[index].firstSegment = Int32(table.count)
            for segment in compiled[index].filter.pattern.utf8.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false) {
                table.append(SIMD2(Int32(bytes.count), Int32(segment.count)))
                bytes.append(contentsOf: segment)
            }
            compiled[index].segmentCount = Int32(table.count) - compiled[index].firstSegment
        }
        self.patternBytes = bytes
        self.segmentTable = table
        var domainBytes = ContiguousArray<UInt8>()
        var domainTable = ContiguousArray<SIMD3<Int32>>()
        var domainHashes = ContiguousArray<UInt64>()
        var domainRanges: [(first: Int32, count: Int32, hashed: Int32)] = []
        for entry in compiled {
            let first = Int32(domainTable.count)
            // Plain names sorted by hash (found by binary search for each suffix of the
            // source host), then `name.*` entries (checked one by one).
            var plain: [(hash: UInt64, name: String, flags: Int32)] = []
            var entities: [(name: String, flags: Int32)] = []
            for (domains, excluded) in [(entry.filter.includeDomains, false), (entry.filter.excludeDomains, true)] {
                for domain in domains {
                    if domain.hasSuffix(".*") {
                        entities.append((String(domain.dropLast(2)), (excluded ? 1 : 0) | 2))
                    } else {
                        plain.append((Self.hash(domain.utf8), domain, excluded ? 1 : 0))
                    }
                }
            }
            plain.sort { ($0.hash, $0.flags) < ($1.hash, $1.flags) }
            for (hash, name, flags) in plain {
                domainTable.append(SIMD3(Int32(domainBytes.count), Int32(name.utf8.count), flags))
                domainHashes.append(hash)
                domainBytes.append(contentsOf: name.utf8)
            }
            for (name, flags) in entities {
                domainTable.append(SIMD3(Int32(domainBytes.count), Int32(name.utf8.count), flags))
                domainHashes.append(0)
                domainBytes.append(contentsOf: name.utf8)
            }
            domainRanges.append((first, Int32(domainTable.count) - first, Int32(plain.count)))
        }
        self.domainBytes = domainBytes
        self.domainTable = domainTable
        self.domainHashes = domainHashes
        self.hot = ContiguousArray(compiled.enumerated().map { index, entry in
            Hot(
                firstDomain: domainRanges[index].first, domainCount: domainRanges[index].count,
                hashedDomainCount: domainRanges[index].hashed,
                types: entry.types, thirdParty: entry.thirdParty,
                flags: (entry.matchCase ? 1 : 0) | (entry.rightAnchor ? 2 : 0) | (entry.hasDomains ? 4 : 0) | (entry.filter.isRegex ? 8 : 0)
                    | (entry.filter.includeDomains.isEmpty ? 0 : 16),
                leftAnchor: entry.leftAnchor, firstSegment: entry.firstSegment, segmentCount: entry.segmentCount)
        })
        self.filters = ContiguousArray(compiled)
        self.table = TokenTable(lists, fallback: fallbacks, hot: hot)
        self.unindexedFilterCount = fallbacks.reduce(0) { $0 + $1.count }
    }

    public var filterCount: Int { filters.count }
    /// How many filters are filed under no token (checked for every request of their types).
    let unindexedFilterCount: Int
    /// Whether the engine came from the on-disk cache.
    public internal(set) var loadedFromCache = false

    // MARK: - Matching

    /// Classifies one request: important blocking filters win, then blocking
    /// filters unless an exception matches.
    public func match(_ request: FilterRequest, cache: inout SiteCache) -> FilterDecision {
        var scratch = MatchScratch()
        return match(request, cache: &cache, scratch: &scratch)
    }

    /// Classifies one request, reusing `scratch`'s buffers (and its memory of the last
    /// source URL) from the previous call: the form for classifying many requests.
    public func match(_ request: FilterRequest, cache: inout SiteCache, scratch: inout MatchScratch) -> FilterDecision {
        guard scratch.prepared.load(request, cache: &cache) else { return FilterDecision(blocked: false, filter: nil, noHost: true) }
        scratch.prepared.slots.removeAll(keepingCapacity: true)
        for token in scratch.prepared.tokens {
            if let slot = table.slot(token) { scratch.prepared.slots.append(slot) }
        }
        let (important, block, exception) = withContext(scratch.prepared) { context, request -> (Int?, Int?, Int?) in
            if let hit = first(kind: 0, context, request) { return (hit, nil, nil) }
            guard let block = first(kind: 1, context, request) else { return (nil, nil, nil) }
            return (nil, block, first(kind: 2, context, request))
        }
        if let important { return FilterDecision(blocked: true, filter: filters[important].filter.text) }
        guard let block else { return FilterDecision(blocked: false, filter: nil) }
        if let exception { return FilterDecision(blocked: false, filter: filters[exception].filter.text) }
        return FilterDecision(blocked: true, filter: filters[block].filter.text)
    }

    /// Buffers one matcher reuses from request to request (no allocation per request once warm).
    public struct MatchScratch {
        var prepared = Prepared()
        public init() {}
    }

    /// A request taken apart for matching, in buffers kept from one request to the next.
    struct Prepared {
        var lower: [UInt8] = []
        var original: [UInt8] = []
        var hostStart = 0
        var hostEnd = 0
        var sourceHost: [UInt8] = []
        /// The hash and start of each suffix of the source host at a label boundary
        /// (`a.b.example`, `b.example`, `example`).
        var sourceSuffixes: [SIMD2<UInt64>] = []
        var thirdParty = true
        var type = RequestType.other
        var tokens: [UInt64] = []
        /// Table slots of the tokens that any filter is filed under.
        var slots: [Int] = []
        /// The last source URL seen, its host's site, and whether it had a host:
        /// consecutive requests mostly share their page.
        private var lastSource: String?
        private var lastSourceSite = ""
        private var lastHost: [UInt8] = []
        private var lastHostSite = ""

        init() {}

        /// Takes `request` apart; false when its URL has no `scheme://host`.
        mutating func load(_ request: FilterRequest, cache: inout SiteCache) -> Bool {
            original.removeAll(keepingCapacity: true)
            original.append(contentsOf: request.url.utf8)
            lower.removeAll(keepingCapacity: true)
            lower.reserveCapacity(original.count)
            for byte in original { lower.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte) }
            guard let hostRange = ByteSearch.hostRange(ofURL: lower), !hostRange.isEmpty else { return false }
            hostStart = hostRange.lowerBound
            hostEnd = hostRange.upperBound
            if request.sourceURL != lastSource {
                lastSource = request.sourceURL
                let source = request.sourceURL.flatMap { cache.host(ofURL: $0) } ?? ""
                sourceHost.removeAll(keepingCapacity: true)
                sourceHost.append(contentsOf: source.utf8)
                sourceSuffixes.removeAll(keepingCapacity: true)
                var start = 0
                while start < sourceHost.count {
                    sourceSuffixes.append(SIMD2(FilterEngine.hash(sourceHost[start...]), UInt64(start)))
                    while start < sourceHost.count, sourceHost[start] != 0x2E { start += 1 }
                    start += 1
                }
                lastSourceSite = source.isEmpty ? "" : cache.site(of: source)
            }
            if sourceHost.isEmpty {
                thirdParty = true
            } else if lower[hostStart..<hostEnd].elementsEqual(sourceHost) {
                thirdParty = false
            } else {
                if !lower[hostStart..<hostEnd].elementsEqual(lastHost) {
                    lastHost.removeAll(keepingCapacity: true)
                    lastHost.append(contentsOf: lower[hostStart..<hostEnd])
                    lastHostSite = cache.site(of: String(decoding: lastHost, as: UTF8.self))
                }
                thirdParty = lastHostSite != lastSourceSite
            }
            type = request.type
            Self.tokenize(lower, into: &tokens)
            return true
        }

        static func tokenize(_ bytes: [UInt8], into tokens: inout [UInt64]) {
            tokens.removeAll(keepingCapacity: true)
            var hash = FilterEngine.hashSeed
            var length = 0
            for byte in bytes {
                if FilterEngine.isTokenByte(byte) {
                    hash = FilterEngine.hash(hash, byte)
                    length += 1
                } else if length > 0 {
                    tokens.append(hash)
                    hash = FilterEngine.hashSeed
                    length = 0
                }
            }
            if length > 0 { tokens.append(hash) }
        }
    }

    /// Tokens are keyed by their FNV-1a hash, computed the same way for filters and URLs.
    static let hashSeed: UInt64 = 0xcbf29ce484222325

    @inline(__always) static func hash(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x100000001b3
    }

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(hashSeed, hash)
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || byte == 0x25
    }

    /// Runs `body` with every table borrowed as an unsafe buffer, once per request.
    private func withContext<R>(_ request: Prepared, _ body: (MatchContext, Prepared) -> R) -> R {
        hot.withUnsafeBufferPointer { hot in
            table.entries.withUnsafeBufferPointer { entries in
                patternBytes.withUnsafeBufferPointer { bytes in
                    segmentTable.withUnsafeBufferPointer { segments in
                        request.lower.withUnsafeBufferPointer { lower in
                            request.original.withUnsafeBufferPointer { original in
                                domainBytes.withUnsafeBufferPointer { domainBytes in
                                    domainTable.withUnsafeBufferPointer { domains in
                                        domainHashes.withUnsafeBufferPointer { domainHashes in
                                            request.sourceHost.withUnsafeBufferPointer { source in
                                                request.sourceSuffixes.withUnsafeBufferPointer { suffixes in
                                                    body(MatchContext(
                                                        hot: hot, entries: entries, bytes: bytes, domainBytes: domainBytes, domains: domains,
                                                        domainHashes: domainHashes, source: source, sourceSuffixes: suffixes,
                                                        segments: segments, lower: lower, original: original), request)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func first(kind: Int, _ context: MatchContext, _ request: Prepared) -> Int? {
        for slot in request.slots {
            for position in table.range(slot, kind) where matches(context, Int(context.entries[position]), request) {
                return Int(context.entries[position])
            }
        }
        for candidate in table.fallback[kind * RequestType.count + request.type.index] where matches(context, Int(candidate), request) {
            return Int(candidate)
        }
        return nil
    }

    /// Everything one request is matched against, borrowed for the duration of the match.
    struct MatchContext {
        let hot: UnsafeBufferPointer<Hot>
        let entries: UnsafeBufferPointer<Int32>
        let bytes: UnsafeBufferPointer<UInt8>
        let domainBytes: UnsafeBufferPointer<UInt8>
        let domains: UnsafeBufferPointer<SIMD3<Int32>>
        let domainHashes: UnsafeBufferPointer<UInt64>
        /// The source page's host (empty when the request has none).
        let source: UnsafeBufferPointer<UInt8>
        let sourceSuffixes: UnsafeBufferPointer<SIMD2<UInt64>>
        let segments: UnsafeBufferPointer<SIMD2<Int32>>
        let lower: UnsafeBufferPointer<UInt8>
        let original: UnsafeBufferPointer<UInt8>
    }

    private func matches(_ context: MatchContext, _ index: Int, _ request: Prepared) -> Bool {
        let hot = context.hot[index]
        guard hot.types & request.type.bit != 0 else { return false }
        if hot.thirdParty >= 0, (hot.thirdParty == 1) != request.thirdParty { return false }
        if hot.flags & 4 != 0, !domainsAllow(hot, context) { return false }
        if hot.flags & 8 != 0 {
            guard let regex = filters[index].regex else { return false }
            if let literal = filters[index].regexLiteral, ByteSearch.firstOffset(of: literal, in: request.lower) == nil { return false }
            let text = String(decoding: request.original, as: UTF8.self)
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        let first = Int(hot.firstSegment)
        let pattern = Pattern(bytes: context.bytes, segments: UnsafeBufferPointer(rebasing: context.segments[first..<(first + Int(hot.segmentCount))]))
        return Self.matchPattern(
            pattern, left: hot.leftAnchor, right: hot.flags & 2 != 0,
            url: hot.flags & 1 != 0 ? context.original : context.lower, hostStart: request.hostStart, hostEnd: request.hostEnd)
    }

    /// A filter's segments, borrowed from the engine's tables.
    struct Pattern {
        let bytes: UnsafeBufferPointer<UInt8>
        let segments: UnsafeBufferPointer<SIMD2<Int32>>
        var count: Int { segments.count }
        subscript(_ index: Int) -> UnsafeBufferPointer<UInt8> {
            let entry = segments[index]
            return UnsafeBufferPointer(rebasing: bytes[Int(entry.x)..<Int(entry.x + entry.y)])
        }
    }

    /// Whether a filter's `$domain=` entries let it apply on the source page: no excluded
    /// entry covers the source host, and an included one does when there are any.
    private func domainsAllow(_ hot: Hot, _ context: MatchContext) -> Bool {
        var included = false
        let first = Int(hot.firstDomain)
        let hashedEnd = first + Int(hot.hashedDomainCount)
        for suffix in context.sourceSuffixes {
            var low = first
            var high = hashedEnd
            while low < high {
                let middle = (low + high) >> 1
                if context.domainHashes[middle] < suffix.x { low = middle + 1 } else { high = middle }
            }
            while low < hashedEnd, context.domainHashes[low] == suffix.x {
                let entry = context.domains[low]
                let start = Int(suffix.y)
                if Int(entry.y) == context.source.count - start,
                    (0..<Int(entry.y)).allSatisfy({ context.domainBytes[Int(entry.x) + $0] == context.source[start + $0] })
                {
                    if entry.z & 1 != 0 { return false }
                    included = true
                }
                low += 1
            }
        }
        for position in hashedEnd..<(first + Int(hot.domainCount)) {
            let entry = context.domains[position]
            let name = UnsafeBufferPointer(rebasing: context.domainBytes[Int(entry.x)..<Int(entry.x + entry.y)])
            if coversEntity(name, context.source) {
                if entry.z & 1 != 0 { return false }
                included = true
            }
        }
        return hot.flags & 16 == 0 || included
    }

    /// Entity form `name.*`: `source` is `name` under any public suffix, or a subdomain of that.
    private func coversEntity(_ stem: UnsafeBufferPointer<UInt8>, _ source: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        while start < source.count {
            let rest = source.count - start
            if rest > stem.count + 1, source[start + stem.count] == 0x2E,
                (0..<stem.count).allSatisfy({ source[start + $0] == stem[$0] }),
                sites.isPublicSuffix(String(decoding: UnsafeBufferPointer(rebasing: source[(start + stem.count + 1)...]), as: UTF8.self))
            {
                return true
            }
            while start < source.count, source[start] != 0x2E { start += 1 }
            start += 1
        }
        return false
    }

    /// The longest literal run (at least 3 bytes) a regex requires, or nil when the
    /// regex has alternation or no such run. `\.` and `\/` count as literals.
    static func requiredLiteral(ofRegex pattern: String) -> [UInt8]? {
        let bytes = Array(pattern.lowercased().utf8)
        if bytes.contains(0x7C) { return nil }  // `|`
        var best: [UInt8] = []
        var run: [UInt8] = []
        var index = 0
        var depth = 0
        func close() {
            if depth == 0, run.count > best.count { best = run }
            run = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x5C, index + 1 < bytes.count {  // backslash escape
                let next = bytes[index + 1]
                if (0x61...0x7A).contains(next) || (0x30...0x39).contains(next) {
                    close()  // \w, \d, \s … are classes; \xHH, \uHHHH and \cX are escapes for one byte
                    index += next == 0x78 ? 2 : next == 0x75 ? 4 : next == 0x63 ? 1 : 0
                } else if index + 2 < bytes.count, [0x3F, 0x2A, 0x7B].contains(bytes[index + 2]) {
                    close()  // `\/?`: optional
                } else {
                    run.append(next)
                }
                index += 2
                continue
            }
            if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x5F || byte == 0x3D || byte == 0x26 || byte == 0x2F || byte == 0x3A {
                // A quantifier after it makes the last byte optional.
                if index + 1 < bytes.count, [0x3F, 0x2A, 0x7B].contains(bytes[index + 1]) {
                    close()
                } else {
                    run.append(byte)
                }
                index += 1
                continue
            }
            if byte == 0x5B || byte == 0x7B {  // a class `[…]` or a count `{…}`: none of it is literal
                close()
                let end: UInt8 = byte == 0x5B ? 0x5D : 0x7D
                index += 1
                if byte == 0x5B, index < bytes.count, bytes[index] == 0x5D { index += 1 }  // `[]…]`
                while index < bytes.count, bytes[index] != end { index += bytes[index] == 0x5C ? 2 : 1 }
                index += 1
                continue
            }
            if byte == 0x28 { depth += 1 }
            if byte == 0x29 { depth = max(0, depth - 1) }
            close()
            // A quantified group makes what was collected optional only inside it; runs outside stay required.
            index += 1
        }
        close()
        return best.count >= 3 ? best : nil
    }

    // MARK: - Patterns

    /// Tokens the URL must contain as whole words for the filter to match.
    static func wholeTokens(_ filter: NetworkFilter) -> [UInt64] {
        let bytes = Array(filter.matchCase ? filter.pattern.lowercased().utf8 : filter.pattern.utf8)
        return words(in: bytes).compactMap { word in
            let boundedBefore = word.lowerBound > 0 ? bytes[word.lowerBound - 1] != 0x2A : filter.leftAnchor != .none
            let boundedAfter = word.upperBound < bytes.count ? bytes[word.upperBound] != 0x2A : filter.rightAnchor
            return boundedBefore && boundedAfter && word.count >= 2 ? hash(bytes[word]) : nil
        }
    }

    /// Tokens a URL must contain as whole words for a regex filter to match: those lying
    /// strictly inside the literal run the regex requires (bounded by non-token bytes of
    /// that run on both sides), so that regexes leave the fallback list.
    static func regexTokens(literal: [UInt8]?) -> [UInt64] {
        guard let literal else { return [] }
        return words(in: literal).compactMap { word in
            word.lowerBound > 0 && word.upperBound < literal.count && word.count >= 2 ? hash(literal[word]) : nil
        }
    }

    /// The maximal runs of token bytes in `bytes`.
    private static func words(in bytes: [UInt8]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isTokenByte(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
            words.append(start..<index)
        }
        return words
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        !((0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
            || byte == 0x5F || byte == 0x2D || byte == 0x2E || byte == 0x25)
    }

    /// Matches `segment` at `position`; returns the end position.
    private static func matchSegment(_ segment: UnsafeBufferPointer<UInt8>, _ url: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        var u = position
        let last = segment.count - 1
        for offset in 0..<segment.count {
            let byte = segment[offset]
            if byte == 0x5E {  // ^
                if u == url.count {
                    // The end of the URL counts as a separator, only at the end of the pattern.
                    if offset == last { continue }
                    return nil
                }
                guard isSeparator(url[u]) else { return nil }
                u += 1
            } else {
                guard u < url.count, url[u] == byte else { return nil }
                u += 1
            }
        }
        return u
    }

    private static func findSegment(_ segment: UnsafeBufferPointer<UInt8>, _ url: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Int)? {
        guard !segment.isEmpty else { return (start, start) }
        // The literal prefix before any `^` is found with memmem, then the rest is checked.
        var literal = 0
        while literal < segment.count, segment[literal] != 0x5E { literal += 1 }
        var position = start
        if literal == 0 {
            while position <= url.count {
                if let end = matchSegment(segment, url, at: position) { return (position, end) }
                position += 1
            }
            return nil
        }
        guard let urlBase = url.baseAddress, let segmentBase = segment.baseAddress else { return nil }
        if literal >= 4 {
            while position + literal <= url.count {
                guard let found = dragnet_memmem(urlBase + position, url.count - position, segmentBase, literal) else { return nil }
                let at = UnsafeRawPointer(found) - UnsafeRawPointer(urlBase)
                if literal == segment.count { return (at, at + literal) }
                if let end = matchSegment(segment, url, at: at) { return (at, end) }
                position = at + 1
            }
            return nil
        }
        // Short literals: memchr for the first byte, then compare (memmem's setup costs more here).
        let first = Int32(segment[0])
        while position + literal <= url.count {
            guard let found = memchr(urlBase + position, first, url.count - position) else { return nil }
            let at = UnsafeRawPointer(found) - UnsafeRawPointer(urlBase)
            if let end = matchSegment(segment, url, at: at) { return (at, end) }
            position = at + 1
        }
        return nil
    }

    /// Matches segments `index…` from `from` on; the last one must end the URL when `right`.
    private static func matchRest(_ segments: Pattern, _ index: Int, right: Bool, url: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        var position = from
        for segmentIndex in index..<segments.count {
            let segment = segments[segmentIndex]
            if segmentIndex == segments.count - 1 && right {
                // The last segment must end the URL.
                var start = max(position, url.count - segment.count)
                while start <= url.count - segment.count + 1 && start <= url.count {
                    if let end = matchSegment(segment, url, at: start), end == url.count { return true }
                    start += 1
                }
                return false
            }
            guard let (_, end) = findSegment(segment, url, from: position) else { return false }
            position = end
        }
        return true
    }

    static func matchPattern(_ segments: Pattern, left: NetworkFilter.Anchor, right: Bool, url: UnsafeBufferPointer<UInt8>, hostStart: Int, hostEnd: Int) -> Bool {
        guard segments.count > 0 else { return true }
        let first = segments[0]
        let single = segments.count == 1
        switch left {
        case .none:
            if single && !right { return findSegment(first, url, from: 0) != nil }
            var start = 0
            while let (begin, end) = findSegment(first, url, from: start) {
                if single {
                    if end == url.count { return true }
                } else if matchRest(segments, 1, right: right, url: url, from: end) {
                    return true
                }
                start = begin + 1
            }
            return false
        case .start:
            guard let end = matchSegment(first, url, at: 0) else { return false }
            return single ? (!right || end == url.count) : matchRest(segments, 1, right: right, url: url, from: end)
        case .hostname:
            var candidate = hostStart
            while candidate < hostEnd {
                if let end = matchSegment(first, url, at: candidate) {
                    if single ? (!right || end == url.count) : matchRest(segments, 1, right: right, url: url, from: end) { return true }
                }
                var dot = candidate
                while dot < hostEnd, url[dot] != 0x2E { dot += 1 }
                guard dot < hostEnd else { break }
                candidate = dot + 1
            }
            return false
        }
    }
}
