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
    }

    @Test("a dragnet binary copied alone and run from / uses the built-in pack and still finds TikTok")
    func lonelyBinary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("dragnet").path
        try FileManager.default.copyItem(atPath: try Fixtures.dragnetExecutable(), toPath: binary)
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
    }
}
