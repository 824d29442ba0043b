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
