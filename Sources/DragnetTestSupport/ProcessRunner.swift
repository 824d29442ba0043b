#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What a finished child process left behind.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Peak resident set size of the child, in KiB (from wait4's rusage).
    public var maxRSSKiB: Int

    /// stdout split into non-empty lines.
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs a program with posix_spawn and waits for it with wait4(2).
///
/// `maxRSSKiB` from a direct spawn is not the child's own peak: glibc's posix_spawn clones with
/// CLONE_VM, and exec records the shared (test runner's) high-water mark as the child's. With
/// `isolatedRSS` the program is started by a small Python process that forks (its own small
/// memory) and execs, and reports the grandchild's wait4 peak: the program's own.
public enum ProcessRunner {
    /// - Parameter onStart: called with the child's pid once it runs (to signal it, for example).
    public static func run(
        _ executable: String, _ arguments: [String], stdin: String = "", environment: [String: String] = [:],
        isolatedRSS: Bool = false, onStart: (Int32) -> Void = { _ in }
    ) throws -> ProcessOutput {
        if isolatedRSS {
            let report = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-rss-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: report) }
            let script = """
                import os, sys
                pid = os.fork()
                if pid == 0:
                    os.execv(sys.argv[2], sys.argv[2:])
                _, status, usage = os.wait4(pid, 0)
                open(sys.argv[1], "w").write(str(usage.ru_maxrss))
                sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
                """
            var output = try run("/usr/bin/env", ["python3", "-c", script, report, executable] + arguments, stdin: stdin, environment: environment, onStart: onStart)
            output.maxRSSKiB = Int((try? String(contentsOfFile: report, encoding: .utf8)) ?? "") ?? 0
            return output
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inPath = directory.appendingPathComponent("stdin").path
        let outPath = directory.appendingPathComponent("stdout").path
        let errPath = directory.appendingPathComponent("stderr").path
        try stdin.write(toFile: inPath, atomically: true, encoding: .utf8)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw FixtureError("posix_spawn \(executable): \(spawned)") }
        onStart(pid)

        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw FixtureError("wait4: errno \(errno)") }
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProcessOutput(
            status: exitStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            maxRSSKiB: usage.ru_maxrss
        )
    }
}
