import DragnetCore
import DragnetFetch
import DragnetTestSupport
import Foundation
import Synchronization
import Testing

/// Fetches `paths` from the fixture site and returns the results in input order.
func fetch(_ urls: [String], _ configure: (inout FetchOptions) -> Void = { _ in }) async throws -> [FetchResult] {
    var options = FetchOptions()
    options.retryBackoff = 0.05
    // The inputs are named by the test, as a user names them on the command line.
    options.allowPrivateHostsNamed(in: urls)
    configure(&options)
    var results: [FetchResult] = []
    for await result in try Fetcher(options: options).fetch(urls.map { URLInput($0) }) {
        results.append(result)
    }
    return results.sorted { $0.id < $1.id }
}

func fetchOne(_ path: String, _ configure: (inout FetchOptions) -> Void = { _ in }) async throws -> FetchResult {
    let results = try await fetch([FixtureSite.url(path)], configure)
    return try #require(results.first)
}

@Suite("Fetcher against the fixture server")
struct FetcherTests {
    @Test("a 5-hop redirect chain records every hop and the cookie set on a middle hop")
    func redirectChain() async throws {
        let result = try await fetchOne("/chain/5")
        let base = try FixtureSite.server().baseURL
        #expect(result.error == nil)
        #expect(result.status == 200)
        #expect(result.finalURL == base + "/chain/0")
        #expect(result.redirectChain.map(\.url) == (1...5).reversed().map { base + "/chain/\($0)" })
        #expect(result.redirectChain.map(\.status) == [302, 301, 302, 301, 302])
        #expect(result.redirectChain.map(\.location) == (0...4).reversed().map { "/chain/\($0)" })
        #expect(result.redirectChain[2].headers["x-hop"] == "3")
        #expect(result.cookies.count == 1)
        let cookie = try #require(result.cookies.first)
        #expect(cookie.name == "midhop")
        #expect(cookie.value == nil)
        #expect(cookie.hop == 2)
        #expect(cookie.url == base + "/chain/3")
        #expect(cookie.httpOnly)
        #expect(cookie.domain == "127.0.0.1" && cookie.hostOnly)
        // The cookie engine sends the middle hop's cookie on to the final request.
        #expect(String(decoding: result.body, as: UTF8.self) == "end; cookie sent back: yes")
        // The hop's Set-Cookie header is kept, with its value redacted.
        #expect(result.redirectChain[2].headers.values("set-cookie") == ["midhop=[redacted]; Path=/; HttpOnly"])
        #expect(result.timings.map { $0.total > 0 && $0.redirect > 0 } == true)
    }

    @Test("a redirect loop ends with too-many-redirects")
    func redirectLoop() async throws {
        let result = try await fetchOne("/loop") { $0.maxRedirects = 4 }
        #expect(result.error?.code == .tooManyRedirects)
        #expect(result.redirectChain.count == 4)
        #expect(result.status == 302)
    }

    @Test("every Set-Cookie attribute is parsed; values only on request")
    func cookieAttributes() async throws {
        let result = try await fetchOne("/cookies") { $0.includeCookieValues = true }
        let cookies = Dictionary(uniqueKeysWithValues: result.cookies.map { ($0.name, $0) })
        #expect(result.cookies.map(\.name) == ["full", "session", "old", "strict", "laxdefault"])

        let full = try #require(cookies["full"])
        #expect(full.value == "secret-value")
        #expect(full.domain == "example.com" && !full.hostOnly)
        #expect(full.path == "/account")
        #expect(full.expiresIn == 3600)  // Max-Age wins over Expires
        #expect(full.secure && full.httpOnly && full.partitioned)
        #expect(full.sameSite == "Lax")

        let session = try #require(cookies["session"])
        #expect(session.expiresIn == nil)
        #expect(session.hostOnly && session.domain == "127.0.0.1")
        #expect(!session.secure && !session.httpOnly && session.sameSite == nil)

        // Expires is measured against the response's Date header.
        #expect(cookies["strict"]?.expiresIn == 86_400)
        #expect(cookies["strict"]?.sameSite == "Strict")
        #expect(cookies["old"].flatMap(\.expiresIn).map { $0 < -1_700_000_000 } == true)
        // An unknown SameSite and a relative Path fall back to the defaults.
        #expect(cookies["laxdefault"]?.sameSite == nil)
        #expect(cookies["laxdefault"]?.path == "/")
    }

