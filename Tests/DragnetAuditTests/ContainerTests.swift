import DragnetContainers
import DragnetCore
import DragnetHTML
import DragnetRules
import DragnetTestSupport
import Foundation
import Testing

/// Audits `urls` against the loopback HTTPS fixture site with a fresh container cache.
func auditHTTPS(_ urls: [String], server: HTTPSFixtureServer, extra: [String] = []) throws -> (ProcessOutput, [[String: Any]]) {
    let directory = try temporaryDirectory()
    let output = directory.appendingPathComponent("report.json").path
    let result = try dragnet(
        // `extra` first: the first matching --connect-to entry wins, and the catch-all comes last.
        ["audit", "-q", "--no-history", "--no-policies"] + extra + ["--connect-to", server.connectToAll, "-k",
         "--containers-cache", directory.appendingPathComponent("cache").path, "--output", output] + urls)
    let report = (try? loadJSON(output)) ?? [:]
    return (result, report["pages"] as? [[String: Any]] ?? [])
}

func findings(_ page: [String: Any], rule: String) -> [[String: Any]] {
    (page["findings"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == rule }
}

@Suite("Tag-manager containers and Segment settings")
struct ContainerTests {
    @Test("the shop page gains what its GTM, gtag and Segment containers hold, via the container; --no-containers drops it")
    func shopPage() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let (result, pages) = try auditHTTPS(["https://shop.example/"], server: server)
        #expect(result.status == 0)
        let page = try #require(pages.first)

        // TikTok only lives in the container's custom HTML (minified: `a.load("C…")`).
        let tiktok = try #require(findings(page, rule: "tiktok-pixel").first)
        #expect(tiktok["accountId"] as? String == "CQ7FIXTUREPIXEL12345")
        #expect(tiktok["seenBy"] as? [String] == ["container"])
        let via = try #require(tiktok["via"] as? [String: Any])
        #expect(via["container"] as? String == "GTM-T1K2T3")
        #expect(via["tag"] as? Int == 0)
        #expect(via["template"] as? String == "__html")
        #expect(via["firing"] as? String == "page-load")
        let evidence = try #require((tiktok["evidence"] as? [[String: Any]])?.first)
        #expect(evidence["url"] as? String == "https://www.googletagmanager.com/gtm.js?id=GTM-T1K2T3")
        #expect(evidence["tag"] as? Int == 0)
        // ttq.identify with the email variable: the contact-data flow.
        let matching = try #require(findings(page, rule: "tiktok-advanced-matching").first)
        #expect((matching["data"] as? [String])?.contains("contact-data") == true)
        #expect(((page["platforms"] as? [String: Any])?["tiktok"] as? [String: Any]) != nil)

        // The Meta pixel is inline and in the community template: one finding, seen by both.
        let meta = findings(page, rule: "meta-pixel").filter { $0["accountId"] as? String == "111122223333444" }
        #expect(meta.count == 1)
        #expect(meta.first?["seenBy"] as? [String] == ["container", "static"])
        #expect(findings(page, rule: "meta-advanced-matching").first?["accountId"] as? String == "111122223333444")

        // X's built-in template fires on an event; Hotjar only after a consent event.
        let x = try #require(findings(page, rule: "x-pixel").first)
        #expect(x["accountId"] as? String == "o1x2y")
        #expect((x["via"] as? [String: Any])?["firing"] as? String == "event")
        #expect((findings(page, rule: "hotjar").first?["via"] as? [String: Any])?["firing"] as? String == "after-consent")
        // The paused LinkedIn tag and the image tag no trigger fires are not findings.
        #expect(findings(page, rule: "linkedin-insight").isEmpty)
        #expect(findings(page, rule: "snap-pixel").isEmpty)
        // gtag container: automatic email collection sends contact data to Google.
        let userData = try #require(findings(page, rule: "google-user-provided-data").first)
        #expect(userData["accountId"] as? String == "G-F1XT0RE5")
        #expect((userData["data"] as? [String])?.contains("contact-data") == true)
        // Segment: TikTok Conversions in cloud mode is a server-side flow; the Facebook Pixel runs in the browser.
        let cloud = try #require((page["findings"] as? [[String: Any]])?.first { $0["channel"] as? String == "server-side" })
        #expect(cloud["platform"] as? String == "tiktok")
        #expect(cloud["accountId"] as? String == "CSEGMENTTIKTOK00001")
        #expect(findings(page, rule: "meta-pixel").contains { $0["accountId"] as? String == "555566667777888" })
        let containers = try #require(page["containers"] as? [[String: Any]])
        #expect(Set(containers.compactMap { $0["id"] as? String }) == ["GTM-T1K2T3", "G-F1XT0RE5", "SEGKEYfixture0001"])
        let segment = try #require(containers.first { $0["kind"] as? String == "segment" })
        #expect((segment["warnings"] as? [String])?.contains { $0.contains("Shiny Unknown Destination") } == true)
        // Ids only in a comment or inside another string are never fetched.
        #expect(!server.requests().contains { $0.contains("GTM-OLD") })
        // The graph runs page → container → tag → entity.
        let graph = try #require(page["graph"] as? [String: Any])
        let edges = try #require(graph["edges"] as? [[String: Any]])
        #expect(edges.contains { $0["from"] as? String == "tag:GTM-T1K2T3#0" && $0["to"] as? String == "entity:bytedance" })

        let (_, without) = try auditHTTPS(["https://shop.example/"], server: server, extra: ["--no-containers"])
        let plain = try #require(without.first)
        #expect(findings(plain, rule: "tiktok-pixel").isEmpty)
        #expect((plain["findings"] as? [[String: Any]])?.contains { $0["platform"] as? String == "tiktok" } == false)
        #expect(((plain["coverage"] as? [String: Any])?["score"] as? Double ?? 1) < 1)
    }

    @Test("bad containers: each page is still audited, with its container's error and lowered coverage")
    func badContainers() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let plain = try HTTPSFixtureServer(root: Fixtures.directory.appendingPathComponent("https-site").path, plain: true)
        defer { plain.stop() }
        let names = ["404", "slow", "trunc", "nojson", "huge", "range", "nest", "login", "invalid", "tls"]
        let (result, pages) = try auditHTTPS(
            names.map { "https://bad.example/\($0).html" }, server: server,
            extra: ["--timeout", "3", "--connect-to", "tls.bad.example:443:127.0.0.1:\(plain.port)"])
        #expect(result.status == 0)
        #expect(pages.count == names.count)
        var errors: [String: String] = [:]
        var coverage: [String: Double] = [:]
        for page in pages {
            let name = ((page["url"] as? String ?? "") as NSString).lastPathComponent.replacingOccurrences(of: ".html", with: "")
            #expect(page["status"] as? Int == 200)
            errors[name] = ((page["containers"] as? [[String: Any]])?.first?["error"] as? String) ?? ""
            coverage[name] = (page["coverage"] as? [String: Any])?["score"] as? Double
        }
        #expect(errors["404"] == "HTTP 404")
        #expect(errors["slow"]?.hasPrefix("timeout") == true)
        #expect(errors["trunc"]?.hasPrefix("truncated") == true)
        #expect(errors["nojson"]?.contains("not JSON") == true)
        #expect(errors["huge"]?.hasPrefix("too-large") == true)
        #expect(errors["login"]?.contains("HTML") == true)
        #expect(errors["tls"]?.hasPrefix("tls") == true)
        for name in ["404", "slow", "trunc", "nojson", "huge", "login", "tls"] { #expect(coverage[name] == 0.6, "\(name)") }
        // Out-of-range indices are warnings; the rest of the container is read.
        let range = try #require(pages.first { ($0["url"] as? String)?.hasSuffix("range.html") == true })
        let rangeContainer = try #require((range["containers"] as? [[String: Any]])?.first)
        #expect((rangeContainer["warnings"] as? [String])?.contains { $0.contains("predicate 99") } == true)
        #expect(findings(range, rule: "google-analytics-4").first?["accountId"] as? String == "G-F1XT0RE5")
        // Deeply nested escaped HTML is read without trouble; an invalid id is never fetched.
        #expect(errors["nest"] == "")
        let invalid = try #require(pages.first { ($0["url"] as? String)?.hasSuffix("invalid.html") == true })
        #expect((invalid["containerWarnings"] as? [String])?.first?.contains("invalid container id") == true)
        #expect(!server.requests().contains { $0.contains("GTM-bad") })
    }

    @Test("200 pages sharing one container cause exactly one container request")
    func sharedContainer() throws {
        let server = try HTTPSFixtureServer(root: Fixtures.directory.appendingPathComponent("https-site").path)
        defer { server.stop() }
        let directory = try temporaryDirectory()
        let page = try String(contentsOfFile: Fixtures.directory.appendingPathComponent("https-site/shop.example/index.html").path, encoding: .utf8)
        for index in 0..<200 {
            try page.write(toFile: directory.appendingPathComponent("page\(index).html").path, atomically: true, encoding: .utf8)
        }
        let output = directory.appendingPathComponent("report.json").path
        let result = try dragnet([
            "audit", "-q", "--no-history", "--no-policies", "--connect-to", server.connectToAll, "-k", "--containers-cache",
            directory.appendingPathComponent("cache").path, "--output", output, "--input-dir", directory.path, "--base-url", "https://shop.example/",
        ])
        #expect(result.status == 0)
        let pages = try #require(try loadJSON(output)["pages"] as? [[String: Any]])
        #expect(pages.count == 200)
        #expect(pages.allSatisfy { !findings($0, rule: "tiktok-pixel").isEmpty })
        #expect(server.requests().filter { $0.contains("gtm.js?id=GTM-T1K2T3") }.count == 1)
        // A second run within --containers-max-age reads the disk cache: no request at all.
        let again = try dragnet([
            "audit", "-q", "--no-history", "--no-policies", "--connect-to", server.connectToAll, "-k", "--containers-cache",
            directory.appendingPathComponent("cache").path, "--output", output, directory.appendingPathComponent("page0.html").path,
            "--base-url", "https://shop.example/",
        ])
        #expect(again.status == 0)
        #expect(server.requests().filter { $0.contains("gtm.js?id=GTM-T1K2T3") }.count == 1)
        let cached = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first?["containers"] as? [[String: Any]])
        #expect(cached.first { $0["id"] as? String == "GTM-T1K2T3" }?["source"] as? String == "cache")
    }

    @Test("offline: an expired cached container is used when the network fails, and the report says so")
    func staleCache() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let directory = try temporaryDirectory()
        let cache = directory.appendingPathComponent("cache").path
        let output = directory.appendingPathComponent("report.json").path
        let base = ["audit", "-q", "--no-history", "--no-policies", "-k", "--containers-cache", cache, "--output", output]
        #expect(try dragnet(base + ["--connect-to", server.connectToAll, "https://shop.example/"]).status == 0)
        let refused = try FixtureServer.refusedPort()
        let offline = try dragnet(base + [
            "--containers-max-age", "0", "--retries", "0", "--connect-to", "www.googletagmanager.com:443:127.0.0.1:\(refused)",
            "--connect-to", server.connectToAll, "https://shop.example/",
        ])
        #expect(offline.status == 0)
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let gtm = try #require((page["containers"] as? [[String: Any]])?.first { $0["id"] as? String == "GTM-T1K2T3" })
        #expect(gtm["source"] as? String == "stale-cache")
        #expect((gtm["warnings"] as? [String])?.first?.contains("used the copy cached at") == true)
        #expect(findings(page, rule: "tiktok-pixel").first?["accountId"] as? String == "CQ7FIXTUREPIXEL12345")
        // Segment's host still answered: that one came from the network again.
        #expect((page["containers"] as? [[String: Any]])?.first { $0["kind"] as? String == "segment" }?["source"] as? String == "network")
    }

    @Test("dragnet check fails a policy that denies TikTok on a page whose pixel only the container names")
    func check() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let directory = try temporaryDirectory()
        let config = directory.appendingPathComponent("dragnet.yml").path
        try """
            targets:
              - https://shop.example/
            deny:
              - platform: tiktok
                reason: No ByteDance trackers on our pages
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let base = ["check", "--config", config, "--out", directory.path, "--connect-to", server.connectToAll, "-k", "--containers-cache", directory.appendingPathComponent("cache").path]
        let failing = try dragnet(base)
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("tiktok"))
        let passing = try dragnet(base + ["--no-containers"])
        #expect(passing.status == 0)
    }
}

@Suite("dragnet container")
struct ContainerCommandTests {
    @Test("a container file, an id fetched under its real name, a 404: tags, triggers, platforms; exit 0 while one was read")
    func command() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let file = Fixtures.directory.appendingPathComponent("https-site/www.googletagmanager.com/gtm.js@id=GTM-T1K2T3").path
        let text = try dragnet(["container", file])
        #expect(text.status == 0)
        #expect(text.stdout.contains("tag 0  __html"))
        #expect(text.stdout.contains("→ tiktok (tiktok-advanced-matching, tiktok-pixel; CQ7FIXTUREPIXEL12345)"))
        #expect(text.stdout.contains("tag 5  __bzi                      paused"))

        let json = try dragnet(["container", "--format", "json", "--connect-to", server.connectToAll, "-k", "segment:SEGKEYfixture0001", "GTM-MISSING1"])
        #expect(json.status == 0)
        let items = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 2)
        #expect(items[0]["platforms"] as? [String] == ["google", "meta", "tiktok"])
        let cloud = (items[0]["tagList"] as? [[String: Any]])?.first { $0["template"] as? String == "TikTok Conversions" }
        #expect((cloud?["firing"] as? [String: Any])?["kind"] as? String == "cloud-mode")
        #expect(items[1]["error"] as? String == "HTTP 404")

        let none = try dragnet(["container", "--connect-to", server.connectToAll, "-k", "GTM-MISSING1"])
        #expect(none.status == 3)
    }
}

@Suite("Container reading")
struct ContainerParsingTests {
    @Test("firing conditions: page load, event, consent, paused, never")
    func firing() throws {
        let bytes = try Fixtures.bytes("https-site/www.googletagmanager.com/gtm.js@id=GTM-T1K2T3")
        let container = try GTMContainer.parse(bytes, id: "GTM-T1K2T3", consentEvents: ["cookie_consent_statistics"], consentVariables: [])
        #expect(container.version == "42")
        #expect(container.tags.map(\.firing.kind) == ["page-load", "page-load", "event", "page-load", "event", "paused", "after-consent", "never", "page-load"])
        #expect(container.tags[2].firing.events == ["purchase"])
        #expect(container.tags[5].function == "__bzi")
        #expect(container.permissions["__cvt_98765_12"]?.hosts == ["connect.facebook.net"])
        #expect(container.constant(container.tags[1].parameter("vtp_pixelId")) == "111122223333444")
        #expect(container.render(container.tags[0].parameter("vtp_html")!).contains("a.identify({email:google_tag_manager[\"GTM-T1K2T3\"].macro(4)"))
    }

    @Test("a constant variable in custom HTML becomes a quoted literal, so the pixel id is read")
    func constantVariable() throws {
        let js = #"""
            var data = {"resource":{"version":"3","macros":[{"function":"__e"},{"function":"__c","vtp_value":"CCONSTANTPIXEL12345"}],
            "tags":[{"function":"__html","vtp_html":["template","\u003Cscript\u003E!function(d,g,c){d.TiktokAnalyticsObject=c;var a=d[c]=d[c]||[];a.load(",["escape",["macro",1],8,16],");a.page()}(window,document,\"ttq\");\u003C\/script\u003E"],"tag_id":1}],
            "predicates":[{"function":"_eq","arg0":["macro",0],"arg1":"gtm.js"}],"rules":[[["if",0],["add",0]]]},"runtime":[],"permissions":{},"sandboxed_scripts":[]};
            """#
        let container = try GTMContainer.parse(Array(js.utf8), id: "GTM-CONST01")
        let html = container.render(container.tags[0].parameter("vtp_html")!)
        #expect(html.contains("a.load('CCONSTANTPIXEL12345')"))
        let rules = RulePack.load(directory: Fixtures.rulesDirectory)
        let mapped = ContainerMapper.map(container, name: "GTM-CONST01", url: "https://www.googletagmanager.com/gtm.js?id=GTM-CONST01", rules: rules)
        let input = EvaluationInput(pageURL: "https://shop.example/", firstPartySites: ["shop.example"], observations: Observations(), containers: mapped.contents)
        let finding = Evaluator.evaluate(input, rules: rules).findings.first { $0.rule == "tiktok-pixel" }
        #expect(finding?.accountID == "CCONSTANTPIXEL12345")
        #expect(finding?.seenBy == ["container"])
    }

    @Test("container ids in script URLs and snippets; not in comments or escaped strings")
    func detection() throws {
        let html = """
            <script>(function(w,d,s,l,i){j.src='https://metrics.shop.example/gtm.js?id='+i;})(window,document,'script','shopLayer','GTM-SSIDE01');</script>
            <script>// (window,document,'script','dataLayer','GTM-COMMENT1')
            var copy = "<script>(function(){j.src='https://www.googletagmanager.com/gtm.js?id='+i})(window,document,'script','dataLayer','GTM-ESCAPED1')<\\/script>";</script>
            <script async src="https://www.googletagmanager.com/gtag/js?id=AW-123456789"></script>
            <script src="https://cdn.shop.example/analytics.js/v1/ProxyKey1234567/analytics.min.js"></script>
            """
        let extracted = HTMLExtractor.extract(Array(html.utf8), pageURL: "https://shop.example/").observations
        let found = ContainerDetector.detect(extracted, pageURL: "https://shop.example/")
        #expect(found.references.map(\.url).sorted() == [
            "https://cdn.shop.example/v1/projects/ProxyKey1234567/settings",
            "https://metrics.shop.example/gtm.js?id=GTM-SSIDE01",
            "https://www.googletagmanager.com/gtag/js?id=AW-123456789",
        ])
        #expect(found.references.first { $0.id == "GTM-SSIDE01" }?.dataLayer == "shopLayer")
    }

    @Test("JSON parser: values, escapes, depth limit, errors with offsets")
    func json() throws {
        let value = try JSONValue.parse(Array(#"{"a":[1,-2.5e1,"\u003Cb\u003E\ud83d\ude00",true,null],"b":{}}"#.utf8))
        #expect(value["a"]?.arrayValue?[0] == .int(1))
        #expect(value["a"]?.arrayValue?[1] == .double(-25))
        #expect(value["a"]?.arrayValue?[2] == .string("<b>😀"))
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(String(repeating: "[", count: 600).utf8)) }
        do {
            _ = try JSONValue.parse(Array(#"{"a":1,}"#.utf8))
            Issue.record("trailing comma accepted")
        } catch {
            #expect(error.offset == 7)
        }
    }
}
