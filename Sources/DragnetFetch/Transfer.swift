import CCurl
import DragnetCore
import Foundation

/// A request waiting to be (re)started by the transfer loop.
struct PendingRequest: Sendable {
    var id: Int
    var url: String
    var line: Int?
    var target: CurlURL
    var attempt: Int = 1
}

/// The raw response of one hop, as the header callback saw it.
struct RawHop: Sendable {
    var url: String
    var status: Int
    var headers = HTTPHeaders()
    /// Local arrival time of the status line, seconds since 1970.
    var arrival: Double
}

/// What the transfer loop hands over when a transfer ends; finished into a
/// `FetchResult` by the consumer (off the loop thread).
struct CompletedTransfer: Sendable {
    var request: PendingRequest
    var hops: [RawHop]
    /// The body, or only its first 8 KiB when bodies are not kept.
    var body: [UInt8]
    var bodyBytes = 0
    /// SHA-256 computed while receiving (bodies not kept); nil means compute it from `body`.
    var sha256: String?
    var finalURL: String?
    var status: Int?
    var httpVersion: String?
    var remoteIP: String?
    var certificateNames: [String] = []
    var contentType: String?
    var timings: Timings?
    var error: FetchError?
    /// The body was cut at `maxBytes` (`FetchOptions.truncateBody`).
    var truncated = false
}

/// Why the loop itself stopped a transfer from a callback.
enum AbortReason {
    case bodyTooLarge
    /// The body reached `maxBytes` with `truncateBody` set: not an error.
    case truncated
    case headersTooLarge
}

/// State of one transfer, owned by the loop thread from start to completion.
///
/// libcurl reaches it through the user-data pointer of the callbacks; the loop's
/// `active` table keeps it alive until the easy handle is cleaned up.
final class TransferContext {
    let request: PendingRequest
    let easy: UnsafeMutableRawPointer
    let maxBytes: Int
    let maxHeaderBytes: Int
    let keepBody: Bool
    let truncate: Bool
    let keepCertificateNames: Bool
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The transfer's address guard (its refused address, when one was).
    let addressGuard: UnsafeMutablePointer<dragnet_address_guard>

    var hops: [RawHop] = []
    var inHeaderBlock = false
    var headerBytes = 0
    var body: [UInt8] = []
    /// Decoded bytes received (equal to `body.count` when the body is kept).
    var bodyBytes = 0
    /// With bodies not kept, the digest is computed here as the bytes arrive.
    let hasher: SHA256.Hasher?
    var abortReason: AbortReason?

    init(request: PendingRequest, easy: UnsafeMutableRawPointer, options: FetchOptions) {
        self.request = request
        self.easy = easy
        self.maxBytes = options.maxBytes
        self.maxHeaderBytes = options.maxHeaderBytes
        self.hasher = !options.keepBody && options.computeDigest ? SHA256.Hasher() : nil
        self.keepBody = options.keepBody
        self.truncate = options.truncateBody
        self.keepCertificateNames = options.certificateNames
        let size = dragnet_curl_error_size()
        self.errorBuffer = .allocate(capacity: size)
        self.errorBuffer.initialize(repeating: 0, count: size)
        self.addressGuard = .allocate(capacity: 1)
        self.addressGuard.initialize(to: dragnet_address_guard())
    }

    deinit {
        errorBuffer.deallocate()
        addressGuard.deallocate()
    }

    /// Body bytes, already decoded by libcurl. Returning less than `count` aborts.
    func receiveBody(_ data: UnsafeRawBufferPointer) -> Int {
        if bodyBytes + data.count > maxBytes {
            if truncate {
                let room = maxBytes - bodyBytes
                if keepBody { body.append(contentsOf: data.prefix(room)) }
                bodyBytes = maxBytes
                abortReason = .truncated
            } else {
                abortReason = .bodyTooLarge
            }
            return 0
        }
        bodyBytes += data.count
        if keepBody {
            if body.isEmpty, let expected = expectedLength(), expected <= maxBytes {
                body.reserveCapacity(expected)
            }
            body.append(contentsOf: data)
        } else {
            hasher?.update(data)
            // Only the start is kept, for charset sniffing.
            if body.count < Charset.sniffLength {
                body.append(contentsOf: data.prefix(Charset.sniffLength - body.count))
            }
        }
        return data.count
    }

    /// One header line of any hop (status line, field, or the blank line ending a block).
    func receiveHeader(_ data: UnsafeRawBufferPointer) -> Int {
        headerBytes += data.count
        if headerBytes > maxHeaderBytes {
            abortReason = .headersTooLarge
            return 0
        }
        var end = data.count
        while end > 0, data[end - 1] == 0x0A || data[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: data[0..<end])

        if line.starts(with: TransferContext.httpPrefix) {
            hops.append(statusLine(line))
            inHeaderBlock = true
        } else if line.isEmpty {
            inHeaderBlock = false
        } else if inHeaderBlock, !hops.isEmpty {
            if line[0] == 0x20 || line[0] == 0x09 {
                hops[hops.count - 1].headers.appendContinuation(text(line, 0, line.count))
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                hops[hops.count - 1].headers.append(name: text(line, 0, colon), value: text(line, colon + 1, line.count))
            }
        }
        return data.count
    }

    private static let httpPrefix = Array("HTTP/".utf8)

    /// Starts a new hop at a status line (`HTTP/1.1 302 Found`).
    private func statusLine(_ line: UnsafeRawBufferPointer) -> RawHop {
        var status = 0
        if let space = line.firstIndex(of: 0x20) {
            var index = space + 1
            while index < line.count, (0x30...0x39).contains(line[index]) {
                status = status * 10 + Int(line[index] - 0x30)
                index += 1
            }
        }
        var url: UnsafePointer<CChar>?
        _ = dragnet_curl_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &url)
        let hopURL = url.map { String(cString: $0) } ?? request.target.string
        // An interim 1xx response (100 Continue, 103 Early Hints) is replaced by the real one.
        if let last = hops.last, (100...199).contains(last.status) { hops.removeLast() }
        return RawHop(url: hopURL, status: status, arrival: Date().timeIntervalSince1970)
    }

    /// The bytes `start..<end` of `line` without surrounding spaces and tabs, as a string.
    private func text(_ line: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        var start = start, end = end
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }

    private func expectedLength() -> Int? {
        guard let last = hops.last, last.headers["content-encoding"] == nil,
            let length = last.headers["content-length"].flatMap({ Int($0) }), length > 0
        else { return nil }
        return length
    }
}

/// CURLOPT_WRITEFUNCTION: a global constant that captures nothing and reaches its
/// state through the user-data pointer (a capturing `@convention(c)` closure
/// crashes the Swift 6.3 compiler).
let transferWriteCallback: dragnet_curl_data_callback = { data, size, count, user in
    guard let user else { return 0 }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    return context.receiveBody(UnsafeRawBufferPointer(start: data, count: length))
}

/// CURLOPT_HEADERFUNCTION: called once per header line of every hop.
let transferHeaderCallback: dragnet_curl_data_callback = { data, size, count, user in
    guard let user else { return 0 }
    let context = Unmanaged<TransferContext>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    return context.receiveHeader(UnsafeRawBufferPointer(start: data, count: length))
}
