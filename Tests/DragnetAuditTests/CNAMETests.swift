import DragnetCore
import DragnetSites
import DragnetTestSupport
import Foundation
import Testing

/// The records of the cloaked shop (Tests/Fixtures/https-site/www.cloaked.example).
func cloakedShopDNS() throws -> DNSFixture {
    try DNSFixture(
        cnames: [
            ("metrics.cloaked.example", "cloaked.sc.omtrdc.net"),
            ("track.cloaked.example", "a.cloaked-cdn.example"), ("a.cloaked-cdn.example", "b.edge-network.example"),
            ("b.edge-network.example", "cloaked.eulerian.net"),
            ("static.cloaked.example", "cloaked.cdn.jsdelivr.net"),
        ],
        hosts: [("cloaked.sc.omtrdc.net", "192.0.2.10"), ("cloaked.eulerian.net", "192.0.2.11"), ("cloaked.cdn.jsdelivr.net", "192.0.2.12")],
        local: ["cloaked.example", "cloaked-cdn.example", "edge-network.example"],
        silentDomain: "silent.cloaked.example")
}

@Suite("CNAME chains through glibc's resolver against dnsmasq on loopback", .serialized)
struct CNAMETests {
    @Test("a CNAME to a tracker, a chain of three, NXDOMAIN, one silent host that times out alone, a loop and a garbage answer")
    func chains() async throws {
        let dns = try cloakedShopDNS()
        defer { dns.stop() }
        let resolver = try CNAMEResolver(server: "127.0.0.1:\(dns.port)", timeout: 1)
        async let slow = resolver.chain("x.silent.cloaked.example")
        #expect(await resolver.chain("metrics.cloaked.example").chain == ["cloaked.sc.omtrdc.net"])
        #expect(await resolver.chain("TRACK.cloaked.example").chain == ["a.cloaked-cdn.example", "b.edge-network.example", "cloaked.eulerian.net"])
        let missing = await resolver.chain("missing.cloaked.example")
        #expect(missing.error == "nxdomain" && missing.chain.isEmpty)
        // The silent name times out alone: the others were answered while it waited.
        let silent = await slow
        #expect(silent.error == "timeout" && silent.chain.isEmpty)
        // Straight to the tiny server: what a real server would not serve.
        let odd = try CNAMEResolver(server: "127.0.0.1:\(dns.oddPort)", timeout: 1)
        #expect(await odd.chain("a.loop.example").error == "CNAME loop")
        #expect(await odd.chain("a.garbage.example").error == "malformed answer")
        #expect(await odd.chain("plain.example").error == "nxdomain")
        // Bad server addresses are refused up front.
        #expect(throws: CNAMEResolverError.self) { try CNAMEResolver(server: "dns.example:53") }
        #expect(throws: CNAMEResolverError.self) { try CNAMEResolver(server: "127.0.0.1:99999") }
    }

    @Test("dragnet audit: first-party subdomains that are CNAMEs to Adobe and Eulerian are findings with the chain; a CDN alias, NXDOMAIN and a timeout are not")
    func cloaking() throws {
        let dns = try cloakedShopDNS()
        defer { dns.stop() }
        let server = try HTTPSFixtureServer.shared.get()
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        let result = try dragnet([
            "audit", "-q", "--no-history", "--no-policies", "--no-containers", "--connect-to", server.connectToAll, "-k",
            "--dns-server", "127.0.0.1:\(dns.port)", "--output", output, "https://www.cloaked.example/",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try validateAgainstSchema(output).status == 0)
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let findings = (page["findings"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == "cname-cloaking" }
        #expect(findings.count == 2)
        let adobe = try #require(findings.first { $0["entity"] as? String == "adobe" })
        #expect(adobe["title"] as? String == "First-party subdomain metrics.cloaked.example is a CNAME to Adobe (sc.omtrdc.net)")
        #expect(adobe["channel"] as? String == "script" && adobe["severity"] as? String == "high")
        #expect(((adobe["evidence"] as? [[String: Any]])?.first?["snippet"] as? String) == "CNAME metrics.cloaked.example → cloaked.sc.omtrdc.net")
        #expect((adobe["data"] as? [String] ?? []).contains("identifiers"))
        let eulerian = try #require(findings.first { $0["entity"] as? String == "eulerian-technologies" })
        #expect(((eulerian["evidence"] as? [[String: Any]])?.first?["snippet"] as? String)
            == "CNAME track.cloaked.example → a.cloaked-cdn.example → b.edge-network.example → cloaked.eulerian.net")
        #expect(eulerian["channel"] as? String == "pixel")
        // Every chain is in the report, with the failures' reasons.
        let chains = page["cnames"] as? [[String: Any]] ?? []
        #expect(chains.map { $0["host"] as? String ?? "" } == [
            "metrics.cloaked.example", "missing.cloaked.example", "static.cloaked.example", "track.cloaked.example", "x.silent.cloaked.example",
        ])
        #expect(chains.first { $0["host"] as? String == "x.silent.cloaked.example" }?["error"] as? String == "timeout")
        #expect(chains.first { $0["host"] as? String == "missing.cloaked.example" }?["error"] as? String == "nxdomain")
        // --no-dns: no chain, no cloaking finding.
        #expect(try dragnet(["audit", "-q", "--no-history", "--no-policies", "--connect-to", server.connectToAll, "-k", "--no-dns", "--output", output, "https://www.cloaked.example/"]).status == 0)
        let plain = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        #expect(!(plain["findings"] as? [[String: Any]] ?? []).contains { $0["rule"] as? String == "cname-cloaking" })
        #expect((plain["cnames"] as? [Any])?.isEmpty != false)
        // A bad --dns-server is a usage error.
        #expect(try dragnet(["audit", "--dns-server", "dns.example", "https://www.cloaked.example/"]).status == 2)
    }
}

@Suite("First party from the page's TLS certificate")
struct CertificateFirstPartyTests {
    @Test("a site the page's certificate names is first party; an unknown vendor is not; the names are in the report")
    func certificate() throws {
        let server = try HTTPSFixtureServer(root: Fixtures.directory.appendingPathComponent("https-site").path, certificate: "brand")
        defer { server.stop() }
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        let result = try dragnet(["audit", "-q", "--no-history", "--no-policies", "--no-containers", "--connect-to", server.connectToAll, "-k",
                                  "--output", output, "https://www.brand.example/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try validateAgainstSchema(output).status == 0)
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let fetch = try #require(page["fetch"] as? [String: Any])
        #expect(fetch["certificateNames"] as? [String] == ["www.brand.example", "brand.example", "*.brand-static.example"])
        #expect(fetch["certificateSites"] as? [String] == ["brand-static.example"])
        let resources = page["resources"] as? [[String: Any]] ?? []
        #expect(resources.first { $0["host"] as? String == "img.brand-static.example" }?["firstParty"] as? Bool == true)
        let targets = (page["findings"] as? [[String: Any]] ?? []).compactMap { $0["target"] as? String }
        #expect(targets.contains("unknown-vendor.example") && !targets.contains("brand-static.example"))
    }
}
