import DragnetFetch
import Foundation

/// The URLs of a run, from arguments, files and stdin, in order.
struct InputList {
    var items: [URLInput] = []
    /// The file each item came from (`-` for stdin), nil for a URL argument.
    var sources: [String?] = []

    /// Each argument is `-` (stdin), an existing file of URLs, or a URL.
    static func load(_ arguments: [String]) throws(UsageError) -> InputList {
        guard !arguments.isEmpty else { throw UsageError(description: "no URLs given (pass URLs, a file of URLs, or - for stdin)") }
        var list = InputList()
        var readStdin = false
        for argument in arguments {
            if argument == "-" {
                guard !readStdin else { throw UsageError(description: "stdin (-) given twice") }
                readStdin = true
                let data = FileHandle.standardInput.readDataToEndOfFile()
                list.append(URLInput.parseList(String(decoding: data, as: UTF8.self)), source: "-")
            } else if URLInput.explicitScheme(argument) == nil, isFile(argument) {
                guard let data = FileManager.default.contents(atPath: argument) else {
                    throw UsageError(description: "cannot read \(argument)")
                }
                list.append(URLInput.parseList(String(decoding: data, as: UTF8.self)), source: argument)
            } else {
                list.items.append(URLInput(argument))
                list.sources.append(nil)
            }
        }
        return list
    }

    private mutating func append(_ inputs: [URLInput], source: String) {
        items.append(contentsOf: inputs)
        sources.append(contentsOf: Array(repeating: source, count: inputs.count))
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
