public import DragnetHTML
import Foundation

/// Text blocks of a Markdown document (Open Terms Archive versions are Markdown):
/// ATX and setext headings, list items, paragraphs and table rows, with inline
/// markup (links, emphasis, code, HTML tags, escapes) reduced to its text.
public enum MarkdownText {
    public static func blocks(_ text: String) -> [TextBlock] {
        var blocks: [TextBlock] = []
        var paragraph: [String] = []
        var paragraphKind = TextBlock.Kind.paragraph
        var inFence = false
        func flush() {
            let joined = HTMLText.collapseWhitespace(inline(paragraph.joined(separator: " ")))
            if !joined.isEmpty { blocks.append(TextBlock(kind: paragraphKind, text: joined)) }
            paragraph = []
            paragraphKind = .paragraph
        }
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        var index = 0
        while index < lines.count {
            var line = lines[index]
            index += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flush()
                inFence.toggle()
                continue
            }
            if inFence {
                paragraph.append(trimmed)
                continue
            }
            if trimmed.isEmpty {
                flush()
                continue
            }
            // Setext heading: a paragraph line followed by === or ---.
            if index < lines.count, paragraph.isEmpty, !trimmed.hasPrefix("|") {
                let underline = lines[index].trimmingCharacters(in: .whitespaces)
                if underline.count >= 2, underline.allSatisfy({ $0 == "=" }) || underline.allSatisfy({ $0 == "-" }) {
                    blocks.append(TextBlock(kind: .heading, level: underline.first == "=" ? 1 : 2, text: HTMLText.collapseWhitespace(inline(trimmed))))
                    index += 1
                    continue
                }
            }
            if trimmed.allSatisfy({ $0 == "-" || $0 == "*" || $0 == "_" || $0 == " " }) && trimmed.count >= 3 {
                flush()
                continue
            }
            if trimmed.hasPrefix("#") {
                let level = trimmed.prefix { $0 == "#" }.count
                let rest = trimmed.dropFirst(level)
                if level <= 6, rest.isEmpty || rest.first == " " {
                    flush()
                    var title = rest.trimmingCharacters(in: .whitespaces)
                    while title.hasSuffix("#") { title.removeLast() }
                    let heading = HTMLText.collapseWhitespace(inline(title))
                    if !heading.isEmpty { blocks.append(TextBlock(kind: .heading, level: level, text: heading)) }
                    continue
                }
            }
            while line.hasPrefix(">") || line.hasPrefix(" >") { line = String(line.drop { $0 == " " }.dropFirst()) }
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.hasPrefix("|") {
                flush()
                let cells = content.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == ":" } }) { continue }
                let row = HTMLText.collapseWhitespace(inline(cells.filter { !$0.isEmpty }.joined(separator: "; ")))
                if !row.isEmpty { blocks.append(TextBlock(kind: .paragraph, text: row)) }
                continue
            }
            if let item = listItem(content) {
                flush()
                paragraph = [item]
                paragraphKind = .listItem
                continue
            }
            paragraph.append(content)
        }
        flush()
        return blocks
    }

    /// The text of a list item line (`- x`, `* x`, `+ x`, `1. x`, `1) x`), or nil.
    static func listItem(_ line: String) -> String? {
        if let first = line.first, "-*+".contains(first), line.dropFirst().first == " " {
            return String(line.dropFirst(2))
        }
        let digits = line.prefix { $0.isNumber }
        if !digits.isEmpty, digits.count <= 3 {
            let rest = line.dropFirst(digits.count)
            if let marker = rest.first, marker == "." || marker == ")", rest.dropFirst().first == " " { return String(rest.dropFirst(2)) }
        }
        return nil
    }

    /// Inline Markdown reduced to its text.
    static func inline(_ text: String) -> String {
        var result = ""
        var characters = Array(text)
        var index = 0
        // Images are dropped; links keep their text.
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count, "\\`*_{}[]()#+-.!|<>~".contains(characters[index + 1]) {
                result.append(characters[index + 1])
                index += 2
                continue
            }
            if character == "!", index + 1 < characters.count, characters[index + 1] == "[", let (_, end) = link(characters, at: index + 1) {
                index = end
                continue
            }
            if character == "[", let (label, end) = link(characters, at: index) {
                result += inline(label)
                index = end
                continue
            }
            if character == "<", let close = characters[index...].firstIndex(of: ">"), close - index < 200 {
                let inside = String(characters[(index + 1)..<close])
                if inside.hasPrefix("http") || inside.contains("@") {
                    result += inside
                } else {
                    result += " "
                }
                index = close + 1
                continue
            }
            if character == "`" || character == "*" {
                index += 1
                continue
            }
            if character == "_" {
                // Emphasis underscores sit at word edges; snake_case keeps them.
                let before = index > 0 ? characters[index - 1] : " "
                let after = index + 1 < characters.count ? characters[index + 1] : " "
                if !(before.isLetter || before.isNumber) || !(after.isLetter || after.isNumber) {
                    index += 1
                    continue
                }
            }
            result.append(character)
            index += 1
        }
        characters = []
        return result
    }

    /// `[label](url)` or `[label][ref]` starting at `index`: the label and the index after it.
    static func link(_ characters: [Character], at index: Int) -> (String, Int)? {
        guard let close = closing(characters, from: index, open: "[", close: "]") else { return nil }
        let label = String(characters[(index + 1)..<close])
        let next = close + 1
        if next < characters.count, characters[next] == "(" {
            return closing(characters, from: next, open: "(", close: ")").map { (label, $0 + 1) }
        }
        if next < characters.count, characters[next] == "[", let end = characters[next...].firstIndex(of: "]") { return (label, end + 1) }
        return nil
    }

    /// The index of the bracket closing the one at `start`, nested pairs skipped.
    private static func closing(_ characters: [Character], from start: Int, open: Character, close: Character) -> Int? {
        var depth = 0
        for index in start..<characters.count {
            if characters[index] == open { depth += 1 }
            if characters[index] == close {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }
}

/// Text blocks of a plain-text document: paragraphs separated by blank lines; a short
/// line without final punctuation, followed by a blank line, is a heading; lines
/// starting with a bullet or a number are list items.
public enum PlainText {
    public static func blocks(_ text: String) -> [TextBlock] {
        var blocks: [TextBlock] = []
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        for paragraph in paragraphs {
            let lines = paragraph.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !lines.isEmpty else { continue }
            if lines.count == 1, lines[0].count <= 80, let last = lines[0].last, !".!?:;,".contains(last), lines[0].first?.isLetter == true
                || lines[0].first?.isNumber == true
            {
                blocks.append(TextBlock(kind: .heading, level: 2, text: HTMLText.collapseWhitespace(lines[0])))
                continue
            }
            var current: [String] = []
            var kind = TextBlock.Kind.paragraph
            func flush() {
                let joined = HTMLText.collapseWhitespace(current.joined(separator: " "))
                if !joined.isEmpty { blocks.append(TextBlock(kind: kind, text: joined)) }
                current = []
                kind = .paragraph
            }
            for line in lines {
                if let item = MarkdownText.listItem(line) ?? (line.hasPrefix("• ") ? String(line.dropFirst(2)) : nil) {
                    flush()
                    current = [item]
                    kind = .listItem
                } else {
                    current.append(line)
                }
            }
            flush()
        }
        return blocks
    }
}
