import DragnetSites
import Testing

@Suite("Sites through libpsl")
struct SiteTests {
    static let resolver = Result { try SiteResolver() }

    @Test("registrable domains", arguments: [
        ("www.tiktok.com", "tiktok.com"), ("analytics.tiktok.com", "tiktok.com"), ("a.b.example.co.uk", "example.co.uk"),
        ("foo.github.io", "foo.github.io"), ("github.io", "github.io"), ("static.xx.fbcdn.net", "fbcdn.net"),
        ("WWW.Example.COM.", "example.com"), ("localhost", "localhost"), ("127.0.0.1", "127.0.0.1"),
        ("192.168.0.1", "192.168.0.1"), ("[::1]", "[::1]"), ("bbc.co.uk", "bbc.co.uk"), ("s3.amazonaws.com", "s3.amazonaws.com"),
    ])
    func sites(host: String, site: String) throws {
        #expect(try Self.resolver.get().site(of: host) == site)
    }

    @Test("public suffixes are recognised")
    func publicSuffix() throws {
        let resolver = try Self.resolver.get()
        #expect(resolver.isPublicSuffix("co.uk"))
        #expect(resolver.isPublicSuffix("github.io"))
        #expect(!resolver.isPublicSuffix("tiktok.com"))
    }

    @Test("a missing list file is an error, not a crash")
    func missingList() {
        #expect(throws: SiteError.self) { try SiteResolver(listPath: "/nonexistent/list.dat") }
    }
}
