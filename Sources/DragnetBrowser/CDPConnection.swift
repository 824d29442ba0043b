#if canImport(Glibc)
import Glibc
#endif
public import DragnetCore
import Foundation
import Synchronization

/// Why a DevTools command failed.
public struct CDPError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The Chrome DevTools protocol over `--remote-debugging-pipe`: Chromium reads commands on
/// its fd 3 and writes responses and events on its fd 4, each message one JSON text ended
/// by a NUL byte (no WebSocket). One reader thread splits the stream; commands wait for the
/// response with their id; events go to whoever listens for their session.
public final class CDPConnection: Sendable {
    public typealias EventHandler = @Sendable (_ method: String, _ params: JSONValue) -> Void

    private let writeFD: Int32
    private let readFD: Int32
    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Session id ("" for the browser) → event handler.
        var handlers: [String: EventHandler] = [:]
        var closed = false
    }
    private let state = Locked(State())
    private let writeLock = Locked(())

    /// `writeFD` is our end of the browser's fd 3, `readFD` our end of its fd 4.
    public init(writeFD: Int32, readFD: Int32) {
        self.writeFD = writeFD
        self.readFD = readFD
        // A browser that exits (or a program that never read fd 3) turns our next write into
        // SIGPIPE, which would kill the whole run. Ignored, the write fails with EPIPE instead and
        // the command is answered with "the browser stopped reading commands".
        _ = Self.ignoreSIGPIPE
        let thread = Thread { [self] in readLoop() }
        thread.name = "dragnet-cdp-reader"
        thread.start()
    }

    /// Sends a command (to a page session when `session` is given) and returns its `result`.
    /// A command without an answer after `timeout` seconds fails (a hung renderer never blocks the run).
    @discardableResult
    public func send(_ method: String, _ params: [(String, JSONValue)] = [], session: String? = nil, timeout: Double = 30) async throws -> JSONValue {
        try await withCheckedThrowingContinuation { continuation in
            let id: Int? = state.withLock { state in
                if state.closed { return nil }
                let id = state.nextID
                state.nextID += 1
                state.waiting[id] = continuation
                return id
            }
            guard let id else {
                continuation.resume(throwing: CDPError("the browser connection is closed"))
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                let waiter = state.withLock { $0.waiting.removeValue(forKey: id) }
                waiter?.resume(throwing: CDPError("\(method) timed out after \(Int(timeout)) s"))
            }
            var members: [(String, JSONValue)] = [("id", .int(id)), ("method", .string(method)), ("params", .object(params))]
            if let session { members.append(("sessionId", .string(session))) }
            var bytes = JSONValue.object(members).bytes
            bytes.append(0)
            let written = writeLock.withLock { _ in Self.writeAll(writeFD, bytes) }
            if !written {
                let waiter = state.withLock { $0.waiting.removeValue(forKey: id) }
                waiter?.resume(throwing: CDPError("the browser stopped reading commands"))
            }
        }
    }

    /// Receives the events of `session` ("" for browser-level events) until `stopListening`.
    public func listen(session: String, _ handler: @escaping EventHandler) {
        state.withLock { $0.handlers[session] = handler }
    }

    public func stopListening(session: String) {
        _ = state.withLock { $0.handlers.removeValue(forKey: session) }
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    private func readLoop() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(readFD, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            for index in 0..<count where buffer[index] == 0 {
                pending.append(contentsOf: buffer[start..<index])
                dispatch(pending)
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            pending.append(contentsOf: buffer[start..<count])
        }
        let waiters = state.withLock { state -> [CheckedContinuation<JSONValue, any Error>] in
            state.closed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(throwing: CDPError("the browser closed the DevTools pipe (crashed or quit)")) }
    }

    private func dispatch(_ bytes: [UInt8]) {
        guard let message = try? JSONValue.parse(bytes, maxDepth: 512) else { return }
        if let id = message["id"]?.intValue {
            guard let waiter = state.withLock({ $0.waiting.removeValue(forKey: id) }) else { return }
            if let error = message["error"] {
                waiter.resume(throwing: CDPError(error["message"]?.stringValue ?? "DevTools error"))
            } else {
                waiter.resume(returning: message["result"] ?? .object([]))
            }
            return
        }
        guard let method = message["method"]?.stringValue else { return }
        let session = message["sessionId"]?.stringValue ?? ""
        let handler = state.withLock { $0.handlers[session] }
        handler?(method, message["params"] ?? .object([]))
    }
}
