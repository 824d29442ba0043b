import CCurl
import DragnetCore
import Foundation
import Synchronization

/// A running fetch: libcurl multi handles driven by their own threads.
///
/// Submit requests at any time, call `finish()` when there are no more, and read
/// `results` (one consumer) as transfers complete. At most `concurrency`
/// transfers are in flight, at most `perHost` to one host (over all loops), and
/// new transfers wait while `concurrency` results wait unread, so memory stays
/// bounded however long the input is.
///
/// There is one transfer loop per `FetchOptions.loops` (each a multi handle on
/// its own thread, sharing one queue); with bodies not kept, each loop also
/// hashes what it receives, so fetching uses every core.
public final class FetchSession: Sendable {
    public let options: FetchOptions
    let shared: Locked<SharedState>
    private let multis: [MultiHandle]

    /// Starts the transfer threads. Throws when libcurl cannot be initialised.
    public init(options: FetchOptions = FetchOptions()) throws(FetchError) {
        guard dragnet_curl_global_init() == CURLE_OK else {
            throw FetchError(code: .other, message: "libcurl could not be initialised")
        }
        var options = options
        options.concurrency = max(1, options.concurrency)
        options.perHost = max(1, options.perHost)
        options.loops = max(1, min(options.loops, options.concurrency))
        var handles: [MultiHandle] = []
        for _ in 0..<options.loops {
            guard let handle = curl_multi_init() else {
                for created in handles { curl_multi_cleanup(created.pointer) }
                throw FetchError(code: .other, message: "libcurl could not create a multi handle")
            }
            handles.append(MultiHandle(pointer: handle))
        }
        self.options = options
        self.multis = handles
        self.shared = Locked(SharedState(loopsRunning: handles.count))
        for (index, multi) in handles.enumerated() {
            // Each loop's share of the concurrency; together exactly `concurrency`.
            let slots = options.concurrency / handles.count + (index < options.concurrency % handles.count ? 1 : 0)
            // The loop is created on its thread and never leaves it.
            let thread = Thread { [options] in
                TransferLoop(multi: multi.pointer, slots: slots, options: options, session: self).run()
            }
            thread.name = "dragnet-fetch-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
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
            for request in requests { state.queue.append(request) }
        }
        wakeLoops()
    }

    /// Says no more requests will come; `results` ends once every transfer has.
    public func finish() {
        shared.withLock { $0.closed = true }
        wakeLoops()
    }

    /// Stops every transfer; unfinished ones end with the `cancelled` error.
    public func cancel() {
        shared.withLock { $0.cancelled = true; $0.closed = true }
        wakeLoops()
    }

    /// The results, in completion order. Iterate once.
    public var results: FetchResults { FetchResults(session: self) }

    // MARK: - Shared between the loops and the consumer

    struct SharedState {
        /// Requests waiting for a slot, and those parked because their host is at `perHost`.
        var queue = FIFO<PendingRequest>()
        var parked: [String: FIFO<PendingRequest>] = [:]
        var activePerHost: [String: Int] = [:]
        var active = 0
        var closed = false
        var cancelled = false
        var loopsRunning: Int
        var multisAlive = true
        /// Completed transfers being turned into results on the global pool.
        var finishing = 0
        var buffer = FIFO<FetchResult>()
        var waiter: CheckedContinuation<FetchResult?, Never>?

        init(loopsRunning: Int) {
            self.loopsRunning = loopsRunning
        }

        /// Results not yet read, counting those still being finished: the backpressure.
        var unread: Int { buffer.count + finishing }

        /// Nothing is queued or parked (retries waiting in a loop are that loop's own).
        var queueEmpty: Bool { queue.isEmpty && parked.isEmpty }

        /// Takes up to `limit` requests whose hosts have room, counting them as active.
        mutating func take(_ limit: Int, perHost: Int, cap: Int) -> [PendingRequest] {
            var taken: [PendingRequest] = []
            while taken.count < limit, active + unread < cap, let request = queue.popFirst() {
                let key = request.target.hostKey
                if activePerHost[key, default: 0] < perHost {
                    activePerHost[key, default: 0] += 1
                    active += 1
                    taken.append(request)
                } else {
                    parked[key, default: FIFO()].append(request)
                }
            }
            return taken
        }

        /// A transfer to `hostKey` ended: free its slot and requeue one parked request for the host.
        mutating func release(_ hostKey: String) {
            active -= 1
            activePerHost[hostKey, default: 1] -= 1
            if activePerHost[hostKey] == 0 { activePerHost[hostKey] = nil }
            if var waiting = parked[hostKey], let next = waiting.popFirst() {
                queue.prepend(next)
                parked[hostKey] = waiting.isEmpty ? nil : waiting
            }
        }
    }

    /// Hands a completed transfer over. Building the result (cookie parsing,
    /// charset, and the digest when bodies are kept) runs on the global pool, so it
    /// neither slows the transfer loops nor waits for the consumer.
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

    /// A loop has ended; after the last one (and once nothing is left to
    /// finish), wake a waiting consumer with the end of the sequence. Returns
    /// true for the last loop, which then frees every multi handle.
    func loopDidFinish() -> Bool {
        let (last, waiter) = shared.withLock { state -> (Bool, CheckedContinuation<FetchResult?, Never>?) in
            state.loopsRunning -= 1
            guard state.loopsRunning == 0 else { return (false, nil) }
            state.multisAlive = false
            guard state.buffer.isEmpty, state.finishing == 0 else { return (true, nil) }
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume(returning: nil)
        return last
    }

    /// Frees every multi handle (called by the last loop, after `loopDidFinish`).
    func cleanUpMultis() {
        for multi in multis { curl_multi_cleanup(multi.pointer) }
    }

    /// The next result, waiting for one if none is ready; nil at the end.
    func nextResult() async -> FetchResult? {
        let result: FetchResult? = await withCheckedContinuation { continuation in
            let immediate = shared.withLock { state -> FetchResult?? in
                if let next = state.buffer.popFirst() { return .some(next) }
                if state.loopsRunning == 0 && state.finishing == 0 { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        wakeLoops()  // a slot is free again
        return result
    }

    /// curl_multi_wakeup(3) is the one multi call that is safe from any thread;
    /// the lock keeps it from racing the handles' cleanup.
    func wakeLoops() {
        shared.withLock { state in
            guard state.multisAlive else { return }
            for multi in multis { curl_multi_wakeup(multi.pointer) }
        }
    }
}

/// A multi handle's address, shared with other threads only for curl_multi_wakeup(3).
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
