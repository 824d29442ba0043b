public import DragnetCore
import Foundation


/// The fixture site every fetch test talks to: one server on 127.0.0.1 for the
/// whole test run, with routes that behave well and badly on purpose.
public enum FixtureSite {
    public static let shared: Result<FixtureServer, any Error> = Result { try FixtureServer(handler: handle) }

    public static func server() throws -> FixtureServer { try shared.get() }

    public static func url(_ path: String) throws -> String { try server().baseURL + path }

    /// Fixed server clock for the cookie tests: Sun, 29 Nov 2026 12:00:00 GMT.
    public static let serverDate = "Sun, 29 Nov 2026 12:00:00 GMT"

    public static let landwirt: [UInt8] = (try? Fixtures.bytes("pages/landwirt.com.sensortechnik.html")) ?? []
    public static let heise: [UInt8] = (try? Fixtures.bytes("pages/heise.html")) ?? []
    public static let heiseGzip: [UInt8] = Gzip.compress(heise)
    /// 1 GiB of zeros, gzip-compressed to about 1 MB.
    public static let bomb: [UInt8] = Gzip.compress(chunks: 1024, chunk: [UInt8](repeating: 0, count: 1 << 20))

    /// Hits per key, for the retry routes.
    public static let hits = Locked<[String: Int]>([:])
    /// In-flight and peak in-flight requests per key, for the concurrency routes.
    public static let inFlight = Locked<[String: (now: Int, peak: Int)]>([:])

    public static let shopPage = """
        <!doctype html><html><head><title>Shop</title>
        <script>
        !function (w, d, t) { w.TiktokAnalyticsObject=t; var ttq=w[t]=w[t]||[];
        ttq.load('C4SHOPPIXEL123456789'); ttq.page(); }(window, document, 'ttq');
        </script>
        <script>(function(h,o,t,j,a,r){h._hjSettings={hjid:1234567,hjsv:6};})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');</script>
        </head><body>
        <form action="https://newsletter.mailer-partner.example/subscribe" method="post">
          <label>Email <input type="email" name="email"></label><button>Join</button>
        </form>
        <footer><a href="/shop/privacy">Privacy Policy</a></footer>
        </body></html>
        """

    public static let shopPolicy = """
        <!doctype html><html><head><title>Privacy</title><script>var tracking = "we sell everything";</script></head><body>
        <nav><a href="/">Home</a> We sell your data to everyone (navigation, not policy text).</nav>
        <div id="cookie-banner">We use cookies to train our AI models. Accept?</div>
        <main>
        <h1>Privacy Policy</h1>
        <h2>What we collect</h2>
        <p>We collect your name and email address when you place an order. We use Google Analytics to understand how our shop is used.</p>
        <h2>Sharing</h2>
        <ul><li>We do not sell your personal information.</li><li>We share order details with our payment provider.</li></ul>
        <h2>Your rights</h2>
        <p>You can ask us to delete your data at any time.</p>
        </main>
        <footer>© Shop. We retain everything forever (footer, not policy text).</footer>
        </body></html>
        """

    public static func evolvingPage(tracker: Bool) -> String {
        let pixel = tracker ? "<script>!function(w,d,t){var ttq=w[t]=w[t]||[];ttq.load('C4EVOLVEPIXEL1234567');ttq.page();}(window,document,'ttq');</script>" : ""
        return "<!doctype html><html><head><title>Evolving</title>\(pixel)</head><body><p>Hello.</p></body></html>"
    }

    /// Markup that must not get into an HTML report: script in the title, quotes and
    /// `</script>` in URLs and labels, a javascript: link.
    public static let hostilePage = """
        <!doctype html><html><head><title></script><script>alert("title")</script></title>
        <script src="https://evil-cdn.example/x.js?a=\"><script>alert('src')</script>"></script>
        <script>ttq.load('C4HOSTILE12345678901'); /* </script><img src=x onerror=alert('inline')> */</script>
        </head><body>
        <a href="javascript:alert('link')">Privacy Policy</a>
        <form action="https://collect.evil-forms.example/in?x=<svg/onload=alert(1)>">
          <label>"><img src=x onerror=alert('label')> <input type="email" name="e"></label>
        </form>
        <img src="https://pixel.evil-cdn.example/p.gif?u='><iframe src=javascript:alert(2)>" width="1" height="1">
        </body></html>
        """

