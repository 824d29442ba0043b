public import DragnetCore
public import DragnetRules
import Foundation

/// A sentence with the categories the classifier gave it.
public struct LabelledSentence: Sendable, Hashable {
    public var text: String
    public var headingPath: [String]
    public var offset: Int
    public var labels: SentenceLabels
}

/// What a privacy policy says: the practices it affirms, with every labelled sentence quoted.
public struct PolicyAnalysis: Sendable {
    public var format: PolicyDocument.Format
    public var sentenceCount: Int
    /// Labelled sentences in document order (those with no category are left out).
    public var sentences: [LabelledSentence]
    /// Categories some sentence affirms, sorted.
    public var practices: [String]
    /// Categories only ever negated ("we do not sell …"), sorted.
    public var negatedOnly: [String]
    /// The document's text, lower-cased, for name lookups (policy versus practice).
    public var lowercasedText: String

    public static func analyze(_ document: PolicyDocument, rules: PolicyRulePack) -> PolicyAnalysis {
        var sentences: [LabelledSentence] = []
        var affirmed = Set<String>()
        var negated = Set<String>()
        for sentence in document.sentences {
            let labels = rules.classify(sentence.text)
            guard !labels.categories.isEmpty || !labels.negated.isEmpty else { continue }
            affirmed.formUnion(labels.categories)
            negated.formUnion(labels.negated)
            sentences.append(LabelledSentence(text: sentence.text, headingPath: sentence.headingPath, offset: sentence.offset, labels: labels))
        }
        return PolicyAnalysis(
            format: document.format, sentenceCount: document.sentences.count, sentences: sentences, practices: affirmed.sorted(),
            negatedOnly: negated.subtracting(affirmed).sorted(), lowercasedText: document.text.lowercased())
    }

    /// The first sentence affirming `category`.
    public func quote(_ category: String) -> LabelledSentence? {
        sentences.first { $0.labels.categories.contains(category) }
    }

    /// Whether the policy names any of `names` (case-insensitive, whole words).
    public func mentions(_ names: [String]) -> String? {
        for name in names {
            let needle = name.lowercased()
            var start = lowercasedText.startIndex
            while let range = lowercasedText.range(of: needle, range: start..<lowercasedText.endIndex) {
                let before = range.lowerBound == lowercasedText.startIndex ? " " : lowercasedText[lowercasedText.index(before: range.lowerBound)]
                let after = range.upperBound == lowercasedText.endIndex ? " " : lowercasedText[range.upperBound]
                if !(before.isLetter || before.isNumber) && !(after.isLetter || after.isNumber) { return name }
                start = range.upperBound
            }
        }
        return nil
    }
}

extension LabelledSentence: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("text", .string(text)),
            ("categories", .array(labels.categories.map { .string($0) })),
            ("negated", .array(labels.negated.map { .string($0) })),
            ("headingPath", .array(headingPath.map { .string($0) })),
            ("offset", .int(offset)),
        ])
    }
}

extension PolicyAnalysis: JSONRepresentable {
    public var json: JSONValue {
        var counts: [String: Int] = [:]
        for sentence in sentences { for category in sentence.labels.categories { counts[category, default: 0] += 1 } }
        return .object([
            ("format", .string(format.rawValue)),
            ("sentenceCount", .int(sentenceCount)),
            ("practices", .array(practices.map { .string($0) })),
            ("negatedOnly", .array(negatedOnly.map { .string($0) })),
            ("counts", .object(counts.keys.sorted().map { ($0, .int(counts[$0]!)) })),
            ("sentences", .array(sentences.map(\.json))),
        ])
    }

    /// A human-readable profile: each practice with its count and first quote.
    public func summary(titles: [String: String]) -> String {
        var lines = ["\(sentenceCount) sentences, \(sentences.count) labelled; \(practices.count) practices affirmed"]
        for practice in practices {
            let count = sentences.filter { $0.labels.categories.contains(practice) }.count
            lines.append("")
            lines.append("\(practice) (\(count)) — \(titles[practice] ?? practice)")
            if let quote = quote(practice) {
                let path = quote.headingPath.isEmpty ? "" : "[\(quote.headingPath.joined(separator: " › "))] "
                lines.append("  \(path)“\(quote.text.count > 300 ? String(quote.text.prefix(300)) + "…" : quote.text)”")
            }
        }
        if !negatedOnly.isEmpty {
            lines.append("")
            lines.append("denied only: \(negatedOnly.joined(separator: ", "))")
            for category in negatedOnly {
                if let sentence = sentences.first(where: { $0.labels.negated.contains(category) }) {
                    lines.append("  \(category): “\(sentence.text.count > 200 ? String(sentence.text.prefix(200)) + "…" : sentence.text)”")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
