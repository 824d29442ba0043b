public import DragnetCore
public import Foundation

/// Writes the JSON report as pages finish.
///
/// Each page is appended to `<name>.partial.ndjson` (one line per page, flushed)
/// the moment it is done, so an interrupted run keeps every finished page and
/// memory holds only the offsets. `finish` then writes `<name>.json` with the
/// pages in input order and removes the partial file. The report's keys are
/// sorted and its pages ordered, so the same inputs give the same bytes apart
/// from `startedAt` and `finishedAt`.
public final class ReportWriter {
    /// The report's schema version (see docs/report-schema.md).
    public static let schemaVersion = 3

    public let partialURL: URL
    public let reportURL: URL?
    private let handle: FileHandle
    private var offsets: [Int: (offset: UInt64, length: Int)] = [:]
    private var position: UInt64 = 0

    /// The destination exists and is not a regular file (a device such as /dev/full or
    /// /dev/stdout, a FIFO): it is written to directly, never replaced by a rename.
    private let directDestination: Bool

    /// - Parameter destination: the report file to write, or nil for stdout.
    public init(destination: URL?, scratchDirectory: URL) throws {
        let direct = destination.map { Self.isSpecialFile($0.path) } ?? false
        directDestination = direct
        let name = destination.map { direct ? "dragnet-\(getpid())" : $0.deletingPathExtension().lastPathComponent } ?? "dragnet-stdout-\(getpid())"
        let directory = destination.map { direct ? scratchDirectory : $0.deletingLastPathComponent() } ?? scratchDirectory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        partialURL = directory.appendingPathComponent(name + ".partial.ndjson")
        reportURL = destination
        guard FileManager.default.createFile(atPath: partialURL.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: partialURL.path])
        }
        handle = try FileHandle(forWritingTo: partialURL)
    }

    /// Appends one finished page.
    public func append(id: Int, json: [UInt8]) throws {
        var line = json
        line.append(0x0A)
        try handle.write(contentsOf: line)
        offsets[id] = (position, json.count)
        position += UInt64(line.count)
    }

    /// Pages written so far.
    public var count: Int { offsets.count }

    /// Writes the whole report (to the destination file, or to stdout) and removes the partial file.
    /// `header` holds every top-level member except `pages`.
    public func finish(header: [(String, JSONValue)]) throws {
        do {
            try write(header: header)
        } catch let error as ReportWriteError {
            throw error
        } catch {
            throw ReportWriteError(description: "cannot write the report to \(reportURL?.path ?? "stdout"): \(Self.reason(error)) (the pages are kept in \(partialURL.path))")
        }
        try FileManager.default.removeItem(at: partialURL)
    }

    private func write(header: [(String, JSONValue)]) throws {
        try handle.close()
        let reader = try FileHandle(forReadingFrom: partialURL)
        defer { try? reader.close() }

        let out: FileHandle
        var temporary: URL?
        if let reportURL, directDestination {
            guard let handle = FileHandle(forWritingAtPath: reportURL.path) else {
                throw ReportWriteError(description: "cannot open \(reportURL.path) for writing (the pages are kept in \(partialURL.path))")
            }
            out = handle
        } else if let reportURL {
            let staging = reportURL.deletingLastPathComponent().appendingPathComponent("." + reportURL.lastPathComponent + ".tmp")
            _ = FileManager.default.createFile(atPath: staging.path, contents: nil)
            out = try FileHandle(forWritingTo: staging)
            temporary = staging
        } else {
            out = FileHandle.standardOutput
        }

        // Top-level members in sorted order, with `pages` streamed in between.
        let members = header.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        var buffer: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func member(_ key: String) {
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.string(key).write(to: &buffer)
            buffer.append(UInt8(ascii: ":"))
        }
        var pagesWritten = false
        func writePages() throws {
            member("pages")
            buffer.append(UInt8(ascii: "["))
            for (index, id) in offsets.keys.sorted().enumerated() {
                guard let entry = offsets[id] else { continue }
                try reader.seek(toOffset: entry.offset)
                let bytes = try reader.read(upToCount: entry.length) ?? Data()
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: bytes)
                if buffer.count > 1 << 20 {
                    try out.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            buffer.append(UInt8(ascii: "]"))
            pagesWritten = true
        }
        for (key, value) in members {
            if !pagesWritten, "pages".utf8.lexicographicallyPrecedes(key.utf8) { try writePages() }
            member(key)
            value.write(to: &buffer)
        }
        if !pagesWritten { try writePages() }
        buffer.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
        do {
            try out.write(contentsOf: buffer)
            if let temporary, let reportURL {
                // Durable before it takes the final name: a crash or a full disk never leaves a
                // truncated report there, and rename(2) replaces the old one in one step.
                try out.synchronize()
                try out.close()
                guard rename(temporary.path, reportURL.path) == 0 else {
                    throw ReportWriteError(description: "cannot move the report into \(reportURL.path): \(String(cString: strerror(errno)))")
                }
            } else if directDestination {
                try out.close()
            }
        } catch {
            if let temporary { try? FileManager.default.removeItem(at: temporary) }
            throw error
        }
    }

    /// Whether `path` exists and is something other than a regular file (device, FIFO, socket).
    static func isSpecialFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR
    }

    static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

/// The report could not be written: where and why.
public struct ReportWriteError: Error, CustomStringConvertible {
    public var description: String
}
