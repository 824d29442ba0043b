public import DragnetBrowser
import Foundation

/// Settings of `--mode browser`.
public struct BrowserOptions: Sendable {
    public var executable: String
    /// Long-lived browsers.
    public var jobs = min(ProcessInfo.processInfo.activeProcessorCount, 4)
    /// Pages loading at once in one browser (each in its own context): the time one page waits
    /// on the network, another renders.
    public var pagesPerBrowser = 2
    public var capture = CaptureOptions()
    /// Write one HAR 1.2 file per page here (`--har`); with `harContent`, cookie values and bodies too.
    public var harDirectory: String?
    public var harContent = false
    /// Extra Chromium flags (`--host-resolver-rules` from `--connect-to`, `--ignore-certificate-errors` from `--insecure`).
    public var arguments: [String] = []

    public init(executable: String) { self.executable = executable }

    /// Chromium flags that do what `--connect-to` and `--insecure` do for the fetcher.
    public static func arguments(connectTo: [String], insecure: Bool) -> [String] {
        var rules: [String] = []
        for entry in connectTo {
            let fields = entry.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, !fields[2].isEmpty || !fields[3].isEmpty else { continue }
            let target = (fields[2].isEmpty ? "127.0.0.1" : fields[2]) + (fields[3].isEmpty ? "" : ":" + fields[3])
            rules.append("MAP \(fields[0].isEmpty ? "*" : fields[0]) \(target)")
        }
        var arguments: [String] = []
        if !rules.isEmpty { arguments.append("--host-resolver-rules=" + rules.joined(separator: ",")) }
        if insecure { arguments.append("--ignore-certificate-errors") }
        return arguments
    }
}

/// A few long-lived browsers shared by the run: a page takes one, loads in a fresh context,
/// gives it back. A browser that dies is replaced and the page tried once more.
public actor BrowserPool {
    private let options: BrowserOptions
    /// Browsers with a free page slot (a browser appears once per free slot).
    private var idle: [BrowserProcess] = []
    private var started = 0
    private var waiters: [CheckedContinuation<BrowserProcess, any Error>] = []
    private var all: [BrowserProcess] = []
    /// After `shutDown`, no browser starts again.
    private var stopped = false
    /// Browsers that died and were replaced.
    public private(set) var replaced = 0

    public init(options: BrowserOptions) { self.options = options }

    private func acquire() async throws -> BrowserProcess {
        if stopped { throw CDPError("the run was stopped") }
        if let browser = idle.popLast() { return browser }
        if started < max(1, options.jobs) {
            started += 1
            do {
                let browser = try BrowserProcess(executable: options.executable, extraArguments: options.arguments)
                _ = try await browser.version()
                all.append(browser)
                for _ in 1..<max(1, options.pagesPerBrowser) { release(browser) }
                return browser
            } catch {
                started -= 1
                throw error
            }
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    private func release(_ browser: BrowserProcess) {
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: browser) } else { idle.append(browser) }
    }

    private func replace(_ browser: BrowserProcess) async {
        guard all.contains(where: { $0 === browser }) else { return }
        all.removeAll { $0 === browser }
        idle.removeAll { $0 === browser }
        await browser.close()
        started -= 1
        replaced += 1
        if !waiters.isEmpty, let fresh = try? await acquire() { waiters.removeFirst().resume(returning: fresh) }
    }

    /// Starts the first browser before any page needs it, so a program that is not Chromium
    /// (or too old for `--remote-debugging-pipe`) is one clear error up front, not one per page.
    public func warmUp() async throws {
        release(try await acquire())
    }

    /// Loads `url`; the error says why when it could not be loaded.
    public func capture(_ url: String) async -> Result<BrowserCapture, CDPError> {
        for attempt in 0..<2 {
            let browser: BrowserProcess
            do { browser = try await acquire() } catch { return .failure(CDPError("cannot start the browser: \(error)")) }
            do {
                var capture = try await browser.capture(url, options: options.capture)
                capture.browser = browser.product
                release(browser)
                return .success(capture)
            } catch {
                if browser.connection.isClosed {
                    await replace(browser)
                    if attempt == 0 { continue }
                } else {
                    release(browser)
                }
                return .failure(error as? CDPError ?? CDPError("\(error)"))
            }
        }
        return .failure(CDPError("the browser crashed twice on this page"))
    }

    /// The process ids of the running browsers (for diagnostics and tests).
    public func processIDs() -> [Int32] { all.map(\.pid) }

    /// Quits every browser; no process of theirs is left.
    public func shutDown() async {
        stopped = true
        let browsers = all
        all = []
        idle = []
        for waiter in waiters { waiter.resume(throwing: CDPError("the run was stopped")) }
        waiters = []
        for browser in browsers { await browser.close() }
    }
}
