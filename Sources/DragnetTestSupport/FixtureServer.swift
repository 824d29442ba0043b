import DragnetCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for tests: one thread per connection,
/// `Connection: close` on every response, handlers that can misbehave on purpose
/// (drip bytes, close mid-body). Never listens on anything but loopback.
public final class FixtureServer: Sendable {
    public typealias Handler = @Sendable (FixtureRequest, FixtureConnection) -> Void

    /// The port the kernel gave the listening socket.
    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let stopped = Locked(false)
    /// Signalled when the accept thread has closed the listening socket.
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on an ephemeral port of 127.0.0.1.
    public init(handler: @escaping Handler) throws {
        // CLOEXEC: child processes the tests spawn must not hold the server's sockets open.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            close(fd)
            throw FixtureError("bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = fd
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting and waits until the port is closed; connections in progress finish on their own.
    ///
    /// The accept thread closes the listening socket itself: closing it here while that
    /// thread still sat in accept(2) let the descriptor number be reused by another
    /// server's listener, which the stale thread then accepted from (answering nothing).
    public func stop() {
        let wasStopped = stopped.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        _ = acceptLoopEnded.wait(timeout: .now() + 5)
    }

    private func acceptLoop() {
        defer {
            close(listener)
            acceptLoopEnded.signal()
        }
        while true {
            let client = accept(listener, nil, nil)
            if client >= 0 { _ = fcntl(client, F_SETFD, FD_CLOEXEC) }
            if stopped.withLock({ $0 }) {
                if client >= 0 { close(client) }
                return
            }
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let handler = self.handler
            let thread = Thread {
                let connection = FixtureConnection(fd: client)
                if let request = connection.readRequest() { handler(request, connection) }
                connection.close()
            }
            thread.start()
        }
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then closed).
    public static func refusedPort() throws -> Int {
        let server = try FixtureServer { _, _ in }
        let port = server.port
        server.stop()
        return port
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A parsed request line and headers.
public struct FixtureRequest: Sendable {
    public var method: String
    /// The path without the query.
    public var path: String
    public var query: String?
    public var headers: [String: String]
}

/// One accepted connection; writes ignore a peer that has gone away.
public final class FixtureConnection: @unchecked Sendable {
    private let fd: Int32
    private var closed = false

    init(fd: Int32) { self.fd = fd }

    func readRequest() -> FixtureRequest? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < 65_536 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
            if let end = buffer.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                guard requestLine.count >= 2 else { return nil }
                let target = String(requestLine[1])
                let parts = target.split(separator: "?", maxSplits: 1)
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return FixtureRequest(
                    method: String(requestLine[0]),
                    path: parts.first.map(String.init) ?? "/",
                    query: parts.count > 1 ? String(parts[1]) : nil,
                    headers: headers)
            }
        }
        return nil
    }

    /// Writes raw bytes; returns false once the peer has gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }  // a signal (SIGCHLD from a test's child) interrupted the write
            if n <= 0 {
                return false
            }
            offset += n
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends a complete response with `Content-Length` and `Connection: close`.
    public func respond(status: Int, reason: String = "", headers: [(String, String)] = [], body: [UInt8] = []) {
        var head = "HTTP/1.1 \(status) \(reason.isEmpty ? FixtureConnection.reason(status) : reason)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        if send(head) { send(body) }
    }

    public func respond(status: Int, headers: [(String, String)] = [], text: String) {
        respond(status: status, headers: headers, body: Array(text.utf8))
    }

    /// Closes the connection (an abrupt close when the response was cut short).
    public func close() {
        guard !closed else { return }
        closed = true
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
