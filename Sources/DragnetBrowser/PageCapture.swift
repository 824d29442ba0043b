public import DragnetCore
public import Foundation
import Synchronization

/// A request the page (its frames and workers) made, as the browser saw it.
public struct ObservedRequest: Sendable, Hashable {
    public var url: String
    public var method: String
    /// DevTools resource type: `Document`, `Script`, `Image`, `XHR`, `Fetch`, `Ping`, `Other` …
    public var type: String
    /// `parser`, `script`, `preload`, `other` …; for a script initiator, the script's URL.
    public var initiatorType: String
    public var initiatorURL: String?
    /// Bytes of the request body.
    public var postDataSize: Int
    public var status: Int?
    public var failed: String?
    /// For the HAR file: when it started and finished, headers, the body text (kept in memory
    /// only; written only with `--har-content`), the response's type, protocol and size.
    public var startedAt = Date()
    public var finishedAt: Date?
    public var requestHeaders: [Header] = []
    public var postData: String?
    public var responseHeaders: [Header] = []
    public var statusText: String = ""
    public var mimeType: String = ""
    public var httpVersion: String = ""
    public var encodedSize: Int = -1

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public init(url: String, method: String, type: String, initiatorType: String, initiatorURL: String?, postDataSize: Int) {
        self.url = url
        self.method = method
        self.type = type
        self.initiatorType = initiatorType
        self.initiatorURL = initiatorURL
        self.postDataSize = postDataSize
    }
}

/// What one page load in the browser showed.
public struct BrowserCapture: Sendable {
    public var url: String
    public var finalURL: String?
    public var requests: [ObservedRequest] = []
    /// Cookies of the page's browser context at the end: name, domain, path (never values).
    public var cookies: [(name: String, domain: String, path: String)] = []
    /// The rendered DOM of the main frame.
    public var html: String = ""
    /// Canaries typed into the page's fields (`fill`), and the first request sent after typing began.
    public var canaries: [Canary] = []
    public var requestsBeforeFill = 0
    /// localStorage and sessionStorage of the main frame: key, area and value size in bytes (never values).
    public var storage: [(area: String, key: String, bytes: Int)] = []
    public var error: String?
    /// Seconds from navigation to the end of the capture.
    public var seconds: Double = 0
    /// When the load started, and the browser's product string (`HeadlessChrome/156…`).
    public var startedAt = Date()
    public var browser = ""
    /// Requests the page made to private-network addresses, refused before they were sent.
    public var refused: [String] = []

    public init(url: String, finalURL: String? = nil) {
        self.url = url
        self.finalURL = finalURL
    }
}

/// Settings of a page load.
public struct CaptureOptions: Sendable {
    /// The whole load, navigation to network idle, is capped by this (seconds).
    public var pageTimeout: Double = 30
    /// How long no request may be in flight before the page counts as idle (seconds).
    public var idle: Double = 0.5
    /// Stay this long after idle (seconds).
    public var dwell: Double = 2
    /// Type canaries into the page's visible email, phone, name and password fields (never submitted).
    public var fill = true
    /// Let the page reach loopback, private and link-local address literals (`--allow-private`).
    public var allowPrivate = false
    /// Hosts the user named that may be reached anyway (the page's own 127.0.0.1, localhost …).
    public var privateHostsNamed: Set<String> = []
    /// Says whether a host is a non-public address literal, and which kind ("loopback" …); the
    /// fetcher's classifier, passed in so this module needs no C.
    public var addressKind: @Sendable (String) -> String? = { _ in nil }

    public init() {}
}

extension BrowserProcess {
    /// URL patterns of requests that may go to a private network: address literals and localhost
    /// names. Only these are paused (Fetch domain) and checked; every other request runs untouched.
    static let privatePatterns: [(String, JSONValue)] = {
        let hosts = ["127.*", "10.*", "192.168.*", "169.254.*", "172.*", "100.*", "0.*", "[*", "localhost*", "*.localhost*"]
        let patterns = ["http", "https"].flatMap { scheme in hosts.map { JSONValue.object([("urlPattern", .string("\(scheme)://\($0)")), ("requestStage", .string("Request"))]) } }
        return [("patterns", .array(patterns))]
    }()
}

