import ArgumentParser
import DragnetCore
import DragnetReport
import DragnetRules
import Foundation

extension RulesCommand {
    /// Drafts entities for the third parties no entity claims, from audit reports.
    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft an overrides file for the unattributed third parties of audit reports.",
            discussion: """
                Reads REPORT.json files written by `dragnet audit`, groups the third parties no entity claims by \
                registrable domain (the site), and prints an overrides file with one draft entity per site, most \
                pages first: fill in each name and category (and check the domains), then pass it to \
                `dragnet audit --overrides FILE`. Exit codes: 0, 2 usage error (a report that cannot be read).
                """
        )

        @Argument(help: "Reports written by dragnet audit (JSON).")
        var reports: [String]

        @Option(help: "Write the draft here instead of standard output.")
        var output: String?

        @Option(help: "Leave out sites seen on fewer pages than this.")
        var minPages: Int = 1

        func validate() throws {
            guard !reports.isEmpty else { throw ValidationError("name at least one report") }
            guard minPages >= 1 else { throw ValidationError("--min-pages must be at least 1") }
        }

        func run() throws {
            var sites: [String: (pages: Set<String>, channels: Set<String>, example: String?)] = [:]
            for path in reports {
                let report: AuditReport
                do { report = try AuditReport(path: path) } catch {
                    FileHandle.standardError.write(Data("dragnet rules suggest: \(path): \(error)\n".utf8))
                    throw ExitCode(ExitStatus.usage)
                }
                for page in report.pages {
                    for finding in page.findings where finding.platform == "unattributed" && finding.rule.hasPrefix("unattributed-") {
                        var entry = sites[finding.target] ?? ([], [], nil)
                        entry.pages.insert(page.key)
                        entry.channels.insert(finding.channel.rawValue)
                        entry.example = entry.example ?? finding.evidence.first?.url.map(URLParts.withoutQuery)
                        sites[finding.target] = entry
                    }
                }
            }
            let ordered = sites.filter { $0.value.pages.count >= minPages }
                .sorted { ($1.value.pages.count, $0.key) < ($0.value.pages.count, $1.key) }
            var lines = [
                "# Drafted by `dragnet rules suggest` from \(reports.count) report\(reports.count == 1 ? "" : "s"): \(ordered.count) third-party site\(ordered.count == 1 ? "" : "s") no entity claims.",
                "# Fill in each name and category (advertising, analytics, social, session-replay, tag-manager,",
                "# customer-engagement, consent, cdn, hosting, utility, font, video, payments, other), check the",
                "# domains, then: dragnet audit --overrides THIS-FILE … (docs/rules.md, User overrides).",
            ]
            if ordered.isEmpty {
                lines.append("entities: []")
            } else {
                lines.append("entities:")
                var used = Set<String>()
                for (site, entry) in ordered {
                    var id = String(site.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
                    while used.contains(id) { id += "-x" }
                    used.insert(id)
                    let pages = entry.pages.count
                    lines.append("  - id: \(id)")
                    lines.append("    name: \"TODO: who runs \(site)\"   # \(pages) page\(pages == 1 ? "" : "s"): \(entry.channels.sorted().joined(separator: ", "))\(entry.example.map { "; e.g. \($0)" } ?? "")")
                    lines.append("    category: other")
                    lines.append("    domains: [\(site)]")
                }
            }
            let text = lines.joined(separator: "\n") + "\n"
            if let output {
                do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                    FileHandle.standardError.write(Data("dragnet rules suggest: cannot write \(output): \(error.localizedDescription)\n".utf8))
                    throw ExitCode(ExitStatus.usage)
                }
            } else {
                print(text, terminator: "")
            }
        }
    }
}
