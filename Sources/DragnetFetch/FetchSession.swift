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
        submit([(id, input)])
    }

    /// Queues several URLs at once (one lock, one wake-up).
    public func submit(_ inputs: [(id: Int, input: URLInput)]) {
        var requests: [PendingRequest] = []
        requests.reserveCapacity(inputs.count)
        for (id, input) in inputs {
            switch (input.target, input.parsed) {
            case (.success, let target?):
                requests.append(PendingRequest(id: id, url: input.text, line: input.line, target: target))
            case (.failure(let error), _):
                deliver(FetchResult.failed(id: id, url: input.text, line: input.line, error: error))
            case (.success, nil):
                let error = FetchError(code: .invalidURL, message: "not a URL")
                deliver(FetchResult.failed(id: id, url: input.text, line: input.line, error: error))
            }
        }
        guard !requests.isEmpty else { return }
        shared.withLock { state in
            state.submitted += requests.count
            state.incoming.append(contentsOf: requests)
        }
        wakeLoop()
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

    struct SharedState {
        var incoming: [PendingRequest] = []
        var submitted = 0
        var closed = false
        var cancelled = false
        var loopFinished = false
        var multiAlive = true
        /// Completed transfers being turned into results on the global pool.
        var finishing = 0
        var buffer = FIFO<FetchResult>()
        var waiter: CheckedContinuation<FetchResult?, Never>?

        /// Results not yet read, counting those still being finished: the loop's backpressure.
        var unread: Int { buffer.count + finishing }
    }

    /// Hands a completed transfer over. Building the result (cookie parsing,
    /// digest, charset) runs on the global pool, so it neither slows the transfer
    /// loop nor waits for the consumer, and uses a free core when there is one.
    func deliver(_ transfer: CompletedTransfer) {
        shared.withLock { $0.finishing += 1 }
        let options = self.options
        DispatchQueue.global().async {
            let result = ResultBuilder.build(transfer, options: options)
            self.deliver(result, finishing: true)
        }
    }

    /// Hands a finished result to the consumer.
    func deliver(_ result: FetchResult, finishing: Bool = false) {
        let waiter = shared.withLock { state -> CheckedContinuation<FetchResult?, Never>? in
            if finishing { state.finishing -= 1 }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(result)
            return nil
        }
        waiter?.resume(returning: result)
    }

    /// The loop has ended: once nothing is left to finish, wake a waiting consumer with the end.
    func loopDidFinish() {
        let waiter = shared.withLock { state -> CheckedContinuation<FetchResult?, Never>? in
            state.loopFinished = true
            state.multiAlive = false
            guard state.buffer.isEmpty, state.finishing == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next result, waiting for one if none is ready; nil at the end.
    func nextResult() async -> FetchResult? {
        let result: FetchResult? = await withCheckedContinuation { continuation in
            let immediate = shared.withLock { state -> FetchResult?? in
                if let next = state.buffer.popFirst() { return .some(next) }
                if state.loopFinished && state.finishing == 0 { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        wakeLoop()  // a slot is free again
        return result
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
                await session.nextResult()
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
        session.submit(inputs.enumerated().map { (id: $0.offset, input: $0.element) })
        session.finish()
        return session.results
    }
}
