import DragnetTestSupport
import Foundation
import Testing

/// One history database for every `dragnet` the audit tests start, outside the checkout.
let testHistory = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-test-history-\(UUID().uuidString).sqlite").path

func dragnet(_ arguments: [String], stdin: String = "", environment: [String: String] = [:], onStart: (Int32) -> Void = { _ in }) throws -> ProcessOutput {
    var arguments = arguments
    // Tests never touch a non-loopback address: the corpus pages name the real tag-manager
    // hosts, so an audit reads containers only where a test maps every host to loopback.
    if let command = arguments.first, command == "audit" || command == "check", !arguments.contains("--connect-to"), !arguments.contains("--no-containers") {
        arguments.insert("--no-containers", at: 1)
    }
    // … and no DNS query leaves the machine: CNAME chains only through a test's own server.
    if let command = arguments.first, command == "audit" || command == "check", !arguments.contains("--dns-server"), !arguments.contains("--no-dns") {
        arguments.insert("--no-dns", at: 1)
    }
    var environment = environment
    if environment["DRAGNET_HISTORY"] == nil { environment["DRAGNET_HISTORY"] = testHistory }
    return try ProcessRunner.run(try Fixtures.dragnetExecutable(), arguments, stdin: stdin, environment: environment, onStart: onStart)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func loadJSON(_ path: String) throws -> [String: Any] {
    let data = try #require(FileManager.default.contents(atPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// Validates a report with the JSON Schema in docs/ (Python's jsonschema, installed by .ci/run).
func validateAgainstSchema(_ path: String) throws -> ProcessOutput {
    let schema = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/report.schema.json").path
    let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1])); report = json.load(open(sys.argv[2]))
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        errors = list(validator.iter_errors(report))
        for e in errors[:20]: print(e.json_path, e.message[:300])
        sys.exit(1 if errors else 0)
        """
    return try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, schema, path])
}

@Suite("dragnet audit, end to end")
struct AuditCLITests {
    @Test("a URL list with junk and an unreachable host: every line is reported, the rest audited, the report is schema-valid")
    func urlList() throws {
        let refused = try FixtureServer.refusedPort()
        let directory = try temporaryDirectory()
        let list = directory.appendingPathComponent("urls.txt").path
        try """
            # pages to audit
            \(try FixtureSite.url("/to-page/gomaji.com_d132928212.html"))
            not a url
            http://127.0.0.1:\(refused)/
            \(try FixtureSite.url("/page/aclu.html"))
            \(try FixtureSite.url("/status/404"))
            """.write(toFile: list, atomically: true, encoding: .utf8)
        let output = try dragnet(["audit", "-q", "--out", directory.path, list])
        #expect(output.status == 0)
        let reports = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("dragnet-") && $0.hasSuffix(".json") }
        #expect(reports.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("partial") }.isEmpty)
        let path = directory.appendingPathComponent(try #require(reports.first)).path
        let report = try loadJSON(path)
        let pages = try #require(report["pages"] as? [[String: Any]])
        #expect(pages.map { $0["line"] as? Int } == [2, 3, 4, 5, 6])
        #expect(pages.map { ($0["error"] as? [String: Any])?["code"] as? String } == [nil, "invalid-url", "connect", nil, nil], "\(pages.map { $0["error"] ?? "" })")
        #expect(pages.map { $0["status"] as? Int } == [200, nil, nil, 200, 404])
        #expect((report["summary"] as? [String: Any])?["failed"] as? Int == 2)
        #expect((report["summary"] as? [String: Any])?["pages"] as? Int == 5)
        #expect(report["interrupted"] as? Bool == false)

        // The redirected page: its chain, its cookie, its third parties and graph.
        let gomaji = pages[0]
        let fetch = try #require(gomaji["fetch"] as? [String: Any])
        #expect((fetch["redirectChain"] as? [[String: Any]])?.first?["status"] as? Int == 301)
        #expect((gomaji["cookies"] as? [[String: Any]])?.map { $0["name"] as? String } == ["visitor"])
        #expect((gomaji["cookies"] as? [[String: Any]])?.first?["value"] == nil)
        let sites = try #require(gomaji["thirdParties"] as? [[String: Any]]).compactMap { $0["site"] as? String }
        #expect(sites.contains("tiktok.com") && sites.contains("facebook.net") && sites.contains("bing.com"))
        let edges = try #require((gomaji["graph"] as? [String: Any])?["edges"] as? [[String: Any]])
        #expect(edges.contains { $0["type"] as? String == "loads" && $0["to"] as? String == "site:tiktok.com" && $0["kind"] as? String == "script" })
        #expect(edges.contains { $0["type"] as? String == "sets-cookie" && ($0["labels"] as? [String]) == ["visitor"] })
        #expect(edges.contains { $0["type"] as? String == "redirects" })
        #expect(gomaji["site"] as? String == "127.0.0.1")

        let validation = try validateAgainstSchema(path)
        #expect(validation.status == 0, "schema errors: \(validation.stdout) \(validation.stderr)")
    }

    @Test("the same inputs give byte-identical reports apart from the timestamps")
    func deterministic() throws {
        let directory = try temporaryDirectory()
        let inputs = [
            try FixtureSite.url("/page/usapears.org_usapears_1.html"),
            Fixtures.directory.appendingPathComponent("pages/bgr.com_e7d77f1869.html").path,
            try FixtureSite.url("/page/argos.co.uk_442c155e30.html"),
        ]
        var texts: [String] = []
        for run in 0..<2 {
            let path = directory.appendingPathComponent("run\(run).json").path
            let output = try dragnet(["audit", "-q", "--output", path, "--jobs", run == 0 ? "1" : "4", "--concurrency", run == 0 ? "1" : "8"] + inputs)
            #expect(output.status == 0)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            texts.append(text.replacing(/"(startedAt|finishedAt)":"[^"]*"/, with: "\"$1\":\"-\""))
        }
        #expect(texts[0] == texts[1])
        #expect(texts[0].count > 100_000)
    }

    @Test("saved files and folders, --base-url, --first-party, and --output -")
    func savedFiles() throws {
        let directory = try temporaryDirectory()
        let pages = directory.appendingPathComponent("site/blog")
        try FileManager.default.createDirectory(at: pages, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.directory.appendingPathComponent("pages/gomaji.com_d132928212.html").path, toPath: pages.appendingPathComponent("deal.html").path)
        try "<html><body><script src='/js/app.js'></script><img src='https://www.facebook.com/tr?id=9'></body></html>".write(to: pages.appendingPathComponent("small.htm"), atomically: true, encoding: .utf8)
        try "not html".write(to: pages.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let output = try dragnet(["audit", "-q", "--output", "-", "--input-dir", directory.appendingPathComponent("site").path,
                                  "--base-url", "https://www.gomaji.com/", "--first-party", "facebook.net"])
        #expect(output.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let list = try #require(report["pages"] as? [[String: Any]])
        #expect(list.map { $0["url"] as? String } == ["https://www.gomaji.com/blog/deal.html", "https://www.gomaji.com/blog/small.htm"])
        #expect((report["inputs"] as? [String: Any])?["firstParty"] as? [String] == ["facebook.net"])
        let resources = try #require(list[1]["resources"] as? [[String: Any]])
        #expect(resources.map { $0["url"] as? String } == ["https://www.gomaji.com/js/app.js", "https://www.facebook.com/tr?id=9"])
        #expect(resources.map { $0["firstParty"] as? Bool } == [true, false])
        let deal = try #require(list[0]["resources"] as? [[String: Any]])
        #expect(deal.contains { $0["host"] as? String == "connect.facebook.net" && $0["firstParty"] as? Bool == true })
        #expect(list.allSatisfy { $0["fetch"] is NSNull })
    }

    @Test("--list marks the resources a filter list blocks, with the deciding filter")
    func filterLists() throws {
        let directory = try temporaryDirectory()
        let list = directory.appendingPathComponent("list.txt").path
        try "||analytics.tiktok.com^\n||connect.facebook.net^$third-party\n@@||connect.facebook.net/en_US/sdk.js\n##.ad\n".write(toFile: list, atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("report.json").path
        let page = Fixtures.directory.appendingPathComponent("pages/gomaji.com_d132928212.html").path
        let output = try dragnet(["audit", "-q", "--output", path, "--list", list, "--base-url", "https://www.gomaji.com/", page])
        #expect(output.status == 0)
        let pages = try #require(try loadJSON(path)["pages"] as? [[String: Any]])
        let resources = try #require(pages.first?["resources"] as? [[String: Any]])
        let blocked = resources.filter { $0["blockedBy"] != nil }
        #expect(Set(blocked.compactMap { $0["host"] as? String }) == ["analytics.tiktok.com", "connect.facebook.net"])
        #expect(blocked.first { $0["host"] as? String == "analytics.tiktok.com" }?["blockedBy"] as? String == "||analytics.tiktok.com^")
        let validation = try validateAgainstSchema(path)
        #expect(validation.status == 0, "schema errors: \(validation.stdout) \(validation.stderr)")
        #expect(try dragnet(["audit", "-q", "--output", "-", "--list", "/nonexistent.txt", page]).status == 2)
    }

    @Test("every target failing exits 3; usage errors exit 2")
    func exitCodes() throws {
        let refused = try FixtureServer.refusedPort()
        let failed = try dragnet(["audit", "-q", "--output", "-", "http://127.0.0.1:\(refused)/", "gopher://x.example/"])
        #expect(failed.status == 3)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any])
        #expect((report["summary"] as? [String: Any])?["failed"] as? Int == 2)
        #expect(try dragnet(["audit"]).status == 2)
        #expect(try dragnet(["audit", "--jobs", "0", "x.example"]).status == 2)
        #expect(try dragnet(["audit", "--base-url", "ftp://x/", "a.html"]).status == 2)
        // An unwritable report folder is an error of the environment (2), not "violations" (1).
        let page = Fixtures.directory.appendingPathComponent("pages/aclu.html").path
        let closedPort = try FixtureServer.refusedPort()
        let unwritable = try dragnet(["audit", "-q", "--out", "/proc/dragnet-cannot-write", page, "http://127.0.0.1:\(closedPort)/"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("dragnet audit: cannot write the report: /proc/dragnet-cannot-write is not a folder this user can write to"))
        // … and it fails before anything is fetched: the refused port is never tried.
        #expect(!unwritable.stderr.contains("(connect)"))
        // An unknown format names the valid ones.
        let format = try dragnet(["audit", "--format", "json,pdf", page])
        #expect(format.status == 2)
        #expect(format.stderr.contains("unknown format 'pdf' (use json, md, html, sarif, junit)"))
    }

    @Test("each failed item gets its stderr line as it happens (never its query string), then a run summary")
    func stderrErrorsAndSummary() throws {
        let refused = try FixtureServer.refusedPort()
        let directory = try temporaryDirectory()
        let list = directory.appendingPathComponent("urls.txt").path
        try """
            \(try FixtureSite.url("/page/aclu.html"))
            not a url
            http://127.0.0.1:\(refused)/account?token=SECRET123
            """.write(toFile: list, atomically: true, encoding: .utf8)
        let output = try dragnet(["audit", "--no-policies", "--out", directory.path, "--format", "json,html", list])
        #expect(output.status == 0)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("dragnet: \(list):2: not a URL: it contains spaces or control characters (invalid-url)"))
        #expect(lines.contains { $0.hasPrefix("dragnet: http://127.0.0.1:\(refused)/account: ") && $0.hasSuffix("(connect)") })
        #expect(!output.stderr.contains("SECRET123"))
        #expect(lines.contains("Audited 1 of 3 pages (2 failed: the lines above say why)."))
        #expect(lines.contains("Platforms reached:"))
        // The HTML report is named first, then the JSON.
        let reports = lines.drop { $0 != "Reports:" }.dropFirst().prefix(2)
        #expect(reports.first?.hasSuffix(".html") == true)
        #expect(reports.last?.hasSuffix(".json") == true)
        #expect(lines.last == "Exit code 0: 1 page was audited.")
        // --quiet keeps only the errors.
        let quiet = try dragnet(["audit", "-q", "--no-policies", "--out", directory.path, list])
        #expect(quiet.stderr.split(separator: "\n").count == 2)
    }

    @Test("an interrupted run (Ctrl-C, or SIGTERM as Kubernetes and Slurm send) writes the pages that finished and says it was interrupted",
          arguments: [SIGINT, SIGTERM])
    func interrupted(_ signal: Int32) throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("report.json").path
        let arguments = ["audit", "-q", "--output", path, "--timeout", "60", "--low-speed-time", "60",
                         try FixtureSite.url("/page/aclu.html"), try FixtureSite.url("/slow"), try FixtureSite.url("/page/buzzfeed-1.html")]
        let output = try dragnet(arguments) { pid in
            Thread.sleep(forTimeInterval: 2)
            kill(pid, signal)
        }
        // SIGTERM: 143 (128 + 15), so a batch engine sees the pre-emption; Ctrl-C keeps the usual code.
        #expect(output.status == (signal == SIGTERM ? 143 : 0))
        #expect(FileManager.default.fileExists(atPath: path))
        let report = try loadJSON(path)
        #expect(report["interrupted"] as? Bool == true)
        let pages = try #require(report["pages"] as? [[String: Any]])
        #expect(pages.map { $0["status"] as? Int } == [200, nil, 200])
        #expect(pages.map { ($0["error"] as? [String: Any])?["code"] as? String } == [nil, "cancelled", nil])
    }
}
