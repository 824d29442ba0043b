#if canImport(Glibc)
public import Glibc
#endif
import DragnetCore
import Foundation
import Synchronization

/// A headless Chromium driven over `--remote-debugging-pipe`, in its own process group with
/// a fresh profile folder; `close()` quits it, kills whatever of the group is left and removes
/// the profile.
public final class BrowserProcess: Sendable {
    public let pid: pid_t
    public let connection: CDPConnection
    public let executable: String
    private let profile: String
    /// `HeadlessChrome/…`, once `version()` has answered.
    private let productName = Locked("")
    public var product: String { productName.withLock { $0 } }

    /// `chromium`, `chromium-browser`, `google-chrome` on PATH (after `$DRAGNET_BROWSER`).
    public static func find(_ explicit: String? = nil) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit, !explicit.isEmpty { return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil }
        if let fromEnvironment = environment["DRAGNET_BROWSER"], !fromEnvironment.isEmpty {
            return FileManager.default.isExecutableFile(atPath: fromEnvironment) ? fromEnvironment : nil
        }
        let path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in path {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Whether /dev/shm is missing or under 512 MB, as in containers: Chromium then keeps shared memory in /tmp.
    static let smallDevShm: Bool = {
        var info = statvfs()
        guard statvfs("/dev/shm", &info) == 0 else { return true }
        return UInt64(info.f_blocks) * UInt64(info.f_frsize) < 512 << 20
    }()

    /// Starts the browser. `extraArguments` are added after Dragnet's own flags
    /// (`--host-resolver-rules=…`, `--ignore-certificate-errors` for loopback fixtures).
    public init(executable: String, extraArguments: [String] = []) throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-browser-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else {
            throw CDPError("cannot create the DevTools pipes (errno \(errno))")
        }
        // Close-on-exec on all four: the child gets its ends only as fds 3 and 4 (dup2 clears the flag).
        for fd in toBrowser + fromBrowser { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var arguments = [
            executable, "--headless=new", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
            "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
            "--no-default-browser-check", "--disable-gpu", "--mute-audio", "--hide-scrollbars",
        ]
        if getuid() == 0 { arguments.append("--no-sandbox") }
        // Shared memory in /tmp files (on disk here) only where /dev/shm is too small (containers' 64 MB).
        if Self.smallDevShm { arguments.append("--disable-dev-shm-usage") }
        arguments += extraArguments
        arguments.append("about:blank")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group: every renderer and helper can be ended together.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        Glibc.close(toBrowser[0])
        Glibc.close(fromBrowser[1])
        guard spawned == 0 else {
            Glibc.close(toBrowser[1])
            Glibc.close(fromBrowser[0])
            try? FileManager.default.removeItem(atPath: profile)
            throw CDPError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        self.executable = executable
        self.profile = profile
        self.connection = CDPConnection(writeFD: toBrowser[1], readFD: fromBrowser[0])
    }

    /// The browser's product and protocol versions; fails (with a clear reason) when the
    /// program does not speak the DevTools protocol on the pipe.
    public func version(timeout: Double = 15) async throws -> (product: String, protocolVersion: String) {
        let result: JSONValue
        do {
            result = try await connection.send("Browser.getVersion", timeout: timeout)
        } catch {
            throw CDPError("\(executable) did not answer on --remote-debugging-pipe (\(error)): not Chromium, or too old")
        }
        let product = result["product"]?.stringValue ?? "?"
        productName.withLock { $0 = product }
        return (product, result["protocolVersion"]?.stringValue ?? "?")
    }

    /// Quits the browser, ends its process group and removes its profile.
    public func close() async {
        if !connection.isClosed {
            _ = try? await connection.send("Browser.close", timeout: 3)
        }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // The renderers and helpers were killed with the group; wait until none is running.
        for _ in 0..<60 where livingProcesses() > 0 {
            kill(-pid, SIGKILL)
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Processes of the browser's group that are still running (zombies waiting for a reaper do not count).
    public func livingProcesses() -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var count = 0
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { continue }
            // After "(comm)": state, ppid, pgrp …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, Int32(fields[2]) == pid, fields[0] != "Z" { count += 1 }
        }
        return count
    }
}

