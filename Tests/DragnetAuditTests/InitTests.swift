import DragnetCheck
import DragnetTestSupport
import Foundation
import Testing

@Suite("dragnet init")
struct InitTests {
    @Test("writes a starter that dragnet check reads without errors; refuses to overwrite without --force")
    func initTwice() throws {
        let directory = try temporaryDirectory()
        let config = directory.appendingPathComponent("dragnet.yml").path
        let first = try dragnet(["init", "--config", config, "--target", "https://shop.example/"])
        #expect(first.status == 0)
        let parsed = CheckConfig(path: config)
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.targets == ["https://shop.example/"])
        #expect(parsed.deny.count == 3)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(text.contains("flow: {data: contact-data, to: tiktok}"))

        try "targets: [https://mine.example/]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let second = try dragnet(["init", "--config", config])
        #expect(second.status == 2)
        #expect(second.stderr.contains("already exists; pass --force"))
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "targets: [https://mine.example/]\n")
        let forced = try dragnet(["init", "--config", config, "--force"])
        #expect(forced.status == 0)
        #expect(CheckConfig(path: config).targets == ["https://www.example.com/"])
    }
}

@Suite("A newcomer's first run")
struct FirstRunTests {
    @Test("offline, the end of scripts/setup.sh audits the demo and its last line names the HTML report")
    func offline() throws {
        let directory = try temporaryDirectory()
        let script = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/first-run.sh").path
        let output = try ProcessRunner.run(
            "/bin/bash", [script, try Fixtures.dragnetExecutable()],
            environment: ["DRAGNET_OFFLINE": "1", "DRAGNET_DEMO_OUT": directory.path, "DRAGNET_HISTORY": testHistory])
        #expect(output.status == 0)
        let last = try #require(output.stdout.split(separator: "\n").last.map(String.init))
        #expect(last.hasPrefix("Open the demo report: \(directory.path)/dragnet-") && last.hasSuffix(".html"))
        #expect(FileManager.default.fileExists(atPath: String(last.dropFirst("Open the demo report: ".count))))
        #expect(output.stdout.contains("No network here, so examples/urls.txt was not audited"))
        #expect(output.stderr.contains("TikTok on 1 of 1 page, 1 with contact data"))
    }
}
