import Foundation

/// Progress on stderr (done/total, rate, errors), only when stderr is a terminal.
final class Progress {
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var done = 0
    private var failed = 0
    private var lastDraw = Date.distantPast

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func record(failed isFailure: Bool) {
        done += 1
        if isFailure { failed += 1 }
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) >= 0.1 || done == total {
            lastDraw = now
            draw(now)
        }
    }

    /// Prints a line on stderr (an error, as it happens), above the progress line.
    func message(_ text: String) {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        if enabled { draw(Date()) }
    }

    func finish() {
        guard enabled else { return }
        draw(Date())
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        let line = String(format: "\r%d/%d done · %.1f/s · %d errors ", done, total, rate, failed)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
