public import DragnetContainers
import DragnetCore
public import DragnetFetch
public import DragnetRules
#if canImport(Glibc)
import Glibc
#endif
public import Foundation

/// A container as one run read it: where it came from, and what it holds.
public struct LoadedContainer: Sendable {
    public var reference: ContainerReference
    /// `network`, `cache` (fresh on disk), `stale-cache` (the network failed; an older copy was used), or nil when unread.
    public var source: String?
    public var fetchedAt: Date?
    public var status: Int?
    /// Why it could not be read (fetch or parse), when it could not.
    public var error: String?
    public var warnings: [String] = []
    public var version: String?
    public var size: Int = 0
    public var mapped = ContainerMapper.Mapped()

    public var readable: Bool { error == nil }

    public init(reference: ContainerReference) {
        self.reference = reference
    }
}

/// Settings of the container stage.
public struct ContainerOptions: Sendable {
    /// Folder for cached containers; nil keeps nothing on disk.
    public var cacheDirectory: String?
    /// A cached copy younger than this is used without fetching (seconds).
    public var maxAge: Double = 86_400
    /// Largest container read (real ones are 100 kB – 1 MB).
    public var maxBytes = 8 * 1024 * 1024

    public init() {}

    /// `$XDG_CACHE_HOME/dragnet/containers`, else `~/.cache/dragnet/containers`.
    public static var defaultCacheDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        return (base as NSString).appendingPathComponent("dragnet/containers")
    }
}

/// Fetches each container once per run (shared by every page that loads it), with its own
/// fetch session, through an on-disk cache; reads and maps it once. Pages wait for it
/// without holding an extraction slot.
public actor ContainerFetcher {
    private let session: FetchSession
    private nonisolated let options: ContainerOptions
    private nonisolated let rules: RulePack
    private var waiting: [Int: CheckedContinuation<FetchResult, Never>] = [:]
    private var nextID = 0
    private var byURL: [String: Task<LoadedContainer, Never>] = [:]
    /// Cache writes in flight, off the actor; `finish()` waits for them.
    private var writes: [Task<Void, Never>] = []
    /// Container fetches that went to the network, for the run summary.
    public private(set) var networkFetches = 0

    public init(fetch: FetchOptions, options: ContainerOptions, rules: RulePack) throws(FetchError) {
        var fetch = fetch
        fetch.keepBody = true
        fetch.maxBytes = min(fetch.maxBytes, options.maxBytes)
        session = try FetchSession(options: fetch)
        self.options = options
        self.rules = rules
    }

    public func start() {
        let session = self.session
        Task {
            for await result in session.results { self.deliver(result) }
        }
    }

    private func deliver(_ result: FetchResult) {
        waiting.removeValue(forKey: result.id)?.resume(returning: result)
    }

    /// The container behind `reference`, read once per URL.
    public func load(_ reference: ContainerReference) async -> LoadedContainer {
        if let task = byURL[reference.url] {
            var loaded = await task.value
            loaded.reference = reference
            return loaded
        }
        let task = Task { await self.read(reference) }
        byURL[reference.url] = task
        return await task.value
    }

    /// Runs off the actor: reading the cache and parsing (7 ms for a 500 kB container) must
    /// not hold up the other containers' fetches.
    private nonisolated func read(_ reference: ContainerReference) async -> LoadedContainer {
        var loaded = LoadedContainer(reference: reference)
        let cache = options.cacheDirectory.map { ContainerCache(directory: $0) }
        var body: [UInt8]?
        if let cached = cache?.read(reference.url), Date().timeIntervalSince(cached.fetchedAt) < options.maxAge {
            body = cached.body
            loaded.source = "cache"
            loaded.fetchedAt = cached.fetchedAt
            loaded.status = 200
        } else {
            let result = await fetch(reference.url)
            loaded.status = result.status
            var problem: String?
            if let error = result.error {
                problem = "\(error.code.rawValue): \(error.message)"
            } else if let status = result.status, !(200..<300).contains(status) {
                problem = "HTTP \(status)"
            } else {
                body = result.body
                loaded.source = "network"
                loaded.fetchedAt = Date()
                if let cache {
                    let (body, fetchedAt) = (result.body, loaded.fetchedAt!)
                    await remember(Task.detached(priority: .utility) { cache.write(reference.url, body: body, fetchedAt: fetchedAt) })
                }
            }
            if let problem {
                if let stale = cache?.read(reference.url) {
                    body = stale.body
                    loaded.source = "stale-cache"
                    loaded.fetchedAt = stale.fetchedAt
                    loaded.warnings.append("fetching failed (\(problem)); used the copy cached at \(ContainerCache.stamp(stale.fetchedAt))")
                } else {
                    loaded.error = problem
                    return loaded
                }
            }
        }
        guard let body else { return loaded }
        loaded.size = body.count
        Self.parse(body, into: &loaded, rules: rules)
        return loaded
    }

    /// Reads and maps a container body (also for `dragnet container FILE`).
    public static func parse(_ body: [UInt8], into loaded: inout LoadedContainer, rules: RulePack) {
        let reference = loaded.reference
        do {
            switch reference.kind {
            case .gtm, .gtag:
                let container = try GTMContainer.parse(
                    body, id: reference.id, consentEvents: rules.containers.consentEvents, consentVariables: rules.containers.consentVariables)
                loaded.version = container.version
                loaded.warnings += container.warnings
                loaded.mapped = ContainerMapper.map(container, name: reference.name, url: reference.url, rules: rules)
            case .segment:
                let settings = try SegmentSettings.parse(body, writeKey: reference.id) { name in
                    rules.containers.segmentDestination(named: name)?.cloudOnly ?? false
                }
                loaded.warnings += settings.warnings
                loaded.mapped = ContainerMapper.map(settings, name: reference.name, url: reference.url, rules: rules)
                for tag in loaded.mapped.tags where tag.status == "unknown" {
                    loaded.warnings.append("unknown Segment destination '\(tag.function)': not attributed")
                }
            }
        } catch {
            loaded.error = error.message
        }
    }

    private func remember(_ write: Task<Void, Never>) { writes.append(write) }

    private func fetch(_ url: String) async -> FetchResult {
        networkFetches += 1
        let id = nextID
        nextID += 1
        return await withCheckedContinuation { continuation in
            waiting[id] = continuation
            session.submit(id: id, input: URLInput(url))
        }
    }

    public func finish() async {
        session.finish()
        for write in writes { await write.value }
        writes = []
    }
    public func cancel() { session.cancel() }
}

