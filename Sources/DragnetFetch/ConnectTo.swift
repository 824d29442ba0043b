/// Checks `--connect-to` entries in curl's syntax before libcurl sees them: libcurl
/// ignores a malformed entry silently, and a user who mistyped the mapping would then
/// audit the real host instead of the staging one.
public enum ConnectTo {
    /// The reason `entry` is not `HOST:PORT:CONNECT-HOST:CONNECT-PORT`, or nil when it is.
    /// Hosts may be IPv6 literals in brackets; HOST, PORT and CONNECT-HOST may be empty.
    public static func problem(_ entry: String) -> String? {
        var fields: [Substring] = []
        var rest = Substring(entry)
        for index in 0..<4 {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return "an IPv6 address in '[' has no ']'" }
                fields.append(rest[...close])
                rest = rest[rest.index(after: close)...]
                if index < 3 {
                    guard rest.hasPrefix(":") else { return "expected ':' after the IPv6 address" }
                    rest = rest.dropFirst()
                }
            } else if index < 3 {
                guard let colon = rest.firstIndex(of: ":") else { return "expected HOST:PORT:CONNECT-HOST:CONNECT-PORT (4 fields)" }
                fields.append(rest[..<colon])
                rest = rest[rest.index(after: colon)...]
            } else {
                fields.append(rest)
                rest = ""
            }
        }
        guard rest.isEmpty else { return "expected HOST:PORT:CONNECT-HOST:CONNECT-PORT (4 fields)" }
        for (index, name) in [(1, "PORT"), (3, "CONNECT-PORT")] {
            let port = fields[index]
            if port.isEmpty { continue }
            guard let number = Int(port), (1...65535).contains(number) else { return "\(name) '\(port)' is not a port number" }
        }
        for (index, name) in [(0, "HOST"), (2, "CONNECT-HOST")] {
            let host = fields[index]
            if host.contains(where: { $0 == "/" || $0 == " " || $0 == "@" }) { return "\(name) '\(host)' is not a host name" }
        }
        return nil
    }
}
