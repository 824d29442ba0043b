import DragnetCore
public import DragnetSites
public import Foundation

/// Compiled filter lists on disk, keyed by the SHA-256 of the lists' text, so a
/// second run skips parsing 130,000 lines. The format is a private binary
/// layout with a version; a stale or damaged file is ignored and rewritten.
public enum FilterCache {
    static let magic = Array("DRAGNETF".utf8)
    static let version: UInt32 = 3

    /// The default cache folder: `$XDG_CACHE_HOME/dragnet`, else `~/.cache/dragnet`.
    public static var defaultDirectory: URL {
        if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("dragnet")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/dragnet")
    }

    /// The cache file for these lists.
    public static func file(for lists: [String], in directory: URL) -> URL {
        var key = "v\(version)\n"
        for list in lists { key += SHA256.hex(list) + "\n" }
        return directory.appendingPathComponent("filters-\(SHA256.hex(key).prefix(32)).bin")
    }

    static func encode(_ filters: [NetworkFilter], tokens: [UInt64], counts: FilterParser.Counts) -> [UInt8] {
        var out = magic
        func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func bytes(_ text: String) {
            u32(UInt32(text.utf8.count))
            out.append(contentsOf: text.utf8)
        }
        u32(version)
        for count in [counts.network, counts.cosmetic, counts.scriptlet, counts.comments, counts.unsupported] { u32(UInt32(count)) }
        u32(UInt32(filters.count))
        for (index, filter) in filters.enumerated() {
            u64(tokens[index])
            var flags: UInt16 = 0
            if filter.isException { flags |= 1 }
            flags |= UInt16(filter.leftAnchor.rawValue) << 1  // 2 bits
            if filter.rightAnchor { flags |= 1 << 3 }
            if filter.isRegex { flags |= 1 << 4 }
            if filter.important { flags |= 1 << 5 }
            if filter.matchCase { flags |= 1 << 6 }
            if let party = filter.thirdParty { flags |= 1 << 7; if party { flags |= 1 << 8 } }
            u16(flags)
            u16(filter.types)
            bytes(filter.text)
            bytes(filter.pattern)
            u16(UInt16(filter.includeDomains.count))
            for domain in filter.includeDomains { bytes(domain) }
            u16(UInt16(filter.excludeDomains.count))
            for domain in filter.excludeDomains { bytes(domain) }
        }
        return out
    }

    static func decode(_ data: [UInt8]) -> ([NetworkFilter], [UInt64], FilterParser.Counts)? {
        data.withUnsafeBytes { raw -> ([NetworkFilter], [UInt64], FilterParser.Counts)? in
            var offset = 0
            func need(_ n: Int) -> Bool { offset + n <= raw.count }
            func u32() -> UInt32? {
                guard need(4) else { return nil }
                defer { offset += 4 }
                return UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            }
            func u64() -> UInt64? {
                guard need(8) else { return nil }
                defer { offset += 8 }
                return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            }
            func u16() -> UInt16? {
                guard need(2) else { return nil }
                defer { offset += 2 }
                return UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            }
            func string() -> String? {
                guard let length = u32().map(Int.init), need(length) else { return nil }
                defer { offset += length }
                return String(decoding: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]), as: UTF8.self)
            }
            guard need(magic.count), Array(raw[0..<magic.count]) == magic else { return nil }
            offset = magic.count
            guard u32() == version else { return nil }
            var counts = FilterParser.Counts()
            guard let network = u32(), let cosmetic = u32(), let scriptlet = u32(), let comments = u32(), let unsupported = u32(),
                let count = u32()
            else { return nil }
            counts.network = Int(network)
            counts.cosmetic = Int(cosmetic)
            counts.scriptlet = Int(scriptlet)
            counts.comments = Int(comments)
            counts.unsupported = Int(unsupported)
            var filters: [NetworkFilter] = []
            var tokens: [UInt64] = []
            filters.reserveCapacity(Int(count))
            tokens.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let token = u64() else { return nil }
                tokens.append(token)
                guard let flags = u16(), let types = u16(), let text = string(), let pattern = string(), let includes = u16() else { return nil }
                var filter = NetworkFilter(text: text)
                filter.isException = flags & 1 != 0
                filter.leftAnchor = NetworkFilter.Anchor(rawValue: UInt8((flags >> 1) & 3)) ?? .none
                filter.rightAnchor = flags & (1 << 3) != 0
                filter.isRegex = flags & (1 << 4) != 0
                filter.important = flags & (1 << 5) != 0
                filter.matchCase = flags & (1 << 6) != 0
                if flags & (1 << 7) != 0 { filter.thirdParty = flags & (1 << 8) != 0 }
                filter.types = types
                filter.pattern = pattern
                for _ in 0..<includes {
                    guard let domain = string() else { return nil }
                    filter.includeDomains.append(domain)
                }
                guard let excludes = u16() else { return nil }
                for _ in 0..<excludes {
                    guard let domain = string() else { return nil }
                    filter.excludeDomains.append(domain)
                }
                filters.append(filter)
            }
            return offset == raw.count ? (filters, tokens, counts) : nil
        }
    }
}

extension FilterEngine {
    /// Compiles `lists`, from the cache in `cacheDirectory` when it holds them
    /// (written there otherwise; nil disables the cache).
    public static func load(lists: [String], sites: SiteResolver, cacheDirectory: URL? = FilterCache.defaultDirectory) -> FilterEngine {
        if let cacheDirectory {
            let file = FilterCache.file(for: lists, in: cacheDirectory)
            if let data = FileManager.default.contents(atPath: file.path), let (filters, tokens, counts) = FilterCache.decode([UInt8](data)) {
                let engine = FilterEngine(kept: filters, counts: counts, sites: sites, tokens: tokens)
                engine.loadedFromCache = true
                return engine
            }
            var parser = FilterParser()
            for list in lists { parser.add(list: list) }
            let engine = FilterEngine(parser, sites: sites)
            try? FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
            let temporary = file.appendingPathExtension("tmp\(getpid())")
            if FileManager.default.createFile(atPath: temporary.path, contents: Data(FilterCache.encode(engine.keptFilters, tokens: engine.chosenTokens, counts: engine.counts))) {
                _ = try? FileManager.default.replaceItemAt(file, withItemAt: temporary)
                if !FileManager.default.fileExists(atPath: file.path) { try? FileManager.default.moveItem(at: temporary, to: file) }
            }
            return engine
        }
        var parser = FilterParser()
        for list in lists { parser.add(list: list) }
        return FilterEngine(parser, sites: sites)
    }
}
