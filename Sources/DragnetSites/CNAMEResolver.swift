import CResolv
public import DragnetCore
import Foundation
import Synchronization

/// Resolves CNAME chains through glibc's resolver, each host once per run (concurrent asks for
/// one host share the query). Queries run on a dispatch queue: `res_nquery` blocks.
public final class CNAMEResolver: Sendable {
    public let server: String?
    public let port: Int
    public let timeout: Int
    private let cache = Locked<[String: Task<CNAMEChain, Never>]>([:])

    /// `server` is `IP` or `IP:PORT` (IPv4); nil asks the system's resolvers (/etc/resolv.conf).
    public init(server: String? = nil, timeout: Int = 2) throws(CNAMEResolverError) {
        self.timeout = max(1, timeout)
        guard let server else {
            self.server = nil
            port = 53
            return
        }
        let parts = server.split(separator: ":", maxSplits: 1).map(String.init)
        var address = in_addr()
        guard let host = parts.first, inet_pton(AF_INET, host, &address) == 1 else {
            throw CNAMEResolverError("--dns-server must be an IPv4 address, optionally with :PORT: '\(server)'")
        }
        let port = parts.count == 2 ? Int(parts[1]) : 53
        guard let port, (1...65_535).contains(port) else { throw CNAMEResolverError("--dns-server has a bad port: '\(server)'") }
        self.server = host
        self.port = port
    }

    public func chain(_ host: String) async -> CNAMEChain {
        let key = host.lowercased()
        let task = cache.withLock { cache in
            if let task = cache[key] { return task }
            let task = Task { await self.query(key) }
            cache[key] = task
            return task
        }
        return await task.value
    }

    private func query(_ host: String) async -> CNAMEChain {
        let server = self.server
        let port = Int32(self.port)
        let timeout = Int32(self.timeout)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [CChar](repeating: 0, count: 4_096)
                let count = buffer.withUnsafeMutableBufferPointer { out in
                    if let server {
                        return dragnet_cname_chain(host, server, port, timeout, out.baseAddress, Int32(out.count))
                    }
                    return dragnet_cname_chain(host, nil, 0, timeout, out.baseAddress, Int32(out.count))
                }
                continuation.resume(returning: Self.result(host, count: count, buffer: buffer))
            }
        }
    }

    static func result(_ host: String, count: Int32, buffer: [CChar]) -> CNAMEChain {
        switch count {
        case Int32(DRAGNET_DNS_NXDOMAIN): return CNAMEChain(host: host, chain: [], error: "nxdomain")
        case Int32(DRAGNET_DNS_TIMEOUT): return CNAMEChain(host: host, chain: [], error: "timeout")
        case Int32(DRAGNET_DNS_MALFORMED): return CNAMEChain(host: host, chain: [], error: "malformed answer")
        case Int32(DRAGNET_DNS_LOOP): return CNAMEChain(host: host, chain: [], error: "CNAME loop")
        case ..<0: return CNAMEChain(host: host, chain: [], error: "resolver error")
        default:
            let bytes = buffer.map { UInt8(bitPattern: $0) }
            let names = bytes.split(separator: 0, omittingEmptySubsequences: true).prefix(Int(count)).map { String(decoding: $0, as: UTF8.self).lowercased() }
            return CNAMEChain(host: host, chain: names)
        }
    }
}

public struct CNAMEResolverError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
