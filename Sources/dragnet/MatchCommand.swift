import ArgumentParser
import DragnetCore
import DragnetFilters
import DragnetRules
import DragnetSites
import Foundation

struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Classify request URLs with Adblock Plus / uBlock Origin filter lists.",
        discussion: """
            Reads lines of URL<TAB>SOURCE-URL<TAB>TYPE from stdin (source and type optional; types as uBlock \
            names them: script, image, stylesheet, subdocument, xmlhttprequest, media, font, ping, other) and \
            prints, for each line in order: block or allow, a tab, the URL, a tab, and the filter that decided \
            (empty when none). Cosmetic and scriptlet rules are skipped and counted (--stats). \
            A line whose URL has no scheme and host, or whose type is unknown, is still printed in its \
            place (as allow, or matched as type other) and named on stderr with its line number.
            """
    )

    @Option(name: .customLong("list"), help: "A filter list: a file, or an http(s) URL to fetch (repeatable).")
    var lists: [String] = []

    @Flag(help: "Print list statistics and load time on stderr.")
    var stats = false

    @Option(help: "Where compiled lists are cached (default: $XDG_CACHE_HOME/dragnet or ~/.cache/dragnet).")
    var cacheDir: String?

    @Flag(help: "Neither read nor write the compiled-list cache.")
    var noCache = false

    func validate() throws {
        guard !lists.isEmpty else { throw ValidationError("give at least one --list") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let resolver: SiteResolver
        var texts: [String] = []
        do {
            resolver = try SiteResolver()
            texts = try await FilterLists.texts(lists)
        } catch {
            FileHandle.standardError.write(Data("dragnet match: \(error)\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        let cacheDirectory = noCache ? nil : cacheDir.map { URL(fileURLWithPath: $0) } ?? FilterCache.defaultDirectory
        let engine = FilterEngine.load(lists: texts, sites: resolver, cacheDirectory: cacheDirectory)
        let loaded = clock.now
        if stats {
            let c = engine.counts
            FileHandle.standardError.write(Data("""
                network filters: \(c.network) (compiled \(engine.filterCount)), cosmetic: \(c.cosmetic), scriptlets: \(c.scriptlet), \
                unsupported: \(c.unsupported), comments: \(c.comments); loaded in \(loaded - start) (\(engine.loadedFromCache ? "cache" : "parsed"))

                """.utf8))
        }

        var cache = SiteCache(resolver)
        var scratch = FilterEngine.MatchScratch()
        var output = [UInt8]()
        output.reserveCapacity(1 << 20)
        var count = 0
        var problems = Problems()
        // Lines are split on bytes: String's Character-level split cost a third of match time.
        let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        var lineStart = 0
        while lineStart < input.count {
            var lineEnd = lineStart
            while lineEnd < input.count, input[lineEnd] != 0x0A { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart, input[end - 1] == 0x0D { end -= 1 }
            var columns: [Range<Int>] = []
            var columnStart = lineStart
            for index in lineStart..<end where input[index] == 0x09 {
                columns.append(columnStart..<index)
                columnStart = index + 1
            }
            columns.append(columnStart..<end)
            lineStart = lineEnd + 1
            let lineNumber = count + 1
            let urlBytes = input[columns[0]]
            let url = String(decoding: urlBytes, as: UTF8.self)
            let source = columns.count > 1 && !columns[1].isEmpty ? String(decoding: input[columns[1]], as: UTF8.self) : nil
            var type = RequestType.other
            if columns.count > 2, !columns[2].isEmpty {
                let name = String(decoding: input[columns[2]], as: UTF8.self)
                if let known = RequestType.known(name) {
                    type = known
                } else {
                    problems.add(line: lineNumber, "unknown type '\(name.prefix(40))'; matched as other")
                }
            }
            let decision = engine.match(FilterRequest(url: url, sourceURL: source, type: type), cache: &cache, scratch: &scratch)
            if decision.noHost, !(columns.count == 1 && urlBytes.isEmpty) {
                problems.add(line: lineNumber, "no scheme://host in the URL; printed as allow")
            }
            output.append(contentsOf: (decision.blocked ? "block\t" : "allow\t").utf8)
            output.append(contentsOf: urlBytes)
            output.append(0x09)
            output.append(contentsOf: (decision.filter ?? "").utf8)
            output.append(0x0A)
            count += 1
            if output.count > 1 << 20 {
                FileHandle.standardOutput.write(Data(output))
                output.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(output))
        problems.report()
        if stats {
            let elapsed = clock.now - loaded
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            FileHandle.standardError.write(Data("matched \(count) requests in \(elapsed) (\(Int(Double(count) / max(seconds, 1e-9))) per second)\n".utf8))
        }
    }

    /// Input lines with problems: the first 20 named on stderr, then a count. The URL itself
    /// is never printed (it may carry a query string).
    struct Problems {
        private var count = 0
        private var shown: [String] = []

        mutating func add(line: Int, _ message: String) {
            count += 1
            if shown.count < 20 { shown.append("dragnet match: line \(line): \(message)") }
        }

        func report() {
            guard count > 0 else { return }
            var text = shown.joined(separator: "\n") + "\n"
            if count > shown.count { text += "dragnet match: \(count - shown.count) more lines with problems\n" }
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}
