import ArgumentParser
import DragnetBuiltInRules
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Audit the built-in demo shop offline: TikTok, Meta and X pixels, a tag-manager container and a policy that leaves TikTok out.",
        discussion: """
            Serves the demo site (examples/demo, built into the binary) on 127.0.0.1 and audits it as \
            http://shop.dragnet-demo.test/ with --connect-to, so nothing leaves the machine. \
            Writes JSON, Markdown and HTML reports to --out and prints the run summary.
            """
    )

    @Option(help: "Folder for the reports.")
    var out: String = "reports/demo"

    @Flag(help: "Open the HTML report (xdg-open) when done.")
    var open = false

    @Flag(name: .shortAndLong, help: "Only errors on stderr.")
    var quiet = false

    func run() async throws {
        let server = try DemoServer(files: BuiltInDemo.files.compactMap { item in Data(base64Encoded: item.base64).map { (item.path, [UInt8]($0)) } })
        defer { server.stop() }
        let host = "shop.dragnet-demo.test"
        var arguments = [
            "--connect-to", "\(host):80:127.0.0.1:\(server.port)", "--out", out, "--format", "json,md,html", "--no-history",
            "--containers-cache", (NSTemporaryDirectory() as NSString).appendingPathComponent("dragnet-demo-containers-\(getpid())"),
            "--containers-max-age", "0", "--retries", "0", "--no-dns",
        ]
        if quiet { arguments.append("--quiet") }
        arguments.append("http://\(host)/")
        let audit = try AuditCommand.parse(arguments)
        try await audit.run()
        if open, let html = try? FileManager.default.contentsOfDirectory(atPath: out).filter({ $0.hasSuffix(".html") }).sorted().last {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["xdg-open", (out as NSString).appendingPathComponent(html)]
            try? process.run()
        }
    }
}

/// A static HTTP/1.1 server on 127.0.0.1 for the demo: GET only, `Connection: close`, a path
/// maps to a file (`/` and folders to `index.html`; the query is ignored). One thread per connection.
final class DemoServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let files: [String: [UInt8]]
    private let lock = NSLock()
    private var stopped = false

    init(files: [(String, [UInt8])]) throws {
        self.files = Dictionary(files, uniquingKeysWith: { first, _ in first })
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UsageError(description: "demo: cannot open a socket (errno \(errno))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw UsageError(description: "demo: cannot listen on 127.0.0.1 (errno \(errno))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        Thread { [self] in accept() }.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func accept() {
        while true {
            let client = Glibc.accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                continue
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 65536, !request.ends(with: [13, 10, 13, 10]) {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            request += buffer[0..<count]
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
        var status = "404 Not Found"
        var body = Array("not found\n".utf8)
        var type = "text/plain"
        if line.count >= 2, line[0] == "GET" {
            var path = String(line[1].prefix { $0 != "?" && $0 != "#" }.dropFirst())
            if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
            if let file = files[path] {
                status = "200 OK"
                body = file
                type = path.hasSuffix(".html") ? "text/html; charset=utf-8" : path.hasSuffix(".js") ? "application/javascript" : "application/octet-stream"
            }
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
