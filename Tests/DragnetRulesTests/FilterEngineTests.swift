import DragnetRules
import DragnetFilters
import DragnetSites
import DragnetTestSupport
import Foundation
import Testing

let resolver = Result { try SiteResolver() }

func engine(_ lines: [String]) throws -> FilterEngine {
    var parser = FilterParser()
    for line in lines { parser.add(line: line) }
    return FilterEngine(parser, sites: try resolver.get())
}

func decide(_ engine: FilterEngine, _ url: String, source: String? = "https://page.example/", type: RequestType = .script) throws -> FilterDecision {
    var cache = SiteCache(try resolver.get())
    return engine.match(FilterRequest(url: url, sourceURL: source, type: type), cache: &cache)
}

@Suite("Filter-list engine")
struct FilterEngineTests {
    @Test("anchors, wildcards and separators")
    func patterns() throws {
        let rules = try engine(["||ads.example.com^", "|https://start.example/x|", "/banner/*/img^", "-ad-unit.", "||cdn.example.net/a*b^"])
        #expect(try decide(rules, "https://ads.example.com/x.js").blocked)
        #expect(try decide(rules, "https://sub.ads.example.com/x.js").blocked)
        #expect(try !decide(rules, "https://notads.example.com/x.js").blocked)
        #expect(try !decide(rules, "https://ads.example.com.evil.example/x.js").blocked)
        #expect(try decide(rules, "https://start.example/x").blocked)
        #expect(try !decide(rules, "https://start.example/x?y").blocked)
        #expect(try decide(rules, "https://q.example/banner/300/img?x").blocked)
        #expect(try decide(rules, "https://q.example/banner/300/img").blocked)  // ^ matches the end
        #expect(try !decide(rules, "https://q.example/banner/300/imgs").blocked)
        #expect(try decide(rules, "https://q.example/js/my-ad-unit.js").blocked)
        #expect(try decide(rules, "https://cdn.example.net/a/zzz/b?").blocked)
        #expect(try decide(rules, "https://ads.example.com/x.js").filter == "||ads.example.com^")
    }

    @Test("exceptions, $important and $badfilter")
    func exceptions() throws {
        let rules = try engine([
            "||ads.example^", "@@||ads.example/ok^", "||imp.example^$important", "@@||imp.example^",
            "||bad.example^", "||bad.example^$badfilter",
        ])
        let allowed = try decide(rules, "https://ads.example/ok/1.js")
        #expect(!allowed.blocked && allowed.filter == "@@||ads.example/ok^")
        #expect(try decide(rules, "https://ads.example/no.js").blocked)
        #expect(try decide(rules, "https://imp.example/a.js").filter == "||imp.example^$important")
        #expect(try decide(rules, "https://bad.example/a.js") == FilterDecision(blocked: false, filter: nil))
    }

    @Test("party, type, domain and match-case options")
    func options() throws {
        let rules = try engine([
            "||t.example^$third-party", "||img.example^$image", "||notimg.example^$~image",
            "||dom.example^$domain=site.example|~sub.site.example", "/CaseSensitive/$match-case",
            "/adframe.$domain=shop.*",
        ])
        #expect(try decide(rules, "https://t.example/a", source: "https://page.example/").blocked)
        #expect(try !decide(rules, "https://t.example/a", source: "https://www.t.example/").blocked)
        #expect(try decide(rules, "https://img.example/a", type: .image).blocked)
        #expect(try !decide(rules, "https://img.example/a", type: .script).blocked)
        #expect(try !decide(rules, "https://notimg.example/a", type: .image).blocked)
        #expect(try decide(rules, "https://notimg.example/a", type: .script).blocked)
        #expect(try decide(rules, "https://dom.example/a", source: "https://www.site.example/").blocked)
        #expect(try !decide(rules, "https://dom.example/a", source: "https://sub.site.example/").blocked)
        #expect(try !decide(rules, "https://dom.example/a", source: "https://other.example/").blocked)
        #expect(try decide(rules, "https://x.example/CaseSensitive/a").blocked)
        #expect(try !decide(rules, "https://x.example/casesensitive/a").blocked)
        #expect(try decide(rules, "https://x.example/adframe.js", source: "https://shop.co.uk/").blocked)
        #expect(try !decide(rules, "https://x.example/adframe.js", source: "https://shop.example.evil/").blocked)
    }

