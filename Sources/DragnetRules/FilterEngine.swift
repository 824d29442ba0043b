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

    public init(blocked: Bool, filter: String?) {
        self.blocked = blocked
        self.filter = filter
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
        let includeDomains: [[UInt8]]
        let excludeDomains: [[UInt8]]

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
            self.includeDomains = filter.includeDomains.map { Array($0.utf8) }
            self.excludeDomains = filter.excludeDomains.map { Array($0.utf8) }
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

    struct Hot {
        var firstDomain: Int32 = 0
        var domainCount: Int32 = 0
        var types: UInt16
        var thirdParty: Int8
        var flags: UInt8  // 1 matchCase, 2 rightAnchor, 4 hasDomains, 8 regex
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
        var fallback: [ContiguousArray<Int32>] = [[], [], []]

        init(_ lists: [[UInt64: [Int32]]], fallback: [[Int32]]) {
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
            self.fallback = fallback.map { ContiguousArray($0) }
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
                regex = try? NSRegularExpression(pattern: filter.pattern, options: filter.matchCase ? [] : [.caseInsensitive])
                if regex == nil { continue }
            }
            compiled.append(Compiled(filter: filter, regex: regex))
            keptIndex.append(index)
            if tokens == nil {
                let candidates = filter.isRegex ? [] : Self.wholeTokens(filter)
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
        var domainRanges: [(Int32, Int32)] = []
        for entry in compiled {
            let first = Int32(domainTable.count)
            for (domains, excluded) in [(entry.filter.includeDomains, false), (entry.filter.excludeDomains, true)] {
                for domain in domains {
                    let entity = domain.hasSuffix(".*")
                    let name = entity ? String(domain.dropLast(2)) : domain
                    domainTable.append(SIMD3(Int32(domainBytes.count), Int32(name.utf8.count), (excluded ? 1 : 0) | (entity ? 2 : 0)))
                    domainBytes.append(contentsOf: name.utf8)
                }
            }
            domainRanges.append((first, Int32(domainTable.count) - first))
        }
        self.domainBytes = domainBytes
        self.domainTable = domainTable
        self.hot = ContiguousArray(compiled.enumerated().map { index, entry in
            Hot(
                firstDomain: domainRanges[index].0, domainCount: domainRanges[index].1,
                types: entry.types, thirdParty: entry.thirdParty,
                flags: (entry.matchCase ? 1 : 0) | (entry.rightAnchor ? 2 : 0) | (entry.hasDomains ? 4 : 0) | (entry.filter.isRegex ? 8 : 0),
                leftAnchor: entry.leftAnchor, firstSegment: entry.firstSegment, segmentCount: entry.segmentCount)
        })
        self.filters = ContiguousArray(compiled)
        self.table = TokenTable(lists, fallback: fallbacks)
    }

    public var filterCount: Int { filters.count }
    /// Whether the engine came from the on-disk cache.
    public internal(set) var loadedFromCache = false

    // MARK: - Matching

    /// Classifies one request: important blocking filters win, then blocking
    /// filters unless an exception matches.
    public func match(_ request: FilterRequest, cache: inout SiteCache) -> FilterDecision {
        guard var prepared = Prepared(request, cache: &cache) else { return FilterDecision(blocked: false, filter: nil) }
        prepared.slots = prepared.tokens.compactMap(table.slot)
        let request = prepared
        let (important, block, exception) = withContext(request) { context -> (Int?, Int?, Int?) in
            if let hit = first(kind: 0, context, request) { return (hit, nil, nil) }
            guard let block = first(kind: 1, context, request) else { return (nil, nil, nil) }
            return (nil, block, first(kind: 2, context, request))
        }
        if let important { return FilterDecision(blocked: true, filter: filters[important].filter.text) }
        guard let block else { return FilterDecision(blocked: false, filter: nil) }
        if let exception { return FilterDecision(blocked: false, filter: filters[exception].filter.text) }
        return FilterDecision(blocked: true, filter: filters[block].filter.text)
    }

    struct Prepared {
        var lower: [UInt8]
        var original: [UInt8]
        var hostStart: Int
        var hostEnd: Int
        var sourceHost: [UInt8]?
        var thirdParty: Bool
        var type: RequestType
        var tokens: [UInt64]
        /// Table slots of the tokens that any filter is filed under.
        var slots: [Int] = []

        init?(_ request: FilterRequest, cache: inout SiteCache) {
            original = Array(request.url.utf8)
            lower = original.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
            guard let hostRange = ByteSearch.hostRange(ofURL: lower) else { return nil }
            hostStart = hostRange.lowerBound
            hostEnd = hostRange.upperBound
            let host = String(decoding: lower[hostStart..<hostEnd], as: UTF8.self)
            let source = request.sourceURL.flatMap { cache.host(ofURL: $0) }
            sourceHost = source.map { Array($0.utf8) }
            if let source, !source.isEmpty {
                thirdParty = cache.site(of: host) != cache.site(of: source)
            } else {
                thirdParty = true
            }
            type = request.type
            tokens = Self.tokenize(lower)
        }

        static func tokenize(_ bytes: [UInt8]) -> [UInt64] {
            var tokens: [UInt64] = []
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
            return tokens
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
    private func withContext<R>(_ request: Prepared, _ body: (MatchContext) -> R) -> R {
        hot.withUnsafeBufferPointer { hot in
            table.entries.withUnsafeBufferPointer { entries in
                patternBytes.withUnsafeBufferPointer { bytes in
                    segmentTable.withUnsafeBufferPointer { segments in
                        request.lower.withUnsafeBufferPointer { lower in
                            request.original.withUnsafeBufferPointer { original in
                                domainBytes.withUnsafeBufferPointer { domainBytes in
                                    domainTable.withUnsafeBufferPointer { domains in
                                        (request.sourceHost ?? []).withUnsafeBufferPointer { source in
                                            body(MatchContext(
                                                hot: hot, entries: entries, bytes: bytes, domainBytes: domainBytes, domains: domains,
                                                source: source, segments: segments, lower: lower, original: original))
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
        for candidate in table.fallback[kind] where matches(context, Int(candidate), request) { return Int(candidate) }
        return nil
    }

    /// Everything one request is matched against, borrowed for the duration of the match.
    struct MatchContext {
        let hot: UnsafeBufferPointer<Hot>
        let entries: UnsafeBufferPointer<Int32>
        let bytes: UnsafeBufferPointer<UInt8>
        let domainBytes: UnsafeBufferPointer<UInt8>
        let domains: UnsafeBufferPointer<SIMD3<Int32>>
        /// The source page's host (empty when the request has none).
        let source: UnsafeBufferPointer<UInt8>
        let segments: UnsafeBufferPointer<SIMD2<Int32>>
        let lower: UnsafeBufferPointer<UInt8>
        let original: UnsafeBufferPointer<UInt8>
    }

    private func matches(_ context: MatchContext, _ index: Int, _ request: Prepared) -> Bool {
        let hot = context.hot[index]
        guard hot.types & request.type.bit != 0 else { return false }
        if hot.thirdParty >= 0, (hot.thirdParty == 1) != request.thirdParty { return false }
        if hot.flags & 4 != 0 {
            let first = Int(hot.firstDomain)
            let domains = UnsafeBufferPointer(rebasing: context.domains[first..<(first + Int(hot.domainCount))])
            guard domainsAllow(domains, bytes: context.domainBytes, source: context.source) else { return false }
        }
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

    private func domainsAllow(_ domains: UnsafeBufferPointer<SIMD3<Int32>>, bytes: UnsafeBufferPointer<UInt8>, source: UnsafeBufferPointer<UInt8>) -> Bool {
        var hasInclude = false
        var included = false
        for entry in domains {
            let excluded = entry.z & 1 != 0
            if !excluded { hasInclude = true }
            if !excluded && included { continue }
            let name = UnsafeBufferPointer(rebasing: bytes[Int(entry.x)..<Int(entry.x + entry.y)])
            let covered = entry.z & 2 != 0 ? coversEntity(name, source) : covers(name, source)
            if covered {
                if excluded { return false }
                included = true
            }
        }
        return !hasInclude || included
    }

    /// `source` is `domain` or a subdomain of it.
    private func covers(_ domain: UnsafeBufferPointer<UInt8>, _ source: UnsafeBufferPointer<UInt8>) -> Bool {
        guard source.count >= domain.count, !source.isEmpty else { return false }
        let offset = source.count - domain.count
        if offset > 0 && source[offset - 1] != 0x2E { return false }
        for index in 0..<domain.count where source[offset + index] != domain[index] { return false }
        return true
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
                    close()  // \w, \d, \s … are classes
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
        var tokens: [UInt64] = []
        var index = 0
        while index < bytes.count {
            guard isTokenByte(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
            let before: UInt8? = start > 0 ? bytes[start - 1] : nil
            let after: UInt8? = index < bytes.count ? bytes[index] : nil
            let boundedBefore = before.map { $0 != 0x2A } ?? (filter.leftAnchor != .none)
            let boundedAfter = after.map { $0 != 0x2A } ?? filter.rightAnchor
            guard boundedBefore, boundedAfter, index - start >= 2 else { continue }
            tokens.append(hash(bytes[start..<index]))
        }
        return tokens
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
