import CHTMLSAX
import DragnetCore

/// A block of a document's main text.
public struct TextBlock: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case heading, paragraph, listItem = "list-item"
    }

    public var kind: Kind
    /// 1–6 for headings, else 0.
    public var level: Int
    /// Whitespace collapsed to single spaces, trimmed.
    public var text: String

    public init(kind: Kind, level: Int = 0, text: String) {
        self.kind = kind
        self.level = level
        self.text = text
    }
}

/// The main text of an HTML document (a privacy policy, say): headings,
/// paragraphs and list items in order, without scripts, styles, navigation,
/// headers, footers, forms, hidden elements and cookie banners (libxml2, SAX).
public enum HTMLText {
    public static func blocks(_ bytes: [UInt8], charset: String? = nil) -> [TextBlock] {
        let box = BlockSink()
        let charset = charset ?? Charset.fallback(for: bytes)
        let bytes = bytes.map { $0 == 0 ? 0x20 : $0 }
        let user = Unmanaged.passUnretained(box).toOpaque()
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                if let charset {
                    _ = dragnet_html_text_blocks(chars.baseAddress, chars.count, charset, blockCallback, user)
                } else {
                    _ = dragnet_html_text_blocks(chars.baseAddress, chars.count, nil, blockCallback, user)
                }
            }
        }
        return box.blocks
    }

    private static let blockCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, Int32, UnsafePointer<CChar>?, Int) -> Void = {
        user, kind, level, text, length in
        guard let user, let text else { return }
        let raw = String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
        let collapsed = collapseWhitespace(raw)
        guard !collapsed.isEmpty else { return }
        let blockKind: TextBlock.Kind = kind == 1 ? .heading : kind == 3 ? .listItem : .paragraph
        Unmanaged<BlockSink>.fromOpaque(user).takeUnretainedValue()
            .add(TextBlock(kind: blockKind, level: blockKind == .heading ? Int(level) : 0, text: collapsed))
    }

    /// Collapses runs of whitespace (including no-break spaces) to one space and trims.
    public static func collapseWhitespace(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{00A0}" || scalar == "\u{200B}" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Receives blocks from the C callback.
final class BlockSink {
    var blocks: [TextBlock] = []
    func add(_ block: TextBlock) { blocks.append(block) }
}