    @Test("regex filters, and cosmetic and scriptlet rules skipped and counted")
    func regexAndCounts() throws {
        var parser = FilterParser()
        parser.add(list: """
            [Adblock Plus 2.0]
            ! comment
            /^https?:\\/\\/[a-z]{8}\\.com\\/[0-9]+\\.js$/$script,third-party
            example.com##.ad-banner
            example.com#@#.sponsor
            example.com##+js(set-constant, ads, false)
            ||x.example^$csp=script-src 'none'
            ||y.example^$removeparam=utm_source
            """)
        #expect(parser.counts == {
            var counts = FilterParser.Counts()
            counts.network = 1
            counts.cosmetic = 2
            counts.scriptlet = 1
            counts.comments = 2
            counts.unsupported = 2
            return counts
        }())
        let rules = FilterEngine(parser, sites: try resolver.get())
        #expect(try decide(rules, "https://abcdefgh.com/123.js").blocked)
        #expect(try !decide(rules, "https://abcdefghi.com/123.js").blocked)
    }

    /// adblock-rust's own matching vectors: every filter of a case must match its request.
    @Test("adblock-rust conformance vectors")
    func conformance() throws {
        let data = try Fixtures.bytes("lists/matching-test-requests.json")
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [[String: Any]])
        #expect(cases.count == 8276)
        var checked = 0
        var failures: [String] = []
        for entry in cases {
            let url = try #require(entry["url"] as? String)
            let source = entry["sourceUrl"] as? String
            let type = RequestType.named(entry["type"] as? String ?? "other")
            for filter in try #require(entry["filters"] as? [String]) {
                var parser = FilterParser()
                parser.add(line: filter)
                guard parser.counts.network == 1 else { continue }  // response-changing options Dragnet does not apply
                let exception = filter.hasPrefix("@@")
                if exception { parser.add(line: "*") }
                let decision = try decide(FilterEngine(parser, sites: try resolver.get()), url, source: source, type: type)
                checked += 1
                let ok = exception ? (!decision.blocked && decision.filter == filter) : decision.blocked
                if !ok { failures.append("\(filter)\t\(url)\t\(type)") }
            }
        }
        #expect(checked > 9_000)
        // Every disagreement is listed with its reason in docs/filters.md.
        if ProcessInfo.processInfo.environment["SHOW_FAILURES"] != nil { print(failures.joined(separator: "\n")) }
        #expect(failures.count <= checked / 100, "\(failures.count) of \(checked): \(failures.prefix(30).joined(separator: "\n"))")
        print("adblock-rust vectors: \(checked - failures.count)/\(checked) match")
    }
}

@Suite("Compiled-list cache and dragnet match")
struct FilterCacheTests {
    static let list = """
        ||ads.example^
        @@||ads.example/ok^
        ||t.example^$third-party,script
        ||dom.example^$domain=site.example|~sub.site.example
        /^https?:\\/\\/[a-z]{8}\\.com\\//$script
        ||imp.example^$important
        example.com##.ad
        """

    @Test("a cached engine decides exactly as a freshly parsed one; a damaged cache is ignored")
    func roundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-cache-\(UUID().uuidString)")
        let sites = try resolver.get()
        let fresh = FilterEngine.load(lists: [Self.list], sites: sites, cacheDirectory: directory)
        #expect(!fresh.loadedFromCache)
        let cached = FilterEngine.load(lists: [Self.list], sites: sites, cacheDirectory: directory)
        #expect(cached.loadedFromCache)
        #expect(cached.counts == fresh.counts)
        #expect(cached.counts.cosmetic == 1)
        let requests: [(String, String?, RequestType)] = [
            ("https://ads.example/x", "https://p.example/", .image), ("https://ads.example/ok/1", "https://p.example/", .image),
            ("https://t.example/a.js", "https://p.example/", .script), ("https://t.example/a.js", "https://t.example/", .script),
            ("https://dom.example/a", "https://site.example/", .image), ("https://dom.example/a", "https://sub.site.example/", .image),
            ("https://abcdefgh.com/x", nil, .script), ("https://imp.example/a", nil, .other),
        ]
        for (url, source, type) in requests {
            #expect(try decide(fresh, url, source: source, type: type) == decide(cached, url, source: source, type: type))
        }
        #expect(try decide(cached, "https://ads.example/ok/1", type: .image).filter == "@@||ads.example/ok^")

