import DragnetCore
public import DragnetRules
public import DragnetSites

/// Runs every tracker rule's examples through the real pipeline: each `html`
/// example is a page at https://www.example.com/ that is extracted, classified and
/// evaluated; each `cookie` example is a response from that page setting the cookie.
public struct RuleTester {
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        public var rule: String
        public var file: String
        public var line: Int
        public var message: String

        public var description: String { "\(file):\(line): \(rule): \(message)" }
    }

    public struct Result: Sendable {
        public var examples = 0
        public var failures: [Failure] = []
    }

    public static let examplePage = "https://www.example.com/"

    public static func run(_ rules: RulePack, resolver: SiteResolver) -> Result {
        var result = Result()
        var auditor = PageAuditor(resolver: resolver, rules: rules)
        for rule in rules.trackers {
            for (expected, examples) in [(true, rule.matchExamples), (false, rule.noMatchExamples)] {
                for example in examples {
                    result.examples += 1
                    let findings = evaluate(example, auditor: &auditor, rules: rules).filter { $0.rule == rule.id }
                    let what = example.kind == .html ? "html example" : "cookie example '\(example.text)'"
                    if expected && findings.isEmpty {
                        result.failures.append(Failure(rule: rule.id, file: rule.file, line: example.line, message: "\(what) should match but does not"))
                    } else if !expected && !findings.isEmpty {
                        let evidence = findings[0].evidence.first.map { " (matched \($0.url ?? $0.snippet ?? $0.element))" } ?? ""
                        result.failures.append(Failure(rule: rule.id, file: rule.file, line: example.line, message: "\(what) should not match but does\(evidence)"))
                    } else if expected, let id = example.id, !findings.contains(where: { $0.accountID == id }) {
                        let found = findings.compactMap(\.accountID)
                        result.failures.append(Failure(
                            rule: rule.id, file: rule.file, line: example.line,
                            message: "\(what) should capture id '\(id)' but captured \(found.isEmpty ? "none" : found.map { "'\($0)'" }.joined(separator: ", "))"))
                    }
                }
            }
        }
        return result
    }

    static func evaluate(_ example: TrackerRule.Example, auditor: inout PageAuditor, rules: RulePack) -> [Finding] {
        switch example.kind {
        case .html:
            return auditor.audit(file: "example", bytes: Array(example.text.utf8), id: 0, pageURL: examplePage).evaluation.findings
        case .cookie:
            let input = EvaluationInput(
                pageURL: examplePage, firstPartySites: ["example.com"], observations: Observations(),
                cookies: [SeenCookie(name: example.text, url: examplePage)])
            return Evaluator.evaluate(input, rules: rules).findings
        }
    }
}
