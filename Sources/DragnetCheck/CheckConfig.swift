import Foundation
import DragnetCore
public import DragnetRules
import Yams

/// `dragnet.yml`: what `dragnet check` audits and what it must not find.
public struct CheckConfig: Sendable {
    public enum Level: String, Sendable { case error, warn }

    /// A deny rule: any matching finding (that sends data) is a violation.
    public struct Deny: Sendable {
        public var entity: String?
        public var platform: String?
        public var channel: String?
        /// A tracker purpose (`session-replay`, `advertising` …) or rule id.
        public var practice: String?
        /// Data flows: a data category (or `any`) sent `to` a target (`third-party`, an entity or a platform).
        public var data: String?
        public var to: String?
        public var reason: String
        public var level: Level
        public var line: Int
    }

    /// An allow rule: matching findings are accepted until `expires`.
    public struct Allow: Sendable {
        public var entity: String?
        public var platform: String?
        public var rule: String?
        public var finding: String?
        public var justification: String
        public var expires: String?
        public var line: Int
    }

    public struct Budgets: Sendable {
        public var exposure: Double?
        public var platforms: [String: Double] = [:]
        public var thirdPartySites: Int?
        public var trackers: Int?
        public var level: Level = .error
    }

    public struct Header: Sendable {
        public var name: String
        public var level: Level
    }

    public var file: String
    public var targets: [String] = []
    public var rules: String?
    /// `static`, `browser` or `auto` (as `dragnet audit --mode`); nil: static.
    public var mode: String?
    public var lists: [String] = []
    public var budgets = Budgets()
    public var deny: [Deny] = []
    public var allow: [Allow] = []
    public var headers: [Header] = []
    public var policyRequired: Level?
    public var policyForbid: [(practice: String, level: Level)] = []
    /// `ai-crawlers:`: crawlers (by user-agent token) and platforms no target may let in.
    public var aiCrawlers = AICrawlerGate()
    public var diagnostics: [RuleDiagnostic] = []

    public var errors: [RuleDiagnostic] { diagnostics.filter { $0.level == .error } }

    public static let topKeys = ["targets", "rules", "lists", "budgets", "deny", "allow", "headers", "policy", "ai-crawlers", "description", "mode"]

    public struct AICrawlerGate: Sendable {
        public var block: [String] = []
        public var blockPlatforms: [String] = []
        public var level: Level = .error
        public var line: Int?
        public var isEmpty: Bool { block.isEmpty && blockPlatforms.isEmpty }
    }

