import DragnetCore
import DragnetHTML
import Testing

/// Extracts `html` placed at `url`.
func extract(_ html: String, url: String? = "https://www.shop.example/dir/page.html", charset: String? = nil) -> Observations {
    HTMLExtractor.extract(Array(html.utf8), pageURL: url, charset: charset).observations
}

@Suite("HTML extraction")
struct ExtractionTests {
    @Test("every resource kind, with flags and lines")
    func resourceKinds() throws {
        let page = """
            <html><head>
            <script async src="https://analytics.tiktok.com/i18n/pixel/events.js"></script>
            <script defer type="module" integrity="sha384-x" src="/app.js"></script>
            <link rel="stylesheet" href="//cdn.example.net/s.css">
            <link rel="preload" href="/font.woff2"><link rel="modulepreload" href="/m.js">
            <link rel="prefetch" href="/next"><link rel="preconnect" href="https://connect.facebook.net">
            <link rel="dns-prefetch" href="//www.google-analytics.com"><link rel="shortcut icon" href="/f.ico">
            <link rel="manifest" href="/site.webmanifest"><link rel="canonical" href="https://www.shop.example/c">
            <meta http-equiv="refresh" content="30; URL='/reload'">
            </head><body>
            <img src="https://www.facebook.com/tr?id=123&ev=PageView" width="1" height="1" style="display:none">
            <img srcset="a.jpg 1x, https://img.example/b,c.jpg 2x" src="a.jpg">
            <iframe src="https://www.youtube.com/embed/x"></iframe><frame src="f.html">
            <video src="v.mp4" poster="p.jpg"><source src="v.webm"><track src="t.vtt"></video>
            <audio src="a.mp3"></audio><object data="o.swf"></object><embed src="e.swf">
            <noscript><img src="https://px.ads.linkedin.com/collect/?pid=1&fmt=gif"></noscript>
            <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
            <script src="blob:https://www.shop.example/123"></script>
            </body></html>
            """
        let resources = extract(page).resources
        let summary = resources.map { "\($0.kind.rawValue) \($0.url)" }
        #expect(summary == [
            "script https://analytics.tiktok.com/i18n/pixel/events.js",
            "script https://www.shop.example/app.js",
            "stylesheet https://cdn.example.net/s.css",
            "preload https://www.shop.example/font.woff2",
            "modulepreload https://www.shop.example/m.js",
            "prefetch https://www.shop.example/next",
            "preconnect https://connect.facebook.net/",
            "dns-prefetch https://www.google-analytics.com/",
            "icon https://www.shop.example/f.ico",
            "manifest https://www.shop.example/site.webmanifest",
            "image https://www.facebook.com/tr?id=123&ev=PageView",
            "image https://www.shop.example/dir/a.jpg",
            "image https://www.shop.example/dir/a.jpg",
            "image https://img.example/b,c.jpg",
            "iframe https://www.youtube.com/embed/x",
            "frame https://www.shop.example/dir/f.html",
            "video https://www.shop.example/dir/v.mp4",
            "image https://www.shop.example/dir/p.jpg",
            "source https://www.shop.example/dir/v.webm",
            "track https://www.shop.example/dir/t.vtt",
            "audio https://www.shop.example/dir/a.mp3",
            "object https://www.shop.example/dir/o.swf",
            "embed https://www.shop.example/dir/e.swf",
            "image https://px.ads.linkedin.com/collect/?pid=1&fmt=gif",
            "image data:image/gif",
            "script blob:https://www.shop.example/123",
            "meta-refresh https://www.shop.example/reload",
        ])
        let tiktok = try #require(resources.first)
        #expect(tiktok.async && !tiktok.deferred && tiktok.line == 2 && tiktok.host == "analytics.tiktok.com")
        #expect(resources[1].deferred && resources[1].module && resources[1].integrity == "sha384-x")
        #expect(resources[10].likelyPixel && resources[10].element == "img" && resources[10].attribute == "src")
        #expect(resources[11].attribute == "src" && resources[12].attribute == "srcset" && resources[13].attribute == "srcset")
        #expect(!resources[13].likelyPixel)
        #expect(resources[23].inNoscript && resources[23].host == "px.ads.linkedin.com")
        #expect(!resources[24].isNetwork && resources[24].host == nil && resources[24].scheme == "data")
        #expect(resources[25].scheme == "blob" && !resources[25].isNetwork)
    }

    @Test("inline scripts keep their text for later matching, with size and digest")
    func inlineScripts() throws {
        let text = "!function (w, d, t) { ttq.load('C4ABCDEF'); ttq.page(); }(window, document, 'ttq');"
        let observations = extract("<p>x</p><script>\(text)</script><script type=\"application/ld+json\">{}</script><script></script>")
        #expect(observations.inlineScripts.count == 2)
        let script = try #require(observations.inlineScripts.first)
        #expect(script.text == text)
        #expect(script.size == text.utf8.count)
        #expect(script.sha256 == SHA256.hex(text))
        #expect(observations.inlineScripts[1].type == "application/ld+json")
    }

    @Test("forms: action, method, fields, labels and data categories")
    func forms() throws {
        let page = """
            <form action="https://shop.us20.list-manage.com/subscribe/post?u=1" method="POST" id="news">
              <label for="em">Your e-mail</label><input id="em" name="EMAIL" type="text">
              <label>Vorname <input name="field_1"></label>
              <input name="tel" placeholder="Telefon"><input type="hidden" name="csrf_x" value="secret">
              <input name="cc" autocomplete="billing cc-number"><input name="q" aria-label="Date de naissance">
              <select name="pays"><option>France</option></select>
              <textarea name="msg"></textarea><input type="submit" value="Go">
            </form>
            <form><input type="password" name="p"></form>
            <input name="outside" type="email" form="news">
            """
        let forms = extract(page).forms
        #expect(forms.count == 2)
        let form = try #require(forms.first)
        #expect(form.action == "https://shop.us20.list-manage.com/subscribe/post?u=1")
        #expect(form.actionHost == "shop.us20.list-manage.com")
        #expect(form.method == "post")
        #expect(form.id == "news")
        #expect(form.fields.map(\.name) == ["EMAIL", "field_1", "tel", "csrf_x", "cc", "q", "pays", "msg", "outside"])
        #expect(form.fields.map(\.category) == [.email, .name, .phone, .hidden, .paymentCard, .birthDate, .other, .freeText, .email])
        #expect(form.fields.map(\.categorySource) == ["name", "label", "name", "type", "autocomplete", "label", "default", "element", "type"])
        #expect(form.fields[0].label == "Your e-mail")
        #expect(form.fields[1].label == "Vorname")
        #expect(form.categories == [.birthDate, .email, .freeText, .hidden, .name, .other, .paymentCard, .phone])
        // A form without action posts to the page itself, with GET.
        #expect(forms[1].action == "https://www.shop.example/dir/page.html")
        #expect(forms[1].method == "get")
        #expect(forms[1].fields.map(\.category) == [.password])
    }

    @Test("field categories in seven languages", arguments: [
        ("E-Mail-Adresse", DataCategory.email), ("Adresse e-mail", .email), ("Correo electrónico", .email),
        ("Indirizzo email", .email), ("Endereço de e-mail", .email), ("E-mailadres", .email),
        ("Nachname", .name), ("Nom de famille", .name), ("Apellido", .name), ("Cognome", .name), ("Sobrenome", .name), ("Achternaam", .name),
        ("Telefonnummer", .phone), ("Numéro de téléphone", .phone), ("Teléfono", .phone), ("Cellulare", .phone), ("Telefone", .phone),
        ("Straße und Hausnummer", .postalAddress), ("Code postal", .postalAddress), ("Ciudad", .postalAddress), ("Indirizzo", .postalAddress),
        ("Geburtsdatum", .birthDate), ("Fecha de nacimiento", .birthDate), ("Data di nascita", .birthDate), ("Geboortedatum", .birthDate),
        ("Passwort", .password), ("Mot de passe", .password), ("Contraseña", .password), ("Senha", .password), ("Wachtwoord", .password),
        ("Kreditkartennummer", .paymentCard), ("Numéro de carte", .paymentCard), ("Social security number", .governmentID),
        ("Codice fiscale", .governmentID), ("Medical history", .health), ("Nachricht", .freeText), ("Mensaje", .freeText),
        ("Hotel", .other), ("Search", .other),
    ])
    func multilingual(label: String, expected: DataCategory) {
        var field = FormField(element: "input", line: 1)
        field.type = "text"
        field.label = label
        #expect(FieldClassifier.classify(field).0 == expected)
    }

    @Test("privacy-policy links ranked: rel first, then text and URL in several languages")
    func policyLinks() {
        let page = """
            <a href="/cookies">Cookie settings</a>
            <a href="/legal/datenschutz">Datenschutzerklärung</a>
            <a href="https://other.example/p">Privacy</a>
            <link rel="privacy-policy" href="/privacy-center">
            <a href="/politique-de-confidentialite">Politique de confidentialité</a>
            <a href="/about">About us</a>
            """
        let links = extract(page).policyLinks
        #expect(links.map(\.url) == [
            "https://www.shop.example/privacy-center",
            "https://www.shop.example/legal/datenschutz",
            "https://www.shop.example/politique-de-confidentialite",
            "https://other.example/p",
        ])
        #expect(links.map(\.score) == [145, 115, 115, 60])
        #expect(links[0].reasons == ["rel", "url"])
        #expect(links[1].reasons == ["text:de", "url"])
        #expect(links[2].reasons == ["text:fr", "url"])
        #expect(links[3].text == "Privacy")
    }

    @Test("meta: referrer, CSP, verification, Twitter and Open Graph tags, base and title")
    func meta() {
        let page = """
            <head><title> Shop  &amp; more </title><base href="/assets/">
            <meta name="referrer" content="no-referrer-when-downgrade">
            <meta http-equiv="Content-Security-Policy" content="default-src 'self'">
            <meta name="facebook-domain-verification" content="abc123">
            <meta name="tiktok-developers-site-verification" content="tt456">
            <meta name="p:domain_verify" content="pin789"><meta name="google-site-verification" content="g1">
            <meta name="twitter:site" content="@shop"><meta property="og:url" content="https://www.shop.example/">
            <meta property="fb:app_id" content="42"><meta charset="UTF-8">
            </head><body><img src="logo.png"><a href="../x">x</a></body>
            """
        let observations = extract(page)
        let meta = observations.meta
        #expect(meta.title == "Shop & more")
        #expect(meta.referrerPolicy == "no-referrer-when-downgrade")
        #expect(meta.contentSecurityPolicy == "default-src 'self'")
        #expect(meta.verifications == [
            "facebook-domain-verification": ["abc123"], "tiktok-developers-site-verification": ["tt456"],
            "p:domain_verify": ["pin789"], "google-site-verification": ["g1"],
        ])
        #expect(meta.twitter == ["twitter:site": ["@shop"]])
        #expect(meta.openGraph == ["og:url": ["https://www.shop.example/"], "fb:app_id": ["42"]])
        #expect(meta.declaredCharset == "utf-8")
        // <base href> applies to every URL of the document.
        #expect(meta.baseHref == "https://www.shop.example/assets/")
        #expect(observations.resources.first?.url == "https://www.shop.example/assets/logo.png")
        #expect(observations.links.first?.url == "https://www.shop.example/x")
    }

    @Test("links: a and area with hosts; javascript: and mailto: recorded as such")
    func links() {
        let links = extract("<a href='//x.com/shop'>X</a><map><area href='/m'></map><a href='javascript:void(0)'>j</a><a href='mailto:a@b.example'>m</a><a>none</a>").links
        #expect(links.map(\.url) == ["https://x.com/shop", "https://www.shop.example/m", "javascript:", "mailto:a@b.example"])
        #expect(links.map(\.host) == ["x.com", "www.shop.example", nil, nil])
    }

    @Test("<template> content is not part of the page")
    func template() {
        let resources = extract("<template><script src='https://t.example/a.js'></script><img src='/t.gif'></template><img src='/real.gif'>").resources
        #expect(resources.map(\.url) == ["https://www.shop.example/real.gif"])
    }

    @Test("a saved page without a URL is placed at its canonical URL")
    func canonicalPlacement() {
        let page = HTMLExtractor.extract(Array("<link rel=canonical href='https://news.example/a/b'><img src='c.png'>".utf8), pageURL: nil)
        #expect(page.pageURL == "https://news.example/a/b")
        #expect(page.observations.resources.first?.url == "https://news.example/a/c.png")
    }

    @Test("lazy-loaded scripts, images and iframes are recorded and flagged")
    func lazy() {
        let resources = extract("""
            <script type="rocketlazyloadscript" data-rocket-src="https://www.tiktok.com/embed.js" async></script>
            <img data-src="https://img.example/l.jpg" src="data:image/gif;base64,AAAA"><iframe data-src="https://www.youtube.com/embed/y"></iframe>
            """).resources
        #expect(resources.filter(\.lazy).map(\.url) == ["https://www.tiktok.com/embed.js", "https://img.example/l.jpg", "https://www.youtube.com/embed/y"])
        #expect(resources.first?.attribute == "data-rocket-src")
    }
}
