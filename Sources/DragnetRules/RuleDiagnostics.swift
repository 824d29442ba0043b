package import Yams
import DragnetCore

/// A problem in a rule file, at a place in it.
public struct RuleDiagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Level: String, Sendable, Hashable { case error, warning }

    public var file: String
    public var line: Int
    public var column: Int
    public var level: Level
    public var message: String
    /// The text of the offending line, for the caret display.
    public var sourceLine: String?

    public init(file: String, line: Int, column: Int, level: Level = .error, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.level = level
        self.message = message
        self.sourceLine = sourceLine
    }

    /// `file:line:col: error: message`, then the line and a caret under the column.
    public var description: String {
        var text = "\(file):\(line):\(column): \(level.rawValue): \(message)"
        if let sourceLine {
            text += "\n" + sourceLine + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^"
        }
        return text
    }

    public static func < (lhs: RuleDiagnostic, rhs: RuleDiagnostic) -> Bool {
        (lhs.file, lhs.line, lhs.column, lhs.message) < (rhs.file, rhs.line, rhs.column, rhs.message)
    }
}

/// Reads one YAML file into nodes and records diagnostics that point into it.
/// Every accessor reports what is wrong where, and returns nil instead of throwing,
/// so that one file can report all of its problems in one run.
package struct YAMLFile {
    package let path: String
    package let lines: [Substring]
    package private(set) var diagnostics: [RuleDiagnostic] = []
    package let root: Node?

    package init(path: String, text: String) {
        self.path = path
        self.lines = text.splitLines()
        var root: Node?
        var problem: RuleDiagnostic?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            problem = Self.diagnostic(for: error, path: path)
        } catch {
            problem = RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read YAML: \(error)")
        }
        self.root = root
        if var problem {
            if problem.line >= 1, problem.line <= lines.count { problem.sourceLine = String(lines[problem.line - 1]) }
            diagnostics.append(problem)
        }
    }

    private static func diagnostic(for error: YamlError, path: String) -> RuleDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return RuleDiagnostic(file: path, line: mark.line, column: mark.column, message: "YAML syntax: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return RuleDiagnostic(
                file: path, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(duplicates.first.map { "'\($0)'" } ?? "") in a mapping")
        case .reader(let problem, _, _, _):
            return RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read YAML: \(problem)")
        default:
            return RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read YAML: \(error)")
        }
    }

    package mutating func appendDiagnostic(_ diagnostic: RuleDiagnostic) {
        diagnostics.append(diagnostic)
    }

    package mutating func error(_ message: String, at node: Node?) {
        report(.error, message, at: node)
    }

    package mutating func warning(_ message: String, at node: Node?) {
        report(.warning, message, at: node)
    }

    private mutating func report(_ level: RuleDiagnostic.Level, _ message: String, at node: Node?) {
        diagnostics.append(diagnostic(level, message, at: node))
    }

    /// A diagnostic at `node`'s position, for problems found only after every file is read.
    package func diagnostic(_ level: RuleDiagnostic.Level, _ message: String, at node: Node?) -> RuleDiagnostic {
        let mark = node?.mark
        let line = mark?.line ?? 1
        let column = mark?.column ?? 1
        let source = line >= 1 && line <= lines.count ? String(lines[line - 1]) : nil
        return RuleDiagnostic(file: path, line: line, column: column, level: level, message: message, sourceLine: source)
    }

    /// The members of a mapping node, checking the keys against `allowed`.
    package mutating func mapping(_ node: Node?, what: String, allowed: [String]) -> [(key: String, keyNode: Node, value: Node)]? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            error("\(what) must be a mapping (key: value)", at: node)
            return nil
        }
        var members: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error("keys of \(what) must be plain strings", at: key)
                continue
            }
            if !allowed.isEmpty, !allowed.contains(name) {
                let suggestion = Self.closest(name, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                error("unknown key '\(name)' in \(what)\(suggestion)", at: key)
                continue
            }
            members.append((name, key, value))
        }
        return members
    }

    /// A scalar's text, or an error.
    package mutating func string(_ node: Node?, what: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            error("\(what) must be a single value", at: node)
            return nil
        }
        return scalar.string
    }

    /// A list of scalars; a single scalar counts as a list of one.
    package mutating func strings(_ node: Node?, what: String) -> [(String, Node)]? {
        guard let node else { return nil }
        switch node {
        case .scalar(let scalar): return [(scalar.string, node)]
        case .sequence(let sequence):
            var values: [(String, Node)] = []
            for item in sequence {
                if let value = string(item, what: "each item of \(what)") { values.append((value, item)) }
            }
            return values
        default:
            error("\(what) must be a list", at: node)
            return nil
        }
    }

    package mutating func sequence(_ node: Node?, what: String) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            error("\(what) must be a list", at: node)
            return nil
        }
        return Array(sequence)
    }

    package mutating func number(_ node: Node?, what: String) -> Double? {
        guard let text = string(node, what: what) else { return nil }
        guard let value = Double(text), value.isFinite else {
            error("\(what) must be a number, not '\(text)'", at: node)
            return nil
        }
        return value
    }

    /// The allowed word closest to `word` (edit distance at most 2 or a third of its length).
    package static func closest(_ word: String, in words: [String]) -> String? {
        let limit = max(2, word.count / 3)
        let scored = words.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.filter { $0.1 <= limit }
        if let best = scored.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) { return best.0 }
        // A shared beginning of four or more characters (`adverts` → `advertising`).
        let lowered = Array(word.lowercased())
        let prefixed = words.map { candidate in (candidate, zip(lowered, candidate.lowercased()).prefix { $0 == $1 }.count) }.filter { $0.1 >= 4 }
        return prefixed.max { ($0.1, $1.0) < ($1.1, $0.0) }?.0
    }

    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
