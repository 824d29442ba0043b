import Foundation
import Yams

/// One word of a policy pattern: an exact lower-case word, or a prefix (`biometric*`).
struct PolicyWord: Sendable, Hashable {
    var text: String
    var prefix: Bool

    func matches(_ token: String) -> Bool { prefix ? token.hasPrefix(text) : token == text }
}

/// `sell|sale|sold ... personal information|your data`: groups in order, each a set of
/// alternative phrases. ` ... ` allows the category's gap (12 words by default) between
/// two groups, ` ..N ` at most N words.
struct PolicyPattern: Sendable, Hashable {
    var source: String
    var groups: [[[PolicyWord]]]
    /// Per group after the first: the gap allowed before it (nil: the category's).
    var gaps: [Int?]

    /// Parses the pattern text; nil with a reason when it is malformed.
    static func parse(_ text: String) -> (PolicyPattern?, String?) {
        var groupTexts: [String] = [""]
        var gaps: [Int?] = []
        for part in text.split(separator: " ", omittingEmptySubsequences: true) {
            if part == "..." {
                groupTexts.append("")
                gaps.append(nil)
            } else if part.hasPrefix(".."), let number = Int(part.dropFirst(2)), number >= 0, number <= 40 {
                groupTexts.append("")
                gaps.append(number)
            } else {
                groupTexts[groupTexts.count - 1] += (groupTexts[groupTexts.count - 1].isEmpty ? "" : " ") + part
            }
        }
        let groups = groupTexts.map { group in
            group.split(separator: "|", omittingEmptySubsequences: false).map { alternative in
                PolicyText.tokens(String(alternative), keepWildcards: true).map { word in
                    word.hasSuffix("*") ? PolicyWord(text: String(word.dropLast()), prefix: true) : PolicyWord(text: word, prefix: false)
                }
            }
        }
        if groups.isEmpty || groups.contains(where: { $0.isEmpty || $0.contains(where: \.isEmpty) }) {
            return (nil, "empty alternative in pattern '\(text)' (write `a|b ... c|d`)")
        }
        if groups.contains(where: { $0.contains { $0.contains { $0.prefix && $0.text.count < 3 } } }) {
            return (nil, "a prefix word needs at least 3 letters before `*` in '\(text)'")
        }
        return (PolicyPattern(source: text, groups: groups, gaps: gaps), nil)
    }

    /// Where the pattern matches: the whole span, and the spans of the matched phrases.
    func matches(_ tokens: [String], gap: Int) -> [(span: Range<Int>, phrases: [Range<Int>])] {
        var result: [(Range<Int>, [Range<Int>])] = []
        for start in tokens.indices {
            guard let firstEnd = Self.match(groups[0], tokens, at: start) else { continue }
            var phrases = [start..<firstEnd]
            var end = firstEnd
            var ok = true
            for (index, group) in groups.dropFirst().enumerated() {
                let allowed = gaps[index] ?? gap
                var found: Int?
                var position = end
                while position < tokens.count && position <= end + allowed {
                    if let next = Self.match(group, tokens, at: position) {
                        found = next
                        phrases.append(position..<next)
                        break
                    }
                    position += 1
                }
                guard let found else {
                    ok = false
                    break
                }
                end = found
            }
            if ok { result.append((start..<end, phrases)) }
        }
        return result
    }

    /// The end of the first alternative of `group` that matches at `index`.
    private static func match(_ group: [[PolicyWord]], _ tokens: [String], at index: Int) -> Int? {
        for phrase in group where index + phrase.count <= tokens.count {
            var matched = true
            for (offset, word) in phrase.enumerated() where !word.matches(tokens[index + offset]) {
                matched = false
                break
            }
            if matched { return index + phrase.count }
        }
        return nil
    }
}

/// A policy category and the patterns that find it in a sentence.
public struct PolicyCategory: Sendable {
    public var id: String
    public var title: String
    /// `opp-115` or `data-grab`.
    public var set: String
    public var description: String
    var patterns: [PolicyPattern]
    var excludes: [PolicyPattern]
    /// Categories that take the sentence from this one when affirmed in it too ("we store
    /// your data outside your country" is a transfer statement, not a collection one).
    public var yieldsTo: [String] = []
    /// Where each `yieldsTo` entry was written, to report an unknown category there.
    var yieldsToMarks: [RuleDiagnostic] = []
    var gap: Int
    /// False for categories where a denial is still about the topic ("we do not respond to
    /// Do Not Track signals" is a Do-Not-Track statement).
    var negatable: Bool
    public var matchExamples: [String]
    public var noMatchExamples: [String]
    public var negatedExamples: [String]
    public var file: String
    public var line: Int
}

