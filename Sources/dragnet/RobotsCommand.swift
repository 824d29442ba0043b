import ArgumentParser
import DragnetAudit
import DragnetCore
import DragnetFetch
import DragnetRobots
import DragnetRules
import Foundation

/// `dragnet robots`: what a robots.txt lets each AI crawler take, with the deciding line.
struct RobotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "robots",
        abstract: "Which AI crawlers may take this site? Every crawler of rules/ai-crawlers (or one --agent) decided against a robots.txt, with the deciding line.",
        discussion: """
            INPUT is a robots.txt file or a URL: for a URL, the robots.txt and /.well-known/tdmrep.json of its \
            origin are fetched (at most 500 KiB, 5 redirects; a 4xx answer allows everything, a 5xx or no answer \
            disallows everything, as RFC 9309 says), and PATH defaults to the URL's own path. \
            Crawlers known to ignore robots.txt are marked: a block does not keep them out. \
            Exit codes: 0 when decided (whatever the answer), 3 when the file cannot be read, 2 for usage errors.
            """
    )

    @Argument(help: "A robots.txt file or a URL of the site.")
    var input: String

    @Argument(help: "The path to decide for (default: / for a file, the URL's path for a URL).")
    var path: String?

    @Option(help: "Decide for this user-agent token only (any crawler, listed or not).")
    var agent: String?

    @Option(help: "Output: text or json.")
    var format: String = "text"

    @Flag(help: "Print parse and decision times (stderr).")
    var timing = false

    @OptionGroup var fetch: FetchFlags

    @OptionGroup var rules: RuleFlags

    func validate() throws {
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
        if let agent, agent.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--agent needs a user-agent token") }
    }

    func run() async throws {
        let pack = try rules.load()
        var site: SiteRobots
        var pagePath = path ?? "/"
        let clock = ContinuousClock()
        var parseTime = Duration.zero
        if input.hasPrefix("http://") || input.hasPrefix("https://") {
            guard let origin = RobotsFetcher.origin(of: input) else { throw ValidationError("not an http(s) URL: \(input)") }
            if path == nil {
                let own = RobotsTxt.pathParamsQuery(input)
                pagePath = own == "/robots.txt" ? "/" : own
            }
            var options = fetch.options()
            options.allowPrivateHostsNamed(in: [input])
            let fetcher = try RobotsFetcher(options: options)
            await fetcher.start()
            site = await fetcher.robots(for: origin)
            await fetcher.finish()
        } else {
            guard let data = FileManager.default.contents(atPath: input) else {
                FileHandle.standardError.write(Data("dragnet robots: cannot read \(input)\n".utf8))
                throw ExitCode(ExitStatus.allFailed)
            }
            site = SiteRobots(url: input, outcome: .parsed, reason: "read from a file")
            site.bytes = data.count
            let bytes = [UInt8](data)
            var parsed = RobotsTxt()
            parseTime = clock.measure { parsed = RobotsTxt(bytes) }
            site.robots = parsed
            site.truncated = parsed.truncated
            if parsed.truncated { site.reason += "; only the first \(RobotsTxt.defaultLimit / 1024) KiB were read (RFC 9309 §2.5)" }
        }
        if !pagePath.hasPrefix("/") { pagePath = "/" + pagePath }
        let crawlers: [AICrawler]
        if let agent {
            crawlers = [pack.aiCrawlers.first { $0.token.caseInsensitiveCompare(agent) == .orderedSame }
                ?? AICrawler(token: agent, operatorName: "-", respectsRobots: .unclear)]
        } else {
            crawlers = pack.aiCrawlers
        }
        let origin = RobotsFetcher.origin(of: input) ?? "https://site.invalid"
        var access: AIAccess?
        let decideTime = clock.measure {
            access = AIAccess.evaluate(PageReport(id: 0, url: origin + pagePath), robots: site, crawlers: crawlers)
        }
        guard let access else { return }
        if timing {
            let milliseconds = { (duration: Duration) in Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }
            FileHandle.standardError.write(Data(String(
                format: "robots.txt: %d bytes, %d lines, %d groups; parse %.2f ms, %d agents decided in %.2f ms\n",
                site.bytes, site.robots?.lines ?? 0, site.robots?.groups.count ?? 0, milliseconds(parseTime), crawlers.count, milliseconds(decideTime)).utf8))
        }
        if format == "json" {
            FileHandle.standardOutput.write(Data((JSONValue.object([("path", .string(pagePath)), ("access", access.json), ("crawlers", access.crawlersJSON)]).prettyText + "\n").utf8))
        } else {
            FileHandle.standardOutput.write(Data(Self.text(access, path: pagePath).utf8))
        }
    }

    static func text(_ access: AIAccess, path: String) -> String {
        let robots = access.robots
        var lines: [String] = []
        var head = "robots.txt: \(robots.finalURL ?? robots.url) (\(robots.reason))"
        if let parsed = robots.robots { head += ", \(parsed.lines) lines, \(parsed.groups.count) groups" }
        lines.append(head)
        if let tdm = access.tdm {
            lines.append("TDM: \(tdm.reserved ? "rights reserved" : "not reserved") (\(tdm.source)\(tdm.location.map { " \($0)" } ?? ""))\(tdm.policy.map { ", policy \($0)" } ?? "")")
        }
        if let error = robots.tdm.error { lines.append("TDM: \(error)") }
        lines.append("path: \(path)")
        var rows = [["AGENT", "OPERATOR", "PLATFORM", "ACCESS", "LINE", "RULE", "RESPECTS ROBOTS.TXT"]]
        for entry in access.crawlers {
            let respects = entry.crawler.respectsRobots == .no && entry.access == .blocked ? "no: the block does not keep it out" : entry.crawler.respectsRobots.rawValue
            rows.append([
                entry.crawler.token, String(entry.crawler.operatorName.prefix(40)), entry.crawler.platform ?? "-", entry.access.rawValue,
                entry.rule.map { String($0.line) } ?? "-", entry.rule?.text ?? "(\(entry.basis))", respects,
            ])
        }
        let widths = (0..<rows[0].count - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column < widths.count ? cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0) : cell
            }
            lines.append(line)
        }
        if access.crawlers.count > 1 {
            let blocked = access.crawlers.filter { $0.access == .blocked }.count
            let exposed = access.crawlers.filter(\.exposed).count
            lines.append("\(access.crawlers.count) crawlers: \(blocked) blocked, \(access.crawlers.count - blocked) allowed or only reserved; \(exposed) can take \(path) (allowed, or blocked but known to ignore robots.txt)")
        }
        for warning in robots.robots?.warnings.prefix(20) ?? [] { lines.append("warning: \(warning)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
