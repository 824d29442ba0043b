#if canImport(Glibc)
import Glibc
#endif

/// Files written whole or not at all: to `.NAME.PID.tmp` next to the destination, fsynced, then
/// renamed over it, so a crash, SIGKILL or full disk never leaves a truncated file under the
/// final name (HAR files; reports go through `ReportWriter`, which does the same).
public enum AtomicFile {
    /// Writes `bytes` to `path`; returns why it could not, or nil. `durable: false` skips the
    /// fsync: readers still see the old file or the new one, a power cut may lose the new one
    /// (right for caches).
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644, durable: Bool = true) -> String? {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder).\(name).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard descriptor >= 0 else { return "cannot create \(temporary): \(String(cString: strerror(errno)))" }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporary)
                return "cannot write \(path): \(reason)"
            }
            offset += written
        }
        let synced = !durable || fsync(descriptor) == 0
        let reason = synced ? nil : String(cString: strerror(errno))
        close(descriptor)
        if let reason {
            unlink(temporary)
            return "cannot write \(path): \(reason)"
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return "cannot move \(temporary) to \(path): \(reason)"
        }
        return nil
    }
}
