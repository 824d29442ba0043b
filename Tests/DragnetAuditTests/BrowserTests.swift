#if canImport(Glibc)
import Glibc
#endif
import DragnetAudit
import DragnetBrowser
import DragnetTestSupport
import Foundation
import Testing

/// A real Chromium over the DevTools pipe, every host mapped to the loopback HTTPS fixture server.
@Suite("Headless Chromium over the DevTools pipe, and dragnet audit --mode browser", .serialized)
struct BrowserTests {
    static func start() throws -> (BrowserProcess, HTTPSFixtureServer) {
        let server = try HTTPSFixtureServer.shared.get()
        let executable = try #require(BrowserProcess.find(), "chromium is not installed (.ci/run installs it)")
        let browser = try BrowserProcess(executable: executable, extraArguments: [
            "--host-resolver-rules=MAP * 127.0.0.1:\(server.port)", "--ignore-certificate-errors",
        ])
        return (browser, server)
    }

    @Test("requests a script injects, a beacon and a cross-site frame's pixel are observed with their initiators; Chromium's own traffic is not")
    func injectedPixel() async throws {
        let (browser, _) = try Self.start()
        let version = try await browser.version()
        #expect(version.product.hasPrefix("HeadlessChrome/") || version.product.hasPrefix("Chrome/"))
        var options = CaptureOptions()
        options.dwell = 0.5
        let capture = try await browser.capture("https://inject.example/", options: options)
        await browser.close()

        #expect(capture.error == nil)
        let tiktok = try #require(capture.requests.first { $0.url.hasPrefix("https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=CINJECTEDPIXEL123456") })
        #expect(tiktok.type == "Script")
        #expect(tiktok.initiatorType == "script")
        #expect(tiktok.initiatorURL == "https://inject.example/")
        #expect(tiktok.status == 404)  // the fixture server has no such file; the request is what counts
        #expect(capture.requests.contains { $0.url.hasPrefix("https://www.facebook.com/tr?id=200000000000002") && $0.type == "Ping" })
        #expect(capture.requests.contains { $0.url.hasPrefix("https://px.ads.linkedin.com/collect/") })
        let hosts = Set(capture.requests.compactMap { URL(string: $0.url)?.host })
        #expect(hosts.isDisjoint(with: ["update.googleapis.com", "clients2.google.com", "accounts.google.com", "redirector.gvt1.com", "optimizationguide-pa.googleapis.com"]))
        #expect(capture.cookies.contains { $0.name == "_ttp" && $0.domain == "inject.example" })
        #expect(capture.html.contains("<h1>Injected</h1>"))
        #expect(capture.finalURL == "https://inject.example/")
        // No process of the browser's group is left.
        #expect(browser.livingProcesses() == 0)
        #expect(capture.seconds < 10)
    }

    @Test("dialogs are dismissed, a page that hangs times out, a page that closes itself and a download do not stop the next page; only http(s)")
    func misbehaving() async throws {
        let (browser, _) = try Self.start()
        var options = CaptureOptions()
        options.dwell = 0.2
        options.pageTimeout = 4
        let hang = try await browser.capture("https://hang.example/SLOW.html", options: options)
        #expect(hang.error?.hasPrefix("timeout") == true)
        #expect(hang.seconds < 12)
        let dialogs = try await browser.capture("https://dialogs.example/", options: options)
        #expect(dialogs.error == nil)
        #expect(dialogs.requests.contains { $0.url.hasPrefix("https://ct.pinterest.com/v3/?tid=2612345678901") })
        let closer = try await browser.capture("https://closer.example/", options: options)
        #expect(closer.seconds < 12)
        let file = try await browser.capture("file:///etc/passwd", options: options)
        #expect(file.error == "only http and https pages are loaded")
        // The same browser still loads the next page.
        let after = try await browser.capture("https://inject.example/", options: options)
        #expect(after.requests.contains { $0.url.contains("CINJECTEDPIXEL123456") })
        await browser.close()
        #expect(browser.livingProcesses() == 0)
    }

