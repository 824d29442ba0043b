import DragnetTestSupport
import Foundation
import Testing

/// Audits over the loopback HTTPS server; returns the pages and the report's crawler catalogue.
func auditAI(_ urls: [String], server: HTTPSFixtureServer, extra: [String] = []) throws -> (ProcessOutput, [[String: Any]], [[String: Any]]) {
    let output = try temporaryDirectory().appendingPathComponent("report.json").path
    let result = try dragnet(["audit", "-q", "--no-history", "--no-policies"] + extra + ["--connect-to", server.connectToAll, "-k", "--output", output] + urls)
    let report = (try? loadJSON(output)) ?? [:]
    return (result, report["pages"] as? [[String: Any]] ?? [], report["aiCrawlers"] as? [[String: Any]] ?? [])
}

/// One crawler's decision on a page, joined with the catalogue: the decision naming it, else
/// the one for every other crawler (`agents` null).
func crawler(_ page: [String: Any], _ agent: String, _ catalogue: [[String: Any]]) -> [String: Any]? {
    guard let entry = catalogue.first(where: { $0["agent"] as? String == agent }) else { return nil }
    let decisions = (page["aiAccess"] as? [String: Any])?["decisions"] as? [[String: Any]] ?? []
    guard let decision = decisions.first(where: { ($0["agents"] as? [String])?.contains(agent) == true }) ?? decisions.first(where: { $0["agents"] is NSNull })
    else { return nil }
    var merged = entry
    for key in ["access", "basis", "line", "rule"] { merged[key] = decision[key] }
    merged["exposed"] = decision["access"] as? String != "blocked" || entry["respectsRobotsTxt"] as? String == "no"
    return merged
}

func robotsInfo(_ page: [String: Any]) -> [String: Any] {
    (page["aiAccess"] as? [String: Any])?["robots"] as? [String: Any] ?? [:]
}

