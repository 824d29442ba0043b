import DragnetCore
import DragnetRobots
import Foundation
import Yams

/// One AI crawler of `rules/ai-crawlers/robots.json`, with the entity and platform that run it.
public struct AICrawler: Sendable, Hashable {
    /// Whether the crawler is known to obey robots.txt.
    public enum Respect: String, Sendable {
        case yes, no, unclear
    }

    /// The user-agent token as the list spells it (`GPTBot`, `Bytespider`).
    public var token: String
    /// The operator's name (the entity's when mapped, else the list's text without markup).
    public var operatorName: String
    public var entity: String?
    public var platform: String?
    public var respectsRobots: Respect
    /// Where the list documents the `respect` value, when it links one.
    public var respectSource: String?
    /// What the crawler does with what it fetches (the list's `function`).
    public var function: String
    /// The token as robots.txt groups are matched: lower-cased, up to its first space or `/`.
    public let productToken: String

    public init(token: String, operatorName: String, entity: String? = nil, platform: String? = nil, respectsRobots: Respect, respectSource: String? = nil, function: String = "") {
        self.token = token
        self.operatorName = operatorName
        self.entity = entity
        self.platform = platform
        self.respectsRobots = respectsRobots
        self.respectSource = respectSource
        self.function = function
        self.productToken = RobotsTxt.productToken(token)
    }
}

extension RulePack {
    /// Reads `ai-crawlers/robots.json` (ai.robots.txt's list) and `ai-crawlers/operators.yml`
    /// (which entity runs which crawler). A malformed entry is a diagnostic for that entry;
    /// the others still load.
    mutating func loadAICrawlers(directory: String) {
        let folder = (directory as NSString).appendingPathComponent("ai-crawlers")
        let listPath = (folder as NSString).appendingPathComponent("robots.json")
        guard FileManager.default.fileExists(atPath: listPath) else { return }
        files.append(listPath)
        guard let data = FileManager.default.contents(atPath: listPath) else {
            diagnostics.append(RuleDiagnostic(file: listPath, line: 1, column: 1, message: "cannot read file"))
            return
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse([UInt8](data))
        } catch {
            diagnostics.append(RuleDiagnostic(file: listPath, line: 1, column: 1, message: "not JSON: \(error)"))
            return
        }
        guard let members = root.objectValue else {
            diagnostics.append(RuleDiagnostic(file: listPath, line: 1, column: 1, message: "expected an object of user-agent tokens"))
            return
        }
        var crawlers: [AICrawler] = []
        for (token, value) in members {
            guard let operatorText = value["operator"]?.stringValue, let respect = value["respect"]?.stringValue else {
                diagnostics.append(RuleDiagnostic(file: listPath, line: 1, column: 1, level: .warning, message: "crawler '\(token)' lacks 'operator' or 'respect'; skipped"))
                continue
            }
            let (respectText, respectLink) = Self.markdownLink(respect)
            let lowered = respectText.lowercased()
            let respects: AICrawler.Respect = lowered.hasPrefix("yes") ? .yes : lowered.hasPrefix("no") ? .no : .unclear
            crawlers.append(AICrawler(
                token: token, operatorName: Self.markdownLink(operatorText).text, respectsRobots: respects,
                respectSource: respectLink, function: value["function"]?.stringValue ?? ""))
        }
        crawlers.sort { $0.token.lowercased() < $1.token.lowercased() || ($0.token.lowercased() == $1.token.lowercased() && $0.token < $1.token) }
        aiCrawlers = crawlers
        let operatorsPath = (folder as NSString).appendingPathComponent("operators.yml")
        if FileManager.default.fileExists(atPath: operatorsPath) {
            loadFile(operatorsPath) { $0.readAIOperators(&$1) }
        }
    }

    /// `[Text](url)` → ("Text", "url"); plain text stays as it is.
    static func markdownLink(_ text: String) -> (text: String, link: String?) {
        var result = ""
        var link: String?
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "]"), rest[close...].dropFirst().first == "(",
                let end = rest[close...].firstIndex(of: ")")
            else {
                result += rest[open...]
                rest = ""
                break
            }
            result += rest[rest.index(after: open)..<close]
            if link == nil { link = String(rest[rest.index(close, offsetBy: 2)..<end]) }
            rest = rest[rest.index(after: end)...]
        }
        result += rest
        return (result.trimmingCharacters(in: .whitespaces), link)
    }

    private mutating func readAIOperators(_ file: inout YAMLFile) {
        guard let members = file.mapping(file.root, what: "an AI operator file", allowed: ["sources", "operators"]) else { return }
        var sources: Set<String> = []
        var seen: [String: String] = [:]
        let tokens = Dictionary(aiCrawlers.enumerated().map { ($0.element.token, $0.offset) }, uniquingKeysWith: { first, _ in first })
        for (key, _, value) in members where key == "sources" {
            sources = Set(file.mapping(value, what: "sources", allowed: [])?.map(\.key) ?? [])
        }
        for (key, _, value) in members where key == "operators" {
            guard case .sequence(let list) = value else {
                file.error("operators must be a list", at: value)
                continue
            }
            for item in list {
                guard let fields = file.mapping(item, what: "an operator", allowed: ["entity", "source", "agents"]) else { continue }
                var entity: String?
                var agents: [(String, Node)] = []
                for (field, _, node) in fields {
                    switch field {
                    case "entity": entity = file.string(node, what: "entity")
                    case "source":
                        if let source = file.string(node, what: "source"), !sources.contains(source) {
                            file.error("operator cites unknown source '\(source)'", at: node)
                        }
                    default: agents = file.strings(node, what: "agents") ?? []
                    }
                }
                guard let entity else {
                    file.error("an operator needs an entity", at: item)
                    continue
                }
                guard let entityPosition = entityIndex[entity] else {
                    let hint = YAMLFile.closest(entity, in: entities.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
                    file.error("unknown entity '\(entity)'\(hint)", at: item)
                    continue
                }
                for (agent, node) in agents {
                    if let other = seen[agent] {
                        file.error("agent '\(agent)' is already mapped to '\(other)'", at: node)
                        continue
                    }
                    seen[agent] = entity
                    guard let position = tokens[agent] else {
                        file.warning("agent '\(agent)' is not in robots.json", at: node)
                        continue
                    }
                    aiCrawlers[position].entity = entity
                    aiCrawlers[position].operatorName = entities[entityPosition].name
                }
            }
        }
    }

    /// Fills each mapped crawler's platform once the entities are linked (their platforms rolled up).
    mutating func linkAICrawlers() {
        for index in aiCrawlers.indices {
            guard let entity = aiCrawlers[index].entity, let position = entityIndex[entity] else { continue }
            aiCrawlers[index].platform = entities[position].platform
            aiCrawlers[index].operatorName = entities[position].name
        }
    }
}