    @Test("a renderer that crashes, a JavaScript redirect loop and navigations to file:, chrome: and data: each end their page with a reason; the next page loads")
    func crashes() async throws {
        let server = try HTTPSFixtureServer.shared.get()
        let executable = try #require(BrowserProcess.find())
        // V8's heap capped so the allocation loop ends in a renderer crash quickly.
        let browser = try BrowserProcess(executable: executable, extraArguments: [
            "--host-resolver-rules=MAP * 127.0.0.1:\(server.port)", "--ignore-certificate-errors", "--js-flags=--max-old-space-size=48",
        ])
        var options = CaptureOptions()
        options.dwell = 0.3
        options.pageTimeout = 8
        let crash = try await browser.capture("https://crash.example/", options: options)
        #expect(crash.error == "the page's renderer crashed", "\(crash.error ?? "no error")")
        #expect(crash.seconds < 12)
        let loop = try await browser.capture("https://loop.example/", options: options)
        #expect(loop.error?.hasPrefix("JavaScript redirect loop") == true, "\(loop.error ?? "no error")")
        #expect(loop.seconds < 12)
        let escape = try await browser.capture("https://escape.example/", options: options)
        #expect(escape.error == nil, "\(escape.error ?? "")")
        #expect(escape.finalURL == "https://escape.example/")
        #expect(escape.html.contains("<h1>Escape</h1>"))
        #expect(!escape.requests.contains { !$0.url.hasPrefix("https://") })
        let after = try await browser.capture("https://inject.example/", options: options)
        #expect(after.requests.contains { $0.url.contains("CINJECTEDPIXEL123456") })
        await browser.close()
        #expect(browser.livingProcesses() == 0)
    }