@Suite("AI crawler access: robots.txt, TDM and noai, fetched from a loopback HTTPS server")
struct AIAccessTests {
    @Test("news.example blocks Bytespider and TikTokSpider, allows GPTBot/1.2, and reserves TDM for /articles/")
    func newsSite() throws {
        // A server of its own: the request log counts this test's fetches only.
        let server = try HTTPSFixtureServer(root: Fixtures.directory.appendingPathComponent("https-site").path)
        defer { server.stop() }
        let (result, pages, catalogue) = try auditAI(
            ["https://news.example/", "https://news.example/articles/one.html", "https://news.example/private/"], server: server)
        #expect(result.status == 0)
        #expect(pages.count == 3)
        let home = try #require(pages.first { $0["url"] as? String == "https://news.example/" })
        #expect(robotsInfo(home)["outcome"] as? String == "parsed")
        #expect(robotsInfo(home)["status"] as? Int == 200)
        #expect(robotsInfo(home)["groups"] as? Int == 3)
        // 166 crawlers in three decisions: two named groups and every other crawler.
        let decisions = try #require((home["aiAccess"] as? [String: Any])?["decisions"] as? [[String: Any]])
        #expect(decisions.count == 3)
        #expect(decisions.first?["agents"] as? [String] == ["Bytespider", "TikTokSpider"])
        #expect(decisions.last?["agents"] is NSNull)
        #expect(catalogue.count == 166)

        let bytespider = try #require(crawler(home, "Bytespider", catalogue))
        #expect(bytespider["access"] as? String == "blocked")
        #expect(bytespider["line"] as? Int == 4)
        #expect(bytespider["rule"] as? String == "Disallow: /")
        #expect(bytespider["platform"] as? String == "tiktok")
        #expect(bytespider["operator"] as? String == "ByteDance Ltd.")
        // Blocked, but ai.robots.txt says Bytespider ignores robots.txt: still exposed.
        #expect(bytespider["respectsRobotsTxt"] as? String == "no")
        #expect(bytespider["exposed"] as? Bool == true)
        #expect(crawler(home, "TikTokSpider", catalogue)?["access"] as? String == "blocked")
        #expect(crawler(home, "TikTokSpider", catalogue)?["respectsRobotsTxt"] as? String == "unclear")
        #expect(crawler(home, "TikTokSpider", catalogue)?["exposed"] as? Bool == false)

        let gptbot = try #require(crawler(home, "GPTBot", catalogue))
        #expect(gptbot["access"] as? String == "allowed")
        #expect(gptbot["basis"] as? String == "agent")
        #expect(gptbot["line"] as? Int == 7)
        #expect(gptbot["platform"] as? String == "openai")
        // CCBot has no group of its own: the * group decides, and no rule matches /.
        let ccbot = try #require(crawler(home, "CCBot", catalogue))
        #expect(ccbot["basis"] as? String == "global")
        #expect(ccbot["access"] as? String == "allowed")
        #expect(ccbot["line"] is NSNull)
        let platforms = try #require((home["aiAccess"] as? [String: Any])?["platforms"] as? [String: Any])
        let tiktok = try #require(platforms["tiktok"] as? [String: Any])
        #expect(tiktok["blocked"] as? [String] == ["Bytespider", "TikTokSpider"])
        #expect(tiktok["ignoringRobotsTxt"] as? [String] == ["Bytespider"])
        #expect((platforms["google"] as? [String: Any])?["allowed"] as? [String] != nil)

        // /private/: GPTBot's own group disallows it at line 8, the * group at line 11.
        let privatePage = try #require(pages.first { $0["url"] as? String == "https://news.example/private/" })
        #expect(crawler(privatePage, "GPTBot", catalogue)?["line"] as? Int == 8)
        #expect(crawler(privatePage, "GPTBot", catalogue)?["access"] as? String == "blocked")
        #expect(crawler(privatePage, "CCBot", catalogue)?["rule"] as? String == "Disallow: /private/")

        // The article: tdmrep.json reserves /articles/*, and its meta robots says noimageai.
        let article = try #require(pages.first { $0["url"] as? String == "https://news.example/articles/one.html" })
        let tdm = try #require((article["aiAccess"] as? [String: Any])?["tdm"] as? [String: Any])
        #expect(tdm["source"] as? String == "tdmrep.json")
        #expect(tdm["reserved"] as? Bool == true)
        #expect(tdm["location"] as? String == "/articles/*")
        #expect(tdm["policy"] as? String == "https://news.example/tdm-policy.json")
        #expect(crawler(article, "GPTBot", catalogue)?["access"] as? String == "reserved")
        #expect(crawler(article, "Bytespider", catalogue)?["access"] as? String == "blocked")
        let directives = try #require((article["aiAccess"] as? [String: Any])?["directives"] as? [[String: Any]])
        #expect(directives.first?["value"] as? String == "noimageai")
        #expect(directives.first?["source"] as? String == "meta")
        // The home page is covered by the tdmrep.json rule "/*" with reservation 0.
        #expect(((home["aiAccess"] as? [String: Any])?["tdm"] as? [String: Any])?["reserved"] as? Bool == false)

        // One robots.txt and one tdmrep.json fetch for the three pages of the site.
        let log = try String(contentsOfFile: server.logPath, encoding: .utf8)
        #expect(log.components(separatedBy: "\n").filter { $0 == "news.example /robots.txt" }.count == 1)
        #expect(log.components(separatedBy: "\n").filter { $0 == "news.example /.well-known/tdmrep.json" }.count == 1)
    }

    @Test("404 allows all, 503 disallows all, a redirect chain to another host is followed, seven redirects allow all, 10 MB is read to 500 KiB, HTML and CRLF/CR/BOM files, broken tdmrep.json")
    func outcomes() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let urls = ["gone", "down", "moved", "big", "html", "crlf", "badtdm", "redirects"].map { "https://\($0).example/" }
        let (result, pages, catalogue) = try auditAI(urls, server: server)
        #expect(result.status == 0)
        func page(_ name: String) throws -> [String: Any] {
            try #require(pages.first { $0["url"] as? String == "https://\(name).example/" })
        }
        let gone = try page("gone")
        #expect(robotsInfo(gone)["outcome"] as? String == "unavailable")
        #expect(robotsInfo(gone)["reason"] as? String == "HTTP 404: unavailable, everything allowed (RFC 9309 §2.3.1.3)")
        #expect(crawler(gone, "Bytespider", catalogue)?["access"] as? String == "allowed")
        #expect(crawler(gone, "Bytespider", catalogue)?["basis"] as? String == "unavailable")

