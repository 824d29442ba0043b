import DragnetCore
import Testing

@Suite("WebURL resolution")
struct WebURLTests {
    /// RFC 3986 §5.4.1 and §5.4.2, against the RFC's base URL.
    static let base = WebURL("http://a/b/c/d;p?q")

    @Test("RFC 3986 normal and abnormal examples", arguments: [
        ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
        ("//g", "http://g/"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"), (";x", "http://a/b/c/;x"), ("g;x", "http://a/b/c/g;x"),
        ("", nil), (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"), ("../", "http://a/b/"),
        ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../", "http://a/"), ("../../g", "http://a/g"),
        ("../../../g", "http://a/g"), ("../../../../g", "http://a/g"), ("/./g", "http://a/g"), ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"), ("g..", "http://a/b/c/g.."), ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"), ("./g/.", "http://a/b/c/g/"), ("g/./h", "http://a/b/c/g/h"), ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"), ("g;x=1/../y", "http://a/b/c/y"), ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g#s/../x", "http://a/b/c/g#s/../x"), ("http:g", "http://a/b/c/g"),
    ] as [(String, String?)])
    func rfc3986(reference: String, expected: String?) {
        #expect(WebURL.resolve(reference, against: Self.base)?.string == expected)
    }

    @Test("browser leniency: whitespace, backslashes, case, default ports")
    func leniency() {
        let page = WebURL("https://www.example.com/a/b.html")
        #expect(WebURL.resolve("  //CDN.Example.NET:443/x.js \n", against: page)?.string == "https://cdn.example.net/x.js")
        #expect(WebURL.resolve("\\img\\p.gif", against: page)?.string == "https://www.example.com/img/p.gif")
        #expect(WebURL.resolve("ja\tvascript:alert(1)", against: page)?.scheme == "javascript")
        #expect(WebURL.resolve("https://a.example:8443/x?q=1 2", against: nil)?.string == "https://a.example:8443/x?q=1%202")
        #expect(WebURL.resolve("https://user:pw@Host.Example/", against: nil)?.host == "host.example")
        #expect(WebURL.resolve("https://[2001:db8::1]:8080/", against: nil)?.host == "[2001:db8::1]")
        #expect(WebURL.resolve("https://exa mple.com/", against: nil) == nil)
        #expect(WebURL.resolve("data:image/gif;base64,R0lGOD", against: page)?.isNetwork == false)
        #expect(WebURL.resolve("x.html", against: WebURL("data:text/html,hi")) == nil)
    }
}