    @Test("a browser killed in the middle of a page is replaced and the page tried once more; the pool goes on")
    func browserDies() async throws {
        let server = try HTTPSFixtureServer.shared.get()
        var options = BrowserOptions(executable: try #require(BrowserProcess.find()))
        options.jobs = 1
        options.pagesPerBrowser = 1
        options.capture.dwell = 2
        options.arguments = ["--host-resolver-rules=MAP * 127.0.0.1:\(server.port)", "--ignore-certificate-errors"]
        let pool = BrowserPool(options: options)
        try await pool.warmUp()
        let first = try #require(await pool.processIDs().first)
        let killer = Task {
            try await Task.sleep(for: .milliseconds(900))
            kill(first, SIGKILL)
        }
        let result = await pool.capture("https://inject.example/")
        _ = try? await killer.value
        let capture = try result.get()
        #expect(capture.requests.contains { $0.url.contains("CINJECTEDPIXEL123456") })
        let second = try #require(await pool.processIDs().first)
        #expect(second != first)
        #expect(await pool.replaced == 1)
        await pool.shutDown()
    }

    @Test("a program that does not speak the DevTools protocol is reported, not waited for")
    func notChromium() async throws {
        // /bin/sleep keeps fd 3 open and never answers; /bin/false exits at once, so the command
        // is written to a pipe nobody reads (SIGPIPE, unless ignored, would kill the test run).
        for program in ["/bin/sleep", "/bin/false"] {
            let browser = try BrowserProcess(executable: program, extraArguments: [])
            if program == "/bin/false" { try await Task.sleep(for: .milliseconds(300)) }
            await #expect(throws: CDPError.self) { _ = try await browser.version(timeout: 2) }
            await browser.close()
        }
    }

    // dragnet audit --mode browser (in this suite, so no other test's browser runs at the same time)

    @Test("the static audit misses the injected TikTok pixel; --mode browser finds it, seen by the browser, with the JS-set _ttp cookie")
    func injected() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        let common = ["audit", "-q", "--no-history", "--no-policies", "--connect-to", server.connectToAll, "-k",
                      "--containers-cache", directory.appendingPathComponent("cache").path, "--output", output]
        #expect(try dragnet(common + ["https://inject.example/"]).status == 0)
        let staticPage = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        #expect(!(staticPage["findings"] as? [[String: Any]] ?? []).contains { $0["platform"] as? String == "tiktok" })

        let result = try dragnet(common + ["--mode", "browser", "--dwell", "0.3", "https://inject.example/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try validateAgainstSchema(output).status == 0)
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let findings = page["findings"] as? [[String: Any]] ?? []
        let pixel = try #require(findings.first { $0["rule"] as? String == "tiktok-pixel" && $0["channel"] as? String == "script" })
        #expect(pixel["accountId"] as? String == "CINJECTEDPIXEL123456")
        #expect(pixel["seenBy"] as? [String] == ["browser"])
        // The event the pixel posted, decoded: its name and the hashed email it carried.
        let event = try #require(findings.first { $0["rule"] as? String == "tiktok-pixel" && $0["events"] != nil })
        #expect(event["events"] as? [String] == ["CompletePayment"])
        #expect(event["accountId"] as? String == "CINJECTEDPIXEL123456")
        let fields = event["fields"] as? [[String: String]] ?? []
        #expect(fields.contains { $0["name"] == "context.user.email" && $0["form"] == "sha256" && $0["data"] == "contact-data" })
        #expect((event["data"] as? [String] ?? []).contains("contact-data"))
        let meta = try #require(findings.first { $0["rule"] as? String == "meta-pixel" && $0["events"] != nil })
        #expect(meta["events"] as? [String] == ["PageView"])
        #expect((meta["fields"] as? [[String: String]] ?? []).contains { $0["name"] == "ud[em]" && $0["form"] == "plain" })
        // The initiator chain: the page's own inline script injected TikTok's loader and sent the event.
        let edges = (page["graph"] as? [String: Any])?["edges"] as? [[String: Any]] ?? []
        #expect(edges.contains {
            $0["type"] as? String == "initiates" && $0["from"] as? String == "site:inject.example" && $0["to"] as? String == "site:tiktok.com"
                && $0["kind"] as? String == "script" && $0["labels"] as? [String] == ["https://inject.example/"]
        })
        let pageResources = page["resources"] as? [[String: Any]] ?? []
        #expect(pageResources.contains { ($0["url"] as? String)?.hasPrefix("https://analytics.tiktok.com/i18n/pixel/events.js") == true && $0["initiator"] as? String == "https://inject.example/" })
        // No value leaves the audit: the canary email and its hash are nowhere in the report.
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(!text.contains("8c87b489ce35cf2e") && !text.contains("canary@example.com") && !text.contains("canary%40example.com"))
        #expect(findings.contains { $0["rule"] as? String == "tiktok-pixel" && $0["channel"] as? String == "cookie" })
        #expect(findings.contains { $0["rule"] as? String == "meta-pixel" && $0["accountId"] as? String == "200000000000002" })
        #expect(findings.contains { $0["rule"] as? String == "linkedin-insight" && ($0["seenBy"] as? [String]) == ["browser"] })
        let browser = try #require(page["browser"] as? [String: Any])
        #expect(browser["error"] is NSNull)
        #expect((browser["requests"] as? Int ?? 0) >= 5)
        // The Markdown and HTML say what only the browser saw.
        let markdown = try dragnet(["report", output, "--format", "md"])
        #expect(markdown.stdout.contains("TikTok Pixel `CINJECTEDPIXEL123456`") && markdown.stdout.contains("seen only by the browser"))
        let html = try dragnet(["report", output, "--format", "html"])
        #expect(html.stdout.contains("<small>seen by: browser</small>"))
        // Chromium's own traffic never becomes a resource or a finding.
        let resources = page["resources"] as? [[String: Any]] ?? []
        #expect(!resources.contains { ($0["host"] as? String ?? "").hasSuffix("googleapis.com") || ($0["host"] as? String ?? "").hasSuffix("gvt1.com") })
        // No browser of this run is left running.
        #expect(Self.ourBrowsers() == 0)
    }

