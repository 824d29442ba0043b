#if canImport(Glibc)
import Glibc
#endif
import DragnetBrowser
import DragnetTestSupport
import Foundation
import Testing

/// A real Chromium over the DevTools pipe, every host mapped to the loopback HTTPS fixture server.
@Suite("Headless Chromium over the DevTools pipe", .serialized)
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

    @Test("a program that does not speak the DevTools protocol is reported, not waited for")
    func notChromium() async throws {
        let browser = try BrowserProcess(executable: "/bin/sleep", extraArguments: [])
        await #expect(throws: CDPError.self) { _ = try await browser.version(timeout: 2) }
        await browser.close()
    }
}
