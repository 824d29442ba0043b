import DragnetBuiltInRules
import DragnetCore
import Foundation

/// The rule pack built into the binary, on disk once so every loader reads it like any folder:
/// `$XDG_CACHE_HOME/dragnet/rules-DIGEST` (else `~/.cache/…`, else the temporary folder).
enum BuiltInPack {
    static func materialize() throws -> String {
        let name = "rules-" + BuiltInRules.digest.prefix(16)
        let environment = ProcessInfo.processInfo.environment
        var bases: [String] = []
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { bases.append((cache as NSString).appendingPathComponent("dragnet")) }
        bases.append((NSHomeDirectory() as NSString).appendingPathComponent(".cache/dragnet"))
        bases.append((NSTemporaryDirectory() as NSString).appendingPathComponent("dragnet"))
        let fileManager = FileManager.default
        for base in bases {
            let target = (base as NSString).appendingPathComponent(name)
            if fileManager.fileExists(atPath: (target as NSString).appendingPathComponent("entities")) { return target }
            let staging = target + ".tmp-\(getpid())"
            do {
                try? fileManager.removeItem(atPath: staging)
                for (path, base64) in BuiltInRules.files {
                    guard let data = Data(base64Encoded: base64) else { continue }
                    let file = (staging as NSString).appendingPathComponent(path)
                    try fileManager.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try data.write(to: URL(fileURLWithPath: file))
                }
                if rename(staging, target) != 0 {
                    // Another dragnet wrote it first: use theirs.
                    try? fileManager.removeItem(atPath: staging)
                    guard fileManager.fileExists(atPath: (target as NSString).appendingPathComponent("entities")) else { continue }
                }
                return target
            } catch {
                try? fileManager.removeItem(atPath: staging)
                continue
            }
        }
        throw UsageError(description: "no rules folder found and the built-in rules could not be written to a cache folder: pass --rules DIR")
    }

    /// Whether `directory` is the built-in pack written out by `materialize`.
    static func isBuiltIn(_ directory: String) -> Bool {
        (directory as NSString).lastPathComponent == "rules-" + BuiltInRules.digest.prefix(16)
    }

    /// SHA-256 over each file's path (relative, in path order) and bytes: the same digest as
    /// `BuiltInRules.digest` for an unchanged rules/ folder.
    static func digest(of directory: String) -> (digest: String, files: Int) {
        let fileManager = FileManager.default
        guard let enumerator = fileManager.enumerator(atPath: directory) else { return ("", 0) }
        var paths: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: (directory as NSString).appendingPathComponent(path), isDirectory: &isDirectory), !isDirectory.boolValue {
                paths.append(path)
            }
        }
        paths.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var bytes: [UInt8] = []
        for path in paths {
            bytes += Array(path.utf8) + [0]
            bytes += [UInt8](fileManager.contents(atPath: (directory as NSString).appendingPathComponent(path)) ?? Data()) + [0]
        }
        return (SHA256.hex(bytes), paths.count)
    }
}