    public static let disclosingPolicy = """
        <html><body><main><h1>Privacy Policy</h1>
        <p>We share information about your visit with our advertising partners, who use pixels on our pages.</p>
        <p>We use Hotjar to make session recordings of how visitors use the shop.</p>
        <p>Newsletter sign-ups are handled by Mailer Partner (mailer-partner.example), which receives your email address.</p>
        </main></body></html>
        """

    public static let commonPathPolicy = """
        # Privacy notice

        We collect the information you give us. We share it with advertising partners and our analytics providers.

        ## Retention

        We keep your data for as long as your account is open.
        """

    public static func peakInFlight(_ key: String) -> Int { inFlight.withLock { $0[key]?.peak ?? 0 } }

    static func handle(_ request: FixtureRequest, _ connection: FixtureConnection) {
        let parts = request.path.split(separator: "/").map(String.init)
        switch parts.first ?? "" {
        case "landwirt":
            let header = parts.count > 1 && parts[1] == "no-charset" ? "text/html" : "text/html; charset=windows-1252"
            connection.respond(status: 200, headers: [("Content-Type", header)], body: landwirt)

        case "chain":
            // /chain/N redirects to /chain/N-1; hop /chain/3 sets a cookie; /chain/0 answers.
            let n = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            if n > 0 {
                var headers = [("Location", "/chain/\(n - 1)"), ("X-Hop", "\(n)")]
                if n == 3 { headers.append(("Set-Cookie", "midhop=chain-secret; Path=/; HttpOnly")) }
                connection.respond(status: n % 2 == 0 ? 301 : 302, headers: headers)
            } else {
                let cookie = request.headers["cookie"] ?? "none"
                connection.respond(status: 200, headers: [("Content-Type", "text/plain")], text: "end; cookie sent back: \(cookie.hasPrefix("midhop=") ? "yes" : "no")")
            }

        case "page":
            // /page/NAME: a saved page from Tests/Fixtures/pages, as text/html.
            let name = parts.dropFirst().joined(separator: "/")
            if !name.contains(".."), let bytes = try? Fixtures.bytes("pages/" + name) {
                connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "visitor=v1; Path=/; Max-Age=600")], body: bytes)
            } else {
                connection.respond(status: 404, text: "no such page")
            }

        case "shop":
            // /shop/: a shop page with a TikTok pixel, Hotjar and a newsletter form posting
            // to a third party; /shop/privacy: its policy, which names none of them.
            if parts.count > 1 && parts[1] == "privacy" {
                connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], text: shopPolicy)
            } else {
                connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], text: shopPage)
            }

        case "evolving":
            // /evolving/?v=1: sets a cookie, no tracker; ?v=2: no cookie, a TikTok pixel. The
            // query is a cache-buster: both are the same page to `dragnet diff`.
            if (request.query ?? "").contains("v=2") {
                connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], text: evolvingPage(tracker: true))
            } else {
                connection.respond(
                    status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "pref=dark; Path=/; Max-Age=3600")],
                    text: evolvingPage(tracker: false))
            }

        case "flaky":
            // /flaky/KEY: the TikTok pixel on every other visit (an A/B test, a consent race …).
            let key = parts.count > 1 ? parts[1] : ""
            let hit = hits.withLock { counts -> Int in
                counts["flaky-" + key, default: 0] += 1
                return counts["flaky-" + key]!
            }
            connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], text: evolvingPage(tracker: hit % 2 == 1))

        case "hostile":
            connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], text: hostilePage)

        case "shop2":
            // The same shop, with a policy that discloses its partners in general terms.
            if parts.count > 1 && parts[1] == "privacy" {
                connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], text: disclosingPolicy)
            } else {
                connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], text: shopPage.replacingOccurrences(of: "/shop/privacy", with: "/shop2/privacy"))
            }

        case "privacy-notice":
            // Found by the common-path fallback (after /privacy, /privacy-policy and /legal/privacy 404).
            connection.respond(status: 200, headers: [("Content-Type", "text/markdown; charset=utf-8")], text: commonPathPolicy)

        case "redirect-to":
            // /redirect-to?url=URL: a redirect anywhere (the private-network guard's tests).
            let target = (request.query ?? "").split(separator: "&").first { $0.hasPrefix("url=") }.map { String($0.dropFirst(4)).removingPercentEncoding ?? "" } ?? "/"
            connection.respond(status: 302, headers: [("Location", target)])

        case "to-page":
            // /to-page/NAME: a redirect to /page/NAME, as a site's front door would.
            connection.respond(status: 301, headers: [("Location", "/page/" + parts.dropFirst().joined(separator: "/"))])

        case "filter-list":
            connection.respond(status: 200, headers: [("Content-Type", "text/plain")], text: "[Adblock Plus 2.0]\n||tracker.example^$third-party\nexample.org##.ad\n")

        case "echo-ua":
            connection.respond(status: 200, headers: [("Content-Type", "text/plain")], text: request.headers["user-agent"] ?? "")

        case "loop":
            connection.respond(status: 302, headers: [("Location", "/loop")])

        case "cookies":
            connection.respond(status: 200, headers: [
                ("Date", serverDate),
                ("Content-Type", "text/html"),
                ("Set-Cookie", "full=secret-value; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Max-Age=3600; Domain=.Example.COM; Path=/account; Secure; HttpOnly; SameSite=Lax; Partitioned"),
                ("Set-Cookie", "session=abc123; Path=/"),
                ("Set-Cookie", "old=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
                ("Set-Cookie", "strict=1; SameSite=Strict; Expires=Mon, 30 Nov 2026 12:00:00 GMT"),
                ("Set-Cookie", "laxdefault=1; SameSite=bogus; Path=relative"),
            ], text: "<html><body>cookies</body></html>")

        case "gzip":
            connection.respond(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")], body: heiseGzip)

        case "slow":
            connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n")
            for _ in 0..<100 {
                guard connection.send("x") else { return }
                usleep(250_000)
            }

        case "big":
            // 11 MiB with a Content-Length, so libcurl refuses it before reading.
            connection.respond(status: 200, headers: [("Content-Type", "text/plain")], body: [UInt8](repeating: 0x61, count: 11 << 20))

        case "big-unannounced":
            // 11 MiB with no Content-Length (ends at close): the write callback has to stop it.
            connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
            let block = [UInt8](repeating: 0x62, count: 1 << 20)
            for _ in 0..<11 { guard connection.send(block) else { return } }

        case "bomb":
            connection.respond(status: 200, headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body: bomb)

        case "status":
            let code = parts.count > 1 ? Int(parts[1]) ?? 500 : 500
            connection.respond(status: code, headers: [("Content-Type", "text/plain")], text: "status \(code)")

        case "retry-after":
            // First hit: 429 with Retry-After: 1; then 200.
            let key = parts.count > 1 ? parts[1] : ""
            let count = hits.withLock { $0[key, default: 0] += 1; return $0[key]! }
            if count == 1 {
                connection.respond(status: 429, headers: [("Retry-After", "1")], text: "slow down")
            } else {
                connection.respond(status: 200, headers: [("Content-Type", "text/plain")], text: "served on hit \(count)")
            }

        case "unavailable":
            let key = parts.count > 1 ? parts[1] : ""
            hits.withLock { $0[key, default: 0] += 1 }
            connection.respond(status: 503, text: "down")

        case "close-mid":
            connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
            connection.send([UInt8](repeating: 0x63, count: 1000))
            connection.close()

        case "headers":
            // /headers/COUNT/SIZE: COUNT headers of SIZE bytes each.
            let count = parts.count > 1 ? Int(parts[1]) ?? 64 : 64
            let size = parts.count > 2 ? Int(parts[2]) ?? 1000 : 1000
            let headers = (0..<count).map { index in (String(format: "X-Large-%03d", index), String(repeating: "v", count: size)) }
            connection.respond(status: 200, headers: headers + [("Content-Type", "text/plain")], text: "many headers")

        case "hold":
            // /hold/KEY: counts requests in flight under KEY and holds each for 150 ms.
            let key = parts.count > 1 ? parts[1] : ""
            inFlight.withLock { table in
                var entry = table[key] ?? (0, 0)
                entry.now += 1
                entry.peak = max(entry.peak, entry.now)
                table[key] = entry
            }
            usleep(150_000)
            inFlight.withLock { $0[key]?.now -= 1 }
            connection.respond(status: 200, headers: [("Content-Type", "text/plain")], text: "held")

        default:
            connection.respond(status: 404, text: "no such fixture")
        }
    }
}
