import DragnetBrowser
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
        for decoder in rules.decoders {
            for example in decoder.examples {
                result.examples += 1
                if let message = check(example, decoder: decoder, auditor: &auditor, rules: rules) {
                    result.failures.append(Failure(rule: decoder.id, file: decoder.file, line: example.line, message: message))
                }
            }
        }
        return result
    }

    /// A decoder example: the request decodes (or not) by this decoder, with the events, account
    /// and fields it names; and through the real pipeline (a page whose browser made the request)
    /// the decoder's tracker finding carries them.
    static func check(_ example: PixelDecoder.Example, decoder: PixelDecoder, auditor: inout PageAuditor, rules: RulePack) -> String? {
        let decoded = rules.decode(url: example.url, body: example.body)
        guard example.decodes else {
            return decoded?.decoder == decoder.id ? "request example should not decode but does" : nil
        }
        guard let decoded, decoded.decoder == decoder.id else {
            return "request example should decode but \(decoded.map { "decoder '\($0.decoder)' reads it" } ?? "no decoder reads it")"
        }
        if !example.events.isEmpty && decoded.events != example.events {
            return "request example should give events \(example.events) but gives \(decoded.events)"
        }
        if let account = example.account, decoded.accountID != account {
            return "request example should give account '\(account)' but gives \(decoded.accountID.map { "'\($0)'" } ?? "none")"
        }
        let found = Set(decoded.fields.map { "\($0.name):\($0.form)" })
        if let missing = example.fields.first(where: { !found.contains($0) }) {
            return "request example should give field '\(missing)' but gives \(found.sorted())"
        }
        var report = auditor.audit(file: "example", bytes: Array("<!doctype html><title>example</title>".utf8), id: 0, pageURL: examplePage)
        var capture = BrowserCapture(url: examplePage, finalURL: examplePage)
        var request = ObservedRequest(url: example.url, method: example.body == nil ? "GET" : "POST", type: "Ping", initiatorType: "script", initiatorURL: nil, postDataSize: example.body?.utf8.count ?? 0)
        request.postData = example.body
        capture.requests = [request]
        auditor.applyBrowser(&report, capture: capture)
        report.needsEvaluation = true
        auditor.evaluate(&report)
        guard let finding = report.evaluation.findings.first(where: { $0.rule == decoder.tracker }) else {
            return "the request gives no '\(decoder.tracker)' finding: add its URL to the tracker's urls"
        }
        if finding.events != decoded.events || finding.fields != decoded.fields {
            return "the '\(decoder.tracker)' finding does not carry the decoded events and fields"
        }
        return nil
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