    @Test("canaries typed into the fields: the hashed email on blur and the phone on change reach third parties before submit; the first-party password check does not count; --no-fill types nothing")
    func formDataBeforeSubmit() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        let common = ["audit", "-q", "--no-history", "--no-policies", "--connect-to", server.connectToAll, "-k", "--mode", "browser", "--dwell", "0.3",
                      "--containers-cache", directory.appendingPathComponent("cache").path, "--output", output]
        let result = try dragnet(common + ["https://keylog.example/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try validateAgainstSchema(output).status == 0)
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let browser = try #require(page["browser"] as? [String: Any])
        let canaries = browser["canaries"] as? [[String: String]] ?? []
        // Email, phone and password are typed; the search field and the hidden token are not.
        #expect(canaries.map { $0["field"] ?? "" } == ["email", "phone", "pw"])
        #expect(canaries.first?["value"] == "Dragnet.Canary@example.com")
        let leaks = (page["findings"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == "form-data-before-submit" }
        #expect(leaks.count == 2)
        let email = try #require(leaks.first { $0["target"] as? String == "leaky-analytics.example" })
        #expect((email["fields"] as? [[String: String]])?.first == ["name": "email", "label": "email", "data": "contact-data", "form": "sha256"])
        #expect(email["severity"] as? String == "high" && email["seenBy"] as? [String] == ["browser"])
        let phone = try #require(leaks.first { $0["platform"] as? String == "meta" })
        #expect((phone["fields"] as? [[String: String]])?.first?["form"] == "urlencoded")
        #expect(phone["title"] as? String == "Form data sent to Meta Platforms, Inc. before the form was submitted")
        // Storage: keys and sizes, never values.
        let storage = browser["storage"] as? [[String: Any]] ?? []
        #expect(storage.map { "\($0["area"] ?? ""):\($0["key"] ?? ""):\($0["bytes"] ?? "")" } == ["localStorage:_ttp_session:6", "sessionStorage:cart:11"])
        #expect(!(try String(contentsOfFile: output, encoding: .utf8)).contains("abc123"))

        #expect(try dragnet(common + ["--no-fill", "https://keylog.example/"]).status == 0)
        let quiet = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        #expect(((quiet["browser"] as? [String: Any])?["canaries"] as? [Any])?.isEmpty == true)
        #expect(!(quiet["findings"] as? [[String: Any]] ?? []).contains { $0["rule"] as? String == "form-data-before-submit" })
    }

    @Test("after SIGTERM or Ctrl-C in the middle of a browser run, no browser of ours is left")
    func signals() throws {
        let server = try HTTPSFixtureServer.shared.get()
        for signal in [SIGTERM, SIGINT] {
            let directory = try temporaryDirectory()
            let output = try dragnet([
                "audit", "-q", "--mode", "browser", "--dwell", "20", "--no-policies", "--no-history", "--connect-to", server.connectToAll, "-k",
                "--containers-cache", directory.appendingPathComponent("cache").path, "--output", directory.appendingPathComponent("r.json").path,
                "https://inject.example/", "https://dialogs.example/",
            ]) { pid in
                // Wait until the browsers run, then signal dragnet.
                for _ in 0..<100 where Self.ourBrowsers() == 0 { Thread.sleep(forTimeInterval: 0.1) }
                Thread.sleep(forTimeInterval: 1)
                kill(pid, signal)
            }
            #expect(output.status != 0 || signal == SIGINT)
            var left = Self.ourBrowsers()
            for _ in 0..<50 where left > 0 {
                Thread.sleep(forTimeInterval: 0.1)
                left = Self.ourBrowsers()
            }
            #expect(left == 0, "signal \(signal)")
        }
    }

    /// Running (not zombie) processes with a Dragnet browser profile on their command line.
    static func ourBrowsers() -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var count = 0
        for entry in entries where entry.first?.isNumber == true {
            guard let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                String(decoding: command, as: UTF8.self).contains("dragnet-browser-"),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")")
            else { continue }
            if stat[stat.index(after: close)...].split(separator: " ").first != "Z" { count += 1 }
        }
        return count
    }

