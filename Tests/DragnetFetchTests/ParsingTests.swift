@testable import DragnetFetch
import DragnetCore
import Testing

@Suite("Input lists")
struct URLInputTests {
    @Test("a list skips comments and blanks, trims, and keeps junk with its line number")
    func list() {
        let text = """
            # audit list
            https://example.com/a?x=1

              example.org  \t
            file:///etc/passwd
            javascript:alert(1)
            hello world
            localhost:8080/path
            ftp://files.example.com/
            //cdn.example.net/x.js
            data:text/html,hi
            gopher://old.example/
            """
        let inputs = URLInput.parseList(text)
        #expect(inputs.map(\.line) == [2, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        #expect(inputs.map(\.url) == [
            "https://example.com/a?x=1", "https://example.org/", nil, nil, nil,
            "https://localhost:8080/path", nil, "https://cdn.example.net/x.js", nil, nil,
        ])
        #expect(inputs[2].target == .failure(FetchError(code: .unsupportedScheme, message: "line 5: unsupported scheme 'file': only http and https are fetched")))
        #expect(inputs.compactMap { try? $0.target.get() }.count == 4)
        let codes = inputs.map { input -> String? in
            if case .failure(let error) = input.target { return error.code.rawValue }
            return nil
        }
        #expect(codes == [nil, nil, "unsupported-scheme", "unsupported-scheme", "invalid-url", nil, "unsupported-scheme", nil, "unsupported-scheme", "unsupported-scheme"])
    }

    @Test("hosts that no URL can have are rejected", arguments: ["https://", "http://exa mple.com/", "https://a..b/", "?", "https://?x"])
    func malformed(text: String) {
        #expect(URLInput(text).url == nil)
    }

    @Test("schemes are case-insensitive and http is kept")
    func schemes() {
        #expect(URLInput("HTTP://Example.COM/A").url == "http://example.com/A")
        #expect(URLInput("FILE:///x").url == nil)
    }
}

@Suite("HTTP dates and Set-Cookie")
struct HeaderParsingTests {
    @Test("the three HTTP date forms and cookie-style variants", arguments: [
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777.0),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777.0),
        ("Sun Nov  6 08:49:37 1994", 784_111_777.0),
        ("Wed, 21-Oct-2037 07:28:00 GMT", 2_139_722_880.0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
    ])
    func dates(text: String, expected: Double) {
        #expect(HTTPDate.parse(text) == expected)
    }

    @Test("non-dates are rejected (a year of 30 digits, found by fuzzing, used to overflow)", arguments: [
        "", "tomorrow", "32 Jan 2020 00:00:00", "Sun, 06 Nov 1994", "Wexat 1016666666666666666666666666666667 07:28:00",
        "Wed, 21 Oct 99999999999999999999 07:28:00 GMT", "Wed, 99999999999999999999 Oct 2037 07:28:00 GMT",
    ])
    func notDates(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test("Retry-After as seconds or as a date")
    func retryAfter() {
        #expect(HTTPDate.retryAfter("120", now: 0) == 120)
        #expect(HTTPDate.retryAfter("Thu, 01 Jan 1970 00:01:40 GMT", now: 40) == 60)
        #expect(HTTPDate.retryAfter("soon", now: 0) == nil)
    }

    @Test("default path and value redaction")
    func cookieHelpers() {
        #expect(SetCookieParser.defaultPath("/a/b/c") == "/a/b")
        #expect(SetCookieParser.defaultPath("/a") == "/")
        #expect(SetCookieParser.defaultPath("") == "/")
        #expect(SetCookieParser.redactValue("id=42; Path=/") == "id=[redacted]; Path=/")
        #expect(SetCookieParser.redactValue("bare") == "[redacted]")
    }

    @Test("a nameless cookie is kept with an empty name; an empty header is dropped")
    func namelessCookie() {
        let origin = SetCookieParser.Origin(url: "https://a.example/x/y", host: "a.example", path: "/x/y", hop: 0, reference: 0)
        let cookie = SetCookieParser.parse("justavalue; Secure", origin: origin, keepValue: true)
        #expect(cookie?.name == "" && cookie?.value == "justavalue" && cookie?.secure == true && cookie?.path == "/x")
        #expect(SetCookieParser.parse("  ", origin: origin, keepValue: true) == nil)
        #expect(SetCookieParser.parse("a=b; Max-Age=-5; Max-Age=x1", origin: origin, keepValue: false)?.expiresIn == -5)
    }

    @Test("a control character in a cookie's name or value drops the cookie, as browsers do; a tab does not", arguments: [
        "a\u{01}b=c; Path=/", "id=v\u{7F}; Path=/", "id=line\nbreak", "id=\u{00}", "\u{1B}[31m=red",
    ])
    func controlCharacters(_ header: String) {
        let origin = SetCookieParser.Origin(url: "https://a.example/", host: "a.example", path: "/", hop: 0, reference: 0)
        #expect(SetCookieParser.parse(header, origin: origin, keepValue: true) == nil)
        #expect(SetCookieParser.parse("id=a\tb; Path=/", origin: origin, keepValue: true)?.value == "a\tb")
    }

    @Test("error text loses query strings")
    func redactQueries() {
        #expect(CurlInfo.redactQueries("Failed for https://x.example/p?token=abc&u=2 now") == "Failed for https://x.example/p?… now")
    }

    @Test("charset from the header, a BOM, or <meta> in the first 8 KiB")
    func metaCharset() {
        let page = Array("<html><head><META http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">".utf8)
        #expect(Charset.detect(contentType: "text/html", body: page).map { "\($0.0) \($0.1)" } == "shift_jis meta")
        #expect(Charset.detect(contentType: nil, body: [0xEF, 0xBB, 0xBF, 0x41]).map(\.0) == "utf-8")
        #expect(Charset.detect(contentType: "text/html; Charset=\"UTF-8\"", body: []).map(\.0) == "utf-8")
    }

    @Test("SHA-256 of known vectors")
    func sha256() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
