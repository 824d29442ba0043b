import Foundation

/// Real DNS on loopback for tests: dnsmasq (Debian's `dnsmasq-base`, no system service) with
/// the records a test gives, and `Tests/Fixtures/dns-server.py` for the answers dnsmasq will not
/// give (a CNAME loop, a garbage reply, silence). dnsmasq forwards `silent` names to the tiny
/// server, so a timeout is one host's, inside a real server's answers.
public final class DNSFixture: Sendable {
    /// dnsmasq's port and the tiny server's.
    public let port: Int
    public let oddPort: Int
    private let dnsmasq: ChildProcess
    private let odd: ChildProcess

    /// - Parameters:
    ///   - cnames: `(name, target)` pairs (`--cname`; a target may be another cname).
    ///   - hosts: `(name, IPv4)` pairs (`--host-record`).
    ///   - local: domains answered only from these records (NXDOMAIN for other names below them).
    ///   - silentDomain: names below it are forwarded to the tiny server, which never answers.
    public init(cnames: [(String, String)], hosts: [(String, String)], local: [String], silentDomain: String? = nil) throws {
        let executable = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else { throw FixtureError("dnsmasq is not installed (Debian: apt-get install dnsmasq-base; .ci/run installs it)") }
        // The tiny server first: dnsmasq forwards to it.
        let odd = try ChildProcess("python3", [Fixtures.directory.appendingPathComponent("dns-server.py").path])
        let text = odd.firstLine().trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let oddPort = Int(text.dropFirst(5)) else {
            odd.stop()
            throw FixtureError("dns-server.py did not start (printed '\(text)')")
        }
        // dnsmasq also listens on TCP at the same port, which another test's server may hold:
        // a new port, up to three times.
        var started: (ChildProcess, Int)?
        var lastArguments: [String] = []
        for _ in 0..<3 where started == nil {
            let port = try Self.freeUDPPort()
            var arguments = [
                "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--port=\(port)", "--listen-address=127.0.0.1",
                "--bind-interfaces", "--pid-file=", "--user=\(NSUserName())", "--cache-size=0",
            ]
            arguments += hosts.map { "--host-record=\($0.0),\($0.1)" }
            arguments += cnames.map { "--cname=\($0.0),\($0.1)" }
            arguments += local.map { "--local=/\($0)/" }
            if let silentDomain { arguments.append("--server=/\(silentDomain)/127.0.0.1#\(oddPort)") }
            lastArguments = arguments
            let process = try ChildProcess(executable, arguments)
            // Ready when it answers on its port (a few milliseconds).
            Thread.sleep(forTimeInterval: 0.3)
            if process.isRunning { started = (process, port) } else { process.stop() }
        }
        guard let (dnsmasq, port) = started else {
            odd.stop()
            throw FixtureError("dnsmasq exited at start three times: \(lastArguments.joined(separator: " "))")
        }
        self.port = port
        self.oddPort = oddPort
        self.dnsmasq = dnsmasq
        self.odd = odd
    }

    public func stop() {
        dnsmasq.stop()
        odd.stop()
    }

    /// A UDP port free right now on 127.0.0.1.
    static func freeUDPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("no socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw FixtureError("cannot bind a UDP port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
