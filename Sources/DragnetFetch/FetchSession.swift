import CCurl
import DragnetCore
import Foundation
import Synchronization

/// A running fetch: one libcurl multi handle driven by its own thread.
///
/// Submit requests at any time, call `finish()` when there are no more, and read
/// `results` (one consumer) as transfers complete. At most `concurrency`
/// transfers are in flight, at most `perHost` to one host, and the loop holds
/// back new transfers while `concurrency` results wait unread, so memory stays
/// bounded however long the input is.
public final class FetchSession: Sendable {
    public let options: FetchOptions
    let shared: Mutex<SharedState>
    private let multi: MultiHandle

    /// Starts the transfer thread. Throws when libcurl cannot be initialised.
    public init(options: FetchOptions = FetchOptions()) throws(FetchError) {
        guard dragnet_curl_global_init() == CURLE_OK, let handle = curl_multi_init() else {
            throw FetchError(code: .other, message: "libcurl could not be initialised")
        }
        var options = options
        options.concurrency = max(1, options.concurrency)
        options.perHost = max(1, options.perHost)
        self.options = options
        self.multi = MultiHandle(pointer: handle)
        self.shared = Mutex(SharedState())
        let multi = self.multi
        // The loop is created on its thread and never leaves it.
        let thread = Thread { [options] in
            TransferLoop(multi: multi.pointer, options: options, session: self).run()
        }
        thread.name = "dragnet-fetch"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Queues a URL. Inputs that are not fetchable come straight back as failed results.
    public func submit(id: Int, input: URLInput) {
        switch input.target {
        case .failure(let error):
            deliver(.ready(FetchResult.failed(id: id, url: input.text, line: input.line, error: error)))
        case .success(let url):
            guard case .success(let target) = CurlURL.parse(url) else {
                let error = FetchError(code: .invalidURL, message: "not a URL")
                deliver(.ready(FetchResult.failed(id: id, url: input.text, line: input.line, error: error)))
                return
            }
            let request = PendingRequest(id: id, url: input.text, line: input.line, target: target)
            shared.withLock { state in
                state.submitted += 1
                state.incoming.append(request)
            }
            wakeLoop()
        }
    }

    /// Says no more requests will come; `results` ends once every transfer has.
    public func finish() {
        shared.withLock { $0.closed = true }
        wakeLoop()
    }

    /// Stops every transfer; unfinished ones end with the `cancelled` error.
    public func cancel() {
        shared.withLock { $0.cancelled = true; $0.closed = true }
        wakeLoop()
    }

    /// The results, in completion order. Iterate once.
    public var results: FetchResults { FetchResults(session: self) }

    // MARK: - Between the loop and the consumer

    enum Delivery: Sendable {
        case ready(FetchResult)
        case completed(CompletedTransfer, keepCookieValues: Bool)

        func finish() -> FetchResult {
            switch self {
            case .ready(let result): return result
            case .completed(let transfer, let keep): return ResultBuilder.build(transfer, keepCookieValues: keep)
            }
        }
    }

    struct SharedState {
        var incoming: [PendingRequest] = []
        var submitted = 0
        var closed = false
        var cancelled = false
        var loopFinished = false
        var multiAlive = true
        var buffer = FIFO<Delivery>()
        var waiter: CheckedContinuation<Delivery?, Never>?
    }

    /// Hands a result to the consumer (called from the loop and from `submit`).
    func deliver(_ delivery: Delivery) {
        let waiter = shared.withLock { state -> CheckedContinuation<Delivery?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(delivery)
            return nil
        }
        waiter?.resume(returning: delivery)
    }

    /// The loop has ended: wake a waiting consumer with the end of the sequence.
    func loopDidFinish() {
        let waiter = shared.withLock { state -> CheckedContinuation<Delivery?, Never>? in
            state.loopFinished = true
            state.multiAlive = false
            defer { state.waiter = nil }
            return state.buffer.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
    }

    /// The next delivery, waiting for one if none is ready.
    func nextDelivery() async -> Delivery? {
        let delivery: Delivery? = await withCheckedContinuation { continuation in
            let immediate = shared.withLock { state -> Delivery?? in
                if let next = state.buffer.popFirst() { return .some(next) }
                if state.loopFinished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        wakeLoop()  // a slot in the buffer is free again
        return delivery
    }

    /// curl_multi_wakeup(3) is the one multi call that is safe from any thread;
    /// the lock keeps it from racing the handle's cleanup.
    func wakeLoop() {
        shared.withLock { state in
            if state.multiAlive { curl_multi_wakeup(multi.pointer) }
        }
    }
}

/// The multi handle's address, shared with other threads only for curl_multi_wakeup(3).
struct MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

/// Results of a `FetchSession`, in completion order.
public struct FetchResults: AsyncSequence, Sendable {
    public typealias Element = FetchResult
    let session: FetchSession

    public struct AsyncIterator: AsyncIteratorProtocol {
        let session: FetchSession
        public mutating func next() async -> FetchResult? {
            let session = self.session
            return await withTaskCancellationHandler {
                await session.nextDelivery()?.finish()
            } onCancel: {
                session.cancel()
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(session: session) }
}

/// Fetches a list of inputs with one session: the simple entry point.
public struct Fetcher: Sendable {
    public var options: FetchOptions

    public init(options: FetchOptions = FetchOptions()) {
        self.options = options
    }

    /// Starts fetching `inputs`; result `id`s are the inputs' positions.
    public func fetch(_ inputs: [URLInput]) throws(FetchError) -> FetchResults {
        let session = try FetchSession(options: options)
        for (index, input) in inputs.enumerated() { session.submit(id: index, input: input) }
        session.finish()
        return session.results
    }
}
