public import DragnetCore
public import Foundation

/// A page load as a HAR 1.2 file (what DevTools' "Save all as HAR" writes), with Chrome's
/// `_initiator` and `_resourceType` fields. Cookie and authorization header values and
/// request bodies are redacted unless `includeContent`.
public enum HAR {
    static let secretHeaders: Set<String> = ["cookie", "set-cookie", "authorization", "proxy-authorization"]

    public static func document(_ capture: BrowserCapture, startedAt: Date, browser: String, includeContent: Bool) -> JSONValue {
        func header(_ item: ObservedRequest.Header) -> JSONValue {
            let secret = !includeContent && secretHeaders.contains(item.name.lowercased())
            return .object([("name", .string(item.name)), ("value", .string(secret ? "[redacted]" : item.value))])
        }
        func time(_ date: Date) -> String { date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)) }
        var entries: [JSONValue] = []
        for request in capture.requests {
            let milliseconds = request.finishedAt.map { max(0, $0.timeIntervalSince(request.startedAt) * 1000) } ?? -1
            var query: [JSONValue] = []
            if let components = URLComponents(string: request.url) {
                for item in components.queryItems ?? [] { query.append(.object([("name", .string(item.name)), ("value", .string(item.value ?? ""))])) }
            }
            var requestMembers: [(String, JSONValue)] = [
                ("method", .string(request.method)), ("url", .string(request.url)), ("httpVersion", .string(request.httpVersion.isEmpty ? "HTTP/1.1" : request.httpVersion)),
                ("cookies", .array([])), ("headers", .array(request.requestHeaders.map(header))), ("queryString", .array(query)),
                ("headersSize", .int(-1)), ("bodySize", .int(request.postDataSize)),
            ]
            if request.postDataSize > 0 {
                let type = request.requestHeaders.first { $0.name.lowercased() == "content-type" }?.value ?? ""
                requestMembers.append(("postData", .object([
                    ("mimeType", .string(type)), ("text", .string(includeContent ? request.postData ?? "" : "[redacted: \(request.postDataSize) bytes]")),
                ])))
            }
            var initiator: [(String, JSONValue)] = [("type", .string(request.initiatorType))]
            if let url = request.initiatorURL { initiator.append(("url", .string(url))) }
            entries.append(.object([
                ("pageref", .string("page_1")), ("startedDateTime", .string(time(request.startedAt))), ("time", .double(milliseconds)),
                ("request", .object(requestMembers)),
                ("response", .object([
                    ("status", .int(request.status ?? 0)), ("statusText", .string(request.statusText)),
                    ("httpVersion", .string(request.httpVersion)), ("cookies", .array([])), ("headers", .array(request.responseHeaders.map(header))),
                    ("content", .object([("size", .int(max(0, request.encodedSize))), ("mimeType", .string(request.mimeType))])),
                    ("redirectURL", .string(request.responseHeaders.first { $0.name.lowercased() == "location" }?.value ?? "")),
                    ("headersSize", .int(-1)), ("bodySize", .int(request.encodedSize)),
                ] + (request.failed.map { [("_error", JSONValue.string($0))] } ?? []))),
                ("cache", .object([])),
                ("timings", .object([("send", .double(0)), ("wait", .double(milliseconds)), ("receive", .double(0))])),
                ("_initiator", .object(initiator)), ("_resourceType", .string(request.type.lowercased())),
            ]))
        }
        let page: JSONValue = .object([
            ("startedDateTime", .string(time(startedAt))), ("id", .string("page_1")), ("title", .string(capture.finalURL ?? capture.url)),
            ("pageTimings", .object([("onContentLoad", .double(-1)), ("onLoad", .double(capture.seconds * 1000))])),
        ])
        return .object([("log", .object([
            ("version", .string("1.2")), ("creator", .object([("name", .string(Dragnet.name)), ("version", .string(Dragnet.version))])),
            ("browser", .object([("name", .string(browser.split(separator: "/").first.map(String.init) ?? browser)),
                                 ("version", .string(browser.split(separator: "/").dropFirst().first.map(String.init) ?? ""))])),
            ("pages", .array([page])), ("entries", .array(entries)),
        ]))])
    }
}

