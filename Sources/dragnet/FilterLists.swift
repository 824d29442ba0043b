import DragnetFetch
import Foundation

/// Reads the `--list` arguments: files, or http(s) URLs fetched with the fetcher.
enum FilterLists {
    static func texts(_ arguments: [String]) async throws(UsageError) -> [String] {
        var texts: [String] = []
        for argument in arguments {
            if let scheme = URLInput.explicitScheme(argument), scheme == "http" || scheme == "https" {
                texts.append(try await download(argument))
            } else {
                guard let data = FileManager.default.contents(atPath: argument) else {
                    throw UsageError(description: "cannot read filter list \(argument)")
                }
                texts.append(String(decoding: data, as: UTF8.self))
            }
        }
        return texts
    }

    private static func download(_ url: String) async throws(UsageError) -> String {
        var options = FetchOptions()
        options.allowPrivateHostsNamed(in: [url])
        options.maxBytes = 50 * 1024 * 1024
        let results: FetchResults
        do {
            results = try Fetcher(options: options).fetch([URLInput(url)])
        } catch {
            throw UsageError(description: "cannot fetch filter list \(url): \(error)")
        }
        var iterator = results.makeAsyncIterator()
        guard let result = await iterator.next() else { throw UsageError(description: "cannot fetch filter list \(url)") }
        if let error = result.error { throw UsageError(description: "cannot fetch filter list \(url): \(error)") }
        guard let status = result.status, (200..<300).contains(status) else {
            throw UsageError(description: "cannot fetch filter list \(url): HTTP \(result.status.map(String.init) ?? "error")")
        }
        return String(decoding: result.body, as: UTF8.self)
    }
}