extension BrowserProcess {
    /// Loads `url` in a fresh browser context (no cookie, storage or cache from other pages),
    /// follows its frames and workers (auto-attach), waits for load and network idle, and
    /// collects requests, cookies and the rendered DOM. Only the page's own sessions are
    /// listened to: the browser's background requests never appear.
    public func capture(_ url: String, options: CaptureOptions = CaptureOptions()) async throws -> BrowserCapture {
        let started = Date()
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            var refused = BrowserCapture(url: url)
            refused.error = "only http and https pages are loaded"
            return refused
        }
        let context = try await connection.send("Target.createBrowserContext", [("disposeOnDetach", .bool(true))])
        guard let contextID = context["browserContextId"]?.stringValue else { throw CDPError("no browser context") }
        defer { Task { [connection] in _ = try? await connection.send("Target.disposeBrowserContext", [("browserContextId", .string(contextID))], timeout: 5) } }
        let target = try await connection.send("Target.createTarget", [("url", .string("about:blank")), ("browserContextId", .string(contextID))])
        guard let targetID = target["targetId"]?.stringValue else { throw CDPError("no target") }
        let attached = try await connection.send("Target.attachToTarget", [("targetId", .string(targetID)), ("flatten", .bool(true))])
        guard let session = attached["sessionId"]?.stringValue else { throw CDPError("no session") }
        // Downloads go nowhere.
        _ = try? await connection.send("Browser.setDownloadBehavior", [("behavior", .string("deny")), ("browserContextId", .string(contextID))], timeout: 5)

        let recorder = Recorder()
        let connection = self.connection
        let guardOptions = options
        @Sendable func follow(_ session: String) {
            connection.listen(session: session) { method, params in
                if method == "Fetch.requestPaused" {
                    // Only requests to address literals and localhost names are paused (the patterns
                    // below): a private one the user did not name is failed before it is sent.
                    let requestID = params["requestId"]?.stringValue ?? ""
                    let requestURL = params["request"]?["url"]?.stringValue ?? ""
                    let host = URLCredentials.host(of: requestURL)
                    let kind = host.flatMap { $0 == "localhost" || $0.hasSuffix(".localhost") ? "loopback" : guardOptions.addressKind($0) }
                    if let kind, let host, !guardOptions.privateHostsNamed.contains(host) {
                        recorder.refuse("\(host) (\(kind))")
                        Task { _ = try? await connection.send("Fetch.failRequest", [("requestId", .string(requestID)), ("errorReason", .string("AddressUnreachable"))], session: session, timeout: 5) }
                    } else {
                        Task { _ = try? await connection.send("Fetch.continueRequest", [("requestId", .string(requestID))], session: session, timeout: 5) }
                    }
                    return
                }
                recorder.handle(method, params, session: session)
                if method == "Page.javascriptDialogOpening" {
                    // alert, confirm, prompt and beforeunload are dismissed: a dialog never holds the page.
                    Task { _ = try? await connection.send("Page.handleJavaScriptDialog", [("accept", .bool(false))], session: session, timeout: 5) }
                }
                if method == "Target.attachedToTarget", let child = params["sessionId"]?.stringValue {
                    follow(child)
                    recorder.addSession(child)
                    Task {
                        _ = try? await connection.send("Network.enable", Self.networkParameters, session: child, timeout: 10)
                        if !guardOptions.allowPrivate { _ = try? await connection.send("Fetch.enable", Self.privatePatterns, session: child, timeout: 10) }
                        _ = try? await connection.send(
                            "Target.setAutoAttach", [("autoAttach", .bool(true)), ("waitForDebuggerOnStart", .bool(true)), ("flatten", .bool(true))],
                            session: child, timeout: 10)
                        _ = try? await connection.send("Runtime.runIfWaitingForDebugger", session: child, timeout: 10)
                    }
                }
            }
        }
        follow(session)
        recorder.addSession(session)
        defer { for child in recorder.sessions { connection.stopListening(session: child) } }
        try await connection.send("Network.enable", Self.networkParameters, session: session)
        if !options.allowPrivate { try await connection.send("Fetch.enable", Self.privatePatterns, session: session) }
        try await connection.send("Page.enable", session: session)
        _ = try? await connection.send("Inspector.enable", session: session, timeout: 5)
        // Frames and workers start paused until their Network domain is on, so none of their requests is missed.
        try await connection.send(
            "Target.setAutoAttach", [("autoAttach", .bool(true)), ("waitForDebuggerOnStart", .bool(true)), ("flatten", .bool(true))], session: session)

