import DragnetTestSupport
import Foundation
import Testing

/// Runs the real `dragnet` binary.
func dragnet(_ arguments: [String], stdin: String = "") throws -> ProcessOutput {
    try ProcessRunner.run(try Fixtures.dragnetExecutable(), arguments, stdin: stdin)
}

/// The NDJSON lines of `output`, parsed.
func records(_ output: ProcessOutput) throws -> [[String: Any]] {
    try output.lines.map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
}

func temporaryFile(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-\(UUID().uuidString).txt").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("dragnet fetch, end to end")
struct FetchCLITests {
    @Test("junk lines and file:///etc/passwd are reported by line; the rest is fetched")
    func junkLines() throws {
        let list = try temporaryFile("""
            # fixture list
            \(try FixtureSite.url("/status/404"))

            file:///etc/passwd
            not a url at all
            javascript:alert(1)
            \(try FixtureSite.url("/landwirt"))
            """)
        let output = try dragnet(["fetch", "--ordered", "--quiet", list])
        #expect(output.status == 0)
        let rows = try records(output)
        #expect(rows.map { $0["line"] as? Int } == [2, 4, 5, 6, 7])
        #expect(rows.map { ($0["error"] as? [String: Any])?["code"] as? String } == [nil, "unsupported-scheme", "invalid-url", "unsupported-scheme", nil])
        #expect(rows.map { $0["status"] as? Int } == [404, nil, nil, nil, 200])
        #expect(rows[1]["url"] as? String == "file:///etc/passwd")
        #expect((rows[1]["error"] as? [String: Any])?["message"] as? String == "line 4: unsupported scheme 'file': only http and https are fetched")
        #expect(rows[1]["bytes"] as? Int == 0)
        #expect(!output.stdout.contains("root:x:0:0"))
        #expect(rows.allSatisfy { $0["source"] as? String == list })
        #expect(output.stderr.isEmpty)
    }

    @Test("stdin input, and exit code 3 when every URL failed")
    func allFailed() throws {
        let port = try FixtureServer.refusedPort()
        let output = try dragnet(["fetch", "-q", "-"], stdin: "http://127.0.0.1:\(port)/\nftp://example.com/\n")
        #expect(output.status == 3)
        let codes = try records(output).map { ($0["error"] as? [String: Any])?["code"] as? String }
        #expect(Set(codes) == ["connect", "unsupported-scheme"])
    }

    @Test("usage errors exit 2", arguments: [["fetch"], ["fetch", "--concurrency", "0", "x.example"], ["fetch", "--bogus"]])
    func usage(arguments: [String]) throws {
        let output = try dragnet(arguments)
        #expect(output.status == 2)
        #expect(output.stdout.isEmpty)
        #expect(!output.stderr.isEmpty)
    }

    @Test("a gzip bomb ends in too-large while the process stays under 200 MB")
    func gzipBomb() throws {
        let output = try ProcessRunner.run(try Fixtures.dragnetExecutable(), ["fetch", "-q", try FixtureSite.url("/bomb")], isolatedRSS: true)
        let row = try #require(try records(output).first)
        #expect((row["error"] as? [String: Any])?["code"] as? String == "too-large")
        #expect(output.status == 3)
        #expect(output.maxRSSKiB > 0)
        #expect(output.maxRSSKiB < 200 * 1024)
    }

    @Test("cookie values only with --include-cookie-values; body only with --include-body")
    func privacyFlags() throws {
        let url = try FixtureSite.url("/cookies")
        let plain = try dragnet(["fetch", "-q", url])
        #expect(!plain.stdout.contains("secret-value"))
        #expect(!plain.stdout.contains("\"body\""))
        let revealing = try dragnet(["fetch", "-q", "--include-cookie-values", "--include-body", url])
        let row = try #require(try records(revealing).first)
        let cookies = try #require(row["cookies"] as? [[String: Any]])
        #expect(cookies.first?["value"] as? String == "secret-value")
        #expect(row["body"] as? String == "<html><body>cookies</body></html>")
    }

    @Test("the default User-Agent names Dragnet; --user-agent replaces it")
    func userAgent() throws {
        let url = try FixtureSite.url("/echo-ua")
        let custom = try dragnet(["fetch", "-q", "--user-agent", "AuditBot/9", "--include-body", url])
        #expect(try records(custom).first?["body"] as? String == "AuditBot/9")
        let standard = try dragnet(["fetch", "-q", "--include-body", url])
        let agent = try #require(try records(standard).first?["body"] as? String)
        #expect(agent.hasPrefix("dragnet/0.1.0 (+https://"))
    }
}

@Suite("--connect-to and --insecure")
struct ConnectToTests {
    @Test("a host is fetched under its own name from the loopback HTTPS server only with --connect-to and --insecure")
    func connectTo() throws {
        let server = try HTTPSFixtureServer.shared.get()
        let url = "https://staging.example/"
        let mapped = try records(try dragnet(["fetch", "-q", "--include-body", "--connect-to", "staging.example:443:127.0.0.1:\(server.port)", "-k", url]))
        #expect(mapped.first?["status"] as? Int == 200)
        #expect(mapped.first?["remoteIP"] as? String == "127.0.0.1")
        #expect((mapped.first?["body"] as? String)?.contains("<title>Staging home</title>") == true)
        #expect(server.requests().contains("staging.example /"))

        // Without --insecure the self-signed certificate is refused: a per-URL `tls` error.
        let strict = try records(try dragnet(["fetch", "-q", "--connect-to", server.connectToAll, url]))
        #expect((strict.first?["error"] as? [String: Any])?["code"] as? String == "tls")
    }

    @Test("malformed --connect-to entries are usage errors that say why", arguments: [
        ("a:b", "4 fields"), ("host:99999:127.0.0.1:1", "not a port number"), ("[::1:443:x:1", "no ']'"),
    ])
    func malformed(entry: String, reason: String) throws {
        let output = try dragnet(["fetch", "--connect-to", entry, "https://staging.example/"])
        #expect(output.status == 2)
        #expect(output.stderr.contains(reason))
    }
}
