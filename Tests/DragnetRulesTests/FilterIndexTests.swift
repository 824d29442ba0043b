import DragnetCore
@testable import DragnetFilters
import DragnetSites
import Testing

@Suite("Filter-list engine: the index and the matcher's reused buffers")
struct FilterIndexTests {
    @Test("the literal a regex requires skips classes, counts, escapes and optional bytes", arguments: [
        (#"\/[0-9a-f]{32}\/invoke\.js"#, "/invoke.js"),
        (#"^https?:\/\/[abcdefghij]+\.net\/"#, ".net/"),  // the class's letters are not required
        (#"(https?:\/\/)104\.154\..{100,}"#, "104.154."),
        ("x{1000,}", nil),  // a count's digits are not literal
        (#"abc\x2fdefgh"#, "defgh"),  // \xHH is one byte, not "2f…"
        (#"abcd\/?efg"#, "abcd"),  // an optional escaped byte ends the run
        (#"^https?:\/\/(club|xyz)\/"#, nil),  // alternation: nothing is certain
        (#"[]abcdef]xy"#, nil),  // `]` first in a class is a member
    ])
    func literal(regex: String, expected: String?) {
        #expect(FilterEngine.requiredLiteral(ofRegex: regex).map { String(decoding: $0, as: UTF8.self) } == expected)
    }

    @Test("regex filters are filed under a whole token of their literal and still decide as before")
    func regexTokens() throws {
        let lines = [
            #"/(https?:\/\/)104\.154\..{100,}/"#,
            #"/^https?:\/\/tjmaxx\.tjx\.com\/libraries\/[a-z0-9]{20,}/$script"#,
            #"/\/[0-9a-f]{32}\/invoke\.js/$script,third-party"#,
            #"/^https?:\/\/[a-z]{8}\.(club|xyz)\//$script"#,
        ]
        let rules = try engine(lines)
        // Only the regex with alternation has no certain token.
        #expect(rules.unindexedFilterCount == 1)
        let long = String(repeating: "a", count: 120)
        #expect(try decide(rules, "https://104.154.9.9/" + long).blocked)
        #expect(try !decide(rules, "https://104.155.9.9/" + long).blocked)
        #expect(try !decide(rules, "https://104.154.9.9/short").blocked)
        #expect(try decide(rules, "https://tjmaxx.tjx.com/libraries/abcdefghij0123456789x").blocked)
        #expect(try !decide(rules, "https://tjmaxx.tjx.com/libraries/abc").blocked)
        #expect(try decide(rules, "https://x.example/0123456789abcdef0123456789abcdef/invoke.js").blocked)
        #expect(try !decide(rules, "https://x.example/0123456789abcdef/invoke.js").blocked)
        #expect(try decide(rules, "https://abcdefgh.club/x.js").blocked)
        #expect(try !decide(rules, "https://abcdefgh.club/x.js", type: .image).blocked)
    }

    @Test("filters without a token are checked only for the request types they apply to")
    func fallbackByType() throws {
        let rules = try engine(["$ping,third-party", "/o/o.gif", "$websocket,domain=chat.example"])
        #expect(rules.unindexedFilterCount == 3)
        #expect(try decide(rules, "https://collector.example/p", type: .ping).filter == "$ping,third-party")
        #expect(try !decide(rules, "https://collector.example/p", type: .script).blocked)
        #expect(try decide(rules, "https://cdn.example/o/o.gif", type: .image).filter == "/o/o.gif")
        #expect(try decide(rules, "wss://ws.example/", source: "https://chat.example/", type: .websocket).blocked)
        #expect(try !decide(rules, "wss://ws.example/", source: "https://other.example/", type: .websocket).blocked)
    }

    @Test("one matcher reused across requests and pages decides exactly as a fresh one per request")
    func scratchReuse() throws {
        let rules = try engine([
            "||tracker.example^$third-party", "||own.example^$~third-party", "/ads/*$domain=news.example|~sport.news.example",
            "@@||tracker.example/ok^$domain=shop.example",
        ])
        let requests: [(String, String?)] = [
            ("https://tracker.example/a.js", "https://news.example/"),
            ("https://tracker.example/a.js", "https://www.tracker.example/"),
            ("https://cdn.tracker.example/b.js", "https://www.tracker.example/"),
            ("https://own.example/x.js", "https://www.own.example/"),
            ("https://own.example/x.js", "https://news.example/"),
            ("https://cdn.example/ads/1.js", "https://news.example/"),
            ("https://cdn.example/ads/1.js", "https://sport.news.example/"),
            ("https://cdn.example/ads/1.js", nil),
            ("https://tracker.example/ok/1.js", "https://shop.example/"),
            ("https://tracker.example/ok/1.js", "https://news.example/"),
            ("not a url", "https://news.example/"),
            ("https://own.example/x.js", "https://www.own.example/"),
        ]
        var cache = SiteCache(try resolver.get())
        var scratch = FilterEngine.MatchScratch()
        let reused = requests.map { rules.match(FilterRequest(url: $0.0, sourceURL: $0.1), cache: &cache, scratch: &scratch) }
        let fresh = try requests.map { try decide(rules, $0.0, source: $0.1) }
        #expect(reused == fresh)
        #expect(reused.map(\.blocked) == [true, false, false, true, false, true, false, false, false, true, false, true])
    }

    @Test("byte search agrees with a naive search on both sides of the short-haystack path")
    func byteSearch() {
        var generator = SplitMix(seed: 42)
        let alphabet = Array("ab/.".utf8)
        for length in stride(from: 0, through: 700, by: 7) {
            let haystack = (0..<length).map { _ in alphabet[Int(generator.next() % 4)] }
            for needleLength in 1...6 {
                let needle = (0..<needleLength).map { _ in alphabet[Int(generator.next() % 4)] }
                let naive = haystack.count < needle.count
                    ? nil : (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
                #expect(ByteSearch.firstOffset(of: needle, in: haystack) == naive, "length \(length), needle \(needle)")
            }
        }
    }
}

/// A small deterministic generator, so that the byte-search cases are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
