import ArgumentParser
import DragnetAudit
import DragnetCore
import DragnetFetch
import Foundation

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch URLs and print one JSON object per URL (NDJSON).",
        discussion: """
            Each INPUT is a URL, a bare host (example.com means https://example.com/), \
            a file with one URL per line (# comments and blank lines skipped), or - for stdin. \
            Results stream out as transfers complete; --ordered prints them in input order. \
            Exit codes: 0 when at least one URL was fetched, 3 when every URL failed, 2 for usage errors.
            """
    )

    @Argument(help: "URLs, files of URLs, or - for stdin.")
    var inputs: [String] = []

    @OptionGroup var fetch: FetchFlags

    @Flag(help: "Print results in input order instead of as they complete.")
    var ordered = false

    @Flag(help: "Include the body in each JSON object (`body`, or `bodyBase64` when it is not UTF-8).")
    var includeBody = false

    @Flag(name: .shortAndLong, help: "No progress on stderr.")
    var quiet = false

    func run() async throws {
        let items: [URLInput]
        let sources: [String?]
        do {
            let loaded = try AuditInputs.load(arguments: inputs, directories: [], baseURL: nil, savedPages: false)
            (items, sources) = (loaded.compactMap(\.urlInput), loaded.map(\.source))
        } catch {
            FileHandle.standardError.write(Data("dragnet fetch: \(error)\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }

        var options = fetch.options()
        options.keepBody = includeBody
        options.allowPrivateHostsNamed(in: items.compactMap(\.url))
        let results = try Fetcher(options: options).fetch(items)
        let output = NDJSONWriter(includeBody: includeBody, sources: sources)
        let progress = Progress(total: items.count, enabled: !quiet)
        var succeeded = 0
        var pending: [Int: FetchResult] = [:]
        var nextID = 0

        for await result in results {
            if result.succeeded { succeeded += 1 }
            progress.record(failed: !result.succeeded)
            if ordered {
                pending[result.id] = result
                while let next = pending.removeValue(forKey: nextID) {
                    output.write(next)
                    nextID += 1
                }
            } else {
                output.write(result)
            }
        }
        progress.finish()
        if succeeded == 0 { throw ExitCode(ExitStatus.allFailed) }
    }
}

/// Options shared by every command that fetches.
struct FetchFlags: ParsableArguments {
    @Option(help: "Transfers in flight at once.")
    var concurrency = 32

    @Option(help: "Transfers in flight to one host at once.")
    var perHost = 6

    @Option(help: "Whole-transfer timeout in seconds.")
    var timeout = 30.0

    @Option(help: "Connect timeout in seconds.")
    var connectTimeout = 10.0

    @Option(help: "End a transfer slower than this many bytes/s for --low-speed-time seconds.")
    var lowSpeedLimit = 100

    @Option(help: "Seconds below --low-speed-limit before a transfer ends with `timeout`.")
    var lowSpeedTime = 10

    @Option(help: "Redirects to follow before `too-many-redirects`.")
    var maxRedirects = 10

    @Option(help: "Largest decoded body in bytes (10 MiB by default).")
    var maxBytes = 10 * 1024 * 1024

    @Option(help: "Largest total of response header bytes over all hops.")
    var maxHeaderBytes = 256 * 1024

    @Option(help: "Retries after a connection reset or a 429/502/503/504.")
    var retries = 2

    @Option(help: "Longest Retry-After to honour, in seconds.")
    var maxRetryAfter = 30.0

    @Option(help: "User-Agent header (default names Dragnet and its version).")
    var userAgent: String?

    @Flag(help: "Keep cookie values in the output (they are left out by default).")
    var includeCookieValues = false

    @Option(help: "Transfer loops, each a libcurl multi handle on its own thread (default: up to 2).")
    var loops: Int?

    @Flag(help: "Skip the SHA-256 of each body (sha256 is null); the largest CPU cost on a fast network.")
    var noDigest = false

    @Option(
        name: .customLong("connect-to"),
        help: ArgumentHelp(
            "Connect to CONNECT-HOST:CONNECT-PORT for requests to HOST:PORT, keeping the URL, Host header and TLS name (curl's syntax; empty HOST or PORT matches any; repeatable).",
            valueName: "HOST:PORT:CONNECT-HOST:CONNECT-PORT"))
    var connectTo: [String] = []

    @Flag(name: [.customShort("k"), .long], help: "Do not verify TLS certificates (curl's -k), e.g. for a staging server or loopback fixtures.")
    var insecure = false

    @Option(
        name: .customLong("resolve"),
        help: ArgumentHelp("Resolve HOST for PORT to ADDRESS, as a DNS answer would (curl's --resolve; repeatable). The private-network guard still applies.", valueName: "HOST:PORT:ADDRESS"))
    var resolve: [String] = []

    @Flag(name: .customLong("allow-private"), help: "Also connect to loopback, private (RFC 1918, unique-local), link-local (169.254.169.254) and other non-public addresses. Without it only the addresses and localhost names given as inputs or --connect-to targets are reached, whatever a redirect, a page or DNS says.")
    var allowPrivate = false

    func validate() throws {
        for entry in connectTo {
            if let problem = ConnectTo.problem(entry) { throw ValidationError("--connect-to '\(entry)': \(problem)") }
        }
        for entry in resolve {
            if let problem = ConnectTo.resolveProblem(entry) { throw ValidationError("--resolve '\(entry)': \(problem)") }
        }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard perHost >= 1 else { throw ValidationError("--per-host must be at least 1") }
        guard timeout > 0, connectTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard maxRedirects >= 0 else { throw ValidationError("--max-redirects must be 0 or more") }
        guard maxBytes >= 1 else { throw ValidationError("--max-bytes must be at least 1") }
        guard maxHeaderBytes >= 1024 else { throw ValidationError("--max-header-bytes must be at least 1024") }
        if let loops { guard loops >= 1 else { throw ValidationError("--loops must be at least 1") } }
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        guard lowSpeedLimit >= 0, lowSpeedTime >= 0 else { throw ValidationError("low-speed limits must be 0 or more") }
    }

    func options() -> FetchOptions {
        var options = FetchOptions()
        options.concurrency = concurrency
        options.perHost = perHost
        options.timeout = timeout
        options.connectTimeout = connectTimeout
        options.lowSpeedLimit = lowSpeedLimit
        options.lowSpeedTime = lowSpeedTime
        options.maxRedirects = maxRedirects
        options.maxBytes = maxBytes
        options.maxHeaderBytes = maxHeaderBytes
        options.retries = retries
        options.maxRetryAfter = maxRetryAfter
        if let userAgent { options.userAgent = userAgent }
        options.includeCookieValues = includeCookieValues
        options.computeDigest = !noDigest
        if let loops { options.loops = loops }
        options.connectTo = connectTo
        options.insecure = insecure
        options.allowPrivateAddresses = allowPrivate
        options.resolve = resolve
        return options
    }
}
