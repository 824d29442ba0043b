import DragnetCore
import DragnetPolicy
import DragnetRules

/// Policy versus practice: data flows a site's own privacy policy does not disclose.
/// The checks only read the policy's text; they add findings with no data of their own,
/// so they explain without adding exposure points.
enum PolicyPractice {
    /// Generic phrases that disclose a purpose without naming the company.
    static let generic: [String: [String]] = [
        "advertising": [
            "advertising partners", "advertisers", "advertising networks", "ad networks", "ad partners", "third-party advertising",
            "third party advertising", "advertising companies", "marketing partners", "social media platforms", "social media partners",
            "social networks", "pixels", "tracking pixels",
        ],
        "analytics": ["analytics providers", "analytics partners", "analytics services", "analytics tools", "web analytics", "analytics"],
        "session-replay": ["session replay", "session recording", "session recordings", "record your session", "recordings of your", "mouse movements", "heatmap", "heatmaps", "heat map", "screen recording"],
        "social-embed": ["social media", "social network", "social plugins", "embedded content"],
        "video-embed": ["embedded content", "embedded videos", "video"],
        "tag-management": ["tag manager", "tag management"],
        "ai-assistant": [
            "artificial intelligence", "ai provider", "ai providers", "ai service", "ai services", "ai assistant", "ai chatbot", "chatbot",
            "chat assistant", "large language model", "large language models", "generative ai", "machine learning provider",
        ],
    ]

    static func check(_ evaluation: Evaluation, policy: PagePolicy, rules: RulePack, pageKey: String) -> [Finding] {
        guard let analysis = policy.analysis else { return [] }
        var findings: [Finding] = []
        var seen = Set<String>()
        let evidencePolicy = Evidence(url: policy.url, element: "privacy-policy")
        /// A finding about `source` that the policy explains: no data of its own; its evidence is the
        /// page's and the policy's (`policyEvidence`, the policy's URL by default).
        func undisclosed(_ rule: String, _ title: String, _ severity: Severity, _ source: Finding, target: String, policyEvidence: Evidence? = nil) {
            let id = Evaluator.findingID(pageKey: pageKey, rule: rule, channel: source.channel, target: target, accountID: nil)
            guard seen.insert(id).inserted else { return }
            var finding = Finding(
                id: id, rule: rule, title: title, severity: severity, entity: source.entity, platform: source.platform, channel: source.channel,
                data: [], purpose: source.purpose, target: target, accountID: source.accountID,
                evidence: [source.evidence.first, policyEvidence ?? evidencePolicy].compactMap { $0 }, occurrences: 1)
            finding.seenBy = source.seenBy
            finding.via = source.via
            findings.append(finding)
        }

        for finding in evaluation.findings where [.script, .pixel, .iframeEmbed, .cookie].contains(finding.channel) {
            guard let entityID = finding.entity, let entity = rules.entity(id: entityID) else { continue }
            var names = [entity.name, entity.platformName] + entity.name.split(separator: " ").prefix(1).map(String.init)
            names += entity.domains.keys.map { String($0.split(separator: ".").first ?? "") }.filter { $0.count >= 4 }
            let purpose = finding.purpose ?? (entity.category == "session-replay" ? "session-replay" : entity.category == "analytics" ? "analytics" : "advertising")
            if purpose == "session-replay" || finding.data.contains("keystrokes-mouse") {
                if analysis.mentions(names) == nil && analysis.mentions(generic["session-replay"]!) == nil {
                    undisclosed("policy-undisclosed-session-replay", "Session replay by \(entity.name), which the privacy policy does not mention", .high, finding, target: entity.id)
                }
                continue
            }
            guard finding.severity >= .medium || finding.rule.hasPrefix("entity-") == false else { continue }
            if analysis.mentions(names) == nil && analysis.mentions(generic[purpose] ?? generic["advertising"]!) == nil {
                undisclosed(
                    "policy-undisclosed-recipient", "\(entity.platformName) receives data, but the privacy policy names neither \(entity.name) nor \(purpose) partners",
                    .medium, finding, target: entity.id)
            }
        }
        // AI vendors that receive what visitors type: named by the policy, and linked to what it says about AI training.
        for finding in evaluation.findings where finding.purpose == "ai-assistant" {
            guard let entityID = finding.entity, let entity = rules.entity(id: entityID) else { continue }
            var names = [entity.name, entity.platformName]
            names += entity.domains.keys.map { String($0.split(separator: ".").first ?? "") }.filter { $0.count >= 4 }
            if analysis.mentions(names) == nil && analysis.mentions(generic["ai-assistant"]!) == nil {
                undisclosed(
                    "policy-undisclosed-ai-vendor", "Visitors' words go to \(entity.name), but the privacy policy names neither \(entity.name) nor AI providers",
                    .high, finding, target: entity.id)
            }
            if let sentence = analysis.quote("ai-training") {
                undisclosed(
                    "policy-ai-training-ai-vendor", "The privacy policy says data trains AI models, and the page sends visitors' words to \(entity.name)",
                    .medium, finding, target: entity.id,
                    policyEvidence: Evidence(url: policy.url, element: "privacy-policy", snippet: String(sentence.text.prefix(300))))
            }
        }
        for finding in evaluation.findings where finding.channel == .formPost && finding.data.contains("contact-data") {
            let entity = finding.entity.flatMap(rules.entity(id:))
            var names = [finding.target]
            if let entity { names += [entity.name, entity.platformName] + entity.domains.keys.sorted() }
            if analysis.mentions(names) == nil {
                undisclosed(
                    "policy-undisclosed-form-recipient", "A form sends contact data to \(entity?.name ?? finding.target), which the privacy policy does not name",
                    .high, finding, target: finding.target)
            }
        }
        return findings
    }
}
