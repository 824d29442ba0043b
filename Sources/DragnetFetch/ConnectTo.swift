/// Checks `--connect-to` entries in curl's syntax before libcurl sees them: libcurl
/// ignores a malformed entry silently, and a user who mistyped the mapping would then
/// audit the real host instead of the staging one.
public enum ConnectTo {
    /// The reason `entry` is not `HOST:PORT:CONNECT-HOST:CONNECT-PORT`, or nil when it is.
    /// Hosts may be IPv6 literals in brackets; HOST, PORT and CONNECT-HOST may be empty.
    public static func problem(_ entry: String) -> String? {
        switch parse(entry) {
        case .failure(let problem): problem.reason
        case .success: nil
        }
    }

    /// CONNECT-HOST of a valid entry (an IPv6 literal without its brackets); nil when empty or invalid.
    public static func target(_ entry: String) -> String? {
        guard case .success(let fields) = parse(entry) else { return nil }
        var host = fields[2]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return host.isEmpty ? nil : host.lowercased()
    }

    /// The reason a `--resolve` entry is not `HOST:PORT:ADDRESS` (ADDRESS an IPv4 or bracketed IPv6 literal), or nil.
    public static func resolveProblem(_ entry: String) -> String? {
        guard let first = entry.firstIndex(of: ":"), let second = entry[entry.index(after: first)...].firstIndex(of: ":") else {
            return "expected HOST:PORT:ADDRESS"
        }
        let host = entry[..<first]
        let port = entry[entry.index(after: first)..<second]
        let address = String(entry[entry.index(after: second)...])
        if host.isEmpty || host.contains(where: { $0 == "/" || $0 == " " || $0 == "@" }) { return "HOST '\(host)' is not a host name" }
        guard let number = Int(port), (1...65535).contains(number) else { return "PORT '\(port)' is not a port number" }
        guard AddressGuardLists.normalised(address) != nil else { return "ADDRESS '\(address)' is not an IP address" }
        return nil
    }

    struct Problem: Error { var reason: String }

    private static func parse(_ entry: String) -> Result<[Substring], Problem> {
        func problem(_ reason: String) -> Result<[Substring], Problem> { .failure(Problem(reason: reason)) }
        var fields: [Substring] = []
        var rest = Substring(entry)
        for index in 0..<4 {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return problem("an IPv6 address in '[' has no ']'") }
                fields.append(rest[...close])
                rest = rest[rest.index(after: close)...]
                if index < 3 {
                    guard rest.hasPrefix(":") else { return problem("expected ':' after the IPv6 address") }
                    rest = rest.dropFirst()
                }
            } else if index < 3 {
                guard let colon = rest.firstIndex(of: ":") else { return problem("expected HOST:PORT:CONNECT-HOST:CONNECT-PORT (4 fields)") }
                fields.append(rest[..<colon])
                rest = rest[rest.index(after: colon)...]
            } else {
                fields.append(rest)
                rest = ""
            }
        }
        guard rest.isEmpty else { return problem("expected HOST:PORT:CONNECT-HOST:CONNECT-PORT (4 fields)") }
        for (index, name) in [(1, "PORT"), (3, "CONNECT-PORT")] {
            let port = fields[index]
            if port.isEmpty { continue }
            guard let number = Int(port), (1...65535).contains(number) else { return problem("\(name) '\(port)' is not a port number") }
        }
        for (index, name) in [(0, "HOST"), (2, "CONNECT-HOST")] {
            let host = fields[index]
            if host.contains(where: { $0 == "/" || $0 == " " || $0 == "@" }) { return problem("\(name) '\(host)' is not a host name") }
        }
        return .success(fields)
    }
}
