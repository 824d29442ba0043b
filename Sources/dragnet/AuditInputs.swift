import DragnetAudit
import DragnetFetch
import Foundation

/// Sorts a command line's inputs into URLs and saved HTML files; `fetch` and
/// `audit` read their inputs the same way.
enum AuditInputs {
    /// - Parameter savedPages: whether HTML files and folders are pages to audit
    ///   (`audit`); without it every file is a URL list (`fetch`).
    static func load(arguments: [String], directories: [String], baseURL: String?, savedPages: Bool = true) throws(UsageError) -> [AuditInput] {
        guard !arguments.isEmpty || !directories.isEmpty else {
            throw UsageError(description: savedPages
                ? "nothing to audit (pass URLs, URL lists, HTML files, --input-dir, or - for stdin)"
                : "no URLs given (pass URLs, a file of URLs, or - for stdin)")
        }
        var inputs: [AuditInput] = []
        var readStdin = false
        let singleFile = directories.isEmpty && arguments.count == 1
        for argument in arguments {
            if argument == "-" {
                guard !readStdin else { throw UsageError(description: "stdin (-) given twice") }
                readStdin = true
                let data = FileHandle.standardInput.readDataToEndOfFile()
                inputs += URLInput.parseList(String(decoding: data, as: UTF8.self)).map { .url($0, source: "-") }
            } else if URLInput.explicitScheme(argument) == nil, FileManager.default.fileExists(atPath: argument) {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory)
                if isDirectory.boolValue && !savedPages {
                    throw UsageError(description: "\(argument) is a folder, not a URL list")
                } else if isDirectory.boolValue {
                    inputs += try directory(argument, baseURL: baseURL)
                } else if savedPages, argument.lowercased().hasSuffix(".har") {
                    inputs.append(.har(path: argument))
                } else if savedPages, isHTML(argument) {
                    let pageURL = singleFile ? baseURL : baseURL.map { join($0, (argument as NSString).lastPathComponent) }
                    inputs.append(.file(path: argument, pageURL: pageURL))
                } else {
                    guard let data = FileManager.default.contents(atPath: argument) else {
                        throw UsageError(description: "cannot read \(argument)")
                    }
                    inputs += URLInput.parseList(String(decoding: data, as: UTF8.self)).map { .url($0, source: argument) }
                }
            } else {
                inputs.append(.url(URLInput(argument), source: nil))
            }
        }
        for directory in directories {
            inputs += try self.directory(directory, baseURL: baseURL)
        }
        return inputs
    }

    /// Every .html/.htm file below `path`, sorted, each placed at base URL + its relative path.
    static func directory(_ path: String, baseURL: String?) throws(UsageError) -> [AuditInput] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw UsageError(description: "cannot read folder \(path)")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let lower = relative.lowercased()
            if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { files.append(relative) }
        }
        return files.sorted().map { relative in
            .file(path: (path as NSString).appendingPathComponent(relative), pageURL: baseURL.map { join($0, relative) })
        }
    }

    /// A saved page rather than a URL list: an .html/.htm name, or content that starts with `<`.
    static func isHTML(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") || lower.hasSuffix(".xhtml") { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 512)) ?? Data()
        let text = String(decoding: head, as: UTF8.self).drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        return text.hasPrefix("<")
    }

    private static func join(_ base: String, _ relative: String) -> String {
        (base.hasSuffix("/") ? base : base + "/") + relative.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
        }.joined(separator: "/")
    }
}