    @Test("cookie values are left out by default, in cookies and in headers")
    func cookieValuesHidden() async throws {
        let result = try await fetchOne("/cookies")
        #expect(result.cookies.allSatisfy { $0.value == nil })
        let headers = result.headers.values("set-cookie")
        #expect(headers.count == 5)
        #expect(headers.allSatisfy { !$0.contains("secret-value") && !$0.contains("abc123") })
        #expect(headers.first?.hasPrefix("full=[redacted]; Expires=") == true)
    }

    @Test("a gzip body is decoded, and bytes and sha256 describe the decoded body")
    func gzip() async throws {
        let result = try await fetchOne("/gzip")
        #expect(result.error == nil)
        #expect(result.headers["content-encoding"] == "gzip")
        #expect(result.bytes == FixtureSite.heise.count)
        #expect(result.body == FixtureSite.heise)
        #expect(result.sha256 == SHA256.hex(FixtureSite.heise))
        #expect(FixtureSite.heiseGzip.count < FixtureSite.heise.count / 2)
    }

    @Test("without kept bodies, the digest is computed as bytes arrive and only 8 KiB are kept", arguments: [1, 3])
    func streamedDigest(loops: Int) async throws {
        let results = try await fetch([try FixtureSite.url("/gzip"), try FixtureSite.url("/landwirt/no-charset")]) {
            $0.keepBody = false
            $0.loops = loops
        }
        #expect(results[0].sha256 == SHA256.hex(FixtureSite.heise))
        #expect(results[0].bytes == FixtureSite.heise.count)
        #expect(results[0].body.isEmpty)
        #expect(results[1].sha256 == SHA256.hex(FixtureSite.landwirt))
        #expect(results[1].charset == "iso-8859-1" && results[1].charsetSource == .meta)
    }

    @Test("--no-digest leaves sha256 out")
    func noDigest() async throws {
        let result = try await fetchOne("/gzip") { $0.computeDigest = false }
        #expect(result.sha256 == nil)
        #expect(result.bytes == FixtureSite.heise.count)
    }

