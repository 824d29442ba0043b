/// The URLs of a `srcset` attribute (HTML's "parse a srcset attribute": URLs
/// may contain commas; a candidate's URL ends at whitespace or a trailing comma).
enum Srcset {
    static func urls(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var urls: [String] = []
        var index = 0
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }
        while index < bytes.count {
            while index < bytes.count, isSpace(bytes[index]) || bytes[index] == 0x2C { index += 1 }
            guard index < bytes.count else { break }
            let start = index
            while index < bytes.count, !isSpace(bytes[index]) { index += 1 }
            var end = index
            var endedWithComma = false
            while end > start, bytes[end - 1] == 0x2C {
                end -= 1
                endedWithComma = true
            }
            if end > start { urls.append(String(decoding: bytes[start..<end], as: UTF8.self)) }
            if endedWithComma { continue }
            // Skip descriptors up to the next comma outside parentheses.
            var depth = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x28 { depth += 1 } else if byte == 0x29 { depth = max(0, depth - 1) } else if byte == 0x2C, depth == 0 { break }
                index += 1
            }
        }
        return urls
    }
}