/// Containers on disk: `<sha256 of URL>.body` and `.meta` (URL and fetch time), written atomically.
struct ContainerCache: Sendable {
    let directory: String

    func paths(_ url: String) -> (body: String, meta: String) {
        let key = SHA256.hex(url)
        let base = (directory as NSString).appendingPathComponent(key)
        return (base + ".body", base + ".meta")
    }

    func read(_ url: String) -> (body: [UInt8], fetchedAt: Date)? {
        let paths = paths(url)
        guard let meta = FileManager.default.contents(atPath: paths.meta), let body = FileManager.default.contents(atPath: paths.body),
            let root = try? JSONValue.parse([UInt8](meta)), root["url"]?.stringValue == url, let time = root["fetchedAt"]?.intValue
        else { return nil }
        return ([UInt8](body), Date(timeIntervalSince1970: Double(time)))
    }

    /// Written to a temporary name and renamed into place (atomic for readers, no fsync: a
    /// cache entry lost in a power cut is fetched again). Foundation's `.atomic` write
    /// synced every file and made a cold run 25% slower on 165 containers.
    func write(_ url: String, body: [UInt8], fetchedAt: Date) {
        let paths = paths(url)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let meta = JSONValue.object([("url", .string(url)), ("fetchedAt", .int(Int(fetchedAt.timeIntervalSince1970)))])
        for (path, bytes) in [(paths.body, body), (paths.meta, meta.bytes)] {
            AtomicFile.write(bytes, to: path, durable: false)
        }
    }

    static func stamp(_ date: Date) -> String { date.formatted(.iso8601) }
}
