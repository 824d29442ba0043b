public import Foundation

/// Files under `Tests/Fixtures/` (copied from ../shared/corpus; see its README for licences).
public enum Fixtures {
    /// The `Tests/Fixtures` folder of this checkout.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DragnetTestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Tests/Fixtures")

    /// The repository's own `rules/` folder.
    public static let rulesDirectory: String = directory
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("rules").path

    /// The bytes of `Tests/Fixtures/<path>`.
    public static func bytes(_ path: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError("missing fixture \(url.path)")
        }
        return [UInt8](data)
    }

    /// The `dragnet` executable built next to the test bundle.
    public static func dragnetExecutable() throws -> String {
        var candidates: [URL] = []
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("dragnet"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("dragnet"))
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(argv0.appendingPathComponent("dragnet"))
        candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("dragnet"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        throw FixtureError("dragnet executable not found near \(bundle.path)")
    }
}
