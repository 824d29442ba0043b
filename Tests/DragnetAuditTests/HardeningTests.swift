import DragnetCheck
import DragnetCore
import DragnetFetch
import DragnetRules
import DragnetTestSupport
import Foundation
import Testing

/// The hostile inputs of docs/hostile-inputs.md that the first user found: each with its fix.
@Suite("Hostile inputs: credentials, CRLF lists, special output files, catastrophic regexes")
struct HardeningTests {
    @Test("a URL list with CRLF or CR line ends: one input per line, numbered right")
    func crlfList() {
        let inputs = URLInput.parseList("https://a.example/\r\nhttps://b.example/\r\n# note\r\nhttps://c.example/\rhttps://d.example/\n")
        #expect(inputs.map(\.text) == ["https://a.example/", "https://b.example/", "https://c.example/", "https://d.example/"])
        #expect(inputs.map(\.line) == [1, 2, 4, 5])
        #expect(inputs.allSatisfy { $0.url != nil })
        #expect("  x\r".trimmingASCIIWhitespace() == "x")
        #expect("\r\n y \r\n".trimmingASCIIWhitespace() == "y")
    }

    @Test("user:password@ in a URL is sent to the server, and never reaches the report, the history or stderr")
    func credentials() throws {
        let page = try FixtureSite.url("/shop/")
        let withCredentials = page.replacingOccurrences(of: "http://", with: "http://auditor:s3cr3t-pw@")
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        let history = directory.appendingPathComponent("history.sqlite").path
        let result = try dragnet(["audit", "--history", history, "--format", "json,md,html,sarif", "--output", output, withCredentials, withCredentials + "missing-page"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try String(contentsOfFile: output, encoding: .utf8)
        #expect(!report.contains("s3cr3t-pw"))
        #expect(!report.contains("auditor:"))
        #expect(report.contains("\"url\":\"\(page)\"") || report.contains("\"url\": \"\(page)\""))
        for suffix in ["md", "html", "sarif"] {
            let rendered = try String(contentsOfFile: output.replacingOccurrences(of: ".json", with: ".\(suffix)"), encoding: .utf8)
            #expect(!rendered.contains("s3cr3t-pw"), "\(suffix)")
        }
        let database = try Data(contentsOf: URL(fileURLWithPath: history))
        #expect(database.range(of: Data("s3cr3t-pw".utf8)) == nil)
        #expect(!result.stderr.contains("s3cr3t-pw"))
        #expect(!result.stdout.contains("s3cr3t-pw"))
    }

    @Test("--output to a device or FIFO writes in place: /dev/full is a clear error (exit 2) and stays a device; a FIFO gets the report")
    func specialOutputs() throws {
        let page = try FixtureSite.url("/evolving/?v=1")
        let full = try dragnet(["audit", "--no-history", "--output", "/dev/full", page])
        #expect(full.status == 2)
        #expect(full.stderr.contains("cannot write the report to /dev/full: No space left on device"), "\(full.stderr)")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0)
        #expect((info.st_mode & S_IFMT) == S_IFCHR)

        let folder = try temporaryDirectory()
        let fifo = folder.appendingPathComponent("report.fifo").path
        let copy = folder.appendingPathComponent("copy.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader drains the FIFO into a file while dragnet writes into it.
        let reader = try ChildProcess("/bin/sh", ["-c", "cat '\(fifo)' > '\(copy)'"])
        let written = try dragnet(["audit", "--no-history", "--output", fifo, page])
        #expect(written.status == 0, "\(written.stderr)")
        for _ in 0..<100 where reader.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        reader.stop()
        let text = try String(contentsOfFile: copy, encoding: .utf8)
        #expect(text.hasPrefix("{\"aiCrawlers\""))
        #expect(text.contains("\"schemaVersion\":3"))
        #expect(stat(fifo, &info) == 0)
        #expect((info.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test("a report file is replaced whole: the old one stays until the new one is complete, no temporary file is left")
    func atomicReplace() throws {
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        try "old".write(toFile: output, atomically: true, encoding: .utf8)
        let result = try dragnet(["audit", "--no-history", "--output", output, try FixtureSite.url("/evolving/?v=1")])
        #expect(result.status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8).hasSuffix("}\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["report.json"])
    }

    @Test("regular expressions that can backtrack exponentially are refused; every shipped rule is safe",
          arguments: ["(a+)+b", "(\\w*)*x", "(?:x+y?)*z", "([a-z]+\\s?)+$", "((ab)*c)+", "(a{2,})+"])
    func unsafeRegex(_ pattern: String) {
        #expect(RegexSafety.problem(pattern) != nil, "\(pattern)")
    }

    @Test("patterns with bounded or single repetition pass", arguments: [
        "[\\s\\S]{0,300}?new UET\\(", "(ab)+", "(a|b)*", "a+b+", "(\\d{4,12})", "(?:[?&]ti=|/action/)(\\d{4,12})", "\\(a+\\)+", "[(a+)]+", "(a{1,5})+",
    ])
    func safeRegex(_ pattern: String) {
        #expect(RegexSafety.problem(pattern) == nil, "\(pattern)")
    }

    @Test("a tracker rule with (a+)+b is an error at its line; the other rules load and run")
    func unsafeRule() throws {
        let pack = RulePack.load(
            entities: [("e.yml", "id: acme\nname: Acme\nsources:\n  s: {url: https://acme.example/, checked: 2026-12-03}\ndomains:\n  s: [acme.example]\n")],
            trackers: [("t.yml", """
                sources:
                  s: {url: "https://acme.example/docs", checked: 2026-12-03}
                trackers:
                  - id: slow
                    title: Slow
                    entity: acme
                    purpose: analytics
                    severity: low
                    data: [identifiers]
                    source: s
                    description: A rule whose regex backtracks.
                    match:
                      inline:
                        - contains: aaa
                          regex: '(a+)+b'
                  - id: fine
                    title: Fine
                    entity: acme
                    purpose: analytics
                    severity: low
                    data: [identifiers]
                    source: s
                    description: A rule that is fine.
                    match:
                      urls: [acme.example/t.js]
                """)])
        #expect(pack.diagnostics.contains { $0.message.hasPrefix("unsafe regular expression: nested unbounded repetition") && $0.line == 15 })
        #expect(pack.trackers.map(\.id).contains("fine"))
        // Every shipped rule passes the check.
        let shipped = RulePack.load(directory: Fixtures.rulesDirectory)
        #expect(!shipped.diagnostics.contains { $0.message.contains("unsafe regular expression") })
    }
}

@Suite("No fetch into private networks")
struct PrivateNetworkTests {
    @Test("address kinds: loopback, RFC 1918, link-local (cloud metadata), unique-local, CGNAT, mapped and NAT64 forms; public ones pass", arguments: [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
        ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("fd00:ec2::254", "private (unique-local)"), ("100.64.0.1", "shared (CGNAT)"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
        ("::ffff:169.254.169.254", "link-local"), ("64:ff9b::a9fe:a9fe", "link-local"), ("[::ffff:127.0.0.1]", "loopback"), ("224.0.0.1", "multicast or reserved"),
    ])
    func kinds(_ address: String, _ kind: String) {
        #expect(AddressGuard.kind(of: address) == kind, "\(address)")
    }

    @Test("public addresses and names are not private", arguments: ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "example.com", "169.255.0.1"])
    func publicAddresses(_ address: String) {
        #expect(AddressGuard.kind(of: address) == nil, "\(address)")
    }

    @Test("a redirect from the named 127.0.0.1 page to localhost (not named) is refused as private-address; --allow-private lets it through")
    func redirect() throws {
        let target = try FixtureSite.url("/page/aclu.html").replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let start = try FixtureSite.url("/redirect-to?url=") + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        let refused = try dragnet(["audit", "--no-history", "--no-policies", "--output", output, start])
        // The 302 itself was fetched (the page keeps that status); following it was refused.
        #expect(refused.status == 0)
        #expect(refused.stderr.contains("refused to connect to "), "\(refused.stderr)")
        #expect(refused.stderr.contains(" (loopback): Dragnet does not fetch from private networks"), "\(refused.stderr)")
        #expect(refused.stderr.contains("(private-address)"))
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        #expect((page["error"] as? [String: Any])?["code"] as? String == "private-address")
        let allowed = try dragnet(["audit", "--no-history", "--no-policies", "--allow-private", "--output", output, start])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(((try loadJSON(output)["pages"] as? [[String: Any]])?.first)?["status"] as? Int == 200)
    }

    @Test("a name whose DNS answer is a loopback address (DNS rebinding) is refused; the same address named directly is fetched")
    func rebinding() throws {
        let page = try FixtureSite.url("/page/aclu.html")
        let port = try #require(URLComponents(string: page)?.port)
        let rebound = page.replacingOccurrences(of: "127.0.0.1", with: "rebind.example")
        let refused = try dragnet(["fetch", "--resolve", "rebind.example:\(port):127.0.0.1", rebound])
        #expect(refused.status == 3)
        #expect(refused.stdout.contains("\"code\":\"private-address\""))
        #expect(refused.stdout.contains("refused to connect to 127.0.0.1 (loopback)"))
        let named = try dragnet(["fetch", page])
        #expect(named.status == 0)
        #expect(named.stdout.contains("\"status\":200"))
        // --connect-to targets are named by the user: every host may be mapped there.
        let mapped = try dragnet(["fetch", "--connect-to", "::127.0.0.1:\(port)", rebound])
        #expect(mapped.stdout.contains("\"status\":200"))
    }
}

@Suite("Fuzzing: the crashes it found stay fixed")
struct FuzzRegressionTests {
    /// Every minimized crash under Tests/Fixtures/fuzz/TARGET/ runs through its target in the
    /// replay build of the harness (`dragnet-fuzz TARGET FILE…`), which traps on the bug.
    @Test("each saved crash input runs through its fuzz target without a crash")
    func replay() throws {
        let root = Fixtures.directory.appendingPathComponent("fuzz")
        let targets = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(targets.contains("cookie"))
        let executable = URL(fileURLWithPath: try Fixtures.dragnetExecutable()).deletingLastPathComponent().appendingPathComponent("dragnet-fuzz").path
        for target in targets {
            let folder = root.appendingPathComponent(target)
            let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { folder.appendingPathComponent($0).path }
            let output = try ProcessRunner.run(executable, [target] + inputs)
            #expect(output.status == 0, "\(target): \(output.stderr.suffix(2000))")
            #expect(output.stdout == "\(target): \(inputs.count) input(s) ran\n")
        }
    }
}

@Suite("No fetch into private networks: the browser")
struct BrowserPrivateNetworkTests {
    @Test("in --mode browser, a page's requests to address literals it may not reach are failed before they are sent; --allow-private lets them go")
    func browserRequests() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let output = try temporaryDirectory().appendingPathComponent("report.json").path
        let common = ["audit", "-q", "--no-history", "--no-policies", "--no-robots", "--connect-to", server.connectToAll, "-k", "--mode", "browser", "--dwell", "0.3",
                      "--output", output]
        let guarded = try dragnet(common + ["https://ssrf.example/"])
        #expect(guarded.status == 0, "\(guarded.stderr)")
        let page = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        let browser = try #require(page["browser"] as? [String: Any])
        #expect((browser["refusedPrivate"] as? [String])?.sorted() == ["127.0.0.2 (loopback)", "::1 (loopback)"])
        #expect(try validateAgainstSchema(output).status == 0)

        let allowed = try dragnet(common + ["--allow-private", "https://ssrf.example/"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let open = try #require((try loadJSON(output)["pages"] as? [[String: Any]])?.first)
        #expect((open["browser"] as? [String: Any])?["refusedPrivate"] as? [String] == [])
    }
}

@Suite("Hostile inputs: names, addresses, YAML bombs and symlink loops")
struct HostileNamesTests {
    @Test("Punycode per RFC 3492's examples and IDN hosts in inputs", arguments: [
        ("bücher", "bcher-kva"), ("例え", "r8jz45g"), ("münchen", "mnchen-3ya"), ("ü", "tda"),
    ])
    func punycode(_ label: String, _ encoded: String) {
        #expect(Punycode.encode(label) == encoded)
    }

    @Test("an IDN host is fetched under its xn-- name; IPv6 literals parse; malformed ones are per-item errors")
    func hosts() throws {
        #expect(IDNA.toASCII("Bücher.Example") == "xn--bcher-kva.example")
        #expect(IDNA.toASCII("www.例え.jp") == "www.xn--r8jz45g.jp")
        #expect(URLInput("https://bücher.example/a?b").url == "https://xn--bcher-kva.example/a?b")
        #expect(URLInput("http://user:pw@bücher.example:8080/").url == "http://user:pw@xn--bcher-kva.example:8080/")
        #expect(URLInput("http://[::1]:8080/x").url == "http://[::1]:8080/x")
        #expect(URLInput("http://[::1/x").url == nil)
        #expect(URLInput("http://[zz::1]/").url == nil)
        // Fetched over loopback under its ASCII name.
        let page = try FixtureSite.url("/page/aclu.html")
        let port = try #require(URLComponents(string: page)?.port)
        let fetched = try dragnet(["fetch", "--connect-to", "::127.0.0.1:\(port)", "http://bücher.example:\(port)/page/aclu.html"])
        #expect(fetched.stdout.contains("\"finalURL\":\"http://xn--bcher-kva.example:\(port)/page/aclu.html\""))
        #expect(fetched.stdout.contains("\"status\":200"))
    }

    /// Nine levels of ten aliases each: 10^9 nodes if anything expanded them.
    static func aliasBomb(key: String, leaf: String) -> String {
        var lines = ["  - &a0 \(leaf)"]
        for level in 1...8 { lines.append("  - &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]") }
        return key + ":\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test("a YAML alias bomb in a rule file and in dragnet.yml is read without expanding it: errors at its lines, the rest loads")
    func aliasBombs() throws {
        let rules = RulePack.load(entities: [], trackers: [("bomb.yml", Self.aliasBomb(key: "trackers", leaf: "{id: x, title: y}"))])
        #expect(!rules.diagnostics.isEmpty)
        #expect(rules.diagnostics.allSatisfy { $0.file == "bomb.yml" })
        let config = CheckConfig(path: "dragnet.yml", text: "targets: [https://a.example/]\n" + Self.aliasBomb(key: "deny", leaf: "{platform: tiktok, reason: x}"))
        #expect(config.targets == ["https://a.example/"])
        #expect(config.deny.count == 1)
        #expect(config.errors.count == 8)
        let (checked, _) = try check("targets: [https://a.example/]\n" + Self.aliasBomb(key: "deny", leaf: "{platform: tiktok, reason: x}"))
        #expect(checked.status == 2)
        #expect(checked.stderr.contains("dragnet.yml:5:"), "\(checked.stderr)")
    }

    @Test("a symlink loop under --input-dir: each page audited once, the walk ends")
    func symlinkLoop() throws {
        let folder = try temporaryDirectory().appendingPathComponent("site")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("sub/loop").path, withDestinationPath: folder.path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("self").path, withDestinationPath: folder.appendingPathComponent("self").path)
        try "<html><body><img src='https://t.example/p.gif'></body></html>".write(to: folder.appendingPathComponent("a.html"), atomically: true, encoding: .utf8)
        let result = try dragnet(["audit", "-q", "--no-history", "--input-dir", folder.path, "--output", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((report["pages"] as? [[String: Any]])?.compactMap { ($0["url"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } == ["a.html"])
    }
}

@Suite("The history database under SIGKILL")
struct HistoryKillTests {
    @Test("SIGKILL in the middle of an audit that writes the history: the database passes its integrity check, keeps the pages that finished, and the next audit writes to it")
    func killed() throws {
        let directory = try temporaryDirectory()
        let history = directory.appendingPathComponent("history.sqlite").path
        let pages = ["aclu.html", "buzzfeed-1.html", "food52.com_food52.html"].map { try? FixtureSite.url("/page/" + $0) }.compactMap { $0 }
        let arguments = ["audit", "-q", "--no-policies", "--history", history, "--out", directory.path, "--timeout", "60", "--low-speed-time", "60"]
            + pages + [try FixtureSite.url("/slow")]
        let killed = try dragnet(arguments) { pid in
            // The three pages finish in well under a second; /slow holds the run open.
            Thread.sleep(forTimeInterval: 2.5)
            kill(pid, SIGKILL)
        }
        #expect(killed.status != 0)
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute('pragma integrity_check').fetchone()[0])
            print(db.execute('select count(*) from run').fetchone()[0])
            print(db.execute('select count(*) from page').fetchone()[0])
            """
        let check = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, history])
        #expect(check.lines.first == "ok", "\(check.stdout)\(check.stderr)")
        #expect(check.lines.dropFirst().first == "1")
        // Pages are committed as they finish: the ones done before the kill are there.
        #expect((check.lines.last.flatMap { Int($0) } ?? 0) >= 1, "\(check.stdout)")
        let shown = try dragnet(["history", "--history", history, "--format", "json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("aclu"))
        // The next audit opens the same database and records its run.
        let next = try dragnet(["audit", "-q", "--no-policies", "--history", history, "--out", directory.path, pages[0]])
        #expect(next.status == 0, "\(next.stderr)")
        let after = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, history])
        #expect(after.lines.prefix(2) == ["ok", "2"])
    }
}
