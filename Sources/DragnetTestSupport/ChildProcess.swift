#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A long-lived helper process (a fixture server) started with posix_spawn and reaped with
/// waitpid on its own pid. Foundation's `Process` is not used for these: its child monitor can
/// block in a wait for one child (dnsmasq) while others' exits go unnoticed, which hung
/// `waitUntilExit()` elsewhere in the test run.
public final class ChildProcess: @unchecked Sendable {
    public let pid: Int32
    /// Our end of the child's stdin (closed by `stop`) and of its stdout.
    private let stdinFD: Int32
    public let stdoutFD: Int32
    private let lock = NSLock()
    private var reaped = false

    /// Starts `executable` with `arguments`; stdin and stdout are pipes to us, stderr goes to /dev/null.
    public init(_ executable: String, _ arguments: [String]) throws {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw FixtureError("pipe: errno \(errno)") }
        for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Default signal handling and an empty mask: the test runner blocks SIGTERM in its threads.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        close(input[0])
        close(output[1])
        guard spawned == 0 else {
            close(input[1])
            close(output[0])
            throw FixtureError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        stdinFD = input[1]
        stdoutFD = output[0]
    }

    /// The first line the child prints (up to 200 bytes), without the newline.
    public func firstLine() -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 200, read(stdoutFD, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }

    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if reaped { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped = true
            return false
        }
        return true
    }

    /// Closes stdin, kills the child and reaps it.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return }
        close(stdinFD)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(stdoutFD)
        reaped = true
    }
}
