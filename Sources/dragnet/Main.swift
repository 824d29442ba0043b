import ArgumentParser
import DragnetCore
import Foundation

/// The `dragnet` command: every subcommand is listed here, and nothing else lives in this target
/// but argument parsing, progress and exit codes.
struct DragnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dragnet",
        abstract: "Data-flow and privacy audit: who receives data from a web page, and what.",
        discussion: """
            Exit codes: 0 success, 1 policy violations found, 2 usage or configuration error, \
            3 every target failed.
            """,
        version: Dragnet.version,
        subcommands: [
            AuditCommand.self, CheckCommand.self, ReportCommand.self, DiffCommand.self, HistoryCommand.self, GraphCommand.self, PolicyCommand.self, RulesCommand.self, ContainerCommand.self, RobotsCommand.self, InitCommand.self, DemoCommand.self, ExtractCommand.self, VersionCommand.self,
            FetchCommand.self, MatchCommand.self,
        ]
    )
}

/// Runs the command and maps ArgumentParser's usage errors to exit code 2.
@main
enum Main {
    static func main() async {
        ProcessTuning.tuneAllocatorForPageBodies()
        do {
            var command = try DragnetCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = DragnetCommand.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((DragnetCommand.fullMessage(for: error) + "\n").utf8))
                exit(ExitStatus.usage)
            }
            // Help, --version and our own exit codes keep theirs; any other error (an
            // unwritable report folder, say) is an environment problem: exit 2, never
            // the 1 that means "violations found".
            if code == .success || error is ExitCode {
                DragnetCommand.exit(withError: error)
            }
            FileHandle.standardError.write(Data("dragnet: error: \(error)\n".utf8))
            exit(ExitStatus.usage)
        }
    }
}

/// Documented, stable exit codes.
enum ExitStatus {
    static let success: Int32 = 0
    static let violations: Int32 = 1
    static let usage: Int32 = 2
    static let allFailed: Int32 = 3
    /// Stopped by SIGTERM (128 + 15): the report holds the pages that finished, `interrupted: true`.
    static let terminated: Int32 = 143
}

/// A usage error found after parsing (bad file, empty input): exit code 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}
