import DragnetCore
import DragnetRobots
import DragnetTestSupport
import Foundation
import Testing

/// Google's robots.txt test suite (Apache-2.0), translated into data in
/// Tests/Fixtures/robots/google-robots-tests.json, run against our parser.
@Suite("robots.txt conformance: Google's test suite and RFC 9309")
struct RobotsConformanceTests {
    struct Case {
        var test: String
        var robots: String
        var agent: String
        var url: String
        var allowed: Bool
    }

    static func suite() throws -> JSONValue {
        try JSONValue.parse(try Fixtures.bytes("robots/google-robots-tests.json"))
    }

    static func cases() throws -> [Case] {
        let list = try suite()["cases"]?.arrayValue
        return try #require(list).map { item in
            Case(
                test: item["test"]?.stringValue ?? "", robots: item["robots"]?.stringValue ?? "", agent: item["agent"]?.stringValue ?? "",
                url: item["url"]?.stringValue ?? "", allowed: item["allowed"]?.boolValue ?? false)
        }
    }

    /// Where Dragnet decides differently from Google's parser on purpose (docs/ai.md, "RFC 9309
    /// and Google's parser"): test, URL → why. Every other case must agree.
    static let deviations: [(test: String, reason: String)] = [
        // RFC 9309 §2.2.2: percent-encoded unreserved characters are decoded before comparing,
        // so `/foo/bar/%62%61%7A` and `/foo/bar/baz` are the same path. Google compares them as written.
        ("ID_Encoding http://foo.bar/foo/bar/baz", "RFC 9309: %62%61%7A is baz"),
        // RFC 9309 §2.2.2: octets outside ASCII in the URI are percent-encoded before comparing
        // (for patterns and URLs alike); Google encodes the pattern only, so an unencoded URL never matches.
        ("ID_Encoding http://foo.bar/foo/bar/ツ", "RFC 9309: the URL's UTF-8 is percent-encoded too (Allow: /foo/bar/ツ)"),
        ("ID_Encoding http://foo.bar/foo/bar/ツ", "RFC 9309: the URL's UTF-8 is percent-encoded too (Allow: /foo/bar/%E3%83%84)"),
        // Google's parser treats `Allow: /x/index.html` as also allowing `/x/`; RFC 9309 does not.
        ("GoogleOnly_IndexHTMLisDirectory http://foo.com/allowed-slash/", "Google only: index.html as the directory"),
        // A crawler name is reduced to its product token like a user-agent line is ("Foo Bar" is
        // foo on both sides); Google compares the caller's name whole and so matches no group.
        ("GoogleOnly_AcceptUserAgentUpToFirstSpace http://foo.bar/x/y", "the crawler's name is read up to its first space too"),
    ]

    @Test("each of Google's allow/disallow expectations holds, except the documented RFC 9309 deviations")
    func googleSuite() throws {
        let cases = try Self.cases()
        #expect(cases.count == 145)
        var differing: [String] = []
        for item in cases {
            let robots = RobotsTxt(item.robots)
            let decision = robots.decide(agent: item.agent, url: item.url)
            if decision.allowed != item.allowed {
                differing.append("\(item.test) \(item.url.count > 200 ? String(item.url.prefix(40)) + "…(\(item.url.count) chars)" : item.url)")
            }
        }
        #expect(differing.sorted() == Self.deviations.map(\.test).sorted(), "differences from Google's parser: \(differing)")
    }

    @Test("line numbers, directives and byte-order marks (Google's parse-callback tests)")
    func lines() throws {
        let suite = try Self.suite()
        var checked = 0
        for group in ["lineCases", "bytesCases"] {
            for item in try #require(suite[group]?.arrayValue) {
                let bytes: [UInt8]
                if let text = item["robots"]?.stringValue {
                    bytes = Array(text.utf8)
                } else {
                    let encoded = try #require(item["robotsBase64"]?.stringValue)
                    bytes = [UInt8](try #require(Data(base64Encoded: encoded)))
                }
                var seen: [String] = []
                RobotsTxt.scan(bytes) { directive in
                    seen.append("\(directive.line) \(directive.key.rawValue)" + (directive.key == .unknown ? "" : " " + String(decoding: directive.value, as: UTF8.self)))
                }
                let expected = try #require(item["lines"]?.arrayValue).map { line in
                    let key = line["directive"]?.stringValue ?? ""
                    return "\(line["line"]?.intValue ?? 0) \(key)" + (key == "unknown" ? "" : " " + (line["value"]?.stringValue ?? ""))
                }
                #expect(seen == expected, "\(item["name"]?.stringValue ?? "")")
                checked += 1
            }
        }
        #expect(checked == 12)
    }

    @Test("product tokens: letters, '_' and '-' only (RFC 9309 §2.2.1)")
    func agentValidity() throws {
        let list = try Self.suite()["agentValidity"]?.arrayValue
        for item in try #require(list) {
            let agent = item["agent"]?.stringValue ?? ""
            #expect(RobotsTxt.isValidProductToken(agent) == (item["valid"]?.boolValue ?? false), "\(agent)")
        }
    }

    @Test("the path, parameters and query a URL is matched by")
    func paths() throws {
        let list = try Self.suite()["pathCases"]?.arrayValue
        for item in try #require(list) {
            let url = item["url"]?.stringValue ?? ""
            #expect(RobotsTxt.pathParamsQuery(url) == item["path"]?.stringValue, "\(url)")
        }
    }

    @Test("patterns are percent-encoded as Google's MaybeEscapePattern does")
    func escaping() throws {
        let list = try Self.suite()["escapeCases"]?.arrayValue
        for item in try #require(list) {
            let pattern = item["pattern"]?.stringValue ?? ""
            #expect(String(decoding: Pattern.normalise(ArraySlice(pattern.utf8)), as: UTF8.self) == item["escaped"]?.stringValue)
        }
    }

    @Test("RFC 9309's own examples: longest match, allow on ties, '*' and '$', case-insensitive agents, merged groups")
    func rfcExamples() {
        let robots = RobotsTxt("""
            User-Agent: *
            Disallow: *.gif$
            Disallow: /example/
            Allow: /publications/

            User-Agent: foobot
            Disallow:/
            Allow:/example/page.html
            Allow:/example/allowed.gif

            User-Agent: barbot
            User-Agent: bazbot
            Disallow: /example/page.html

            User-Agent: quxbot
            """)
        #expect(robots.decide(agent: "FooBot", url: "https://www.example.com/example/page.html").allowed)
        #expect(robots.decide(agent: "foobot", url: "https://www.example.com/other").allowed == false)
        #expect(robots.decide(agent: "foobot", url: "https://www.example.com/example/allowed.gif").allowed)
        #expect(robots.decide(agent: "BarBot", url: "/example/page.html").allowed == false)
        #expect(robots.decide(agent: "bazbot", url: "/example/page.html").rule?.line == 13)
        // quxbot's group has no rules: everything allowed, the * group does not apply.
        #expect(robots.decide(agent: "quxbot", url: "/example/x.gif").allowed)
        #expect(robots.decide(agent: "quxbot", url: "/example/x.gif").basis == .agent)
        let global = robots.decide(agent: "GPTBot", url: "/a/b.gif")
        #expect(global.allowed == false)
        #expect(global.rule?.text == "Disallow: *.gif$")
        #expect(global.rule?.line == 2)
        #expect(global.basis == .global)
        #expect(robots.decide(agent: "GPTBot", url: "/a/b.gif?x").allowed)
        // Ties: allow wins.
        let tie = RobotsTxt("User-agent: *\nDisallow: /page\nAllow: /page\n")
        #expect(tie.decide(agent: "x", url: "/page").allowed)
        #expect(tie.decide(agent: "x", url: "/page").rule?.line == 3)
        // Two groups for one agent are merged; a version after the token is ignored.
        let merged = RobotsTxt("User-agent: GPTBot/1.2\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\nuser-agent: gptbot\nDisallow: /b\n")
        #expect(merged.decide(agent: "GPTBot", url: "/b/1").rule?.line == 8)
        #expect(merged.decide(agent: "GPTBot", url: "/a/1").rule?.line == 2)
        #expect(merged.decide(agent: "GPTBot", url: "/c").allowed)
        #expect(merged.groups(for: "GPTBot").indexes == [0, 2])
    }

    @Test("bad input: CR-only and CRLF lines, a BOM, HTML served as robots.txt, a 10 MB file cut at 500 KiB, junk lines, typos")
    func badInput() {
        let crOnly = RobotsTxt("User-agent: Bytespider\rDisallow: /\rUser-agent: *\rAllow: /\r")
        #expect(crOnly.decide(agent: "Bytespider", url: "/x").rule?.line == 2)
        #expect(crOnly.decide(agent: "Bytespider", url: "/x").allowed == false)
        let crlf = RobotsTxt("\u{FEFF}User-agent: Bytespider\r\nDisallow: /\r\n\r\nUser-agent: GPTBot\r\nAllow: /\r\n")
        #expect(crlf.decide(agent: "Bytespider", url: "/").allowed == false)
        #expect(crlf.decide(agent: "GPTBot", url: "/").rule?.line == 5)
        // An HTML page where robots.txt should be: no groups, everything allowed, warnings.
        let html = RobotsTxt("<!DOCTYPE html>\n<html><head><title>Not found</title></head>\n<body><p>Sorry: nothing here</p></body></html>\n")
        #expect(html.groups.isEmpty)
        #expect(html.decide(agent: "GPTBot", url: "/").allowed)
        #expect(html.decide(agent: "GPTBot", url: "/").basis == .noGroup)
        #expect(html.warnings.count == 3)
        // 10 MB: only the first 500 KiB count; a rule after that is never read.
        var big = Array("User-agent: CCBot\nDisallow: /early\n".utf8)
        let filler = Array(("Disallow: /filler/" + String(repeating: "x", count: 80) + "\n").utf8)
        big.reserveCapacity(10 * 1024 * 1024 + 200)
        while big.count < 10 * 1024 * 1024 { big += filler }
        big += Array("Disallow: /late\n".utf8)
        let large = RobotsTxt(big)
        #expect(large.truncated)
        #expect(large.decide(agent: "CCBot", url: "/early").allowed == false)
        #expect(large.decide(agent: "CCBot", url: "/late").allowed)
        // Junk and typos: warned about with their line numbers.
        let junk = RobotsTxt("User-agent: *\nDissallow: /private\nfoo bar baz\nCrawl-delay: 10\nNoai: yes\n")
        #expect(junk.decide(agent: "GPTBot", url: "/private/1").allowed == false)
        #expect(junk.warnings.map(\.line) == [2, 3, 5])
        #expect(junk.warnings.first?.message == "'dissallow' is not an RFC 9309 key; read as disallow as Google's parser does")
    }

    @Test("the pattern matcher keeps a set of positions, never backtracks: 40 stars against a 20,000-byte path")
    func noBacktracking() {
        // A backtracking matcher takes exponential time here; this one finishes in milliseconds.
        let pattern = Array("/".utf8) + Array(String(repeating: "a*", count: 40).utf8) + Array("b".utf8)
        let path = Array("/".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 20_000)
        #expect(Pattern.matches(path: path, pattern: pattern) == false)
        #expect(Pattern.matches(path: path + Array("b".utf8), pattern: pattern))
        #expect(Pattern.matches(path: path + Array("b".utf8), pattern: pattern + Array("$".utf8)))
        #expect(Pattern.matches(path: path + Array("bc".utf8), pattern: pattern + Array("$".utf8)) == false)
    }
}
