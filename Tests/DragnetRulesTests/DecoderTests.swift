import DragnetCore
import DragnetRules
import DragnetTestSupport
import Foundation
import Testing

/// A decoder for the acme fixture pack's pixel.
private let acmeDecoder = """
    decoders:
      - id: acme-events
        tracker: acme-pixel
        urls: [px.acme-ads.example/p.gif]
        event: [e, batch.e]
        account: [aid, batch.aid]
        fields:
          "*user.em": {label: email, data: contact-data}
          "ph": {label: phone number, data: contact-data}
          "x.*": {label: custom data, data: browsing-activity}
    """

@Suite("Pixel decoders (rules/decoders)")
struct DecoderTests {
    let pack = RulePack.load(entities: [("acme.yml", acmeEntity)], trackers: [("acme.yml", acmeTracker)], decoders: [("acme.yml", acmeDecoder)])

    @Test("query, URL-encoded and JSON bodies; hashes by length, Google's tv.1~em. form, an email in clear under any name")
    func decodes() throws {
        #expect(pack.errors.isEmpty, "\(pack.errors)")
        let sha256 = "8c87b489ce35cf2e2f39f80e282cb2e804932a56a213983eeeb428407d43b52d"
        let query = try #require(pack.decode(url: "https://px.acme-ads.example/p.gif?aid=A1&e=Buy&ph=\(sha256.prefix(40))&x.total=9&contact=a%40b.example", body: nil))
        #expect(query.decoder == "acme-events" && query.tracker == "acme-pixel")
        #expect(query.events == ["Buy"] && query.accountID == "A1")
        #expect(query.fields.map { "\($0.name):\($0.form):\($0.data)" } == [
            "contact:plain:contact-data", "ph:sha1:contact-data", "x.total:plain:browsing-activity",
        ])
        let json = try #require(pack.decode(
            url: "https://px.acme-ads.example/p.gif",
            body: #"{"batch":[{"e":"View","aid":"A2","user":{"em":"\#(sha256)"}},{"e":"Buy","user":{"em":"tv.1~em.\#(sha256)"}},{"e":"View"}]}"#))
        #expect(json.events == ["View", "Buy"] && json.accountID == "A2")
        #expect(json.fields == [DecodedField(name: "batch.user.em", label: "email", data: "contact-data", form: "sha256")])
        let form = try #require(pack.decode(url: "https://px.acme-ads.example/p.gif", body: "e=One&ph=\(String(repeating: "ab", count: 64))\r\ne=Two&ph=0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"))
        #expect(form.events == ["One", "Two"])
        #expect(Set(form.fields.map(\.form)) == ["sha512", "md5"])
        // Not a pixel of any decoder, or not a hash (a 64-character non-hex token).
        #expect(pack.decode(url: "https://px.acme-ads.example/other", body: nil) == nil)
        #expect(pack.decode(url: "https://px.acme-ads.example/p.gif?ph=\(String(repeating: "z", count: 64))", body: nil)?.fields.first?.form == "plain")
    }

    @Test("bad bodies lose nothing: broken JSON, a body over 512 KiB, 10,000 parameters")
    func badBodies() throws {
        let broken = try #require(pack.decode(url: "https://px.acme-ads.example/p.gif?e=Q", body: #"{"e":"Buy","user":{"em":"#))
        #expect(broken.events == ["Q"])
        let huge = try #require(pack.decode(url: "https://px.acme-ads.example/p.gif?e=Q", body: "e=Big&" + String(repeating: "a", count: 600_000)))
        #expect(huge.events == ["Q"])
        let many = try #require(pack.decode(url: "https://px.acme-ads.example/p.gif", body: (0..<10_000).map { "x.k\($0)=\($0)" }.joined(separator: "&")))
        #expect(many.fields.count == 5_000)
        // Event names are capped and kept in first-seen order.
        let events = try #require(pack.decode(url: "https://px.acme-ads.example/p.gif", body: (0..<50).map { "e=E\($0)" }.joined(separator: "\n")))
        #expect(events.events.count == Finding.maxEvents && events.events.first == "E0")
    }

    @Test("lint: unknown tracker, a field without a known data category, a URL with a scheme, a duplicate id")
    func lint() {
        let bad = """
            decoders:
              - id: one
                tracker: acme-pixl
                urls: [px.acme-ads.example/p.gif]
              - id: two
                tracker: acme-pixel
                urls: ["https://px.acme-ads.example/p.gif", px.acme-ads.example/q]
                fields:
                  em: {label: email, data: contact}
              - id: two
                tracker: acme-pixel
                urls: [px.acme-ads.example/r]
            """
        let errors = RulePack.load(entities: [("acme.yml", acmeEntity)], trackers: [("acme.yml", acmeTracker)], decoders: [("bad.yml", bad)]).errors.map(\.description)
        #expect(errors.contains { $0.contains("decoder 'one' names unknown tracker 'acme-pixl'; did you mean 'acme-pixel'?") })
        #expect(errors.contains { $0.contains("field 'em' needs label: and data:") && $0.contains("did you mean 'contact-data'?") })
        #expect(errors.contains { $0.contains("write the URL pattern without a scheme") })
        #expect(errors.contains { $0.contains("decoder 'two' is defined twice") })
    }
}

@Suite("Canary search")
struct CanarySearchTests {
    @Test("a canary is found as typed, lower-cased, URL-encoded, base64 and hashed; digits only for a phone; nothing in unrelated requests")
    func encodings() throws {
        let email = Canary(kind: "email", field: "email", value: "Dragnet.Canary@example.com")
        let phone = Canary(kind: "phone", field: "tel", value: "+1 555 010 4477")
        let lowered = "dragnet.canary@example.com"
        let cases: [(String, String?, String)] = [
            ("https://t.example/c?e=Dragnet.Canary%40example.com", nil, "urlencoded"),
            ("https://t.example/c", "{\"e\":\"Dragnet.Canary@example.com\"}", "plain"),
            ("https://t.example/c", Data(lowered.utf8).base64EncodedString(), "base64"),
            ("https://t.example/c?h=" + Digest.hex("md5", lowered)!, nil, "md5"),
            ("https://t.example/c?h=" + Digest.hex("sha1", lowered)!.uppercased(), nil, "sha1"),
            ("https://t.example/c", "h=" + SHA256.hex(lowered), "sha256"),
            ("https://t.example/c", "h=" + Digest.hex("sha512", "Dragnet.Canary@example.com")!, "sha512"),
        ]
        for (url, body, encoding) in cases {
            let leaks = CanarySearch.find([email, phone], in: [(url, body)])
            #expect(leaks.map(\.encoding) == [encoding], "\(url) \(body ?? "")")
        }
        #expect(CanarySearch.find([phone], in: [("https://t.example/p?ph=15550104477", nil)]).first?.encoding == "lowercase")
        #expect(CanarySearch.find([phone], in: [("https://t.example/p", "ph=" + SHA256.hex("15550104477"))]).first?.encoding == "sha256")
        #expect(CanarySearch.find([email, phone], in: [("https://t.example/p?q=other&h=" + SHA256.hex("someone@example.com"), nil)]).isEmpty)
        #expect(Digest.hex("md5", "") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Digest.hex("nonsense", "x") == nil)
    }
}