/// The labels of one sentence.
public struct SentenceLabels: Sendable, Hashable {
    /// Categories the sentence affirms, sorted.
    public var categories: [String]
    /// Categories it mentions only as not happening ("we do not sell …"), sorted.
    public var negated: [String]

    public init(categories: [String] = [], negated: [String] = []) {
        self.categories = categories
        self.negated = negated
    }
}

/// The privacy-policy classifier: `rules/policy/*.yml`.
public struct PolicyRulePack: Sendable {
    public internal(set) var categories: [PolicyCategory] = []
    public internal(set) var diagnostics: [RuleDiagnostic] = []
    public internal(set) var files: [String] = []
    var negationCues: Set<String> = ["not", "never", "no", "don't", "doesn't", "won't", "cannot", "can't", "neither", "nor", "didn't", "isn't", "aren't", "shouldn't", "wouldn't"]
    /// Words after a cue that undo it ("not limited to", "not only").
    var negationBreakers: Set<String> = ["limited", "only", "necessarily", "matter"]
    var clauseBreaks: Set<String> = [";", ":", "but", "however", "although", "except", "unless", "whereas", "while"]
    var negationWindow = 6
    /// Phrases that turn a preceding denial into a qualified affirmation ("we do not share … except …").
    var negationExceptions: [[String]] = [["except"], ["other", "than"], ["apart", "from"]]

    public var errors: [RuleDiagnostic] { diagnostics.filter { $0.level == .error } }

    public init() {}

    /// The categories a sentence affirms or denies. A category is affirmed when any
    /// pattern matches without a negation cue before it in its clause (or inside the
    /// match); it is negated when every match is negated; an `exclude` pattern vetoes it.
    public func classify(_ sentence: String) -> SentenceLabels {
        let tokens = PolicyText.tokens(sentence)
        var labels = SentenceLabels()
        var yielding: [PolicyCategory] = []
        for category in categories {
            // Every match of every pattern; a match inside the span of a negated one (the
            // "train … models" inside "do not use … to train … models") is not an affirmation.
            var negatedSpans: [Range<Int>] = []
            var plain: [Range<Int>] = []
            for pattern in category.patterns {
                for match in pattern.matches(tokens, gap: category.gap) {
                    if category.negatable && isNegated(tokens, match.span, phrases: match.phrases) && !hasException(tokens, after: match.span.upperBound) {
                        negatedSpans.append(match.span)
                    } else {
                        plain.append(match.span)
                    }
                }
            }
            let affirmed = plain.contains { span in !negatedSpans.contains { $0.overlaps(span) } }
            let negated = !negatedSpans.isEmpty
            guard affirmed || negated else { continue }
            if category.excludes.contains(where: { !$0.matches(tokens, gap: category.gap).isEmpty }) { continue }
            if affirmed { labels.categories.append(category.id) } else { labels.negated.append(category.id) }
            if affirmed && !category.yieldsTo.isEmpty { yielding.append(category) }
        }
        let dropped = yielding.filter { $0.yieldsTo.contains(where: labels.categories.contains) }.map(\.id)
        labels.categories.removeAll(where: dropped.contains)
        labels.categories.sort()
        labels.negated.sort()
        return labels
    }

    /// Whether an exception phrase follows `index` in the sentence.
    func hasException(_ tokens: [String], after index: Int) -> Bool {
        guard index < tokens.count else { return false }
        for start in index..<tokens.count {
            for phrase in negationExceptions where start + phrase.count <= tokens.count && Array(tokens[start..<(start + phrase.count)]) == phrase {
                return true
            }
        }
        return false
    }

    func isNegated(_ tokens: [String], _ range: Range<Int>, phrases: [Range<Int>]) -> Bool {
        func isCue(_ index: Int) -> Bool {
            guard negationCues.contains(tokens[index]) else { return false }
            if index + 1 < tokens.count, negationBreakers.contains(tokens[index + 1]) { return false }
            if index >= 2, tokens[index - 1] == "or", tokens[index - 2] == "whether" { return false }
            return true
        }
        // Between the matched phrases (a cue inside a phrase, as in "Do Not Track", is part of it).
        var inside = range.lowerBound
        while inside < range.upperBound {
            if clauseBreaks.contains(tokens[inside]) { break }
            if !phrases.contains(where: { $0.contains(inside) }) && isCue(inside) { return true }
            inside += 1
        }
        var index = range.lowerBound - 1
        var seen = 0
        while index >= 0 && seen < negationWindow {
            let token = tokens[index]
            if clauseBreaks.contains(token) { return false }
            if token == ",", index + 1 < tokens.count, ["and", "or", "but", "which", "including", "such"].contains(tokens[index + 1]) { return false }
            if isCue(index) { return true }
            if token != "," { seen += 1 }
            index -= 1
        }
        return false
    }
}

