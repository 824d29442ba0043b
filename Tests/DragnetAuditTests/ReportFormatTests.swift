import DragnetCore
import DragnetReport
import DragnetTestSupport
import Foundation
import Synchronization
import Testing

/// Validates a SARIF file against the official 2.1.0 schema (draft-04) with Python's jsonschema.
func validateSARIF(_ path: String) throws -> ProcessOutput {
    let schema = Fixtures.directory.appendingPathComponent("schemas/sarif-schema-2.1.0.json").path
    let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1])); report = json.load(open(sys.argv[2]))
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(report))
        for error in errors[:5]: print(error.message[:300])
        sys.exit(1 if errors else 0)
        """
    return try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, schema, path])
}

/// Audits `inputs` into `directory/name.json` with every format.
func auditAllFormats(_ inputs: [String], directory: URL, name: String, extra: [String] = []) throws -> String {
    let path = directory.appendingPathComponent(name + ".json").path
    let output = try dragnet(["audit", "-q", "--rules", Fixtures.rulesDirectory, "--format", "json,md,html,sarif,junit", "--output", path] + extra + inputs)
    #expect(output.status == 0, "\(output.stderr)")
    return path
}

@Suite("Report formats, graph and diff")
struct ReportFormatTests {
    @Test("json, md, html, sarif and junit are written side by side; SARIF is valid 2.1.0 with stable fingerprints")
    func formats() throws {
        let directory = try temporaryDirectory()
        let page = Fixtures.directory.appendingPathComponent("pages/dev-0228_hubermanlab.com.html").path
        let json = try auditAllFormats(["--base-url", "https://www.hubermanlab.com/", page], directory: directory, name: "dragnet-20261129-000001")
        let base = String(json.dropLast(5))
        for suffix in [".md", ".html", ".sarif", ".junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: base + suffix), "\(suffix)")
        }
        let validation = try validateSARIF(base + ".sarif")
        #expect(validation.status == 0, "\(validation.stdout)")
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".sarif"))) as? [String: Any])
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        let report = try AuditReport(path: json)
        #expect(results.count == report.pages[0].findings.count)
        #expect(Set(results.compactMap { ($0["partialFingerprints"] as? [String: String])?["dragnetFindingId/v1"] }) == Set(report.pages[0].findings.map(\.id)))
        let tiktokRule = try #require(rules.first { $0["id"] as? String == "tiktok-pixel" })
        #expect(((tiktokRule["help"] as? [String: Any])?["text"] as? String)?.contains("TikTok") == true)
        let junit = try String(contentsOfFile: base + ".junit.xml", encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"https://www.hubermanlab.com/\""))
        #expect(junit.contains("name=\"tiktok-pixel → bytedance [CVVD4ORC77UE2AUQ95AG]"))
        let markdown = try String(contentsOfFile: base + ".md", encoding: .utf8)
        #expect(markdown.contains("| TikTok (`tiktok`) | 92.3 | F | 1 |"))
        #expect(markdown.contains("**critical** TikTok Pixel with a contact form"))
    }

    @Test("golden files per format (RECORD_SNAPSHOTS=1 re-records)", arguments: ["md", "html", "sarif", "junit.xml"])
    func golden(format: String) throws {
        let directory = try temporaryDirectory()
        let page = Fixtures.directory.appendingPathComponent("pages/food52.com_food52.html").path
        let json = try auditAllFormats(["--base-url", "https://food52.com/", page], directory: directory, name: "dragnet-golden")
        var report = try AuditReport(path: json)
        report.startedAt = "2026-11-29T00:00:00Z"
        report.finishedAt = "2026-11-29T00:00:01Z"
        let text: String =
            switch format {
            case "md": ReportRenderer.markdown(report)
            case "html": ReportRenderer.html(report)
            case "sarif": ReportRenderer.sarif(report).prettyText + "\n"
            default: ReportRenderer.junit(report)
            }
        let path = Fixtures.directory.appendingPathComponent("golden/formats/food52.\(format)")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        #expect(text == (try String(contentsOf: path, encoding: .utf8)), "food52.\(format) differs from its golden file")
    }

    @Test("a hostile page cannot inject anything into the HTML report")
    func hostile() throws {
        let directory = try temporaryDirectory()
        let json = try auditAllFormats([try FixtureSite.url("/hostile/")], directory: directory, name: "dragnet-hostile", extra: ["--no-policies"])
        let html = try String(contentsOfFile: String(json.dropLast(5)) + ".html", encoding: .utf8)
        // Our own sorting script is the only script; no tag or handler from the page survives.
        #expect(html.components(separatedBy: "<script").count == 2)
        #expect(!html.contains("onerror=alert"))
        #expect(!html.contains("<svg/onload"))
        #expect(!html.contains("<iframe"))
        #expect(!html.contains("href=\"javascript:"))
        #expect(html.contains("&lt;/script&gt;") || html.contains("evil-cdn.example"))
        let report = try AuditReport(path: json)
        #expect(report.pages[0].findings.contains { $0.rule == "tiktok-pixel" })
        let markdown = try String(contentsOfFile: String(json.dropLast(5)) + ".md", encoding: .utf8)
        #expect(!markdown.contains("<script"))
        #expect(!markdown.contains("<img"))
        let validation = try validateSARIF(String(json.dropLast(5)) + ".sarif")
        #expect(validation.status == 0, "\(validation.stdout)")
    }

    @Test("the HTML opens in headless Chromium with the graph drawn and no console error")
    func chromium() throws {
        let directory = try temporaryDirectory()
        let json = try auditAllFormats([try FixtureSite.url("/hostile/"), try FixtureSite.url("/shop/")], directory: directory, name: "dragnet-browser")
        let html = String(json.dropLast(5)) + ".html"
        let shot = directory.appendingPathComponent("shot.png").path
        let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let executable = try #require(browser, "chromium is not installed (.ci/run and scripts/setup.sh install it)")
        let profile = directory.appendingPathComponent("profile").path
        let output = try ProcessRunner.run(executable, [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--user-data-dir=" + profile, "--window-size=1280,1600",
            "--enable-logging=stderr", "--v=0", "--screenshot=" + shot, "file://" + html,
        ])
        #expect(output.status == 0, "\(output.stderr.suffix(2000))")
        let size = (try FileManager.default.attributesOfItem(atPath: shot)[.size] as? NSNumber)?.intValue ?? 0
        #expect(size > 20_000, "screenshot of \(size) bytes")
        let consoleErrors = output.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
        // The graph is in the page: the shop's TikTok flow reaches its platform node.
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(text.contains("<svg class=\"graph\""))
        #expect(text.contains(">TikTok</text>"))
        // Two pages: the overview with its reach chart comes first, and Chromium drew it without a console error.
        #expect(text.contains("<h2>Overview</h2>"))
        #expect(text.contains("<svg class=\"reach\""))
    }

    @Test("dragnet diff: a tracker added and a cookie removed on one page, whatever its cache-buster")
    func diff() throws {
        let directory = try temporaryDirectory()
        let old = try auditAllFormats([try FixtureSite.url("/evolving/?v=1")], directory: directory, name: "dragnet-20261129-000001", extra: ["--no-policies"])
        let new = try auditAllFormats([try FixtureSite.url("/evolving/?v=2")], directory: directory, name: "dragnet-20261129-000002", extra: ["--no-policies"])
        let output = try dragnet(["diff", "--format", "json", old, new])
        #expect(output.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let page = try #require((json["pages"] as? [[String: Any]])?.first)
        #expect(page["status"] as? String == "changed")
        #expect((page["added"] as? [String: [String]])?["trackers"] == ["tiktok-pixel [C4EVOLVEPIXEL1234567]"])
        #expect((page["added"] as? [String: [String]])?["platforms"] == ["tiktok"])
        #expect((page["removed"] as? [String: [String]])?["cookies"] == ["pref (127.0.0.1)"])
        let scores = try #require(page["scores"] as? [[String: Any]])
        #expect(scores.first?["platform"] as? String == "tiktok")
        #expect(scores.first?["old"] is NSNull)
        #expect((scores.first?["change"] as? Double ?? 0) > 0)
        let failing = try dragnet(["diff", "--fail-on", "added", old, new])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("+ trackers: tiktok-pixel [C4EVOLVEPIXEL1234567]"))
        #expect(failing.stdout.contains("- cookies: pref (127.0.0.1)"))
        #expect(try dragnet(["diff", "--fail-on", "score-up", new, old]).status == 0)
        #expect(try dragnet(["diff", "--fail-on", "score-up", old, new]).status == 1)
        // The same audit twice: no change at all.
        let again = try auditAllFormats([try FixtureSite.url("/evolving/?v=2&cb=991")], directory: directory, name: "dragnet-20261129-000003", extra: ["--no-policies"])
        let none = try dragnet(["diff", "--fail-on", "added", "--fail-on", "score-up", new, again])
        #expect(none.status == 0)
        #expect(none.stdout.contains("0 of 1 page(s) changed"))
        // The Markdown of the newer audit shows what changed since the previous report in its folder.
        let markdown = try String(contentsOfFile: String(new.dropLast(5)) + ".md", encoding: .utf8)
        #expect(markdown.contains("### Changes since the previous run"))
        #expect(markdown.contains("**+** trackers: `tiktok-pixel [C4EVOLVEPIXEL1234567]`"))
    }

    @Test("dragnet graph prints DOT, Mermaid and JSON")
    func graph() throws {
        let directory = try temporaryDirectory()
        let page = Fixtures.directory.appendingPathComponent("pages/food52.com_food52.html").path
        let json = try auditAllFormats(["--base-url", "https://food52.com/", page], directory: directory, name: "dragnet-graph")
        let dot = try dragnet(["graph", "--format", "dot", json])
        #expect(dot.status == 0)
        #expect(dot.stdout.hasPrefix("digraph dragnet {"))
        #expect(dot.stdout.contains("\"entity:bytedance\" -> \"platform:tiktok\""))
        let mermaid = try dragnet(["graph", "--format", "mermaid", "--page", "1", json])
        #expect(mermaid.lines.first == "flowchart LR")
        #expect(mermaid.stdout.contains("TikTok"))
        let graph = try dragnet(["graph", "--format", "json", json])
        let parsed = try JSONSerialization.jsonObject(with: Data(graph.stdout.utf8)) as? [String: Any]
        #expect((parsed?["edges"] as? [[String: Any]])?.contains { $0["type"] as? String == "sends" } == true)
        #expect(try dragnet(["graph", "--page", "https://nowhere.example/", json]).status == 2)
        #expect(try dragnet(["graph", "/nonexistent/report.json"]).status == 2)
    }
}

@Suite("History: SQLite with GRDB")
struct HistoryTests {
    @Test("each audit is a run; dragnet history shows scores over time with a sparkline; runs diff by id")
    func history() throws {
        let directory = try temporaryDirectory()
        let database = directory.appendingPathComponent("history.sqlite").path
        let environment = ["DRAGNET_HISTORY": database]
        for (index, version) in ["1", "2", "2&again=1"].enumerated() {
            let output = try dragnet(
                ["audit", "-q", "--no-policies", "--rules", Fixtures.rulesDirectory, "--format", "json,html", "--out", directory.path,
                 "--output", directory.appendingPathComponent("dragnet-2026112\(index).json").path, try FixtureSite.url("/evolving/?v=\(version)")],
                environment: environment)
            #expect(output.status == 0, "\(output.stderr)")
        }
        let text = try dragnet(["history", "127.0.0.1"], environment: environment)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.lines.count == 4)
        #expect(text.lines[0].hasSuffix("  ▁▄▄"))  // 0, then 35 × 1.42 = 49.7 twice
        #expect(text.lines[1].contains("run 1"))
        #expect(text.lines[2].contains("1 findings"))
        let json = try dragnet(["history", "--format", "json"], environment: environment)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["run"] as? Int } == [1, 2, 3])
        #expect((entries[0]["score"] as? Double ?? -1) == 0)
        #expect((entries[1]["score"] as? Double ?? 0) > 0)
        // Runs from the history diff like report files.
        let diff = try dragnet(["diff", "--fail-on", "added", "1", "2"], environment: environment)
        #expect(diff.status == 1)
        #expect(diff.stdout.contains("+ trackers: tiktok-pixel [C4EVOLVEPIXEL1234567]"))
        #expect(try dragnet(["diff", "--fail-on", "added", "2", "3"], environment: environment).status == 0)
        #expect(try dragnet(["diff", "9", "2"], environment: environment).status == 2)
        // The HTML of the third run charts the page's exposure over the three runs.
        let html = try String(contentsOfFile: directory.appendingPathComponent("dragnet-20261122.html").path, encoding: .utf8)
        #expect(html.contains("exposure over 3 runs"))
    }

    @Test("four audits creating and writing one database at once all land whole")
    func concurrentWriters() throws {
        let directory = try temporaryDirectory()
        let database = directory.appendingPathComponent("history.sqlite").path
        let urls = (1...12).map { _ in (try? FixtureSite.url("/evolving/?v=2")) ?? "" }
        let list = directory.appendingPathComponent("urls.txt")
        try urls.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let group = DispatchGroup()
        let statuses = Mutex<[Int32]>([])
        let errors = Mutex<[String]>([])
        for index in 0..<4 {
            group.enter()
            DispatchQueue.global().async {
                let output = try? dragnet(
                    ["audit", "-q", "--no-policies", "--rules", Fixtures.rulesDirectory, "--output", directory.appendingPathComponent("r\(index).json").path, list.path],
                    environment: ["DRAGNET_HISTORY": database])
                statuses.withLock { $0.append(output?.status ?? -1) }
                errors.withLock { $0.append(output?.stderr ?? "") }
                group.leave()
            }
        }
        group.wait()
        #expect(statuses.withLock { $0 } == [0, 0, 0, 0], "\(errors.withLock { $0 })")
        let json = try dragnet(["history", "--format", "json"], environment: ["DRAGNET_HISTORY": database])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 48)
        #expect(Set(entries.compactMap { $0["run"] as? Int }) == [1, 2, 3, 4])
    }

    @Test("an interrupted audit leaves a consistent database with the pages that finished")
    func interrupted() throws {
        let directory = try temporaryDirectory()
        let database = directory.appendingPathComponent("history.sqlite").path
        let list = directory.appendingPathComponent("urls.txt")
        try ([try FixtureSite.url("/evolving/?v=2")] + (1...3).map { _ in (try? FixtureSite.url("/slow")) ?? "" })
            .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let output = try dragnet(
            ["audit", "-q", "--no-policies", "--rules", Fixtures.rulesDirectory, "--timeout", "30", "--output", directory.appendingPathComponent("r.json").path, list.path],
            environment: ["DRAGNET_HISTORY": database]
        ) { pid in
            Thread.sleep(forTimeInterval: 1.5)
            kill(pid, SIGINT)
        }
        #expect(output.status == 0 || output.status == 3)
        let check = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute('PRAGMA integrity_check').fetchone()[0])
            print(db.execute('SELECT COUNT(*) FROM run').fetchone()[0], db.execute('SELECT interrupted FROM run').fetchone()[0])
            print(db.execute("SELECT url FROM page ORDER BY position").fetchall()[0][0])
            """, database])
        #expect(check.lines.first == "ok")
        #expect(check.lines.dropFirst().first == "1 1")
        #expect(check.lines.last?.contains("/evolving/") == true)
    }
}
