import CHTMLSAX
#if canImport(Glibc)
import Glibc
#endif
public import DragnetCore

/// Why a document could not be parsed at all.
public struct ExtractionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The result of extracting one page.
public struct ExtractedPage: Sendable {
    public var observations: Observations
    /// The URL relative references were resolved against: the given page URL,
    /// else the page's canonical (or `og:url`) URL when it has one.
    public var pageURL: String?
}

/// Extracts everything an audit needs from an HTML page in one streaming pass
/// of libxml2's HTML parser (recover mode, no network, no entity expansion).
public enum HTMLExtractor {
    /// - Parameters:
    ///   - bytes: the page as received.
    ///   - pageURL: the page's URL; relative references resolve against `<base href>`, then this.
    ///     When nil, the page's own canonical or `og:url` URL is used if it has one.
    ///   - charset: the HTTP header's charset; it overrides the page's own `<meta charset>`.
    public static func extract(_ bytes: [UInt8], pageURL: String?, charset: String? = nil) -> ExtractedPage {
        let state = ExtractionState(pageURL: pageURL.flatMap(WebURL.init))
        let charset = charset ?? Charset.fallback(for: bytes)
        let bytes = withoutNULs(bytes, charset: charset)
        if !bytes.isEmpty {
            var callbacks = dragnet_html_callbacks(
                start_element: startCallback,
                end_element: endCallback,
                characters: charactersCallback,
                raw_text: rawTextCallback
            )
            let user = Unmanaged.passUnretained(state).toOpaque()
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    _ = withUnsafePointer(to: &callbacks) { callbacksPointer in
                        if let charset {
                            dragnet_html_parse(chars.baseAddress, chars.count, charset, callbacksPointer, user)
                        } else {
                            dragnet_html_parse(chars.baseAddress, chars.count, nil, callbacksPointer, user)
                        }
                    }
                }
            }
        }
        return state.finish()
    }
}

/// libxml2 2.9 takes a NUL byte for the end of the input; browsers ignore it.
/// Replace NULs with spaces (same length, so line numbers hold) unless the
/// page is UTF-16 or UTF-32, where NUL bytes are part of the characters.
private func withoutNULs(_ bytes: [UInt8], charset: String?) -> [UInt8] {
    let hasNUL = bytes.withUnsafeBytes { buffer in buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false }
    guard hasNUL else { return bytes }
    let wide = (charset?.lowercased()).map { $0.hasPrefix("utf-16") || $0.hasPrefix("utf-32") || $0 == "ucs-2" } ?? false
    if wide || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) { return bytes }
    return bytes.map { $0 == 0 ? 0x20 : $0 }
}

private let startCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?, Int32) -> Void = { user, tag, attributes, line in
    guard let user else { return }
    let state = Unmanaged<ExtractionState>.fromOpaque(user).takeUnretainedValue()
    state.start(tag: tag, attributes: Attributes(pairs: UnsafePointer(attributes)), line: Int(line))
}

private let endCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, Int32) -> Void = { user, tag, implied in
    guard let user else { return }
    Unmanaged<ExtractionState>.fromOpaque(user).takeUnretainedValue().end(tag: tag, implied: implied != 0)
}

private let charactersCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32) -> Void = { user, text, length in
    guard let user, let text, length > 0 else { return }
    let bytes = UnsafeRawBufferPointer(start: text, count: Int(length))
    Unmanaged<ExtractionState>.fromOpaque(user).takeUnretainedValue().characters(bytes)
}

private let rawTextCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32) -> Void = { user, text, length in
    guard let user, let text, length > 0 else { return }
    let bytes = UnsafeRawBufferPointer(start: text, count: Int(length))
    Unmanaged<ExtractionState>.fromOpaque(user).takeUnretainedValue().rawText(bytes)
}