        let down = try page("down")
        #expect(robotsInfo(down)["outcome"] as? String == "unreachable")
        #expect(robotsInfo(down)["status"] as? Int == 503)
        #expect(crawler(down, "GPTBot", catalogue)?["access"] as? String == "blocked")
        #expect(crawler(down, "GPTBot", catalogue)?["basis"] as? String == "unreachable")

        let moved = try page("moved")
        #expect(robotsInfo(moved)["outcome"] as? String == "parsed")
        #expect(robotsInfo(moved)["finalURL"] as? String == "https://robots.elsewhere.example/shared/robots.txt")
        #expect(crawler(moved, "GPTBot", catalogue)?["access"] as? String == "blocked")
        #expect(crawler(moved, "CCBot", catalogue)?["line"] as? Int == 3)
        #expect(crawler(moved, "ClaudeBot", catalogue)?["access"] as? String == "allowed")

        let big = try page("big")
        #expect(robotsInfo(big)["truncated"] as? Bool == true)
        #expect(robotsInfo(big)["bytes"] as? Int == 500 * 1024)
        // CCBot's rules come first; GPTBot's group sits after 10 MB and is never read.
        #expect(crawler(big, "CCBot", catalogue)?["basis"] as? String == "agent")
        #expect(crawler(big, "GPTBot", catalogue)?["access"] as? String == "allowed")
        #expect(crawler(big, "GPTBot", catalogue)?["basis"] as? String == "no-group")

        let html = try page("html")
        #expect(robotsInfo(html)["outcome"] as? String == "parsed")
        #expect(robotsInfo(html)["contentType"] as? String == "text/html; charset=utf-8")
        #expect(robotsInfo(html)["groups"] as? Int == 0)
        #expect((robotsInfo(html)["warnings"] as? [String])?.count == 3)
        #expect(crawler(html, "GPTBot", catalogue)?["access"] as? String == "allowed")

        let crlf = try page("crlf")
        #expect(crawler(crlf, "ClaudeBot", catalogue)?["access"] as? String == "blocked")
        #expect(crawler(crlf, "ClaudeBot", catalogue)?["line"] as? Int == 2)
        #expect(crawler(crlf, "meta-externalagent", catalogue)?["line"] as? Int == 5)
        #expect(crawler(crlf, "meta-externalagent", catalogue)?["platform"] as? String == "meta")
        #expect(crawler(crlf, "GPTBot", catalogue)?["access"] as? String == "allowed")

        // Seven redirects: more than RFC 9309's five, so robots.txt counts as unavailable.
        let redirects = try page("redirects")
        #expect(robotsInfo(redirects)["outcome"] as? String == "unavailable")
        #expect(robotsInfo(redirects)["reason"] as? String == "more than 5 redirects: treated as unavailable, everything allowed (RFC 9309 §2.3.1.2)")
        #expect(crawler(redirects, "GPTBot", catalogue)?["access"] as? String == "allowed")

