import DragnetCore
import DragnetHTML
import DragnetTestSupport
import Foundation
import Testing

@Suite("Hostile HTML")
struct HostileHTMLTests {
    @Test("unclosed tags: resources after them are still found")
    func unclosed() {
        let resources = extract("<div><p><span><b><script src=https://a.example/x.js><img src=//b.example/p.gif><iframe src=/f").resources
        #expect(resources.map(\.url).contains("https://a.example/x.js"))
        // Inside an unclosed <script> everything is script text, as in a browser.
        #expect(!resources.map(\.url).contains("https://b.example/p.gif"))
        let images = extract("<div><p><table><tr><td><img src=//b.example/p.gif><a href=/x>x").resources
        #expect(images.map(\.url) == ["https://b.example/p.gif"])
    }

    @Test("a form nested in a form: the inner start tag is ignored and its fields join the outer form")
    func nestedForms() throws {
        let forms = extract("""
            <form action="/outer" method="post"><input name="email">
            <form action="https://evil.example/inner"><input name="password" type="password"></form>
            <input name="phone"></form>
            <form action="/third"><input name="q"></form>
            """).forms
        #expect(forms.map(\.action) == ["https://www.shop.example/outer", "https://www.shop.example/third"])
        #expect(forms[0].fields.map(\.name) == ["email", "password"])
        #expect(forms[0].categories == [.email, .password])
    }

    @Test("NUL bytes do not cut the document short")
    func nulBytes() {
        var bytes = Array("<html><body><script src=\"https://t.example/a.js\"></script>".utf8)
        bytes += [0, 0, 0]
        bytes += Array("<p>x\u{0}y</p><img src=\"https://i.example/after-nul.gif\"></body></html>".utf8)
        let resources = HTMLExtractor.extract(bytes, pageURL: "https://www.shop.example/").observations.resources
        #expect(resources.map(\.host) == ["t.example", "i.example"])
    }

    @Test("50,000-deep nesting is parsed without recursion limits or crashes")
    func deepNesting() {
        let depth = 50_000
        let html = String(repeating: "<div>", count: depth) + "<img src='https://deep.example/p.gif'>" + String(repeating: "</div>", count: depth)
        let resources = extract(html).resources
        #expect(resources.map(\.url) == ["https://deep.example/p.gif"])
    }

    @Test("a 10 MB single line")
    func hugeLine() {
        var html = "<html><body><p>"
        html += String(repeating: "a", count: 10 * 1024 * 1024)
        html += "</p><script src='https://late.example/x.js'></script></body></html>"
        let resources = extract(html).resources
        #expect(resources.map(\.url) == ["https://late.example/x.js"])
        #expect(resources.first?.line == 1)
    }

    @Test("100,000 <img> tags")
    func manyImages() {
        let count = 100_000
        var html = "<html><body>"
        html.reserveCapacity(count * 40)
        for index in 0..<count { html += "<img src=\"/i/\(index).png\">" }
        html += "</body></html>"
        let resources = extract(html).resources
        #expect(resources.count == count)
        #expect(resources.last?.url == "https://www.shop.example/i/99999.png")
    }

    @Test("non-UTF-8 pages decode by header charset, <meta>, or the windows-1252 fallback")
    func nonUTF8() throws {
        let landwirt = try Fixtures.bytes("pages/landwirt.com.sensortechnik.html")
        let declared = HTMLExtractor.extract(landwirt, pageURL: "https://www.landwirt.com/").observations
        let byHeader = HTMLExtractor.extract(landwirt, pageURL: "https://www.landwirt.com/", charset: "windows-1252").observations
        #expect(declared.meta.declaredCharset == "iso-8859-1")
        #expect(declared.policyLinks.first?.text == "[ Datenschutzerklärung ]")
        #expect(byHeader.policyLinks.first?.text == "[ Datenschutzerklärung ]")
        #expect(declared.meta.title == byHeader.meta.title)
        // A Shift_JIS page announced only by <meta>.
        let sjis: [UInt8] = Array("<html><head><meta charset=\"shift_jis\"><title>".utf8) + [0x93, 0xFA, 0x96, 0x7B] + Array("</title></head></html>".utf8)
        #expect(HTMLExtractor.extract(sjis, pageURL: nil).observations.meta.title == "日本")
        // Undeclared legacy bytes: windows-1252, where 0x80 is the euro sign.
        let legacy: [UInt8] = Array("<title>".utf8) + [0x80, 0x20, 0xE9] + Array("</title>".utf8)
        #expect(HTMLExtractor.extract(legacy, pageURL: nil).observations.meta.title == "€ é")
        // The HTTP header wins over a contradicting <meta>, in both directions.
        let utf8Page = Array("<html><head><meta charset=\"iso-8859-1\"><title>Café</title></head></html>".utf8)
        #expect(HTMLExtractor.extract(utf8Page, pageURL: nil, charset: "utf-8").observations.meta.title == "Café")
        let latinPage: [UInt8] = Array("<html><head><meta charset=\"utf-8\"><title>Caf".utf8) + [0xE9] + Array("</title></head></html>".utf8)
        #expect(HTMLExtractor.extract(latinPage, pageURL: nil, charset: "iso-8859-1").observations.meta.title == "Café")
        // Undeclared UTF-8 stays UTF-8.
        #expect(extract("<title>Café</title>").meta.title == "Café")
    }

    @Test("relative, protocol-relative, <base> and non-network URLs")
    func relativeAndBase() {
        let observations = extract("""
            <base href="https://cdn.shop.example/static/v2/">
            <img src="../img/a.png"><img src="/root.png"><img src="//other.example/p.gif">
            <img src="?q=1"><a href="#top">top</a><img src="javascript:alert(1)"><a href="data:text/html,<b>x</b>">d</a>
            <iframe src="blob:https://cdn.shop.example/uuid"></iframe>
            """)
        #expect(observations.resources.map(\.url) == [
            "https://cdn.shop.example/static/img/a.png",
            "https://cdn.shop.example/root.png",
            "https://other.example/p.gif",
            "https://cdn.shop.example/static/v2/?q=1",
            "javascript:",
            "blob:https://cdn.shop.example/uuid",
        ])
        #expect(observations.resources.map(\.isNetwork) == [true, true, true, true, false, false])
        #expect(observations.links.map(\.url) == ["https://cdn.shop.example/static/v2/#top", "data:text/html"])
    }

    @Test("empty and binary input give empty observations")
    func emptyAndBinary() {
        #expect(HTMLExtractor.extract([], pageURL: "https://x.example/").observations == Observations())
        let binary: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let observations = HTMLExtractor.extract(binary, pageURL: "https://x.example/").observations
        #expect(observations.forms.isEmpty)
    }
}
