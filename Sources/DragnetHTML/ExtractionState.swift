import CHTMLSAX
import DragnetCore
#if canImport(Glibc)
import Glibc
#endif

/// The extractor's state during one parse; lives only inside `HTMLExtractor.extract`.
final class ExtractionState {
    private struct PendingResource {
        var kind: ResourceKind
        var raw: String
        var element: String
        var attribute: String
        var line: Int
        var inNoscript: Bool
        var likelyPixel = false
        var lazy = false
        var async = false
        var deferred = false
        var module = false
        var integrity: String?
    }

    private struct PendingLink {
        var raw: String
        var rel: String?
        var line: Int
        var text: [UInt8] = []
    }

    private struct PendingField {
        var field: FormField
        /// The form it belongs to by position, or by its `form=` attribute.
        var formIndex: Int?
        var formAttribute: String?
    }

    private struct OpenLabel {
        var forID: String?
        var text: [UInt8] = []
        var fieldIndices: [Int] = []
    }

    private struct OpenScript {
        var line: Int
        var type: String?
        var inNoscript: Bool
        var text: [UInt8] = []
    }

    /// Text kept per captured element; enough for labels and link text.
    private static let textCap = 400

    private let givenPageURL: WebURL?
    private var baseHref: String?
    private var canonicalRaw: String?
    private var openGraphURL: String?
    private var resources: [PendingResource] = []
    private var inlineScripts: [InlineScript] = []
    private var links: [PendingLink] = []
    private var openLinks: [Int] = []
    private var forms: [(form: Form, rawAction: String?, id: String?)] = []
    private var openForm: Int?
    private var fields: [PendingField] = []
    private var labels: [OpenLabel] = []
    private var labelsByID: [String: [UInt8]] = [:]
    private var script: OpenScript?
    private var noscriptDepth = 0
    private var templateDepth = 0
    private var inTitle = false
    private var title: [UInt8] = []
    private var meta = PageMeta()
    private var metaRefresh: [(raw: String, line: Int)] = []

    init(pageURL: WebURL?) {
        self.givenPageURL = pageURL
    }

    // MARK: - Callbacks