        let file = FilterCache.file(for: [Self.list], in: directory)
        try Data("DRAGNETF garbage".utf8).write(to: file)
        let recovered = FilterEngine.load(lists: [Self.list], sites: sites, cacheDirectory: directory)
        #expect(!recovered.loadedFromCache)
        #expect(try decide(recovered, "https://ads.example/x").blocked)
    }

    @Test("dragnet match prints one line per input line, in order, with the deciding filter")
    func matchCommand() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-match-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let listPath = directory.appendingPathComponent("list.txt").path
        try Self.list.write(toFile: listPath, atomically: true, encoding: .utf8)
        let input = """
            https://ads.example/banner.gif\thttps://news.example/\timage
            https://ads.example/ok/pixel.gif\thttps://news.example/\timage
            https://cdn.example/app.js
            https://t.example/t.js\thttps://shop.example/\tscript
            https://t.example/t.js\thttps://shop.example/\txhr

            """
        let output = try ProcessRunner.run(try Fixtures.dragnetExecutable(), ["match", "--cache-dir", directory.path, "--list", listPath], stdin: input)
        #expect(output.status == 0)
        #expect(output.lines == [
            "block\thttps://ads.example/banner.gif\t||ads.example^",
            "allow\thttps://ads.example/ok/pixel.gif\t@@||ads.example/ok^",
            "allow\thttps://cdn.example/app.js\t",
            "block\thttps://t.example/t.js\t||t.example^$third-party,script",
            "allow\thttps://t.example/t.js\t",
        ])
        let missing = try ProcessRunner.run(try Fixtures.dragnetExecutable(), ["match", "--list", "/nonexistent/list.txt"])
        #expect(missing.status == 2)

        // Junk lines keep their place in the output and are named on stderr, without their URL.
        let junk = """
            https://ads.example/banner.gif\thttps://news.example/\timage
            not a url?secret=1
            https:///no-host
            https://ads.example/x.js\thttps://news.example/\tbogus

            """
        let junkOutput = try ProcessRunner.run(try Fixtures.dragnetExecutable(), ["match", "--cache-dir", directory.path, "--list", listPath], stdin: junk)
        #expect(junkOutput.status == 0)
        #expect(junkOutput.lines == [
            "block\thttps://ads.example/banner.gif\t||ads.example^",
            "allow\tnot a url?secret=1\t",
            "allow\thttps:///no-host\t",
            "block\thttps://ads.example/x.js\t||ads.example^",
        ])
        #expect(junkOutput.stderr.split(separator: "\n").map(String.init) == [
            "dragnet match: line 2: no scheme://host in the URL; printed as allow",
            "dragnet match: line 3: no scheme://host in the URL; printed as allow",
            "dragnet match: line 4: unknown type 'bogus'; matched as other",
        ])

        // A list given by URL is fetched.
        let remote = try ProcessRunner.run(
            try Fixtures.dragnetExecutable(), ["match", "--no-cache", "--stats", "--list", try FixtureSite.url("/filter-list")],
            stdin: "https://tracker.example/p.gif\thttps://shop.example/\timage\n")
        #expect(remote.lines == ["block\thttps://tracker.example/p.gif\t||tracker.example^$third-party"])
        #expect(remote.stderr.contains("cosmetic: 1"))
        let unreachable = try ProcessRunner.run(try Fixtures.dragnetExecutable(), ["match", "--list", try FixtureSite.url("/status/404")])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("HTTP 404"))
    }
}
