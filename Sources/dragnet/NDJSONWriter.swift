import DragnetCore
import DragnetFetch
import Foundation

/// Writes one JSON object per line to stdout, keys sorted, one write per line so
/// that a reader sees each result as soon as it completes.
struct NDJSONWriter {
    let includeBody: Bool
    let sources: [String?]

    func write(_ result: FetchResult) {
        guard case .object(var members) = result.json else { return }
        if result.id < sources.count, let source = sources[result.id] {
            members.append(("source", .string(source)))
        }
        if includeBody, result.status != nil {
            if let text = String(validating: result.body, as: UTF8.self) {
                members.append(("body", .string(text)))
            } else {
                members.append(("bodyBase64", .string(Data(result.body).base64EncodedString())))
            }
        }
        var line = JSONValue.object(members).bytes
        line.append(0x0A)
        FileHandle.standardOutput.write(Data(line))
    }
}
