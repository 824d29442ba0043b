/// Finds a body's character set: the HTTP header, then a byte-order mark, then a
/// `<meta charset>` in the first 8 KiB. (Browsers' prescan stops at 1024 bytes,
/// but real pages often put the tag later and libxml2 honours it wherever it
/// sits in `<head>`; 8 KiB reports what the parser will use for almost all of them.)
public enum Charset {
    /// How much of a body is searched for `<meta charset>`.
    public static let sniffLength = 8192

    /// Where a body's character set was found.
    public enum Source: String, Sendable, Hashable {
        case header
        case bom
        case meta
    }

    /// The charset and where it was found: the Content-Type header, a BOM, or `<meta>`.
    public static func detect(contentType: String?, body: [UInt8]) -> (String, Source)? {
        if let contentType, let charset = parameter("charset", in: contentType) {
            return (charset, .header)
        }
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { return ("utf-8", .bom) }
        if body.starts(with: [0xFE, 0xFF]) { return ("utf-16be", .bom) }
        if body.starts(with: [0xFF, 0xFE]) { return ("utf-16le", .bom) }
        if let charset = metaCharset(body.prefix(sniffLength)) { return (charset, .meta) }
        return nil
    }

    /// The value of a `; name=value` parameter of a header, lower-cased, quotes removed.
    public static func parameter(_ name: String, in header: String) -> String? {
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

    /// `<meta charset="x">` or `<meta http-equiv=Content-Type content="...; charset=x">`:
    /// the first `charset=` inside a `<meta` tag, compared case-insensitively.
    /// The encoding libxml2 should use for a page with no charset in its HTTP
    /// header, BOM or `<meta>`: UTF-8 when the first 64 KiB are valid UTF-8, else
    /// windows-1252 (what browsers fall back to for legacy pages). Nil when the
    /// page declares its own, so libxml2 honours the declaration.
    public static func fallback(for body: [UInt8]) -> String? {
        if detect(contentType: nil, body: body) != nil { return nil }
        var prefix = body.prefix(65_536)
        // Do not count a multi-byte sequence cut at the end of the window as invalid.
        if prefix.count < body.count {
            var cut = 0
            while cut < 3, let last = prefix.last, last & 0xC0 == 0x80 { prefix.removeLast(); cut += 1 }
            if let last = prefix.last, last >= 0xC0 { prefix.removeLast() }
        }
        return String(validating: prefix, as: UTF8.self) != nil ? "utf-8" : "windows-1252"
    }

    public static func metaCharset(_ prefix: ArraySlice<UInt8>) -> String? {
        let bytes = Array(prefix)
        let count = bytes.count
        func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        func matches(_ word: StaticString, at index: Int) -> Bool {
            let length = word.utf8CodeUnitCount
            guard index + length <= count else { return false }
            return word.withUTF8Buffer { word in
                for offset in 0..<length where lower(bytes[index + offset]) != word[offset] { return false }
                return true
            }
        }
        var index = 0
        while index < count {
            guard bytes[index] == UInt8(ascii: "<"), matches("<meta", at: index) else {
                index += 1
                continue
            }
            var cursor = index + 5
            while cursor < count, bytes[cursor] != UInt8(ascii: ">") {
                if lower(bytes[cursor]) == UInt8(ascii: "c"), matches("charset=", at: cursor) {
                    cursor += 8
                    while cursor < count, [0x22, 0x27, 0x20].contains(bytes[cursor]) { cursor += 1 }
                    var name: [UInt8] = []
                    while cursor < count {
                        let byte = lower(bytes[cursor])
                        let ok = (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                            || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
                        guard ok else { break }
                        name.append(byte)
                        cursor += 1
                    }
                    if !name.isEmpty { return String(decoding: name, as: UTF8.self) }
                    break
                }
                cursor += 1
            }
            index = cursor
        }
        return nil
    }
}