    func start(tag: Int32, attributes: Attributes, line: Int) {
        if tag == Int32(DRAGNET_TAG_TEMPLATE.rawValue) {
            templateDepth += 1
            return
        }
        guard templateDepth == 0 else { return }
        let noscript = noscriptDepth > 0
        switch dragnet_html_tag(UInt32(tag)) {
        case DRAGNET_TAG_SCRIPT:
            let type = attributes["type"]?.lowercased()
            let lazy = attributes["src"] == nil ? Self.lazySource(attributes, Self.lazyScriptAttributes) : nil
            if let (src, attribute) = attributes["src"].map({ ($0, "src") }) ?? lazy {
                var resource = PendingResource(kind: .script, raw: src, element: "script", attribute: attribute, line: line, inNoscript: noscript)
                resource.lazy = lazy != nil
                resource.async = attributes.has("async")
                resource.deferred = attributes.has("defer")
                resource.module = type == "module"
                resource.integrity = attributes["integrity"]
                resources.append(resource)
            } else {
                script = OpenScript(line: line, type: type, inNoscript: noscript)
            }
        case DRAGNET_TAG_LINK:
            link(attributes, line: line, noscript: noscript)
        case DRAGNET_TAG_IMG:
            image(attributes, line: line, noscript: noscript)
        case DRAGNET_TAG_IFRAME:
            add(.iframe, attributes["src"], "iframe", "src", line, noscript)
            if let (src, attribute) = Self.lazySource(attributes, Self.lazyImageAttributes), src != attributes["src"] {
                add(.iframe, src, "iframe", attribute, line, noscript, lazy: true)
            }
        case DRAGNET_TAG_FRAME:
            add(.frame, attributes["src"], "frame", "src", line, noscript)
        case DRAGNET_TAG_VIDEO:
            add(.video, attributes["src"], "video", "src", line, noscript)
            add(.image, attributes["poster"], "video", "poster", line, noscript)
        case DRAGNET_TAG_AUDIO:
            add(.audio, attributes["src"], "audio", "src", line, noscript)
        case DRAGNET_TAG_SOURCE:
            add(.source, attributes["src"], "source", "src", line, noscript)
            for url in attributes["srcset"].map(Srcset.urls) ?? [] { add(.source, url, "source", "srcset", line, noscript) }
        case DRAGNET_TAG_TRACK:
            add(.track, attributes["src"], "track", "src", line, noscript)
        case DRAGNET_TAG_OBJECT:
            add(.object, attributes["data"], "object", "data", line, noscript)
        case DRAGNET_TAG_EMBED:
            add(.embed, attributes["src"], "embed", "src", line, noscript)
        case DRAGNET_TAG_NOSCRIPT:
            noscriptDepth += 1
        case DRAGNET_TAG_META:
            metaTag(attributes, line: line)
        case DRAGNET_TAG_BASE:
            if baseHref == nil, let href = attributes["href"] { baseHref = href }
        case DRAGNET_TAG_TITLE:
            if meta.title == nil { inTitle = true }
        case DRAGNET_TAG_A, DRAGNET_TAG_AREA:
            if let href = attributes["href"] {
                links.append(PendingLink(raw: href, rel: attributes["rel"], line: line))
                if tag == Int32(DRAGNET_TAG_A.rawValue) { openLinks.append(links.count - 1) }
            } else if tag == Int32(DRAGNET_TAG_A.rawValue) {
                openLinks.append(-1)
            }
        case DRAGNET_TAG_FORM:
            // A <form> inside an open form is ignored, as HTML parsers do: its fields join the outer form.
            guard openForm == nil else { return }
            var form = Form(index: forms.count, line: line, action: "", method: (attributes["method"] ?? "get").lowercased())
            form.id = attributes["id"]
            form.name = attributes["name"]
            if form.method.isEmpty { form.method = "get" }
            forms.append((form, attributes["action"], form.id))
            openForm = forms.count - 1
        case DRAGNET_TAG_INPUT, DRAGNET_TAG_SELECT, DRAGNET_TAG_TEXTAREA:
            field(tag: tag, attributes: attributes, line: line, noscript: noscript)
        case DRAGNET_TAG_LABEL:
            labels.append(OpenLabel(forID: attributes["for"]))
        default:
            break
        }
    }

    func end(tag: Int32, implied: Bool) {
        if tag == Int32(DRAGNET_TAG_TEMPLATE.rawValue) {
            templateDepth = max(0, templateDepth - 1)
            return
        }
        guard templateDepth == 0 else { return }
        switch dragnet_html_tag(UInt32(tag)) {
        case DRAGNET_TAG_SCRIPT:
            if let open = script {
                script = nil
                if !open.text.isEmpty {
                    var inline = InlineScript(
                        line: open.line, type: open.type, size: open.text.count,
                        sha256: SHA256.hex(open.text), text: String(decoding: open.text, as: UTF8.self))
                    inline.inNoscript = open.inNoscript
                    inlineScripts.append(inline)
                }
            }
        case DRAGNET_TAG_NOSCRIPT:
            noscriptDepth = max(0, noscriptDepth - 1)
        case DRAGNET_TAG_TITLE:
            if inTitle {
                inTitle = false
                meta.title = Self.collapse(title)
            }
        case DRAGNET_TAG_A:
            _ = openLinks.popLast()
        case DRAGNET_TAG_FORM:
            // Only a written </form> ends a form; libxml2 also "closes" it when a
            // nested <form> starts, which browsers ignore.
            if !implied { openForm = nil }
        case DRAGNET_TAG_LABEL:
            if let label = labels.popLast() {
                let text = Self.collapse(label.text)
                if let forID = label.forID, !forID.isEmpty {
                    labelsByID[forID] = label.text
                } else if !text.isEmpty {
                    for index in label.fieldIndices where fields[index].field.label == nil {
                        fields[index].field.label = text
                    }
                }
            }
        default:
            break
        }
    }

