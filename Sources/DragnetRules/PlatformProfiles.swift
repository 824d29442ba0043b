import Foundation
import Yams

/// What a platform's own privacy policy says it does (`rules/platforms/<id>.yml`),
/// reviewed by hand. Confirmed practices raise the platform's exposure multiplier.
public struct PlatformProfile: Sendable, Hashable {
    public struct Practice: Sendable, Hashable {
        public var id: String
        /// The first dated version from which every later version affirms it.
        public var since: String?
        public var quote: String
        /// `confirmed` or `rejected` (listed, but not counted).
        public var review: String
        public var note: String?
    }

    public var platform: String
    public var name: String
    public var policy: String?
    public var practices: [Practice]
    public var file: String

    public var confirmed: [String] { practices.filter { $0.review == "confirmed" }.map(\.id).sorted() }
}

extension RuleVocabulary {
    /// Privacy-policy category ids (rules/policy).
    public static let policyCategories = [
        "first-party-collection-use", "third-party-sharing-collection", "user-choice-control", "user-access-edit-deletion",
        "data-retention", "data-security", "policy-change", "do-not-track", "international-specific-audiences", "ai-training",
        "biometrics", "keystrokes", "precise-location", "contacts", "clipboard", "device-fingerprint", "sale-of-data",
        "data-brokers", "cross-border-transfer", "indefinite-retention", "children", "government-access",
    ]
}

extension RulePack {
    mutating func readProfileFile(_ file: inout YAMLFile) {
        guard let members = file.mapping(
            file.root, what: "a platform profile", allowed: ["platform", "name", "policy", "generated", "documents", "practices"])
        else { return }
        var profile = PlatformProfile(platform: "", name: "", policy: nil, practices: [], file: file.path)
        for (key, _, value) in members {
            switch key {
            case "platform":
                let id = file.string(value, what: "platform") ?? ""
                if !Self.isIdentifier(id) { file.error("platform must be lower-case letters, digits and '-': '\(id)'", at: value) }
                profile.platform = id
            case "name": profile.name = file.string(value, what: "name") ?? ""
            case "policy": profile.policy = file.string(value, what: "policy")
            case "generated":
                let date = file.string(value, what: "generated") ?? ""
                if !Self.isDate(date) { file.error("generated must be a date written YYYY-MM-DD", at: value) }
            case "documents": _ = file.sequence(value, what: "documents")
            default:
                for item in file.sequence(value, what: "practices") ?? [] {
                    guard let fields = file.mapping(item, what: "a practice", allowed: ["id", "since", "sentences", "quote", "review", "note"]) else { continue }
                    var practice = PlatformProfile.Practice(id: "", since: nil, quote: "", review: "", note: nil)
                    for (name, _, node) in fields {
                        switch name {
                        case "id":
                            practice.id = file.string(node, what: "id") ?? ""
                            if !RuleVocabulary.policyCategories.contains(practice.id) {
                                let hint = YAMLFile.closest(practice.id, in: RuleVocabulary.policyCategories).map { "; did you mean '\($0)'?" } ?? ""
                                file.error("unknown policy category '\(practice.id)'\(hint)", at: node)
                            }
                        case "since": practice.since = file.string(node, what: "since")
                        case "quote": practice.quote = file.string(node, what: "quote") ?? ""
                        case "review":
                            practice.review = file.string(node, what: "review") ?? ""
                            if !["confirmed", "rejected"].contains(practice.review) {
                                file.error("review must be confirmed or rejected, not '\(practice.review)'", at: node)
                            }
                        case "note": practice.note = file.string(node, what: "note")
                        default: _ = file.number(node, what: "sentences")
                        }
                    }
                    if practice.review.isEmpty { file.error("practice '\(practice.id)' needs a review (confirmed or rejected)", at: item) }
                    if practice.quote.isEmpty { file.error("practice '\(practice.id)' needs the quote it was reviewed in", at: item) }
                    profile.practices.append(practice)
                }
            }
        }
        guard !profile.platform.isEmpty else {
            file.error("a platform profile needs a platform id", at: file.root)
            return
        }
        if let other = profiles[profile.platform] {
            file.error("platform '\(profile.platform)' already has a profile in \(other.file)", at: Self.member(file.root, "platform"))
            return
        }
        profiles[profile.platform] = profile
    }
}
