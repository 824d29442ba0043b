import DragnetBuiltInRules
import DragnetCore
import DragnetTestSupport
import Foundation
import Testing

@Suite("The rule pack built into the binary")
struct BuiltInRulesTests {
    @Test("is in step with rules/ (run scripts/generate-builtin-rules.py after changing rules/)")
    func inStep() throws {
        let directory = Fixtures.rulesDirectory
        let fileManager = FileManager.default
        var paths: [String] = []
        let enumerator = try #require(fileManager.enumerator(atPath: directory))
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { paths.append(path) }
        }
        paths.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var bytes: [UInt8] = []
        for path in paths { bytes += Array(path.utf8) + [0] + [UInt8](fileManager.contents(atPath: directory + "/" + path)!) + [0] }
        #expect(BuiltInRules.fileCount == paths.count)
        #expect(BuiltInRules.files.map(\.path) == paths)
        #expect(SHA256.hex(bytes) == BuiltInRules.digest, "rules/ changed: run python3 scripts/generate-builtin-rules.py")

        // The demo site too.
        let demo = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/demo").path
        for (path, base64) in BuiltInDemo.files {
            #expect(fileManager.contents(atPath: demo + "/" + path) == Data(base64Encoded: base64), "examples/demo/\(path) changed: run the generator")
        }
        var demoFiles: [String] = []
        for path in try fileManager.subpathsOfDirectory(atPath: demo) {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: demo + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { demoFiles.append(path) }
        }
        #expect(Set(demoFiles) == Set(BuiltInDemo.files.map(\.path)))
    }

    @Test("a dragnet binary copied alone and run from / uses the built-in pack and still finds TikTok")
    func lonelyBinary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("dragnet").path
        // Copied by cp, not in this process: a write descriptor held here while another test's
        // posix_spawn clones the process makes the copy unexecutable ("text file busy", exit 126).
        #expect(try ProcessRunner.run("/bin/cp", [try Fixtures.dragnetExecutable(), binary]).status == 0)
        let page = folder.appendingPathComponent("shop.html").path
        try """
            <html><head><script>!function(w,d,t){w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.load('C4ALONE1234567890ABC');ttq.page();}(window,document,'ttq');</script></head>
            <body><form action="/join"><input type="email" name="email"></form></body></html>
            """.write(toFile: page, atomically: true, encoding: .utf8)
        let environment = ["DRAGNET_RULES": "", "XDG_CACHE_HOME": folder.appendingPathComponent("cache").path, "DRAGNET_HISTORY": folder.appendingPathComponent("h.sqlite").path]
        let version = try ProcessRunner.run("/bin/sh", ["-c", "cd / && exec \"$0\" version", binary], environment: environment)
        #expect(version.status == 0)
        #expect(version.stdout.contains("rules: built-in (\(BuiltInRules.fileCount) files, sha256 \(BuiltInRules.digest))"))
        let audit = try ProcessRunner.run(
            "/bin/sh", ["-c", "cd / && exec \"$0\" audit -q --no-containers --output - --base-url https://shop.example/ \"$1\"", binary, page], environment: environment)
        #expect(audit.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let findings = ((report["pages"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]]) ?? []
        #expect(findings.contains { $0["rule"] as? String == "tiktok-pixel" && $0["accountId"] as? String == "C4ALONE1234567890ABC" })
        #expect(findings.contains { $0["rule"] as? String == "tiktok-automatic-advanced-matching" })

        // The offline demo, from the copy built into the binary.
        let out = folder.appendingPathComponent("demo").path
        let demo = try ProcessRunner.run("/bin/sh", ["-c", "cd / && exec \"$0\" demo --out \"$1\"", binary, out], environment: environment)
        #expect(demo.status == 0)
        #expect(demo.stderr.contains("TikTok on 1 of 1 page, 1 with contact data"))
        let lines = demo.stderr.split(separator: "\n").map(String.init)
        #expect(lines.drop { $0 != "Reports:" }.dropFirst().first?.hasSuffix(".html") == true)
        let json = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".json") })
        let demoPage = try #require(((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/" + json))) as? [String: Any])?["pages"] as? [[String: Any]])?.first)
        let demoFindings = demoPage["findings"] as? [[String: Any]] ?? []
        #expect(demoFindings.contains { $0["rule"] as? String == "tiktok-pixel" && $0["accountId"] as? String == "CDEMO0TIKTOK0PIXEL01" })
        #expect(demoFindings.contains { $0["rule"] as? String == "tiktok-automatic-advanced-matching" && (($0["data"] as? [String]) ?? []).contains("contact-data") })
        #expect(demoFindings.contains { $0["rule"] as? String == "policy-undisclosed-recipient" && $0["platform"] as? String == "tiktok" })
        #expect(demoFindings.contains { $0["rule"] as? String == "google-ads-conversion" && ($0["via"] as? [String: Any])?["container"] as? String == "GTM-DEMO001" })
    }
}
