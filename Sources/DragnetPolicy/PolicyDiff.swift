public import DragnetCore
public import DragnetRules

/// Sentence-level differences between two versions of a policy, insensitive to
/// whitespace, reflow, Markdown/HTML markup, quote styles and case; sentences that
/// only differ in dates or numbers ("Last updated: …") are boilerplate churn and
/// count as unchanged.
public struct PolicyDiff: Sendable {
    public struct Change: Sendable, Hashable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public var kind: Kind
        public var old: LabelledSentence?
        public var new: LabelledSentence?
        public var similarity: Double?
    }

    public var changes: [Change]
    /// Practices the new version affirms and the old one did not, and the reverse.
    public var practicesAdded: [String]
    public var practicesRemoved: [String]
    public var unchanged: Int

    public static func compare(_ old: PolicyDocument, _ new: PolicyDocument, rules: PolicyRulePack) -> PolicyDiff {
        func labelled(_ document: PolicyDocument) -> [LabelledSentence] {
            document.sentences.map { LabelledSentence(text: $0.text, headingPath: $0.headingPath, offset: $0.offset, labels: rules.classify($0.text)) }
        }
        let before = labelled(old)
        let after = labelled(new)
        var remaining: [String: [Int]] = [:]
        for (index, sentence) in before.enumerated() { remaining[key(sentence.text), default: []].append(index) }
        var matchedOld = Set<Int>()
        var added: [Int] = []
        var unchanged = 0
        for (index, sentence) in after.enumerated() {
            let k = key(sentence.text)
            if var list = remaining[k], !list.isEmpty {
                matchedOld.insert(list.removeFirst())
                remaining[k] = list
                unchanged += 1
            } else {
                added.append(index)
            }
        }
        var removed = before.indices.filter { !matchedOld.contains($0) }
        // Pair the rest by word overlap: a reworded sentence is a change, not an add and a remove.
        var changes: [Change] = []
        let removedWords = removed.map { Set(PolicyText.tokens(before[$0].text)) }
        var usedRemoved = Set<Int>()
        for index in added {
            let words = Set(PolicyText.tokens(after[index].text))
            var best: (Int, Double)?
            for (position, oldWords) in removedWords.enumerated() where !usedRemoved.contains(position) {
                let union = words.union(oldWords).count
                guard union > 0 else { continue }
                let score = Double(words.intersection(oldWords).count) / Double(union)
                if score >= 0.5, score > (best?.1 ?? 0) { best = (position, score) }
            }
            if let (position, score) = best {
                usedRemoved.insert(position)
                changes.append(Change(kind: .changed, old: before[removed[position]], new: after[index], similarity: (score * 100).rounded() / 100))
            } else {
                changes.append(Change(kind: .added, old: nil, new: after[index], similarity: nil))
            }
        }
        removed = removed.enumerated().filter { !usedRemoved.contains($0.offset) }.map(\.element)
        changes += removed.map { Change(kind: .removed, old: before[$0], new: nil, similarity: nil) }
        changes.sort { ($0.new?.offset ?? $0.old?.offset ?? 0, $0.kind.rawValue) < ($1.new?.offset ?? $1.old?.offset ?? 0, $1.kind.rawValue) }
        let oldPractices = Set(before.flatMap(\.labels.categories))
        let newPractices = Set(after.flatMap(\.labels.categories))
        return PolicyDiff(
            changes: changes, practicesAdded: newPractices.subtracting(oldPractices).sorted(),
            practicesRemoved: oldPractices.subtracting(newPractices).sorted(), unchanged: unchanged)
    }

    static let months: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]

    /// The comparison key of a sentence: its words, with numbers and month names
    /// replaced by `#` (so "Last updated: 1 May 2024" equals "Last updated: 3 June 2025").
    static func key(_ text: String) -> String {
        PolicyText.tokens(text).filter { $0 != "," && $0 != "(" && $0 != ")" }
            .map { token in token.allSatisfy(\.isNumber) || months.contains(token) ? "#" : token }
            .joined(separator: " ")
    }
}

extension PolicyDiff: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("practicesAdded", .array(practicesAdded.map { .string($0) })),
            ("practicesRemoved", .array(practicesRemoved.map { .string($0) })),
            ("unchanged", .int(unchanged)),
            ("changes", .array(changes.map { change in
                var members: [(String, JSONValue)] = [("kind", .string(change.kind.rawValue))]
                if let old = change.old { members.append(("old", old.json)) }
                if let new = change.new { members.append(("new", new.json)) }
                if let similarity = change.similarity { members.append(("similarity", .double(similarity))) }
                return .object(members)
            })),
        ])
    }

    /// Text or Markdown: practices that appeared or disappeared, then each change.
    public func render(markdown: Bool, labelledOnly: Bool) -> String {
        var lines: [String] = []
        let added = changes.filter { $0.kind == .added }.count
        let removed = changes.filter { $0.kind == .removed }.count
        let changed = changes.filter { $0.kind == .changed }.count
        lines.append(markdown ? "### Policy diff" : "policy diff")
        lines.append("\(added) added, \(removed) removed, \(changed) changed, \(unchanged) unchanged sentences")
        lines.append("practices added: \(practicesAdded.isEmpty ? "none" : practicesAdded.joined(separator: ", "))")
        lines.append("practices removed: \(practicesRemoved.isEmpty ? "none" : practicesRemoved.joined(separator: ", "))")
        for change in changes {
            let categories = Set((change.old?.labels.categories ?? []) + (change.new?.labels.categories ?? [])).sorted()
            if labelledOnly && categories.isEmpty { continue }
            let tags = categories.isEmpty ? "" : " [\(categories.joined(separator: ", "))]"
            lines.append("")
            switch change.kind {
            case .added:
                lines.append(markdown ? "- **added**\(tags): \(change.new!.text)" : "+ \(change.new!.text)\(tags)")
            case .removed:
                lines.append(markdown ? "- **removed**\(tags): ~~\(change.old!.text)~~" : "- \(change.old!.text)\(tags)")
            case .changed:
                if markdown {
                    lines.append("- **changed**\(tags): ~~\(change.old!.text)~~ → \(change.new!.text)")
                } else {
                    lines.append("~ \(change.old!.text)")
                    lines.append("→ \(change.new!.text)\(tags)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
