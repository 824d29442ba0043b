import DragnetRules
import Foundation

/// Builds a platform's practice profile from dated versions of its privacy policy: the
/// practices the latest version affirms, since which version, with a quote. The output
/// is a starting point for `rules/platforms/<id>.yml`, to be reviewed by hand.
public enum PlatformProfileBuilder {
    public struct Version: Sendable {
        public var path: String
        public var date: String
        public var analysis: PolicyAnalysis

        public init(path: String, date: String, analysis: PolicyAnalysis) {
            self.path = path
            self.date = date
            self.analysis = analysis
        }
    }

    /// The capture date in a file name (`…/2023-09-29.md`), or the file name.
    public static func date(of path: String) -> String {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return name
    }

    /// YAML for the profile: newest version last in `versions`.
    public static func yaml(platform: String, name: String, url: String?, versions: [Version], generated: String) -> String {
        let sorted = versions.sorted { $0.date < $1.date }
        guard let latest = sorted.last else { return "" }
        var lines = [
            "# \(name): practices its own privacy policy affirms, from `dragnet policy profile`.",
            "# Reviewed by hand: every practice below was read in its quoted sentence.",
            "platform: \(platform)",
            "name: \(quoted(name))",
        ]
        if let url { lines.append("policy: \(url)") }
        lines.append("generated: \(generated)")
        lines.append("documents:")
        for version in sorted {
            lines.append("  - {file: \(quoted(version.path)), captured: \(version.date), sentences: \(version.analysis.sentenceCount), practices: \(version.analysis.practices.count)}")
        }
        lines.append("practices:")
        for practice in latest.analysis.practices {
            // The first version from which every later version affirms it.
            var since = latest.date
            for version in sorted.reversed() {
                if version.analysis.practices.contains(practice) { since = version.date } else { break }
            }
            let count = latest.analysis.sentences.filter { $0.labels.categories.contains(practice) }.count
            // The clearest quote: a sentence about this practice alone if there is one, else
            // the one with the fewest other labels; longer (up to 300 characters) wins ties.
            let candidates = latest.analysis.sentences.filter { $0.labels.categories.contains(practice) && $0.text.count >= 40 }
            let best = candidates.min { a, b in
                (a.labels.categories.count, -min(a.text.count, 300)) < (b.labels.categories.count, -min(b.text.count, 300))
            }
            let quote = best?.text ?? latest.analysis.quote(practice)?.text ?? ""
            lines.append("  - id: \(practice)")
            lines.append("    since: \(since)")
            lines.append("    sentences: \(count)")
            lines.append("    quote: \(quoted(quote.count > 400 ? String(quote.prefix(400)) + "…" : quote))")
        }
        let dropped = Set(sorted.dropLast().flatMap(\.analysis.practices)).subtracting(latest.analysis.practices).sorted()
        if !dropped.isEmpty {
            lines.append("# Affirmed by an earlier version only: \(dropped.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