        let badtdm = try page("badtdm")
        let tdm = try #require((badtdm["aiAccess"] as? [String: Any])?["tdm"] as? [String: Any])
        #expect((tdm["tdmrepError"] as? String)?.hasPrefix("tdmrep.json is not JSON") == true)
        #expect(tdm["reserved"] as? Bool == false)
        #expect(crawler(badtdm, "GPTBot", catalogue)?["access"] as? String == "allowed")
    }

    @Test("the report with aiAccess and summary.aiCrawlers follows the schema; the run summary says which platforms are let in")
    func schemaAndSummary() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let output = try temporaryDirectory().appendingPathComponent("report.json").path
        let result = try dragnet([
            "audit", "--no-history", "--no-policies", "--connect-to", server.connectToAll, "-k", "--output", output,
            "https://news.example/", "https://news.example/articles/one.html", "https://gone.example/",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let validation = try validateAgainstSchema(output)
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        let summary = try #require((try loadJSON(output)["summary"] as? [String: Any])?["aiCrawlers"] as? [String: Any])
        #expect(summary["sites"] as? Int == 2)
        let tiktok = try #require((summary["platforms"] as? [String: Any])?["tiktok"] as? [String: Any])
        #expect(tiktok["sitesLettingIn"] as? Int == 1)
        #expect(tiktok["sitesBlockingAll"] as? Int == 1)
        #expect(((summary["platforms"] as? [String: Any])?["openai"] as? [String: Any])?["sitesLettingIn"] as? Int == 2)
        #expect(result.stderr.contains("AI crawlers let in by robots.txt, sites of 2: tiktok 1, meta 2, google 2, alibaba 2, amazon 2, anthropic 2, apple 2, baidu 2, … (15 platforms in summary.aiCrawlers)."))
    }

    @Test("--no-robots fetches no robots.txt and writes no aiAccess")
    func disabled() throws {
        let server = try HTTPSFixtureServer(root: Fixtures.directory.appendingPathComponent("https-site").path)
        defer { server.stop() }
        let (result, pages) = try auditHTTPS(["https://news.example/"], server: server, extra: ["--no-robots"])
        #expect(result.status == 0)
        #expect(pages.first?["aiAccess"] == nil)
        #expect(server.requests().contains { $0.hasSuffix("/robots.txt") } == false)
        #expect(server.requests().contains { $0 == "news.example /" })
    }
}

@Suite("dragnet check: the ai-crawlers gate")
struct AICrawlerCheckTests {
    @Test("ai-crawlers: block and block-platforms fail on an allowed crawler with the robots.txt line, in text, SARIF and JUnit")
    func gate() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let folder = try temporaryDirectory()
        let config = """
            targets:
              - https://news.example/
              - https://gone.example/
            ai-crawlers:
              block: [Bytespider, GPTBot, NoSuchBot]
              block-platforms: [deepseek]
            """
        let (output, _) = try check(
            config,
            arguments: ["--connect-to", server.connectToAll, "-k",
                        "--sarif", folder.appendingPathComponent("check.sarif").path, "--junit", folder.appendingPathComponent("check.xml").path],
            in: folder)
        #expect(output.status == 1, "\(output.stdout)\(output.stderr)")
        let lines = output.lines
        #expect(lines.contains("failing: https://news.example/: GPTBot (OpenAI, openai) may crawl this page: robots.txt line 7 \"Allow: /\""))
        #expect(lines.contains("failing: https://news.example/: DeepSeekBot (DeepSeek, deepseek) may crawl this page: no robots.txt rule matches (allowed by default)"))
        #expect(lines.contains("failing: https://gone.example/: Bytespider (ByteDance Ltd., tiktok) may crawl this page: HTTP 404: unavailable, everything allowed (RFC 9309 §2.3.1.3)"))
        // Blocked on news.example, but Bytespider ignores robots.txt: a warning, not a pass in silence.
        #expect(lines.contains("warning: https://news.example/: Bytespider (ByteDance Ltd., tiktok) is blocked by robots.txt line 4 \"Disallow: /\", but it is known to ignore robots.txt"))
        #expect(lines.contains { $0.contains("'NoSuchBot' is not in the rule pack's AI crawler list") })
        #expect(lines.last?.hasPrefix("dragnet check: FAILED — 5 violation(s), 2 warning(s)") == true, "\(output.stdout)")
        let sarif = try String(contentsOfFile: folder.appendingPathComponent("check.sarif").path, encoding: .utf8)
        #expect(sarif.contains("robots.txt line 7 \\\"Allow: /\\\""))
        #expect(try validateSARIF(folder.appendingPathComponent("check.sarif").path).status == 0)
        let junit = try String(contentsOfFile: folder.appendingPathComponent("check.xml").path, encoding: .utf8)
        #expect(junit.contains("robots.txt line 7 &quot;Allow: /&quot;"))