    func characters(_ bytes: UnsafeRawBufferPointer) {
        guard templateDepth == 0 else { return }
        if inTitle { Self.append(bytes, to: &title) }
        if let index = openLinks.last, index >= 0 { Self.append(bytes, to: &links[index].text) }
        if !labels.isEmpty {
            for index in labels.indices { Self.append(bytes, to: &labels[index].text) }
        }
    }

    func rawText(_ bytes: UnsafeRawBufferPointer) {
        guard templateDepth == 0, script != nil else { return }
        script?.text.append(contentsOf: bytes)
    }

    // MARK: - Elements

    /// `<img>`: one pass over its attributes (pages carry hundreds of images).
    private func image(_ attributes: Attributes, line: Int, noscript: Bool) {
        var src: String?, srcset: String?, lazySrc: (String, String)?, lazySrcset: String?
        var width: String?, height: String?, style: String?
        attributes.forEach { name, value in
            guard let value else { return }
            switch name[0] {
            case 0x73:  // s
                if strcmp(name, "src") == 0 { src = String(cString: value) }
                else if strcmp(name, "srcset") == 0 { srcset = String(cString: value) }
                else if strcmp(name, "style") == 0 { style = String(cString: value) }
            case 0x77:  // w
                if strcmp(name, "width") == 0 { width = String(cString: value) }
            case 0x68:  // h
                if strcmp(name, "height") == 0 { height = String(cString: value) }
            case 0x64:  // d
                guard value[0] != 0 else { return }
                if lazySrc == nil, strcmp(name, "data-src") == 0 || strcmp(name, "data-lazy-src") == 0
                    || strcmp(name, "data-rocket-src") == 0 || strcmp(name, "data-original") == 0
                {
                    lazySrc = (String(cString: value), String(cString: name))
                } else if strcmp(name, "data-srcset") == 0 || strcmp(name, "data-lazy-srcset") == 0 {
                    lazySrcset = String(cString: value)
                }
            default:
                break
            }
        }
        let pixel = Self.isLikelyPixel(width: width, height: height, style: style)
        add(.image, src, "img", "src", line, noscript, pixel: pixel)
        for url in srcset.map(Srcset.urls) ?? [] { add(.image, url, "img", "srcset", line, noscript, pixel: pixel) }
        if let (lazy, attribute) = lazySrc, lazy != src { add(.image, lazy, "img", attribute, line, noscript, lazy: true) }
        for url in lazySrcset.map(Srcset.urls) ?? [] { add(.image, url, "img", "data-srcset", line, noscript, lazy: true) }
    }

    private func add(
        _ kind: ResourceKind, _ raw: String?, _ element: String, _ attribute: String, _ line: Int, _ noscript: Bool,
        pixel: Bool = false, lazy: Bool = false
    ) {
        guard let raw else { return }
        var resource = PendingResource(kind: kind, raw: raw, element: element, attribute: attribute, line: line, inNoscript: noscript)
        resource.likelyPixel = pixel
        resource.lazy = lazy
        resources.append(resource)
    }

    private func link(_ attributes: Attributes, line: Int, noscript: Bool) {
        guard let rel = attributes["rel"]?.lowercased(), let href = attributes["href"] else { return }
        let tokens = rel.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        if tokens.contains("canonical") {
            if canonicalRaw == nil { canonicalRaw = href }
            return
        }
        if tokens.contains("privacy-policy") {
            links.append(PendingLink(raw: href, rel: "privacy-policy", line: line))
        }
        let kind: ResourceKind?
        if tokens.contains("stylesheet") {
            kind = .stylesheet
        } else if tokens.contains("modulepreload") {
            kind = .modulepreload
        } else if tokens.contains("preload") {
            kind = .preload
        } else if tokens.contains("prefetch") || tokens.contains("prerender") {
            kind = .prefetch
        } else if tokens.contains("preconnect") {
            kind = .preconnect
        } else if tokens.contains("dns-prefetch") {
            kind = .dnsPrefetch
        } else if tokens.contains("icon") || tokens.contains("apple-touch-icon") || tokens.contains("apple-touch-icon-precomposed") || tokens.contains("mask-icon") {
            kind = .icon
        } else if tokens.contains("manifest") {
            kind = .manifest
        } else {
            kind = nil
        }
        if let kind {
            var resource = PendingResource(kind: kind, raw: href, element: "link", attribute: "href", line: line, inNoscript: noscript)
            resource.integrity = attributes["integrity"]
            resources.append(resource)
        }
    }

