import CSupport

extension String {
    /// Whether `needle` occurs in the string, compared byte for byte (UTF-8) with
    /// memmem(3). Much faster than the generic `contains(_:)` of the standard
    /// library, which builds a searcher for every call; callers lower-case first.
    public func containsBytes(_ needle: String) -> Bool {
        firstByteOffset(of: needle) != nil
    }

    /// The UTF-8 offset of the first occurrence of `needle`, or nil.
    public func firstByteOffset(of needle: String, from start: Int = 0) -> Int? {
        guard !needle.isEmpty else { return 0 }
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { hay in
            needle.withUTF8 { ByteSearch.firstOffset(of: UnsafeRawBufferPointer($0), in: UnsafeRawBufferPointer(hay), from: start) }
        }
    }
}

/// Byte-level searching shared by the extractor and the filter engine.
public enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack` at or after `start` (memmem(3)).
    public static func firstOffset(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard !needle.isEmpty, start <= haystack.count, let base = haystack.baseAddress, let pin = needle.baseAddress,
            let found = dragnet_memmem(base + start, haystack.count - start, pin, needle.count)
        else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// The offset of the first occurrence of `needle` in `haystack`.
    public static func firstOffset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        haystack.withUnsafeBytes { hay in needle.withUnsafeBytes { firstOffset(of: $0, in: hay) } }
    }

    /// Where the host of an absolute URL lies in its bytes: after `://`, without user
    /// info or port. Nil when the URL has no `://`.
    public static func hostRange(ofURL bytes: [UInt8]) -> Range<Int>? {
        guard var start = firstOffset(of: [0x3A, 0x2F, 0x2F], in: bytes).map({ $0 + 3 }) else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != 0x2F, bytes[end] != 0x3F, bytes[end] != 0x23 { end += 1 }
        if let at = bytes[start..<end].lastIndex(of: 0x40) { start = at + 1 }
        if start < end, bytes[start] != 0x5B, let colon = bytes[start..<end].lastIndex(of: 0x3A) { end = colon }
        return start..<end
    }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF).
    public func trimmingASCIIWhitespace() -> String {
        trimming(" \t\r\n\u{0B}\u{0C}")
    }

    /// The text without any of the Unicode scalars in `set` at either end. Scalars, not
    /// Characters: "\r\n" is one Character, so a set holding "\r" and "\n" as Characters would
    /// miss a lone CR.
    public func trimming(_ set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var slice = Substring(self).unicodeScalars[...]
        while let first = slice.first, scalars.contains(first) { slice.removeFirst() }
        while let last = slice.last, scalars.contains(last) { slice.removeLast() }
        return String(String.UnicodeScalarView(slice))
    }

    /// Lines ended by LF, CRLF or a lone CR (a URL list or rule table from any system). Splitting a
    /// String on "\n" misses CRLF, which Swift reads as one Character, and swallows the next line.
    public func splitLines(omittingEmptySubsequences: Bool = false) -> [SubSequence] {
        split(omittingEmptySubsequences: omittingEmptySubsequences) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }
}