        var capture = BrowserCapture(url: url)
        capture.startedAt = started
        do {
            let navigation = try await connection.send("Page.navigate", [("url", .string(url))], session: session, timeout: options.pageTimeout)
            if let error = navigation["errorText"]?.stringValue, !error.isEmpty { capture.error = error }
        } catch {
            // No response within the page timeout: stop it; what was seen so far is still collected.
            capture.error = "timeout: no response within \(Int(options.pageTimeout)) s"
            _ = try? await connection.send("Page.stopLoading", session: session, timeout: 2)
        }
        let stuck = capture.error?.hasPrefix("timeout: no response") == true
        // Load, then network idle, within the page timeout.
        let deadline = started.addingTimeInterval(options.pageTimeout)
        while Date() < deadline && recorder.gone == nil && !stuck && !connection.isClosed {
            if recorder.loaded && recorder.idleFor >= options.idle { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        if let gone = recorder.gone {
            capture.error = capture.error ?? gone
        } else if !recorder.loaded && capture.error == nil {
            capture.error = "timeout: no load event within \(Int(options.pageTimeout)) s"
        }
        // Scroll to the bottom once (lazy content loads), then type the canaries.
        if recorder.gone == nil, !stuck, !connection.isClosed {
            _ = try? await connection.send(
                "Runtime.evaluate", [("expression", .string("window.scrollTo(0, document.documentElement ? document.documentElement.scrollHeight : 0)"))],
                session: session, timeout: 5)
            if options.fill {
                capture.requestsBeforeFill = recorder.requests.count
                capture.canaries = await fill(session: session)
                if capture.canaries.isEmpty { capture.requestsBeforeFill = 0 }
            }
        }
        // Dwell (at least a second after typing, so what the typing triggers is sent), unless the
        // browser goes away meanwhile (a stopped run quits it).
        let dwellEnd = Date().addingTimeInterval(max(options.dwell, capture.canaries.isEmpty ? 0 : 1))
        while Date() < dwellEnd && recorder.gone == nil && !stuck && !connection.isClosed {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        if connection.isClosed { throw CDPError("the browser was closed during the page load") }

        if let cookies = try? await connection.send("Storage.getCookies", [("browserContextId", .string(contextID))], timeout: 10) {
            capture.cookies = (cookies["cookies"]?.arrayValue ?? []).map {
                ($0["name"]?.stringValue ?? "", $0["domain"]?.stringValue ?? "", $0["path"]?.stringValue ?? "/")
            }
        }
        if recorder.gone == nil, !stuck, let dom = try? await connection.send(
            "Runtime.evaluate", [("expression", .string("document.documentElement ? document.documentElement.outerHTML : ''")), ("returnByValue", .bool(true))],
            session: session, timeout: 10)
        {
            capture.html = dom["result"]?["value"]?.stringValue ?? ""
        }
        if recorder.gone == nil, !stuck, let items = try? await connection.send(
            "Runtime.evaluate", [("expression", .string(Self.storageScript)), ("returnByValue", .bool(true))], session: session, timeout: 10),
            let text = items["result"]?["value"]?.stringValue, let list = try? JSONValue.parse(Array(text.utf8))
        {
            capture.storage = (list.arrayValue ?? []).prefix(1_000).map {
                ($0["area"]?.stringValue ?? "", $0["key"]?.stringValue ?? "", $0["bytes"]?.intValue ?? 0)
            }
        }
        if recorder.gone == nil, !stuck, let location = try? await connection.send(
            "Runtime.evaluate", [("expression", .string("location.href")), ("returnByValue", .bool(true))], session: session, timeout: 10)
        {
            capture.finalURL = location["result"]?["value"]?.stringValue
        }
        capture.requests = recorder.requests
        capture.refused = recorder.refused
        capture.seconds = Date().timeIntervalSince(started)
        _ = try? await connection.send("Target.closeTarget", [("targetId", .string(targetID))], timeout: 5)
        return capture
    }
}

extension BrowserProcess {
    /// Visible, enabled text-like fields, marked so each can be focused again; kind by type,
    /// autocomplete, name, id, placeholder and label. Search and other text fields are left alone.
    static let fieldScript = #"""
        (() => {
          const out = [];
          for (const el of document.querySelectorAll('input, textarea')) {
            if (out.length >= 8) break;
            const type = (el.getAttribute('type') || 'text').toLowerCase();
            if (!['text', 'email', 'tel', 'password', ''].includes(type)) continue;
            if (el.disabled || el.readOnly) continue;
            const box = el.getBoundingClientRect(), style = getComputedStyle(el);
            if (box.width < 1 || box.height < 1 || style.visibility === 'hidden' || style.display === 'none') continue;
            const hint = [el.name, el.id, el.getAttribute('autocomplete'), el.placeholder, el.getAttribute('aria-label')].join(' ').toLowerCase();
            const kind = type === 'password' ? 'password'
              : type === 'email' || /e-?mail/.test(hint) ? 'email'
              : type === 'tel' || /phone|mobile|\btel/.test(hint) ? 'phone'
              : /name/.test(hint) && !/user/.test(hint) ? 'name' : '';
            if (!kind) continue;
            el.setAttribute('data-dragnet-fill', String(out.length));
            out.push({kind: kind, field: el.name || el.id || type});
          }
          return JSON.stringify(out);
        })()
        """#

    /// No response body is kept for `Network.getResponseBody` (nothing asks for one; keeping them
    /// cost the browser process more CPU than rendering), request bodies up to 64 KiB come with
    /// `requestWillBeSent` (the decoders and the canary search read them).
    static let networkParameters: [(String, JSONValue)] = [
        ("maxTotalBufferSize", .int(0)), ("maxResourceBufferSize", .int(0)), ("maxPostDataSize", .int(65_536)),
    ]

    /// Keys and value sizes of localStorage and sessionStorage (values stay in the page).
    static let storageScript = #"""
        (() => {
          const out = [];
          for (const [area, store] of [['localStorage', () => localStorage], ['sessionStorage', () => sessionStorage]]) {
            try {
              const s = store();
              for (let i = 0; i < s.length && out.length < 1000; i++) {
                const key = s.key(i);
                out.push({area: area, key: key, bytes: new Blob([s.getItem(key) || '']).size});
              }
            } catch (e) {}
          }
          out.sort((a, b) => (a.area + a.key) < (b.area + b.key) ? -1 : 1);
          return JSON.stringify(out);
        })()
        """#

    /// Types a canary into each field with real key events, then blurs it; never submits.
    func fill(session: String) async -> [Canary] {
        guard let found = try? await connection.send(
            "Runtime.evaluate", [("expression", .string(Self.fieldScript)), ("returnByValue", .bool(true))], session: session, timeout: 5),
            let text = found["result"]?["value"]?.stringValue, let fields = try? JSONValue.parse(Array(text.utf8)).arrayValue
        else { return [] }
        var typed: [Canary] = []
        for (index, field) in fields.enumerated() {
            guard let kind = field["kind"]?.stringValue, let value = Canary.values[kind] else { continue }
            let selector = "document.querySelector('[data-dragnet-fill=\"\(index)\"]')"
            guard (try? await connection.send("Runtime.evaluate", [("expression", .string("\(selector).focus()"))], session: session, timeout: 5)) != nil else { break }
            for character in value {
                let text = String(character)
                _ = try? await connection.send(
                    "Input.dispatchKeyEvent", [("type", .string("keyDown")), ("key", .string(text)), ("text", .string(text)), ("unmodifiedText", .string(text))],
                    session: session, timeout: 5)
                _ = try? await connection.send("Input.dispatchKeyEvent", [("type", .string("keyUp")), ("key", .string(text))], session: session, timeout: 5)
            }
            _ = try? await connection.send("Runtime.evaluate", [("expression", .string("\(selector).blur()"))], session: session, timeout: 5)
            typed.append(Canary(kind: kind, field: field["field"]?.stringValue ?? kind, value: value))
        }
        return typed
    }
}

/// Collects a page's network events from all of its sessions.
final class Recorder: Sendable {
    static let maxNavigations = 10
    private struct State {
        var requests: [String: ObservedRequest] = [:]
        var order: [String] = []
        /// Request id → the id of its latest hop (redirects reuse the DevTools request id).
        var latest: [String: String] = [:]
        var inFlight = Set<String>()
        var lastActivity = Date()
        var loaded = false
        var sessions: [String] = []
        /// Why the page is no longer there (it closed itself, its renderer crashed, it kept navigating).
        var gone: String?
        var navigations = 0
        var refused: [String] = []
    }
    private let state = Locked(State())

    var loaded: Bool { state.withLock { $0.loaded } }
    var gone: String? { state.withLock { $0.gone } }
    /// Seconds with no request in flight; a request with no event for 2 s (a beacon, a long poll)
    /// no longer holds the page open.
    var idleFor: Double {
        state.withLock { state in
            let quiet = Date().timeIntervalSince(state.lastActivity)
            return state.inFlight.isEmpty ? quiet : (quiet >= 2 ? quiet - 2 : 0)
        }
    }
    var sessions: [String] { state.withLock { $0.sessions } }
    var requests: [ObservedRequest] { state.withLock { state in state.order.compactMap { state.requests[$0] } } }

    func addSession(_ session: String) { state.withLock { $0.sessions.append(session) } }
    func refuse(_ target: String) { state.withLock { if !$0.refused.contains(target) { $0.refused.append(target) } } }
    var refused: [String] { state.withLock { $0.refused } }

    static func headers(_ value: JSONValue?) -> [ObservedRequest.Header] {
        (value?.objectValue ?? []).map { ObservedRequest.Header(name: $0.0, value: $0.1.stringValue ?? "") }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    func handle(_ method: String, _ params: JSONValue, session: String) {
        state.withLock { state in
            let key = session + "/" + (params["requestId"]?.stringValue ?? "")
            switch method {
            case "Network.requestWillBeSent":
                guard let request = params["request"], let url = request["url"]?.stringValue else { return }
                let initiator = params["initiator"]
                var initiatorURL = initiator?["url"]?.stringValue
                if initiatorURL == nil, let frames = initiator?["stack"]?["callFrames"]?.arrayValue {
                    initiatorURL = frames.lazy.compactMap { $0["url"]?.stringValue }.first { !$0.isEmpty }
                }
                var observed = ObservedRequest(
                    url: url, method: request["method"]?.stringValue ?? "GET", type: params["type"]?.stringValue ?? "Other",
                    initiatorType: initiator?["type"]?.stringValue ?? "other", initiatorURL: initiatorURL,
                    postDataSize: request["postData"]?.stringValue?.utf8.count ?? 0)
                observed.requestHeaders = Self.headers(request["headers"])
                observed.postData = request["postData"]?.stringValue
                // A redirect reuses the request id: keep each hop.
                let id = state.requests[key] == nil ? key : key + "#\(state.order.count)"
                state.requests[id] = observed
                state.order.append(id)
                state.latest[key] = id
                state.inFlight.insert(key)
                state.lastActivity = Date()
            case "Network.responseReceived":
                if let response = params["response"], let id = state.latest[key] {
                    state.requests[id]?.status = response["status"]?.intValue
                    state.requests[id]?.statusText = response["statusText"]?.stringValue ?? ""
                    state.requests[id]?.mimeType = response["mimeType"]?.stringValue ?? ""
                    state.requests[id]?.httpVersion = response["protocol"]?.stringValue ?? ""
                    state.requests[id]?.responseHeaders = Self.headers(response["headers"])
                }
                state.lastActivity = Date()
            case "Network.loadingFinished":
                if let id = state.latest[key] {
                    state.requests[id]?.finishedAt = Date()
                    state.requests[id]?.encodedSize = params["encodedDataLength"]?.intValue ?? -1
                }
                state.inFlight.remove(key)
                state.lastActivity = Date()
            case "Network.loadingFailed":
                if let id = state.latest[key] {
                    state.requests[id]?.failed = params["errorText"]?.stringValue ?? "failed"
                }
                state.inFlight.remove(key)
                state.lastActivity = Date()
            case "Page.loadEventFired":
                state.loaded = true
                state.lastActivity = Date()
            case "Page.frameNavigated":
                // A page that keeps navigating itself never settles: after 10 top-level
                // navigations it is a redirect loop, ended like a crash.
                if session == state.sessions.first, params["frame"]?["parentId"] == nil {
                    state.navigations += 1
                    if state.navigations > Self.maxNavigations && state.gone == nil {
                        state.gone = "JavaScript redirect loop (more than \(Self.maxNavigations) navigations)"
                    }
                }
            case "Inspector.targetCrashed":
                if session == state.sessions.first { state.gone = "the page's renderer crashed" }
            case "Inspector.detached":
                if session == state.sessions.first { state.gone = "the page closed itself (\(params["reason"]?.stringValue ?? "detached"))" }
            default:
                break
            }
        }
    }
}
