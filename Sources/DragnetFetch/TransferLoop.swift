import CCurl
import Foundation
import DragnetCore

/// Drives one multi handle on its own thread: takes requests from the shared
/// queue within its slots, collects finished transfers, schedules retries, and
/// waits in curl_multi_poll(3) in between. Everything here stays on that thread.
final class TransferLoop {
    private let multi: UnsafeMutableRawPointer
    private let slots: Int
    private let options: FetchOptions
    private unowned let session: FetchSession
    private let requestHeaders: UnsafeMutablePointer<curl_slist>?
    /// `CURLOPT_CONNECT_TO` entries (nil when there are none).
    private let connectTo: UnsafeMutablePointer<curl_slist>?
    private let resolve: UnsafeMutablePointer<curl_slist>?
    /// What the address guards of this loop's transfers allow.
    private let guardLists: AddressGuardLists

    private var delayed: [(due: Double, request: PendingRequest)] = []
    private var active: [UnsafeMutableRawPointer: TransferContext] = [:]

    init(multi: UnsafeMutableRawPointer, slots: Int, options: FetchOptions, session: FetchSession) {
        self.multi = multi
        self.slots = slots
        self.options = options
        self.session = session
        var list: UnsafeMutablePointer<curl_slist>? = nil
        list = curl_slist_append(list, "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        list = curl_slist_append(list, "Accept-Language: en-US,en;q=0.8")
        self.requestHeaders = list
        var mappings: UnsafeMutablePointer<curl_slist>? = nil
        for entry in options.connectTo { mappings = curl_slist_append(mappings, entry) }
        self.connectTo = mappings
        var pins: UnsafeMutablePointer<curl_slist>? = nil
        for entry in options.resolve { pins = curl_slist_append(pins, entry) }
        self.resolve = pins
        self.guardLists = AddressGuardLists(options: options)
        _ = dragnet_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.perHost)
        _ = dragnet_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, slots)
        _ = dragnet_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, slots)
    }

    func run() {
        while true {
            let now = Date().timeIntervalSince1970
            let due = delayed.filter { $0.due <= now }.map(\.request)
            if !due.isEmpty { delayed.removeAll { $0.due <= now } }
            let free = slots - active.count
            // Results that wait unread count against the limit too: that is the backpressure.
            let (taken, cancelled, done) = session.shared.withLock { state -> ([PendingRequest], [PendingRequest]?, Bool) in
                for request in due.reversed() { state.queue.prepend(request) }
                if state.cancelled {
                    var leftovers: [PendingRequest] = []
                    while let request = state.queue.popFirst() { leftovers.append(request) }
                    for (_, var waiting) in state.parked {
                        while let request = waiting.popFirst() { leftovers.append(request) }
                    }
                    state.parked.removeAll()
                    return ([], leftovers, false)
                }
                let taken = free > 0 ? state.take(free, perHost: options.perHost, cap: 2 * options.concurrency) : []
                let done = state.closed && state.queueEmpty && taken.isEmpty && active.isEmpty && delayed.isEmpty
                return (taken, nil, done)
            }
            if let cancelled {
                cancelEverything(queued: cancelled)
                break
            }
            if done { break }
            for request in taken { start(request) }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished()
            curl_multi_poll(multi, nil, 0, pollTimeout(), nil)
        }
        shutDown()
    }

    private func pollTimeout() -> Int32 {
        guard let due = delayed.map(\.due).min() else { return 1000 }
        let wait = (due - Date().timeIntervalSince1970) * 1000
        return Int32(max(0, min(1000, wait.rounded(.up))))
    }

    // MARK: Transfers

    private func start(_ request: PendingRequest) {
        guard let easy = curl_easy_init() else {
            let error = FetchError(code: .other, message: "libcurl could not create a transfer")
            var result = FetchResult.failed(id: request.id, url: request.url, line: request.line, error: error)
            result.requestURL = request.target.string
            result.attempts = request.attempt
            session.shared.withLock { $0.release(request.target.hostKey) }
            session.deliver(result)
            return
        }
        let context = TransferContext(request: request, easy: easy, options: options)
        let user = Unmanaged.passUnretained(context).toOpaque()
        configure(easy, url: request.target.string, context: context, user: user)
        active[easy] = context
        curl_multi_add_handle(multi, easy)
    }

    private func configure(_ easy: UnsafeMutableRawPointer, url: String, context: TransferContext, user: UnsafeMutableRawPointer) {
        _ = dragnet_curl_easy_setopt_string(easy, CURLOPT_URL, url)
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        // Nothing but http and https, for the first request and every redirect.
        _ = dragnet_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = dragnet_curl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, options.maxRedirects)
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_AUTOREFERER, 1)
        // "" asks for every encoding this libcurl can decode (gzip, deflate, br, zstd).
        _ = dragnet_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        _ = dragnet_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, options.userAgent)
        _ = dragnet_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, requestHeaders)
        if let connectTo { _ = dragnet_curl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo) }
        if let resolve { _ = dragnet_curl_easy_setopt_slist(easy, CURLOPT_RESOLVE, resolve) }
        if options.certificateNames { _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_CERTINFO, 1) }
        if options.insecure {
            _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }
        // In-memory cookie engine: cookies set on one hop go to the next, as in a browser.
        _ = dragnet_curl_easy_setopt_string(easy, CURLOPT_COOKIEFILE, "")
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, milliseconds(options.timeout))
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout))
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit)
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime)
        if !options.truncateBody { _ = dragnet_curl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, options.maxBytes) }
        _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, 256 * 1024)
        // Waiting to multiplex pays off only where HTTP/2 can be negotiated (TLS ALPN);
        // on plain http it would serialise transfers to one host.
        if context.request.target.scheme == "https" {
            _ = dragnet_curl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1)
        }
        _ = dragnet_curl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, context.errorBuffer)
        // No fetch into private networks: the address libcurl connects to is checked, after DNS.
        context.addressGuard.pointee.allow_private = guardLists.allowPrivate ? 1 : 0
        context.addressGuard.pointee.allowed_hosts = UnsafePointer(guardLists.hosts)
        context.addressGuard.pointee.allowed_addresses = UnsafePointer(guardLists.addresses)
        _ = dragnet_curl_set_address_guard(easy, context.addressGuard)
        _ = dragnet_curl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, transferWriteCallback)
        _ = dragnet_curl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, user)
        _ = dragnet_curl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, transferHeaderCallback)
        _ = dragnet_curl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, user)
    }

    private func milliseconds(_ seconds: Double) -> Int {
        max(1, Int((seconds * 1000).rounded()))
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        var released = false
        while let message = curl_multi_info_read(multi, &remaining) {
            guard dragnet_curl_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
            let code = dragnet_curl_msg_result(message)
            guard let context = active.removeValue(forKey: easy) else { continue }
            curl_multi_remove_handle(multi, easy)
            let transfer = CurlInfo.completed(context, code: code)
            curl_easy_cleanup(easy)
            session.shared.withLock { $0.release(context.request.target.hostKey) }
            released = true

            if let delay = retryDelay(transfer) {
                var request = context.request
                request.attempt += 1
                delayed.append((Date().timeIntervalSince1970 + delay, request))
            } else {
                session.deliver(transfer)
            }
        }
        // A freed host slot may let another loop start a parked request.
        if released, options.loops > 1 { session.wakeLoops() }
    }

    /// Connection resets and 429, 502, 503, 504 are retried with exponential
    /// backoff; a `Retry-After` is honoured up to `maxRetryAfter`.
    private func retryDelay(_ transfer: CompletedTransfer) -> Double? {
        guard transfer.request.attempt <= options.retries else { return nil }
        let backoff = options.retryBackoff * pow(2, Double(transfer.request.attempt - 1))
        if let error = transfer.error {
            return error.code == .connectionClosed ? backoff : nil
        }
        guard let status = transfer.status, [429, 502, 503, 504].contains(status) else { return nil }
        if let header = transfer.hops.last?.headers["retry-after"],
            let wait = HTTPDate.retryAfter(header, now: Date().timeIntervalSince1970)
        {
            return min(wait, options.maxRetryAfter)
        }
        return backoff
    }

    // MARK: Ending

    private func cancelEverything(queued: [PendingRequest]) {
        for (easy, context) in active {
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
            session.shared.withLock { $0.release(context.request.target.hostKey) }
            var result = FetchResult.failed(
                id: context.request.id, url: context.request.url, line: context.request.line,
                error: FetchError(code: .cancelled, message: "cancelled"))
            result.requestURL = context.request.target.string
            result.attempts = context.request.attempt
            session.deliver(result)
        }
        active.removeAll()
        for request in queued + delayed.map(\.request) {
            var result = FetchResult.failed(
                id: request.id, url: request.url, line: request.line,
                error: FetchError(code: .cancelled, message: "cancelled before it started"))
            result.requestURL = request.target.string
            session.deliver(result)
        }
        delayed.removeAll()
    }

    private func shutDown() {
        curl_slist_free_all(requestHeaders)
        curl_slist_free_all(connectTo)
        curl_slist_free_all(resolve)
        // The last loop marks the handles dead under the lock, so no curl_multi_wakeup races the cleanup.
        if session.loopDidFinish() { session.cleanUpMultis() }
    }
}
