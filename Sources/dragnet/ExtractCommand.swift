import ArgumentParser
import DragnetAudit
import DragnetCore
import DragnetHTML
import Foundation

struct ExtractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract what saved HTML pages contain (resources, scripts, forms, links, meta), without fetching or classifying.",
        discussion: """
            Prints one JSON object per file (NDJSON): {file, pageURL, observations}. With --summary, \
            one line of counts per file instead. Useful to see what the parser found, and to measure it.
            """
    )

    @Argument(help: "HTML files or folders (every .html/.htm below them).")
    var paths: [String] = []

    @Option(help: "The URL of a single file, or the URL a folder maps to.")
    var baseURL: String?

    @Option(help: "Files extracted at once.")
    var jobs: Int = 1

    @Flag(help: "Print counts instead of the observations.")
    var summary = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("no files given") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let inputs: [(path: String, pageURL: String?)]
        do {
            inputs = try AuditInputs.load(arguments: paths, directories: [], baseURL: baseURL).compactMap { (input: AuditInput) -> (path: String, pageURL: String?)? in
                if case .file(let path, let pageURL) = input { return (path: path, pageURL: pageURL) }
                return nil
            }
        } catch {
            FileHandle.standardError.write(Data("dragnet extract: \(error)\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        let summary = self.summary
        var failed = 0
        // In input order; batches of files are extracted in parallel with --jobs.
        let batchSize = jobs == 1 ? 1 : jobs * 4
        var start = 0
        while start < inputs.count {
            let batch = Array(inputs[start..<min(start + batchSize, inputs.count)])
            var lines = [[UInt8]?](repeating: nil, count: batch.count)
            if batch.count == 1 {
                lines[0] = Self.extract(batch[0].path, pageURL: batch[0].pageURL, summary: summary)
            } else {
                await withTaskGroup(of: (Int, [UInt8]?).self) { group in
                    for (index, input) in batch.enumerated() {
                        group.addTask { (index, Self.extract(input.path, pageURL: input.pageURL, summary: summary)) }
                    }
                    for await (index, line) in group { lines[index] = line }
                }
            }
            for line in lines {
                if let line { Self.write(line) } else { failed += 1 }
            }
            start += batch.count
        }
        if failed == inputs.count { throw ExitCode(ExitStatus.allFailed) }
    }

    static func write(_ line: [UInt8]) {
        guard !line.isEmpty else { return }
        FileHandle.standardOutput.write(Data(line))
    }

    static func extract(_ path: String, pageURL: String?, summary: Bool) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("dragnet extract: cannot read \(path)\n".utf8))
            return nil
        }
        let page = HTMLExtractor.extract([UInt8](data), pageURL: pageURL)
        let observations = page.observations
        let body: JSONValue
        if summary {
            body = .object([
                ("resources", .int(observations.resources.count)),
                ("inlineScripts", .int(observations.inlineScripts.count)),
                ("forms", .int(observations.forms.count)),
                ("fields", .int(observations.forms.reduce(0) { $0 + $1.fields.count })),
                ("links", .int(observations.links.count)),
                ("policyLinks", .int(observations.policyLinks.count)),
            ])
        } else {
            body = observations.json
        }
        var line = JSONValue.object([("file", .string(path)), ("pageURL", .string(page.pageURL)), (summary ? "summary" : "observations", body)]).bytes
        line.append(0x0A)
        return line
    }
}
