#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex, used instead of `Synchronization.Mutex` everywhere. Mutex
/// locks with raw futex calls on Linux, which ThreadSanitizer does not see: every access the
/// fetch loops shared through it was reported as a race (115 reports in one `swift test
/// --sanitize=thread`). A pthread mutex costs the same uncontended, and the sanitizer then
/// reports real races only.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private var mutex = pthread_mutex_t()

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body(&value)
    }
}
