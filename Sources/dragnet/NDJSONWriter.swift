import DragnetFetch
import Foundation

/// Writes one JSON object per line to stdout, keys sorted, flushed per line so
/// that a reader sees each result as soon as it completes.
struct NDJSONWriter {
    let includeBody: Bool
    let sources: [String?]
    private let encoder: JSONEncoder

    init(includeBody: Bool, sources: [String?]) {
        self.includeBody = includeBody
        self.sources = sources
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.encoder = encoder
    }

    func write(_ result: FetchResult) throws {
        let source = result.id < sources.count ? sources[result.id] : nil
        var line = try encoder.encode(Record(result: result, source: source, includeBody: includeBody))
        line.append(0x0A)
        FileHandle.standardOutput.write(line)
    }

    /// A result plus the CLI's own fields (`source`, and the body on request).
    private struct Record: Encodable {
        let result: FetchResult
        let source: String?
        let includeBody: Bool

        enum Keys: String, CodingKey { case source, body, bodyBase64 }

        func encode(to encoder: any Encoder) throws {
            try result.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeIfPresent(source, forKey: .source)
            guard includeBody, result.status != nil else { return }
            if let text = String(validating: result.body, as: UTF8.self) {
                try container.encode(text, forKey: .body)
            } else {
                try container.encode(Data(result.body).base64EncodedString(), forKey: .bodyBase64)
            }
        }
    }
}
