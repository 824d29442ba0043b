/// Finds a body's character set: the HTTP header, then a byte-order mark, then a
/// `<meta charset>` in the first 8 KiB. (Browsers' prescan stops at 1024 bytes,
/// but real pages often put the tag later and libxml2 honours it wherever it
/// sits in `<head>`; 8 KiB reports what the parser will use for almost all of them.)
enum Charset {
    static func detect(contentType: String?, body: [UInt8]) -> (String, CharsetSource)? {
        if let contentType, let charset = parameter("charset", in: contentType) {
            return (charset, .header)
        }
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { return ("utf-8", .bom) }
        if body.starts(with: [0xFE, 0xFF]) { return ("utf-16be", .bom) }
        if body.starts(with: [0xFF, 0xFE]) { return ("utf-16le", .bom) }
        if let charset = metaCharset(body.prefix(8192)) { return (charset, .meta) }
        return nil
    }

    /// The value of a `; name=value` parameter of a header, lower-cased, quotes removed.
    static func parameter(_ name: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let key = part[..<eq].trimming(" \t").lowercased()
            guard key == name else { continue }
            var value = part[part.index(after: eq)...].trimming(" \t\"'")
            value = value.lowercased()
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// `<meta charset="x">` or `<meta http-equiv=Content-Type content="...; charset=x">`.
    static func metaCharset(_ prefix: ArraySlice<UInt8>) -> String? {
        let lower = prefix.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        let needle = Array("charset=".utf8)
        let meta = Array("<meta".utf8)
        var searchFrom = 0
        while let metaAt = find(meta, in: lower, from: searchFrom) {
            let tagEnd = lower[metaAt...].firstIndex(of: UInt8(ascii: ">")) ?? lower.count
            if let at = find(needle, in: Array(lower[metaAt..<tagEnd]), from: 0) {
                var index = metaAt + at + needle.count
                while index < tagEnd, [0x22, 0x27, 0x20].contains(lower[index]) { index += 1 }
                var name: [UInt8] = []
                while index < tagEnd {
                    let byte = lower[index]
                    let ok = (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                        || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
                    guard ok else { break }
                    name.append(byte)
                    index += 1
                }
                if !name.isEmpty { return String(decoding: name, as: UTF8.self) }
            }
            searchFrom = metaAt + meta.count
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// Trims any of the characters in `set` from both ends.
    func trimming(_ set: String) -> String {
        let chars = Set(set)
        var slice = Substring(self)
        while let first = slice.first, chars.contains(first) { slice.removeFirst() }
        while let last = slice.last, chars.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
