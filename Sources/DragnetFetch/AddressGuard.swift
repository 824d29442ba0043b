import CCurl
import DragnetCore
#if canImport(Glibc)
import Glibc
#endif

/// No fetch into private networks: what a transfer may connect to, checked by libcurl's
/// opensocket callback (`dragnet_curl_set_address_guard`) on the address it actually connects
/// to, after DNS, for the first request and every redirect.
public enum AddressGuard {
    /// The kind of a non-public address literal ("loopback", "private", "link-local" …), nil
    /// for a public address or a name.
    public static func kind(of host: String) -> String? {
        var literal = host
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { dragnet_address_kind(AF_INET, $0.bindMemory(to: UInt8.self).baseAddress).map { String(cString: $0) } }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { dragnet_address_kind(AF_INET6, $0.bindMemory(to: UInt8.self).baseAddress).map { String(cString: $0) } }
        }
        return nil
    }
}

/// The C strings one transfer loop's guards point at, alive as long as the loop.
final class AddressGuardLists: @unchecked Sendable {
    let allowPrivate: Bool
    let hosts: UnsafeMutablePointer<CChar>?
    let addresses: UnsafeMutablePointer<CChar>?

    init(options: FetchOptions) {
        allowPrivate = options.allowPrivateAddresses
        hosts = options.privateHostsNamed.isEmpty ? nil : strdup("\n" + options.privateHostsNamed.sorted().joined(separator: "\n") + "\n")
        // --connect-to targets are named by the user: their addresses are always reachable.
        var targets: Set<String> = []
        for entry in options.connectTo {
            guard let target = ConnectTo.target(entry) else { continue }
            if target == "localhost" {
                targets.formUnion(["127.0.0.1", "::1"])
            } else if let normalised = Self.normalised(target) {
                targets.insert(normalised)
            }
        }
        addresses = targets.isEmpty ? nil : strdup("\n" + targets.sorted().joined(separator: "\n") + "\n")
    }

    deinit {
        free(hosts)
        free(addresses)
    }

    /// An address literal as inet_ntop writes it (so "::0001" matches "::1"); nil for a name.
    static func normalised(_ text: String) -> String? {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var buffer = [CChar](repeating: 0, count: 64)
        var v4 = in_addr()
        func written() -> String { String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        if inet_pton(AF_INET, literal, &v4) == 1, inet_ntop(AF_INET, &v4, &buffer, 64) != nil { return written() }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1, inet_ntop(AF_INET6, &v6, &buffer, 64) != nil { return written() }
        return nil
    }
}