    public init(path: String) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            self.init(path: path, text: "")
            diagnostics = [RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read the configuration file")]
            return
        }
        self.init(path: path, text: text)
    }

    public init(path: String, text: String) {
        file = path
        var yaml = YAMLFile(path: path, text: text)
        defer { diagnostics = yaml.diagnostics.sorted() }
        guard yaml.root != nil else {
            if yaml.diagnostics.isEmpty { yaml.error("the configuration is empty", at: nil) }
            return
        }
        guard let members = yaml.mapping(yaml.root, what: "dragnet.yml", allowed: Self.topKeys) else { return }
        let base = (path as NSString).deletingLastPathComponent
        func relative(_ value: String) -> String {
            value.hasPrefix("/") || value.contains("://") || base.isEmpty ? value : (base as NSString).appendingPathComponent(value)
        }
        for (key, _, value) in members {
            switch key {
            case "targets":
                for item in yaml.sequence(value, what: "targets") ?? [] {
                    if case .scalar(let scalar) = item {
                        let target = scalar.string
                        if target.hasPrefix("http://") || target.hasPrefix("https://") { targets.append(target) } else {
                            yaml.error("a target is an http(s) URL or {file: urls.txt}, not '\(target)'", at: item)
                        }
                    } else if let fields = yaml.mapping(item, what: "a target", allowed: ["file"]), let file = fields.first.flatMap({ yaml.string($0.value, what: "file") }) {
                        targets.append(relative(file))
                    }
                }
            case "rules": rules = yaml.string(value, what: "rules").map(relative)
            case "mode":
                let text = yaml.string(value, what: "mode")
                if let text, ["static", "browser", "auto"].contains(text) { mode = text } else if let text {
                    let hint = YAMLFile.closest(text, in: ["static", "browser", "auto"]).map { "; did you mean '\($0)'?" } ?? ""
                    yaml.error("mode must be static, browser or auto, not '\(text)'\(hint)", at: value)
                }
            case "lists": lists = (yaml.strings(value, what: "lists") ?? []).map { relative($0.0) }
            case "budgets": readBudgets(value, &yaml)
            case "deny":
                for item in yaml.sequence(value, what: "deny") ?? [] { if let rule = readDeny(item, &yaml) { deny.append(rule) } }
            case "allow":
                for item in yaml.sequence(value, what: "allow") ?? [] { if let rule = readAllow(item, &yaml) { allow.append(rule) } }
            case "headers":
                for item in yaml.sequence(value, what: "headers") ?? [] {
                    if case .scalar(let scalar) = item {
                        headers.append(Header(name: scalar.string.lowercased(), level: .error))
                    } else if let fields = yaml.mapping(item, what: "a header", allowed: ["name", "level"]) {
                        let name = fields.first { $0.key == "name" }.flatMap { yaml.string($0.value, what: "name") }
                        let level = level(fields.first { $0.key == "level" }?.value, &yaml)
                        if let name { headers.append(Header(name: name.lowercased(), level: level)) } else { yaml.error("a header needs a name", at: item) }
                    }
                }
            case "policy":
                for (name, _, node) in yaml.mapping(value, what: "policy", allowed: ["required", "forbid", "level"]) ?? [] {
                    switch name {
                    case "required":
                        let text = yaml.string(node, what: "required") ?? ""
                        if text == "true" { policyRequired = .error } else if text != "false" { yaml.error("required must be true or false", at: node) }
                    case "forbid":
                        for (practice, item) in yaml.strings(node, what: "forbid") ?? [] {
                            if RuleVocabulary.policyCategories.contains(practice) {
                                policyForbid.append((practice, .error))
                            } else {
                                let hint = YAMLFile.closest(practice, in: RuleVocabulary.policyCategories).map { "; did you mean '\($0)'?" } ?? ""
                                yaml.error("unknown policy practice '\(practice)'\(hint)", at: item)
                            }
                        }
                    default:
                        let chosen = level(node, &yaml)
                        if policyRequired != nil { policyRequired = chosen }
                        policyForbid = policyForbid.map { ($0.practice, chosen) }
                    }
                }
            case "ai-crawlers":
                aiCrawlers.line = value.mark.map { $0.line }
                for (name, _, node) in yaml.mapping(value, what: "ai-crawlers", allowed: ["block", "block-platforms", "level"]) ?? [] {
                    switch name {
                    case "block":
                        aiCrawlers.block = (yaml.strings(node, what: "block") ?? []).map(\.0)
                    case "block-platforms":
                        for (platform, item) in yaml.strings(node, what: "block-platforms") ?? [] {
                            if platform.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) && !platform.isEmpty {
                                aiCrawlers.blockPlatforms.append(platform)
                            } else {
                                yaml.error("a platform id is lower-case letters, digits and '-', not '\(platform)'", at: item)
                            }
                        }
                    default:
                        aiCrawlers.level = level(node, &yaml)
                    }
                }
            default: _ = yaml.string(value, what: "description")
            }
        }
        if targets.isEmpty && members.first(where: { $0.key == "targets" }) == nil { yaml.error("dragnet.yml needs targets", at: yaml.root) }
    }

    private func level(_ node: Node?, _ yaml: inout YAMLFile) -> Level {
        guard let node else { return .error }
        let text = yaml.string(node, what: "level") ?? ""
        if let level = Level(rawValue: text) { return level }
        yaml.error("level must be error or warn, not '\(text)'", at: node)
        return .error
    }

    private mutating func readBudgets(_ node: Node, _ yaml: inout YAMLFile) {
        for (key, _, value) in yaml.mapping(node, what: "budgets", allowed: ["exposure", "platforms", "thirdPartySites", "trackers", "level"]) ?? [] {
            switch key {
            case "exposure":
                if let number = yaml.number(value, what: "exposure"), (0...100).contains(number) { budgets.exposure = number } else {
                    yaml.error("the exposure budget is a number from 0 to 100", at: value)
                }
            case "platforms":
                for (platform, _, limit) in yaml.mapping(value, what: "platforms", allowed: []) ?? [] {
                    if let number = yaml.number(limit, what: "the budget of \(platform)"), (0...100).contains(number) { budgets.platforms[platform] = number }
                }
            case "thirdPartySites": budgets.thirdPartySites = yaml.number(value, what: "thirdPartySites").map { Int($0) }
            case "trackers": budgets.trackers = yaml.number(value, what: "trackers").map { Int($0) }
            default: budgets.level = level(value, &yaml)
            }
        }
    }

    static let denyKeys = ["entity", "platform", "channel", "practice", "flow", "reason", "level"]
    static let channels = ["script", "pixel", "iframe-embed", "form-post", "cookie", "link", "resource"]

    private func readDeny(_ node: Node, _ yaml: inout YAMLFile) -> Deny? {
        guard let fields = yaml.mapping(node, what: "a deny rule", allowed: Self.denyKeys) else { return nil }
        var rule = Deny(reason: "", level: .error, line: node.mark?.line ?? 1)
        for (key, _, value) in fields {
            switch key {
            case "entity": rule.entity = yaml.string(value, what: "entity")
            case "platform": rule.platform = yaml.string(value, what: "platform")
            case "channel":
                rule.channel = yaml.string(value, what: "channel")
                if let channel = rule.channel, !Self.channels.contains(channel) {
                    let hint = YAMLFile.closest(channel, in: Self.channels).map { "; did you mean '\($0)'?" } ?? ""
                    yaml.error("unknown channel '\(channel)'\(hint)", at: value)
                }
            case "practice": rule.practice = yaml.string(value, what: "practice")
            case "flow":
                for (name, _, item) in yaml.mapping(value, what: "a flow", allowed: ["data", "to"]) ?? [] {
                    let text = yaml.string(item, what: name)
                    if name == "data" {
                        rule.data = text
                        if let text, text != "any", !RuleVocabulary.data.contains(text) {
                            let hint = YAMLFile.closest(text, in: RuleVocabulary.data + ["any"]).map { "; did you mean '\($0)'?" } ?? ""
                            yaml.error("unknown data category '\(text)'\(hint)", at: item)
                        }
                    } else {
                        rule.to = text
                    }
                }
            case "reason": rule.reason = yaml.string(value, what: "reason") ?? ""
            default: rule.level = level(value, &yaml)
            }
        }
        if rule.entity == nil && rule.platform == nil && rule.channel == nil && rule.practice == nil && rule.data == nil && rule.to == nil {
            yaml.error("a deny rule needs entity, platform, channel, practice or flow", at: node)
            return nil
        }
        if rule.reason.isEmpty { yaml.error("a deny rule needs a reason", at: node) }
        return rule
    }

    private func readAllow(_ node: Node, _ yaml: inout YAMLFile) -> Allow? {
        guard let fields = yaml.mapping(node, what: "an allow rule", allowed: ["entity", "platform", "rule", "finding", "justification", "expires"]) else { return nil }
        var rule = Allow(justification: "", line: node.mark?.line ?? 1)
        for (key, _, value) in fields {
            let text = yaml.string(value, what: key)
            switch key {
            case "entity": rule.entity = text
            case "platform": rule.platform = text
            case "rule": rule.rule = text
            case "finding": rule.finding = text
            case "justification": rule.justification = text ?? ""
            default:
                if let text, RulePack.isDate(text) { rule.expires = text } else { yaml.error("expires must be a date written YYYY-MM-DD", at: value) }
            }
        }
        if rule.entity == nil && rule.platform == nil && rule.rule == nil && rule.finding == nil {
            yaml.error("an allow rule needs entity, platform, rule or finding", at: node)
            return nil
        }
        if rule.justification.isEmpty { yaml.error("an allow rule needs a justification", at: node) }
        return rule
    }
}