    @Test("--har writes a HAR 1.2 file per page with Chrome's _initiator and _resourceType; bodies redacted unless --har-content")
    func har() throws {
        let server = try HTTPSFixtureServer.shared.get()
        for content in [false, true] {
            let directory = try temporaryDirectory()
            let folder = directory.appendingPathComponent("har").path
            var arguments = ["audit", "-q", "--mode", "browser", "--dwell", "0.2", "--no-policies", "--no-history", "--connect-to", server.connectToAll, "-k",
                             "--containers-cache", directory.appendingPathComponent("cache").path, "--output", directory.appendingPathComponent("r.json").path,
                             "--har", folder, "https://inject.example/"]
            if content { arguments.append("--har-content") }
            #expect(try dragnet(arguments).status == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["0000-inject.example.har"])
            let har = try loadJSON(folder + "/0000-inject.example.har")
            let log = try #require(har["log"] as? [String: Any])
            #expect(log["version"] as? String == "1.2")
            #expect((log["pages"] as? [[String: Any]])?.count == 1)
            let entries = try #require(log["entries"] as? [[String: Any]])
            let tiktok = try #require(entries.first { (($0["request"] as? [String: Any])?["url"] as? String)?.contains("CINJECTEDPIXEL123456") == true })
            #expect(tiktok["_resourceType"] as? String == "script")
            #expect((tiktok["_initiator"] as? [String: Any])?["url"] as? String == "https://inject.example/")
            #expect((tiktok["response"] as? [String: Any])?["status"] as? Int == 404)
            let beacon = try #require(entries.compactMap { $0["request"] as? [String: Any] }.first {
                $0["postData"] != nil && ($0["url"] as? String)?.hasPrefix("https://www.facebook.com/tr") == true
            })
            let text = (beacon["postData"] as? [String: Any])?["text"] as? String
            #expect(text == (content ? "ud%5Bem%5D=canary%40example.com" : "[redacted: 31 bytes]"))
        }
        #expect(try dragnet(["audit", "--har", "/tmp/x", "https://inject.example/"]).status == 2)
    }

    @Test("--mode auto: a page whose script injects an unexplained loader is escalated, a plain page and a page whose containers were read are not")
    func auto() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("r.json").path
        let common = ["audit", "-q", "--dwell", "0.2", "--no-policies", "--no-history", "--connect-to", server.connectToAll, "-k",
                      "--containers-cache", directory.appendingPathComponent("cache").path, "--output", output,
                      "https://inject.example/", "https://staging.example/", "https://shop.example/"]
        #expect(try dragnet(common + ["--mode", "auto"]).status == 0)
        let pages = try #require(try loadJSON(output)["pages"] as? [[String: Any]])
        let coverage = pages.map { $0["coverage"] as? [String: Any] ?? [:] }
        #expect(coverage[0]["score"] as? Double == 0.7)
        #expect((coverage[0]["reasons"] as? [String])?.contains("escalated to the browser (coverage below 0.8)") == true)
        #expect(pages[0]["browser"] != nil)
        #expect((pages[0]["findings"] as? [[String: Any]])?.contains { $0["rule"] as? String == "tiktok-pixel" && $0["accountId"] as? String == "CINJECTEDPIXEL123456" } == true)
        #expect(pages[1]["browser"] == nil && coverage[1]["score"] as? Double == 1)
        #expect(pages[2]["browser"] == nil && coverage[2]["score"] as? Double == 1)

        // No browser on the machine: one warning, static results, the pages not escalated say so.
        let none = try dragnet(common + ["--mode", "auto", "--browser", "/nonexistent/chromium"])
        #expect(none.status == 0)
        #expect(none.stderr.contains("--mode auto found no Chromium"))
        let first = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        #expect(((first["coverage"] as? [String: Any])?["reasons"] as? [String])?.contains("not escalated: no browser on this machine") == true)
        #expect(!((first["findings"] as? [[String: Any]]) ?? []).contains { $0["platform"] as? String == "tiktok" })
    }

    @Test("dragnet check with mode: browser fails a page whose TikTok pixel only the browser sees; static passes it")
    func check() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let directory = try temporaryDirectory()
        let config = directory.appendingPathComponent("dragnet.yml").path
        let base = ["check", "--config", config, "--out", directory.path, "--connect-to", server.connectToAll, "-k",
                    "--containers-cache", directory.appendingPathComponent("cache").path]
        let rules = "deny:\n  - platform: tiktok\n    reason: No TikTok\n"
        try ("targets: [https://inject.example/]\n" + rules).write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try dragnet(base).status == 0)
        try ("targets: [https://inject.example/]\nmode: browser\n" + rules).write(toFile: config, atomically: true, encoding: .utf8)
        let browser = try dragnet(base)
        #expect(browser.status == 1)
        #expect(browser.stdout.contains("No TikTok: TikTok Pixel [CINJECTEDPIXEL123456]"))
        try ("targets: [https://inject.example/]\nmode: brwoser\n" + rules).write(toFile: config, atomically: true, encoding: .utf8)
        let typo = try dragnet(base)
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("mode must be static, browser or auto, not 'brwoser'; did you mean 'browser'?"))
    }

    @Test("no browser: exit 2 with the package to install")
    func noBrowser() throws {
        let output = try dragnet(["audit", "--mode", "browser", "--browser", "/nonexistent/chromium", "https://inject.example/"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--mode browser needs Chromium: /nonexistent/chromium is not an executable (Debian: apt-get install chromium)"))
        let jobs = try dragnet(["audit", "--mode", "browser", "--browser-jobs", "0", "https://inject.example/"])
        #expect(jobs.status == 2)
        let flag = try dragnet(["audit", "--mode", "browser", "--browser-arg", "proxy", "https://inject.example/"])
        #expect(flag.status == 2 && flag.stderr.contains("--browser-arg takes a Chromium flag starting with --, not 'proxy'"))
        // A program that is not Chromium is one clear error before any page, not one per page;
        // in auto mode a warning, and the pages are audited statically.
        let server = try HTTPSFixtureServer.shared.get()
        let base = ["audit", "--no-history", "--no-policies", "--connect-to", server.connectToAll, "-k", "--browser", "/bin/false", "https://inject.example/"]
        let notChromium = try dragnet(base + ["--mode", "browser"])
        #expect(notChromium.status == 2)
        #expect(notChromium.stderr.contains("dragnet audit: cannot start the browser: /bin/false did not answer on --remote-debugging-pipe"))
        let auto = try dragnet(base + ["--mode", "auto", "--escalate-below", "1", "--output", "-"])
        #expect(auto.status == 0)
        #expect(auto.stderr.contains("warning: --mode auto cannot start the browser"))
        #expect(auto.stdout.contains("not escalated: the browser could not be started"))
    }
}

@Suite("dragnet audit capture.har")
struct HARInputTests {
    @Test("HARs from DevTools, Firefox and Playwright are audited as browser-observed pages; bad HARs are per-item errors")
    func exporters() throws {
        let folder = Fixtures.directory.appendingPathComponent("har")
        let directory = try temporaryDirectory()
        // A sparse 300 MB file: refused by its size, never read.
        let huge = directory.appendingPathComponent("huge.har").path
        #expect(try ProcessRunner.run("/usr/bin/truncate", ["-s", "300M", huge]).status == 0)
        let names = ["chrome-devtools", "firefox", "playwright", "not-json", "truncated", "missing-fields", "not-http"]
        let output = try dragnet(["audit", "--no-policies", "--no-history", "--output", directory.appendingPathComponent("r.json").path]
            + names.map { folder.appendingPathComponent("\($0).har").path } + [huge])
        #expect(output.status == 0)
        let pages = try #require(try loadJSON(directory.appendingPathComponent("r.json").path)["pages"] as? [[String: Any]])
        #expect(pages.count == names.count + 1)
        func findings(_ index: Int) -> [[String: Any]] { pages[index]["findings"] as? [[String: Any]] ?? [] }
        // DevTools: the document's HTML (static view of the page) and the requests, initiators kept.
        #expect(pages[0]["url"] as? String == "https://shop.har.example/")
        let chromePixel = try #require(findings(0).first { $0["rule"] as? String == "tiktok-pixel" && $0["channel"] as? String == "script" })
        #expect(chromePixel["accountId"] as? String == "CHARPIXEL1234567890A")
        #expect(chromePixel["seenBy"] as? [String] == ["browser", "static"])
        #expect(findings(0).contains { $0["rule"] as? String == "tiktok-pixel" && $0["channel"] as? String == "cookie" })
        #expect(findings(0).contains { $0["rule"] as? String == "tiktok-automatic-advanced-matching" })
        // The pixel's POST body, decoded as it would be from the browser.
        #expect(findings(0).contains { $0["rule"] as? String == "tiktok-pixel" && $0["events"] as? [String] == ["Pageview"] })
        // Firefox's noscript pixel: the event and account from the query.
        #expect(findings(1).contains { $0["rule"] as? String == "meta-pixel" && $0["events"] as? [String] == ["PageView"] })
        // Firefox: no _resourceType; the pixel's type comes from its response (an image), data: URLs skipped.
        #expect(findings(1).contains { $0["rule"] as? String == "meta-pixel" && $0["accountId"] as? String == "300000000000003" })
        #expect(!((pages[1]["resources"] as? [[String: Any]]) ?? []).contains { ($0["url"] as? String)?.hasPrefix("data:") == true && ($0["seenBy"] as? [String]) != nil })
        // Playwright.
        #expect(findings(2).contains { $0["rule"] as? String == "x-pixel" && ($0["seenBy"] as? [String]) == ["browser"] })
        // The bad ones: an error each, with its reason; nothing else lost.
        func error(_ index: Int) -> String { ((pages[index]["error"] as? [String: Any])?["message"] as? String) ?? "" }
        #expect(error(3).contains("not a HAR file: not JSON"))
        #expect(error(4).contains("not a HAR file: not JSON"))
        #expect(error(5).contains("not a HAR file with http(s) requests"))
        #expect(error(6).contains("not a HAR file with http(s) requests (2 entries, 2 skipped)"))
        #expect(error(7).contains("larger than 256 MB (300 MB)"))
        #expect(output.stderr.contains("huge.har: larger than 256 MB"))
    }
}