extension HAR {
    /// The largest HAR read (a capture with response bodies can be big; a 500 MB one is refused).
    public static let maxBytes = 256 * 1024 * 1024

    /// A HAR file exported by Chrome DevTools, Firefox or Playwright, read as what the browser saw:
    /// the page's URL and HTML (when the export kept the document's body), every http(s) request
    /// with its type and initiator where the exporter wrote them, and the cookies responses set.
    public static func capture(_ bytes: [UInt8]) throws(CDPError) -> (capture: BrowserCapture, html: String?, setCookies: [(name: String, url: String)]) {
        guard bytes.count <= maxBytes else { throw CDPError("larger than \(maxBytes / 1024 / 1024) MB") }
        let root: JSONValue
        do { root = try JSONValue.parse(bytes, maxDepth: 256) } catch { throw CDPError("not a HAR file: not JSON (\(error))") }
        guard let log = root["log"], let entries = log["entries"]?.arrayValue else { throw CDPError("not a HAR file: no log.entries") }
        var html: String?
        var pageURL = log["pages"]?.arrayValue?.first?["title"]?.stringValue.flatMap { $0.hasPrefix("http") ? $0 : nil }
        var requests: [ObservedRequest] = []
        var cookies: [(name: String, url: String)] = []
        var skipped = 0
        for entry in entries {
            guard let request = entry["request"], let url = request["url"]?.stringValue, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                skipped += 1
                continue
            }
            let response = entry["response"]
            let mimeType = response?["content"]?["mimeType"]?.stringValue ?? ""
            // Chrome and Playwright write _resourceType; Firefox does not: infer it from the response type.
            let type = entry["_resourceType"]?.stringValue.map(Self.devToolsType) ?? Self.type(mimeType: mimeType, isFirst: requests.isEmpty)
            var observed = ObservedRequest(
                url: url, method: request["method"]?.stringValue ?? "GET", type: type,
                initiatorType: entry["_initiator"]?["type"]?.stringValue ?? "other", initiatorURL: entry["_initiator"]?["url"]?.stringValue,
                postDataSize: request["postData"]?["text"]?.stringValue?.utf8.count ?? 0)
            observed.status = response?["status"]?.intValue
            observed.mimeType = mimeType
            observed.postData = request["postData"]?["text"]?.stringValue
            requests.append(observed)
            if type == "Document", pageURL == nil || pageURL == url, html == nil, mimeType.contains("html") {
                pageURL = pageURL ?? url
                html = response?["content"]?["text"]?.stringValue
            }
            for cookie in response?["cookies"]?.arrayValue ?? [] {
                if let name = cookie["name"]?.stringValue { cookies.append((name, url)) }
            }
        }
        guard let first = requests.first else {
            throw CDPError("not a HAR file with http(s) requests (\(entries.count) entries, \(skipped) skipped)")
        }
        var capture = BrowserCapture(url: pageURL ?? first.url)
        capture.finalURL = pageURL ?? first.url
        capture.requests = requests
        capture.browser = log["browser"]?["name"]?.stringValue ?? log["creator"]?["name"]?.stringValue ?? "HAR"
        return (capture, html, cookies)
    }

    /// `script` → `Script` (Chrome writes DevTools' types in lower case).
    static func devToolsType(_ type: String) -> String {
        switch type.lowercased() {
        case "xhr": "XHR"
        case "eventsource": "EventSource"
        case "websocket": "WebSocket"
        case "texttrack": "TextTrack"
        case "cspviolationreport": "CSPViolationReport"
        default: type.prefix(1).uppercased() + type.dropFirst().lowercased()
        }
    }

    static func type(mimeType: String, isFirst: Bool) -> String {
        let type = mimeType.lowercased()
        if type.contains("html") { return isFirst ? "Document" : "Document" }
        if type.contains("javascript") || type.contains("ecmascript") { return "Script" }
        if type.hasPrefix("image/") { return "Image" }
        if type.contains("css") { return "Stylesheet" }
        if type.hasPrefix("font/") || type.contains("woff") { return "Font" }
        return "Other"
    }
}
