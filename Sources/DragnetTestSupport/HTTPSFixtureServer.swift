import Foundation

/// The loopback HTTPS fixture server (`Tests/Fixtures/https-server.py`): serves
/// `ROOT/<host>/<path>` for every host over TLS with the test-only certificate, so the
/// fetcher (with `--connect-to ::127.0.0.1:PORT --insecure`) or Chromium (with
/// `--host-resolver-rules`) load pages, containers and pixels under their real names.
/// The server exits when this object's pipe to its stdin closes (`stop()` or process exit).
public final class HTTPSFixtureServer: Sendable {
    public let port: Int
    /// Every request as `host path?query`, in arrival order (from `--log`).
    public let logPath: String
    private let process: ChildProcess

    /// - Parameters:
    ///   - root: the folder served (`ROOT/<host>/<path>`, a query as `<path>@<query>`).
    ///   - plain: plain HTTP instead of TLS (a TLS client meets a handshake error).
    ///   - slow: seconds a request naming `SLOW` waits before its answer.
    ///   - generateGTM: a container file served for any `gtm.js?id=GTM-…` without a file of its own.
    ///   - certificate: the certificate's file stem in Tests/Fixtures/tls (`cert`, or `brand` for brand-cert.pem).
    public init(root: String, plain: Bool = false, slow: Double = 20, generateGTM: String? = nil, certificate: String = "cert") throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("dragnet-https-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let tls = Fixtures.directory.appendingPathComponent("tls")
        var arguments = [
            Fixtures.directory.appendingPathComponent("https-server.py").path, root,
            "--cert", tls.appendingPathComponent("\(certificate == "cert" ? "cert" : certificate + "-cert").pem").path,
            "--key", tls.appendingPathComponent("\(certificate == "cert" ? "key" : certificate + "-key").pem").path,
            "--log", log, "--slow", String(slow),
        ]
        if plain { arguments.append("--plain") }
        if let generateGTM { arguments += ["--generate-gtm", generateGTM] }
        let process = try ChildProcess("python3", arguments)
        // The first line is "PORT <n>".
        let text = process.firstLine().trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.stop()
            throw FixtureError("https-server.py did not start (printed '\(text)'); is python3 installed?")
        }
        self.port = port
        self.logPath = log
        self.process = process
    }

    /// `--connect-to` entry that sends every host and port here.
    public var connectToAll: String { "::127.0.0.1:\(port)" }

    /// The requests served so far, as `host path?query`.
    public func requests() -> [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

extension HTTPSFixtureServer {
    /// One server for `Tests/Fixtures/https-site`, started on first use.
    public static let shared: Result<HTTPSFixtureServer, any Error> = Result {
        try HTTPSFixtureServer(root: Fixtures.directory.appendingPathComponent("https-site").path, slow: 15)
    }
}