    private static let verificationNames: Set<String> = [
        "google-site-verification", "facebook-domain-verification", "tiktok-developers-site-verification",
        "p:domain_verify", "pinterest-site-verification", "msvalidate.01", "yandex-verification",
        "baidu-site-verification", "twitter-site-verification", "apple-domain-verification",
    ]

    private func metaTag(_ attributes: Attributes, line: Int) {
        if let charset = attributes["charset"], meta.declaredCharset == nil {
            meta.declaredCharset = charset.lowercased()
        }
        let content = attributes["content"] ?? ""
        if let equiv = attributes["http-equiv"]?.lowercased() {
            switch equiv {
            case "content-security-policy":
                meta.contentSecurityPolicy = meta.contentSecurityPolicy.map { $0 + ", " + content } ?? content
            case "refresh":
                if let target = Self.refreshTarget(content) { metaRefresh.append((target, line)) }
            case "content-type":
                let lowered = content.lowercased()
                if meta.declaredCharset == nil, let offset = lowered.firstByteOffset(of: "charset=") {
                    let value = lowered.utf8.dropFirst(offset + 8).prefix(while: { $0 != 0x3B && $0 != 0x20 && $0 != 0x22 })
                    if !value.isEmpty { meta.declaredCharset = String(decoding: value, as: UTF8.self) }
                }
            default:
                break
            }
            return
        }
        let name = (attributes["name"] ?? attributes["property"] ?? "").lowercased()
        guard !name.isEmpty else { return }
        if name == "referrer" {
            meta.referrerPolicy = content
        } else if name == "robots" || name == "tdm-reservation" || name == "tdm-policy" || Self.isCrawlerName(name) {
            meta.robots[name, default: []].append(content)
        } else if Self.verificationNames.contains(name) || name.hasSuffix("-site-verification") || name.hasSuffix("-domain-verification") {
            meta.verifications[name, default: []].append(content)
        } else if name.hasPrefix("twitter:") {
            meta.twitter[name, default: []].append(content)
        } else if name.hasPrefix("og:") || name.hasPrefix("fb:") || name.hasPrefix("article:") {
            meta.openGraph[name, default: []].append(content)
            if name == "og:url", openGraphURL == nil { openGraphURL = content }
        }
    }

