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