    @Test("a slow-drip response ends in timeout")
    func slowDrip() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await fetchOne("/slow") { $0.timeout = 1.5 }
        #expect(result.error?.code == .timeout)
        #expect(result.status == 200)
        // libcurl's own clock: the transfer ended at the 1.5 s timeout, not when the drip ended.
        #expect((result.timings?.total ?? .infinity) < 5000)
        // Wall clock only guards against a hang: in a parallel test run it also counts time
        // spent waiting for the shared executor while other suites run `dragnet` processes
        // (72 s once on 2 busy cores), so the bound is loose; libcurl's clock above is the check.
        #expect(clock.now - start < .seconds(300))
    }

    @Test("a drip below the low-speed limit ends in timeout before the overall timeout")
    func lowSpeed() async throws {
        let result = try await fetchOne("/slow") {
            $0.timeout = 30
            $0.lowSpeedLimit = 100
            $0.lowSpeedTime = 1
        }
        #expect(result.error?.code == .timeout)
        #expect((result.timings?.total ?? 0) < 10_000 || result.timings == nil)
    }

    @Test("bodies over --max-bytes end in too-large, announced or not", arguments: ["/big", "/big-unannounced"])
    func tooLarge(path: String) async throws {
        let result = try await fetchOne(path)
        #expect(result.error?.code == .tooLarge)
        #expect(result.body.count <= 10 << 20)
    }

    @Test("a gzip bomb stops at --max-bytes of decoded data")
    func gzipBomb() async throws {
        let result = try await fetchOne("/bomb") { $0.maxBytes = 1 << 20 }
        #expect(result.error?.code == .tooLarge)
        #expect(result.error?.message == "decoded body exceeds 1048576 bytes")
        #expect(result.body.count <= 1 << 20)
    }

    @Test("404 and 500 are statuses, not errors")
    func statuses() async throws {
        let results = try await fetch([try FixtureSite.url("/status/404"), try FixtureSite.url("/status/500")])
        #expect(results.map(\.status) == [404, 500])
        #expect(results.allSatisfy { $0.error == nil && $0.succeeded && $0.attempts == 1 })
        #expect(String(decoding: results[0].body, as: UTF8.self) == "status 404")
    }

    @Test("429 with Retry-After is retried after the delay")
    func retryAfter() async throws {
        let key = UUID().uuidString
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await fetchOne("/retry-after/\(key)")
        #expect(result.status == 200)
        #expect(result.attempts == 2)
        #expect(String(decoding: result.body, as: UTF8.self) == "served on hit 2")
        #expect(clock.now - start >= .milliseconds(950))
    }

    @Test("a 503 is retried --retries times, then reported with its status")
    func retriesExhausted() async throws {
        let key = UUID().uuidString
        let result = try await fetchOne("/unavailable/\(key)") { $0.retries = 2 }
        #expect(result.status == 503)
        #expect(result.error == nil)
        #expect(result.attempts == 3)
        #expect(FixtureSite.hits.withLock { $0[key] } == 3)
    }

    @Test("a connection closed mid-response ends in connection-closed, after retries")
    func closedMidResponse() async throws {
        let result = try await fetchOne("/close-mid") { $0.retries = 1 }
        #expect(result.error?.code == .connectionClosed)
        #expect(result.error?.curlCode == 18)
        #expect(result.attempts == 2)
    }

    @Test("a refused port ends in connect")
    func refusedPort() async throws {
        let port = try FixtureServer.refusedPort()
        let results = try await fetch(["http://127.0.0.1:\(port)/"])
        #expect(results.first?.error?.code == .connect)
        #expect(results.first?.status == nil)
        #expect(results.first?.attempts == 1)
    }

    @Test("64 large response headers are all kept")
    func manyHeaders() async throws {
        let result = try await fetchOne("/headers/64/1000")
        #expect(result.error == nil)
        let large = result.headers.filter { $0.name.hasPrefix("x-large-") }
        #expect(large.count == 64)
        #expect(large.first?.name == "x-large-000")
        #expect(large.allSatisfy { $0.value.count == 1000 })
    }

    @Test("headers beyond the header cap end in headers-too-large")
    func headerCap() async throws {
        let result = try await fetchOne("/headers/400/1000")
        #expect(result.error?.code == .headersTooLarge)
    }

    @Test("a windows-1252 page keeps its bytes; the charset comes from the header, else from <meta>")
    func windows1252() async throws {
        let results = try await fetch([try FixtureSite.url("/landwirt"), try FixtureSite.url("/landwirt/no-charset")])
        #expect(results[0].charset == "windows-1252")
        #expect(results[0].charsetSource == .header)
        #expect(results[1].charset == "iso-8859-1")
        #expect(results[1].charsetSource == .meta)
        for result in results {
            #expect(result.bytes == 72_431)
            #expect(result.body == FixtureSite.landwirt)
            #expect(result.sha256 == SHA256.hex(FixtureSite.landwirt))
        }
        // 0xFC is "ü" in windows-1252 and stays a raw byte, not U+FFFD.
        #expect(results[0].body.contains(0xFC))
    }

    @Test("--per-host caps transfers to one host; --concurrency caps them all")
    func limits() async throws {
        let perHostKey = UUID().uuidString
        let urls = try (0..<12).map { _ in try FixtureSite.url("/hold/\(perHostKey)") }
        let results = try await fetch(urls) {
            $0.perHost = 3
            $0.loops = 2  // the limit holds across loops
        }
        #expect(results.allSatisfy { $0.status == 200 })
        #expect(FixtureSite.peakInFlight(perHostKey) == 3)

        let totalKey = UUID().uuidString
        let more = try (0..<12).map { _ in try FixtureSite.url("/hold/\(totalKey)") }
        _ = try await fetch(more) {
            $0.perHost = 10
            $0.concurrency = 2
            $0.loops = 2
        }
        #expect(FixtureSite.peakInFlight(totalKey) == 2)
    }

    @Test("invalid inputs come back as results with their error, next to fetched ones")
    func invalidInputs() async throws {
        let results = try await fetch(["file:///etc/passwd", "not a url", try FixtureSite.url("/status/404")])
        #expect(results.map(\.error?.code) == [.unsupportedScheme, .invalidURL, nil])
        #expect(results[0].bytes == 0 && results[0].attempts == 0)
        #expect(results[2].status == 404)
    }

    @Test("results of a long list all arrive, each exactly once")
    func manyResults() async throws {
        let urls = try (0..<300).map { try FixtureSite.url("/status/\($0 % 2 == 0 ? 200 : 404)?n=\($0)") }
        let results = try await fetch(urls) { $0.concurrency = 8; $0.perHost = 8 }
        #expect(results.map(\.id) == Array(0..<300))
        #expect(results.filter { $0.status == 404 }.count == 150)
    }
}