    /// A `<meta name>` addressed to one crawler (`googlebot`, `gptbot`, `bytespider`, `ccbot`,
    /// `meta-externalagent`): a product token ending in bot, spider, crawler or agent.
    static func isCrawlerName(_ name: String) -> Bool {
        (name.hasSuffix("bot") || name.hasSuffix("spider") || name.hasSuffix("crawler") || name.hasSuffix("agent"))
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) }
    }

    private static let skippedInputTypes: Set<String> = ["submit", "button", "reset", "image"]

    private func field(tag: Int32, attributes: Attributes, line: Int, noscript: Bool) {
        let element: String
        switch dragnet_html_tag(UInt32(tag)) {
        case DRAGNET_TAG_SELECT: element = "select"
        case DRAGNET_TAG_TEXTAREA: element = "textarea"
        default: element = "input"
        }
        let type = element == "input" ? (attributes["type"]?.lowercased() ?? "text") : nil
        if let type, Self.skippedInputTypes.contains(type) {
            if type == "image" { add(.image, attributes["src"], "input", "src", line, noscript) }
            return
        }
        var field = FormField(element: element, line: line)
        field.type = type
        field.name = attributes["name"]
        field.id = attributes["id"]
        field.autocomplete = attributes["autocomplete"]
        field.placeholder = attributes["placeholder"]
        if let aria = attributes["aria-label"], !aria.isEmpty { field.label = aria }
        let formAttribute = attributes["form"]
        guard openForm != nil || formAttribute != nil else { return }  // fields outside any form are not form data
        fields.append(PendingField(field: field, formIndex: openForm, formAttribute: formAttribute))
        for index in labels.indices { labels[index].fieldIndices.append(fields.count - 1) }
    }

    // MARK: - Finishing

    func finish() -> ExtractedPage {
        let pageURL = givenPageURL
            ?? canonicalRaw.flatMap { WebURL($0) }.flatMap { $0.isNetwork ? $0 : nil }
            ?? openGraphURL.flatMap { WebURL($0) }.flatMap { $0.isNetwork ? $0 : nil }
        let base = baseHref.flatMap { WebURL.resolve($0, against: pageURL) } ?? pageURL
        var observations = Observations()
        meta.baseHref = baseHref.flatMap { WebURL.resolve($0, against: pageURL) }?.string
        meta.canonical = canonicalRaw.flatMap { WebURL.resolve($0, against: base) }?.string
        observations.meta = meta

        for pending in resources {
            guard let url = WebURL.resolve(pending.raw, against: base) else { continue }
            var resource = Resource(
                kind: pending.kind, url: Self.display(url), scheme: url.scheme, host: url.isNetwork ? url.host : nil,
                element: pending.element, attribute: pending.attribute, line: pending.line)
            resource.inNoscript = pending.inNoscript
            resource.likelyPixel = pending.likelyPixel
            resource.lazy = pending.lazy
            resource.async = pending.async
            resource.deferred = pending.deferred
            resource.module = pending.module
            resource.integrity = pending.integrity
            observations.resources.append(resource)
        }
        for refresh in metaRefresh {
            guard let url = WebURL.resolve(refresh.raw, against: base) else { continue }
            observations.resources.append(Resource(
                kind: .metaRefresh, url: Self.display(url), scheme: url.scheme, host: url.isNetwork ? url.host : nil,
                element: "meta", attribute: "content", line: refresh.line))
        }
        observations.inlineScripts = inlineScripts

        var candidates: [PolicyLinkCandidate] = []
        for pending in links {
            guard let url = WebURL.resolve(pending.raw, against: base) else { continue }
            let host = url.isNetwork ? url.host : nil
            if pending.rel != "privacy-policy" {
                observations.links.append(Link(url: Self.display(url), scheme: url.scheme, host: host, line: pending.line))
            }
            guard url.isNetwork else { continue }
            let text = Self.collapse(pending.text)
            if let candidate = PolicyLinks.candidate(
                url: url.withoutFragment, host: host, pageHost: pageURL?.host, text: text, rel: pending.rel, line: pending.line)
            {
                candidates.append(candidate)
            }
        }
        observations.policyLinks = PolicyLinks.rank(candidates)
        observations.forms = finishForms(base: base, pageURL: pageURL)
        return ExtractedPage(observations: observations, pageURL: pageURL?.string)
    }

    private func finishForms(base: WebURL?, pageURL: WebURL?) -> [Form] {
        var result = forms.map { entry -> Form in
            var form = entry.form
            let raw = entry.rawAction ?? ""
            // An empty or missing action submits to the document's own URL.
            let action = raw.isEmpty ? pageURL : WebURL.resolve(raw, against: base)
            form.action = action.map(Self.display) ?? raw
            form.actionHost = action.flatMap { $0.isNetwork ? $0.host : nil }
            return form
        }
        var formsByID: [String: Int] = [:]
        for (index, entry) in forms.enumerated() {
            if let id = entry.id, formsByID[id] == nil { formsByID[id] = index }
        }
        for pending in fields {
            var field = pending.field
            if field.label == nil, let id = field.id, let text = labelsByID[id] {
                let collapsed = Self.collapse(text)
                if !collapsed.isEmpty { field.label = collapsed }
            }
            (field.category, field.categorySource) = FieldClassifier.classify(field)
            let target = pending.formAttribute.flatMap { formsByID[$0] } ?? pending.formIndex
            if let target { result[target].fields.append(field) }
        }
        return result
    }

    // MARK: - Helpers

    private static func append(_ bytes: UnsafeRawBufferPointer, to text: inout [UInt8]) {
        guard text.count < textCap else { return }
        text.append(contentsOf: bytes.prefix(textCap - text.count))
    }

    /// Whitespace collapsed to single spaces, trimmed, at most 200 characters.
    static func collapse(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, 256))
        var pendingSpace = false
        for byte in bytes {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            }
        }
        var text = String(decoding: out, as: UTF8.self)
        if text.count > 200 { text = String(text.prefix(200)) }
        return text
    }

    /// Attributes that lazy-loading libraries (WP Rocket, lazysizes, lozad …) move into `src` later.
    static let lazyScriptAttributes: [StaticString] = ["data-rocket-src", "data-src", "data-lazy-src", "data-cfasync-src"]
    static let lazyImageAttributes: [StaticString] = ["data-src", "data-lazy-src", "data-rocket-src", "data-original"]

    static func lazySource(_ attributes: Attributes, _ names: [StaticString]) -> (String, String)? {
        for name in names {
            if let value = attributes[name], !value.isEmpty { return (value, name.description) }
        }
        return nil
    }

    /// `data:` URLs are cut to their media type and `javascript:` to its scheme:
    /// their payload is page content, not a destination.
    static func display(_ url: WebURL) -> String {
        switch url.scheme {
        case "data":
            let body = url.string.dropFirst(5)
            let media = body.prefix(while: { $0 != "," && $0 != ";" })
            return "data:" + media
        case "javascript":
            return "javascript:"
        default:
            return url.string
        }
    }

    /// An `<img>` of at most 2×2 pixels, or one hidden by its inline style.
    static func isLikelyPixel(width widthText: String?, height heightText: String?, style styleText: String?) -> Bool {
        let width = widthText.flatMap(dimension)
        let height = heightText.flatMap(dimension)
        if width != nil || height != nil, (width ?? 0) <= 2, (height ?? 0) <= 2 { return true }
        guard let style = styleText?.lowercased().filter({ !$0.isWhitespace }) else { return false }
        if style.contains("display:none") || style.contains("visibility:hidden") { return true }
        let small = ["0", "0px", "1px", "2px"]
        let styleWidth = cssValue(style, "width"), styleHeight = cssValue(style, "height")
        return styleWidth.map(small.contains) == true && styleHeight.map(small.contains) == true
    }

    private static func dimension(_ text: String) -> Int? {
        let digits = text.trimming(" ").prefix(while: { $0.isASCII && $0.isNumber })
        return digits.isEmpty ? nil : Int(digits)
    }

    private static func cssValue(_ style: String, _ property: String) -> String? {
        for declaration in style.split(separator: ";") {
            let parts = declaration.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0] == property { return String(parts[1]) }
        }
        return nil
    }

    /// The URL of `<meta http-equiv=refresh content="5; url=…">`.
    static func refreshTarget(_ content: String) -> String? {
        // Offsets in the lower-cased text are valid in the original: ASCII letters only change case.
        guard let offset = content.lowercased().firstByteOffset(of: "url"), content.lowercased().utf8.count == content.utf8.count else { return nil }
        var rest = Substring(String(decoding: content.utf8.dropFirst(offset + 3), as: UTF8.self)).drop(while: { $0 == " " })
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop(while: { $0 == " " })
        if let quote = rest.first, quote == "'" || quote == "\"" {
            rest = rest.dropFirst()
            if let end = rest.firstIndex(of: quote) { rest = rest[..<end] }
        }
        let target = rest.trimming(" ")
        return target.isEmpty ? nil : target
    }
}