        // A robots.txt that blocks them all passes.
        let passing = try check(
            "targets: [https://news.example/private/]\nai-crawlers:\n  block: [GPTBot, CCBot]\n",
            arguments: ["--connect-to", server.connectToAll, "-k"]).0
        #expect(passing.status == 0, "\(passing.stdout)\(passing.stderr)")
    }
}

@Suite("AI assistants on pages, and what the site's policy says about them")
struct AIAssistantTests {
    @Test("an Anthropic API call assembled at run time: the static audit misses it, the browser sees the request")
    func browserOnly() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let output = try temporaryDirectory().appendingPathComponent("report.json").path
        let common = ["audit", "-q", "--no-history", "--no-policies", "--no-robots", "--connect-to", server.connectToAll, "-k", "--output", output]
        #expect(try dragnet(common + ["https://assistant.example/"]).status == 0)
        let staticPage = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        #expect(findings(staticPage, rule: "anthropic-api").isEmpty)
        let result = try dragnet(common + ["--mode", "browser", "--dwell", "0.3", "https://assistant.example/"])
        #expect(result.status == 0, "\(result.stderr)")
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let call = try #require(findings(page, rule: "anthropic-api").first)
        #expect(call["seenBy"] as? [String] == ["browser"])
        #expect(call["platform"] as? String == "anthropic")
        #expect((call["data"] as? [String])?.contains("conversations") == true)
        #expect(((call["evidence"] as? [[String: Any]])?.first?["url"] as? String)?.hasPrefix("https://api.anthropic.com/v1/messages") == true)
    }

    @Test("a ChatKit widget and a DeepSeek API call are findings with conversations; the policy names neither vendor but trains models")
    func helpCentre() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let output = try temporaryDirectory().appendingPathComponent("report.json").path
        let result = try dragnet(["audit", "-q", "--no-history", "--connect-to", server.connectToAll, "-k", "--output", output, "https://help.example/"])
        #expect(result.status == 0, "\(result.stderr)")
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let chatkit = try #require(findings(page, rule: "openai-chatkit").first)
        #expect(chatkit["platform"] as? String == "openai")
        #expect(chatkit["data"] as? [String] == ["browsing-activity", "conversations", "device-info", "identifiers"])
        let deepseek = try #require(findings(page, rule: "deepseek-api").first)
        #expect(deepseek["platform"] as? String == "deepseek")
        #expect(deepseek["entity"] as? String == "deepseek")
        #expect((deepseek["data"] as? [String])?.contains("conversations") == true)
        let exposure = try #require(page["exposure"] as? [String: Any])
        #expect(((exposure["platforms"] as? [String: Any])?["deepseek"] as? [String: Any])?["name"] as? String == "DeepSeek")

        #expect((page["policy"] as? [String: Any])?["practices"] as? [String] != nil)
        #expect(((page["policy"] as? [String: Any])?["practices"] as? [String])?.contains("ai-training") == true)
        let undisclosed = findings(page, rule: "policy-undisclosed-ai-vendor")
        #expect(Set(undisclosed.compactMap { $0["target"] as? String }) == ["openai", "deepseek"])
        #expect(undisclosed.first { $0["target"] as? String == "deepseek" }?["title"] as? String
            == "Visitors' words go to DeepSeek, but the privacy policy names neither DeepSeek nor AI providers")
        let linked = findings(page, rule: "policy-ai-training-ai-vendor")
        #expect(Set(linked.compactMap { $0["target"] as? String }) == ["openai", "deepseek"])
        let evidence = try #require(linked.first?["evidence"] as? [[String: Any]])
        #expect(evidence.contains { ($0["snippet"] as? String)?.hasPrefix("We may use the information we collect, including your questions, to train") == true })
        // Linking findings explain; they add no exposure points of their own.
        #expect((undisclosed + linked).allSatisfy { ($0["data"] as? [String])?.isEmpty == true })
    }
}
