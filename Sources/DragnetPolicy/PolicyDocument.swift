public import DragnetHTML
import Foundation

/// A privacy policy as text: its blocks in order, and its sentences with the
/// headings they sit under.
public struct PolicyDocument: Sendable {
    public enum Format: String, Sendable { case html, markdown, text }

    public struct Sentence: Sendable, Hashable {
        public var text: String
        /// Headings from the outermost to the innermost section the sentence is in.
        public var headingPath: [String]
        /// Offset of the sentence in `PolicyDocument.text`, in Unicode scalars.
        public var offset: Int
        /// Index of its block in `blocks`.
        public var block: Int
    }

    public var format: Format
    public var blocks: [TextBlock]
    public var sentences: [Sentence]
    /// The blocks' text joined by blank lines: what sentence offsets count in.
    public var text: String

    /// Reads a document, choosing the format from `hint` (a file extension or a
    /// content type) or the content.
    public init(bytes: [UInt8], hint: String? = nil, charset: String? = nil) {
        let format = Self.detect(bytes, hint: hint)
        let blocks: [TextBlock]
        switch format {
        case .html: blocks = HTMLText.blocks(bytes, charset: charset)
        case .markdown: blocks = MarkdownText.blocks(String(decoding: bytes, as: UTF8.self))
        case .text: blocks = PlainText.blocks(String(decoding: bytes, as: UTF8.self))
        }
        self.init(format: format, blocks: blocks)
    }

    public init(format: Format, blocks: [TextBlock]) {
        self.format = format
        self.blocks = blocks
        var sentences: [Sentence] = []
        var headings: [(level: Int, text: String)] = []
        var text = ""
        var offset = 0
        for (index, block) in blocks.enumerated() {
            if index > 0 {
                text += "\n\n"
                offset += 2
            }
            if block.kind == .heading {
                while let last = headings.last, last.level >= block.level { headings.removeLast() }
                headings.append((block.level, block.text))
            } else {
                for (sentence, start) in SentenceSplitter.split(block.text) {
                    sentences.append(Sentence(text: sentence, headingPath: headings.map(\.text), offset: offset + start, block: index))
                }
            }
            text += block.text
            offset += block.text.unicodeScalars.count
        }
        self.sentences = sentences
        self.text = text
    }

    static func detect(_ bytes: [UInt8], hint: String?) -> Format {
        let hint = hint?.lowercased() ?? ""
        if hint.hasSuffix(".md") || hint.hasSuffix(".markdown") || hint.contains("markdown") { return .markdown }
        if hint.hasSuffix(".html") || hint.hasSuffix(".htm") || hint.contains("html") { return .html }
        if hint.hasSuffix(".txt") || hint.contains("text/plain") { return .text }
        let head = String(decoding: bytes.prefix(2048), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if head.hasPrefix("<") || head.contains("<html") || head.contains("<body") { return .html }
        let lines = head.split(separator: "\n")
        if lines.contains(where: { $0.hasPrefix("#") || $0.hasPrefix("- ") || $0.hasPrefix("* ") }) || head.contains("](") { return .markdown }
        return .text
    }
}

/// Splits a block into sentences: at `.`, `!` or `?` (with closing quotes or brackets)
/// followed by a space and a capital letter, digit, quote or bracket, except after
/// common abbreviations and initials.
enum SentenceSplitter {
    static let abbreviations: Set<String> = [
        "e.g", "i.e", "etc", "inc", "ltd", "co", "corp", "llc", "u.s", "u.k", "no", "nos", "mr", "ms", "mrs", "dr", "st", "vs",
        "approx", "art", "arts", "sec", "para", "cf", "fig", "jr", "sr", "p.o", "e.u", "u.s.a", "s.a", "b.v", "gmbh", "pte", "pty",
    ]

    /// Sentences with their offsets (in Unicode scalars) in `text`.
    static func split(_ text: String) -> [(String, Int)] {
        let scalars = Array(text.unicodeScalars)
        var result: [(String, Int)] = []
        var start = 0
        var index = 0
        func emit(_ end: Int) {
            var from = start
            while from < end, scalars[from].properties.isWhitespace { from += 1 }
            var to = end
            while to > from, scalars[to - 1].properties.isWhitespace { to -= 1 }
            if to > from {
                var sentence = String.UnicodeScalarView()
                sentence.append(contentsOf: scalars[from..<to])
                result.append((String(sentence), from))
            }
            start = end
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "." || scalar == "!" || scalar == "?" {
                var end = index + 1
                while end < scalars.count, ["\"", "'", "”", "’", ")", "]"].contains(scalars[end]) { end += 1 }
                guard end < scalars.count, scalars[end].properties.isWhitespace else {
                    index += 1
                    continue
                }
                var next = end
                while next < scalars.count, scalars[next].properties.isWhitespace { next += 1 }
                guard next < scalars.count else { break }
                let following = scalars[next]
                let startsSentence = following.properties.isUppercase || following.properties.numericType != nil
                    || ["\"", "“", "(", "[", "‘", "'", "•", "-", "–"].contains(following)
                if scalar == "." && (!startsSentence || isAbbreviation(scalars, before: index)) {
                    index += 1
                    continue
                }
                if !startsSentence {
                    index += 1
                    continue
                }
                emit(end)
                index = end
                continue
            }
            index += 1
        }
        emit(scalars.count)
        return result
    }

    /// Whether the word before the `.` at `index` is an abbreviation or a single-letter initial.
    static func isAbbreviation(_ scalars: [Unicode.Scalar], before index: Int) -> Bool {
        var from = index
        while from > 0, !scalars[from - 1].properties.isWhitespace, scalars[from - 1] != "(" { from -= 1 }
        var word = String.UnicodeScalarView()
        word.append(contentsOf: scalars[from..<index])
        let lowered = String(word).lowercased()
        if lowered.count == 1, lowered.first?.isLetter == true { return true }
        return abbreviations.contains(lowered)
    }
}