/// Tokens for policy matching: lower-case words (letters and digits, with inner
/// apostrophes), and `,` `;` `:` `(` `)` as their own tokens (clause boundaries).
public enum PolicyText {
    public static func tokens(_ text: String, keepWildcards: Bool = false) -> [String] {
        var tokens: [String] = []
        var current = ""
        func finish() {
            if !current.isEmpty {
                while current.hasSuffix("'") { current.removeLast() }
                if !current.isEmpty { tokens.append(current) }
                current = ""
            }
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if (character == "'" || character == "’") && !current.isEmpty {
                current.append("'")
            } else if character == "*" && keepWildcards {
                current.append("*")
            } else {
                finish()
                if [",", ";", ":", "(", ")"].contains(character) { tokens.append(String(character)) }
            }
        }
        finish()
        return tokens
    }
}

extension PolicyRulePack {
    /// Loads `directory/*.yml` (the `rules/policy` folder). Problems go to `diagnostics`.
    public static func load(directory: String) -> PolicyRulePack {
        var pack = PolicyRulePack()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yml") }.sorted()
        if names.isEmpty {
            pack.diagnostics.append(RuleDiagnostic(file: directory, line: 1, column: 1, message: "no policy rule files (*.yml) found"))
        }
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                pack.diagnostics.append(RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read file"))
                continue
            }
            pack.read(path, text)
        }
        pack.diagnostics.sort()
        return pack
    }

    /// Loads rule files given as (name, YAML text).
    public static func load(files: [(String, String)]) -> PolicyRulePack {
        var pack = PolicyRulePack()
        for (name, text) in files { pack.read(name, text) }
        // `yieldsTo` can name categories of any file, so it is checked once all are read;
        // a bad entry is reported and dropped.
        let ids = Set(pack.categories.map(\.id))
        for index in pack.categories.indices {
            let category = pack.categories[index]
            var kept: [String] = []
            for (target, mark) in zip(category.yieldsTo, category.yieldsToMarks) {
                if ids.contains(target) && target != category.id {
                    kept.append(target)
                    continue
                }
                var diagnostic = mark
                diagnostic.message = target == category.id
                    ? "category '\(target)' cannot yield to itself"
                    : "unknown category '\(target)' in yieldsTo" + (YAMLFile.closest(target, in: ids.sorted()).map { "; did you mean '\($0)'?" } ?? "")
                pack.diagnostics.append(diagnostic)
            }
            pack.categories[index].yieldsTo = kept
        }
        pack.diagnostics.sort()
        return pack
    }

    static let categoryKeys = ["id", "title", "set", "description", "patterns", "exclude", "yieldsTo", "gap", "negatable", "examples"]

    private mutating func read(_ path: String, _ text: String) {
        files.append(path)
        var file = YAMLFile(path: path, text: text)
        defer { diagnostics += file.diagnostics }
        guard file.root != nil else { return }
        guard let members = file.mapping(file.root, what: "a policy rule file", allowed: ["description", "categories", "negation"]) else { return }
        for (key, _, value) in members {
            switch key {
            case "description": _ = file.string(value, what: "description")
            case "negation": readNegation(value, &file)
            default:
                for node in file.sequence(value, what: "categories") ?? [] {
                    guard let category = readCategory(node, &file) else { continue }
                    if let other = categories.first(where: { $0.id == category.id }) {
                        file.error("category '\(category.id)' is also defined in \(other.file):\(other.line)", at: RulePack.member(node, "id") ?? node)
                    } else {
                        categories.append(category)
                    }
                }
            }
        }
        categories.sort { $0.id < $1.id }
    }

    private mutating func readNegation(_ node: Node, _ file: inout YAMLFile) {
        for (key, _, value) in file.mapping(node, what: "negation", allowed: ["cues", "breakers", "clauseBreaks", "window", "exceptions"]) ?? [] {
            switch key {
            case "exceptions": negationExceptions = (file.strings(value, what: "exceptions") ?? []).map { PolicyText.tokens($0.0) }.filter { !$0.isEmpty }
            case "cues": negationCues = Set((file.strings(value, what: "cues") ?? []).map { $0.0.lowercased() })
            case "breakers": negationBreakers = Set((file.strings(value, what: "breakers") ?? []).map { $0.0.lowercased() })
            case "clauseBreaks": clauseBreaks = Set((file.strings(value, what: "clauseBreaks") ?? []).map { $0.0.lowercased() })
            default:
                if let number = file.number(value, what: "window"), number >= 1, number <= 20 {
                    negationWindow = Int(number)
                } else {
                    file.error("window must be a number of words from 1 to 20", at: value)
                }
            }
        }
    }

    private func readCategory(_ node: Node, _ file: inout YAMLFile) -> PolicyCategory? {
        guard let members = file.mapping(node, what: "a category", allowed: Self.categoryKeys) else { return nil }
        var category = PolicyCategory(
            id: "", title: "", set: "", description: "", patterns: [], excludes: [], gap: 12, negatable: true, matchExamples: [], noMatchExamples: [],
            negatedExamples: [], file: file.path, line: node.mark?.line ?? 1)
        for (key, _, value) in members {
            switch key {
            case "id":
                let id = file.string(value, what: "id") ?? ""
                if !RulePack.isIdentifier(id) { file.error("id must be lower-case letters, digits and '-': '\(id)'", at: value) }
                category.id = id
            case "title": category.title = file.string(value, what: "title") ?? ""
            case "set":
                let set = file.string(value, what: "set") ?? ""
                if ["opp-115", "data-grab"].contains(set) { category.set = set } else { file.error("set must be opp-115 or data-grab, not '\(set)'", at: value) }
            case "description": category.description = file.string(value, what: "description") ?? ""
            case "yieldsTo":
                for (target, item) in file.strings(value, what: "yieldsTo") ?? [] {
                    category.yieldsTo.append(target)
                    category.yieldsToMarks.append(file.diagnostic(.error, "", at: item))
                }
            case "gap":
                if let number = file.number(value, what: "gap"), number >= 0, number <= 40 { category.gap = Int(number) } else {
                    file.error("gap must be a number of words from 0 to 40", at: value)
                }
            case "negatable":
                let text = file.string(value, what: "negatable") ?? ""
                if text == "true" || text == "false" { category.negatable = text == "true" } else { file.error("negatable must be true or false", at: value) }
            case "patterns", "exclude":
                for (text, item) in file.strings(value, what: key) ?? [] {
                    let (pattern, problem) = PolicyPattern.parse(text)
                    if let pattern {
                        if key == "patterns" { category.patterns.append(pattern) } else { category.excludes.append(pattern) }
                    } else {
                        file.error(problem ?? "invalid pattern", at: item)
                    }
                }
            default:
                for (kind, _, list) in file.mapping(value, what: "examples", allowed: ["match", "noMatch", "negated"]) ?? [] {
                    let texts = (file.strings(list, what: "examples: \(kind)") ?? []).map(\.0)
                    switch kind {
                    case "match": category.matchExamples = texts
                    case "noMatch": category.noMatchExamples = texts
                    default: category.negatedExamples = texts
                    }
                }
            }
        }
        guard !category.id.isEmpty else {
            file.error("a category needs an id", at: node)
            return nil
        }
        if category.title.isEmpty { file.error("category '\(category.id)' needs a title", at: node) }
        if category.set.isEmpty && RulePack.member(node, "set") == nil { file.error("category '\(category.id)' needs a set (opp-115 or data-grab)", at: node) }
        if category.patterns.isEmpty && RulePack.member(node, "patterns") == nil { file.error("category '\(category.id)' needs patterns", at: node) }
        if category.matchExamples.isEmpty || category.noMatchExamples.isEmpty {
            file.error("category '\(category.id)' needs examples: match: and noMatch:", at: RulePack.member(node, "examples") ?? node)
        }
        return category
    }

    /// Runs every category's examples; each failure as `file:line: category: message`.
    public func testExamples() -> (examples: Int, failures: [String]) {
        var examples = 0
        var failures: [String] = []
        for category in categories {
            for text in category.matchExamples {
                examples += 1
                if !classify(text).categories.contains(category.id) {
                    failures.append("\(category.file):\(category.line): \(category.id): should match: \(text)")
                }
            }
            for text in category.noMatchExamples {
                examples += 1
                let labels = classify(text)
                if labels.categories.contains(category.id) {
                    failures.append("\(category.file):\(category.line): \(category.id): should not match: \(text)")
                }
            }
            for text in category.negatedExamples {
                examples += 1
                let labels = classify(text)
                if !labels.negated.contains(category.id) || labels.categories.contains(category.id) {
                    failures.append("\(category.file):\(category.line): \(category.id): should be negated: \(text)")
                }
            }
        }
        return (examples, failures)
    }
}
