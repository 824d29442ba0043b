import DragnetCore
import Foundation
import Yams

extension RulePack {
    /// Loads `directory/entities/*.yml`, `directory/trackers/*.yml` and
    /// `directory/scoring.yml`, then each override file in order. Problems are
    /// collected in `diagnostics`; the pack keeps every rule that was valid.
    public static func load(directory: String, overrides: [String] = []) -> RulePack {
        var pack = RulePack()
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            pack.diagnostics.append(RuleDiagnostic(file: directory, line: 1, column: 1, message: "rules folder not found"))
            return pack
        }
        func files(_ sub: String, _ suffixes: [String]) -> [String] {
            let folder = (directory as NSString).appendingPathComponent(sub)
            let names = (try? fileManager.contentsOfDirectory(atPath: folder)) ?? []
            return names.filter { name in suffixes.contains { name.hasSuffix($0) } }.sorted().map { (folder as NSString).appendingPathComponent($0) }
        }
        func yamlFiles(_ sub: String) -> [String] { files(sub, [".yml", ".yaml"]) }
        for path in yamlFiles("entities") { pack.loadFile(path) { $0.readEntityFile(&$1) } }
        // Bulk imported entities (entities/*.tsv) after the YAML files, which win on shared domains.
        for path in files("entities", [".tsv"]) { pack.loadEntityTable(path) }
        for path in yamlFiles("trackers") { pack.loadFile(path) { $0.readTrackerFile(&$1) } }
        for path in yamlFiles("platforms") { pack.loadFile(path) { $0.readProfileFile(&$1) } }
        for path in yamlFiles("containers") { pack.loadFile(path) { $0.readContainerFile(&$1) } }
        for path in yamlFiles("decoders") { pack.loadFile(path) { $0.readDecoderFile(&$1) } }
        for path in files("cname", [".txt"]) { pack.loadCNAMEList(path) }
        pack.loadAICrawlers(directory: directory)
        let scoringPath = (directory as NSString).appendingPathComponent("scoring.yml")
        if fileManager.fileExists(atPath: scoringPath) {
            pack.loadFile(scoringPath) { $0.readScoringFile(&$1) }
        } else {
            pack.diagnostics.append(RuleDiagnostic(file: scoringPath, line: 1, column: 1, level: .warning, message: "no scoring.yml; using the built-in weights"))
        }
        for path in overrides { pack.loadFile(path) { $0.readOverrideFile(&$1) } }
        pack.link()
        pack.diagnostics.sort()
        return pack
    }

    /// Loads rule files given as text (file name → YAML), for tests and `rules lint` of single files.
    public static func load(
        entities: [(String, String)], trackers: [(String, String)], scoring: (String, String)? = nil, overrides: [(String, String)] = [],
        containers: [(String, String)] = [], decoders: [(String, String)] = []
    ) -> RulePack {
        var pack = RulePack()
        for (name, text) in entities { pack.read(name, text) { $0.readEntityFile(&$1) } }
        for (name, text) in trackers { pack.read(name, text) { $0.readTrackerFile(&$1) } }
        for (name, text) in containers { pack.read(name, text) { $0.readContainerFile(&$1) } }
        for (name, text) in decoders { pack.read(name, text) { $0.readDecoderFile(&$1) } }
        if let scoring { pack.read(scoring.0, scoring.1) { $0.readScoringFile(&$1) } }
        for (name, text) in overrides { pack.read(name, text) { $0.readOverrideFile(&$1) } }
        pack.link()
        pack.diagnostics.sort()
        return pack
    }

    mutating func loadFile(_ path: String, _ body: (inout RulePack, inout YAMLFile) -> Void) {
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.append(RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read file"))
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.append(RuleDiagnostic(file: path, line: 1, column: 1, message: "file is not UTF-8"))
            return
        }
        read(path, text, body)
    }

    private mutating func read(_ path: String, _ text: String, _ body: (inout RulePack, inout YAMLFile) -> Void) {
        files.append(path)
        var file = YAMLFile(path: path, text: text)
        if file.root != nil { body(&self, &file) } else if file.diagnostics.isEmpty {
            file.error("the file is empty", at: nil)
        }
        diagnostics += file.diagnostics
    }

    // MARK: - Sources

    private func readSources(_ node: Node?, _ file: inout YAMLFile) -> [String: RuleSource] {
        var sources: [String: RuleSource] = [:]
        for (id, keyNode, value) in file.mapping(node, what: "sources", allowed: []) ?? [] {
            guard let members = file.mapping(value, what: "source '\(id)'", allowed: ["url", "checked", "licence", "note"]) else { continue }
            var url: String?
            var checked: String?
            var source = RuleSource(id: id, url: "", checked: "")
            for (key, _, node) in members {
                switch key {
                case "url": url = file.string(node, what: "url")
                case "checked": checked = file.string(node, what: "checked")
                case "licence": source.licence = file.string(node, what: "licence")
                default: source.note = file.string(node, what: "note")
                }
            }
            if let url {
                if url.hasPrefix("https://") || url.hasPrefix("http://") {
                    source.url = url
                } else {
                    file.error("source url must start with https:// or http://", at: members.first { $0.key == "url" }?.value)
                }
            } else {
                file.error("source '\(id)' needs a url", at: keyNode)
            }
            if let checked {
                if Self.isDate(checked) {
                    source.checked = checked
                } else {
                    file.error("checked must be a date written YYYY-MM-DD, not '\(checked)'", at: members.first { $0.key == "checked" }?.value)
                }
            } else {
                file.error("source '\(id)' needs the date it was checked (checked: YYYY-MM-DD)", at: keyNode)
            }
            sources[id] = source
        }
        return sources
    }

    package static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        return year >= 1990 && (1...12).contains(month) && (1...31).contains(day)
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static func isDomain(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
        }
    }

    // MARK: - Entities

    static let entityKeys = ["id", "name", "platform", "platformName", "category", "country", "parent", "sources", "domains", "description"]

    private mutating func readEntityFile(_ file: inout YAMLFile) {
        guard let entity = readEntity(file.root, file: &file, requireSources: true) else { return }
        let stem = ((file.path as NSString).lastPathComponent as NSString).deletingPathExtension
        if stem != entity.id, let idNode = Self.member(file.root, "id") {
            file.error("entity id '\(entity.id)' must match its file name '\(stem)'", at: idNode)
        }
        add(entity, file: &file, at: file.root, replacing: false)
    }

    private func readEntity(_ node: Node?, file: inout YAMLFile, requireSources: Bool) -> Entity? {
        guard let members = file.mapping(node, what: "an entity", allowed: Self.entityKeys) else { return nil }
        var entity = Entity(id: "", name: "", platform: "", platformName: "", category: "other", country: nil, domains: [:], sources: [:], file: file.path)
        var domainsNode: Node?
        for (key, _, value) in members {
            switch key {
            case "id":
                guard let id = file.string(value, what: "id") else { continue }
                // An invalid id is reported and kept, so that the rest of the entity is still checked.
                if !Self.isIdentifier(id) { file.error("id must be lower-case letters, digits and '-': '\(id)'", at: value) }
                entity.id = id
            case "name": entity.name = file.string(value, what: "name") ?? ""
            case "platform":
                guard let platform = file.string(value, what: "platform") else { continue }
                if Self.isIdentifier(platform) { entity.platform = platform } else { file.error("platform must be lower-case letters, digits and '-': '\(platform)'", at: value) }
            case "platformName": entity.platformName = file.string(value, what: "platformName") ?? ""
            case "category":
                guard let category = file.string(value, what: "category") else { continue }
                if RuleVocabulary.entityCategories.contains(category) {
                    entity.category = category
                } else {
                    let hint = YAMLFile.closest(category, in: RuleVocabulary.entityCategories).map { "; did you mean '\($0)'?" } ?? ""
                    file.error("unknown category '\(category)'\(hint)", at: value)
                }
            case "country": entity.country = file.string(value, what: "country")
            case "parent":
                guard let parent = file.string(value, what: "parent") else { continue }
                if Self.isIdentifier(parent) { entity.parent = parent } else { file.error("parent must be an entity id: '\(parent)'", at: value) }
            case "sources": entity.sources = readSources(value, &file)
            case "description": _ = file.string(value, what: "description")
            default: domainsNode = value
            }
        }
        guard !entity.id.isEmpty else {
            file.error("an entity needs an id", at: node)
            return nil
        }
        if entity.name.isEmpty { file.error("entity '\(entity.id)' needs a name", at: node) }
        if entity.platform.isEmpty { entity.platform = entity.id }
        if entity.platformName.isEmpty { entity.platformName = entity.platform == entity.id ? entity.name : entity.platform }
        if requireSources, entity.sources.isEmpty, Self.member(node, "sources") == nil {
            file.error("entity '\(entity.id)' needs sources: every domain must cite one", at: node)
        }

        // domains: either {source-id: [domains]} (rule packs) or a plain list (user overrides).
        switch domainsNode {
        case .some(.mapping):
            for (sourceID, keyNode, list) in file.mapping(domainsNode, what: "domains", allowed: []) ?? [] {
                if entity.sources[sourceID] == nil {
                    let hint = YAMLFile.closest(sourceID, in: Array(entity.sources.keys)).map { "; did you mean '\($0)'?" } ?? ""
                    file.error("domains cite unknown source '\(sourceID)'\(hint)", at: keyNode)
                }
                addDomains(list, source: sourceID, to: &entity, file: &file)
            }
        case .some(.sequence):
            if requireSources {
                file.error("domains must be grouped by the source that documents them (source-id: [domains])", at: domainsNode)
            } else {
                addDomains(domainsNode, source: "user", to: &entity, file: &file)
            }
        case .some(let other):
            file.error("domains must be a mapping of source id to a list of domains", at: other)
        case .none:
            if requireSources { file.error("entity '\(entity.id)' lists no domains", at: node) }
        }
        return entity
    }

    private func addDomains(_ node: Node?, source: String, to entity: inout Entity, file: inout YAMLFile) {
        for (domain, item) in file.strings(node, what: "domains") ?? [] {
            let lowered = domain.lowercased()
            if lowered.hasPrefix("*.") {
                file.error("write '\(lowered.dropFirst(2))' instead of '\(lowered)': a domain already covers its subdomains", at: item)
            } else if !Self.isDomain(lowered) {
                file.error("'\(domain)' is not a domain name", at: item)
            } else if entity.domains[lowered] != nil {
                file.error("domain '\(lowered)' is listed twice in entity '\(entity.id)'", at: item)
            } else {
                entity.domains[lowered] = source
                entity.domainMarks[lowered] = item.mark.map { SourceMark(line: $0.line, column: $0.column) }
            }
        }
    }

    private mutating func add(_ entity: Entity, file: inout YAMLFile, at node: Node?, replacing: Bool) {
        if let existing = entityIndex[entity.id] {
            if replacing {
                for domain in entities[existing].domains.keys where domainIndex[domain] == existing { domainIndex[domain] = nil }
                entities[existing] = entity
                claim(entity, index: existing, file: &file, replacing: true)
            } else {
                file.error("entity id '\(entity.id)' is also defined in \(entities[existing].file)", at: Self.member(node, "id") ?? node)
            }
            return
        }
        entityIndex[entity.id] = entities.count
        entities.append(entity)
        claim(entity, index: entities.count - 1, file: &file, replacing: replacing)
    }

    /// Reads a CNAME-tracker list in AdGuard's format: `! Company: NAME`, then `||domain^` lines.
    mutating func loadCNAMEList(_ path: String) {
        files.append(path)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            diagnostics.append(RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read file as UTF-8"))
            return
        }
        var company: String?
        for (offset, raw) in text.splitLines().enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("! Company:") {
                company = line.dropFirst("! Company:".count).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("!") {
                continue
            } else if line.hasPrefix("||"), line.hasSuffix("^"), let company, Self.isDomain(String(line.dropFirst(2).dropLast()).lowercased()) {
                cnameTrackers[String(line.dropFirst(2).dropLast()).lowercased()] = company
            } else {
                diagnostics.append(RuleDiagnostic(
                    file: path, line: offset + 1, column: 1, message: "expected '! Company: NAME' or '||domain^' after a company line", sourceLine: String(raw)))
            }
        }
    }

    /// Reads an entity table (`entities/*.tsv`, written by the importer): `# source: URL licence L
    /// checked DATE` in the header, then `id name category parent platform domains` per line, TAB-separated,
    /// `-` for none. A domain a YAML entity already has stays with it (the table is the fallback);
    /// a malformed line is a diagnostic for that line, every other line still loads.
    mutating func loadEntityTable(_ path: String) {
        files.append(path)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            diagnostics.append(RuleDiagnostic(file: path, line: 1, column: 1, message: "cannot read file as UTF-8"))
            return
        }
        var source = RuleSource(id: "table", url: "", checked: "")
        var entityCount = 0
        for (offset, line) in text.splitLines().enumerated() {
            let number = offset + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let words = line.dropFirst().split(separator: " ")
                if words.first == "source:", words.count >= 2 {
                    source.url = String(words[1])
                    if let index = words.firstIndex(of: "licence"), index + 1 < words.count { source.licence = String(words[index + 1]) }
                    if let index = words.firstIndex(of: "checked"), index + 1 < words.count { source.checked = String(words[index + 1]) }
                }
                continue
            }
            func problem(_ message: String) {
                diagnostics.append(RuleDiagnostic(file: path, line: number, column: 1, message: message, sourceLine: String(line)))
            }
            guard !source.url.isEmpty else {
                problem("an entity table needs a '# source: URL licence L checked DATE' line before its entities")
                return
            }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 6 else {
                problem("expected 6 TAB-separated columns (id, name, category, parent, platform, domains), found \(columns.count)")
                continue
            }
            let (id, name, category, parent, platform) = (columns[0], columns[1], columns[2], columns[3], columns[4])
            guard Self.isIdentifier(id), Self.isIdentifier(platform), parent == "-" || Self.isIdentifier(parent), !name.isEmpty else {
                problem("id, platform and parent must be lower-case letters, digits and '-', and the name must not be empty")
                continue
            }
            guard RuleVocabulary.entityCategories.contains(category) else {
                let hint = YAMLFile.closest(category, in: RuleVocabulary.entityCategories).map { "; did you mean '\($0)'?" } ?? ""
                problem("unknown category '\(category)'\(hint)")
                continue
            }
            if let existing = entityIndex[id] {
                problem("entity id '\(id)' is also defined in \(entities[existing].file)")
                continue
            }
            var entity = Entity(
                id: id, name: name, platform: platform, platformName: platform == id ? name : platform, category: category, country: nil,
                domains: [:], sources: ["table": source], file: path)
            entity.parent = parent == "-" ? nil : parent
            for domain in columns[5].split(separator: " ").map({ $0.lowercased() }) where domain != "-" {
                guard Self.isDomain(domain) else {
                    problem("'\(domain)' is not a domain name")
                    continue
                }
                // A hand-written entity keeps its domains; the table's claim is dropped quietly.
                if domainIndex[domain] == nil { entity.domains[domain] = "table" }
            }
            entityIndex[id] = entities.count
            entities.append(entity)
            for domain in entity.domains.keys { domainIndex[domain] = entities.count - 1 }
            entityCount += 1
        }
        if entityCount == 0 { diagnostics.append(RuleDiagnostic(file: path, line: 1, column: 1, level: .warning, message: "the entity table has no entities")) }
    }

    private mutating func claim(_ entity: Entity, index: Int, file: inout YAMLFile, replacing: Bool) {
        for domain in entity.domains.keys.sorted() {
            if let owner = domainIndex[domain], owner != index {
                if replacing {
                    entities[owner].domains[domain] = nil
                } else {
                    let mark = entity.domainMarks[domain]
                    file.appendDiagnostic(RuleDiagnostic(
                        file: file.path, line: mark?.line ?? 1, column: mark?.column ?? 1,
                        message: "domain '\(domain)' already belongs to entity '\(entities[owner].id)' (\(entities[owner].file))",
                        sourceLine: mark.flatMap { file.sourceLine($0.line) }))
                    entities[index].domains[domain] = nil
                    continue
                }
            }
            domainIndex[domain] = index
        }
    }

    // MARK: - Overrides

    private mutating func readOverrideFile(_ file: inout YAMLFile) {
        guard let members = file.mapping(file.root, what: "an override file", allowed: ["firstParty", "owners", "entities"]) else { return }
        // Entities first, so that `owners` may name an entity the same file adds.
        let order = ["firstParty": 0, "entities": 1, "owners": 2]
        for (key, _, value) in members.sorted(by: { order[$0.key]! < order[$1.key]! }) {
            switch key {
            case "firstParty":
                for (site, item) in file.strings(value, what: "firstParty") ?? [] {
                    let lowered = site.lowercased()
                    if Self.isDomain(lowered) { firstPartySites.insert(lowered) } else { file.error("'\(site)' is not a domain name", at: item) }
                }
            case "entities":
                for item in file.sequence(value, what: "entities") ?? [] {
                    guard let entity = readEntity(item, file: &file, requireSources: false) else { continue }
                    add(entity, file: &file, at: item, replacing: true)
                }
            default:
                // owners: {domain: entity-id} moves a domain to another (existing) entity.
                for (domain, keyNode, ownerNode) in file.mapping(value, what: "owners", allowed: []) ?? [] {
                    guard let owner = file.string(ownerNode, what: "the owner of \(domain)") else { continue }
                    let lowered = domain.lowercased()
                    guard Self.isDomain(lowered) else {
                        file.error("'\(domain)' is not a domain name", at: keyNode)
                        continue
                    }
                    guard let index = entityIndex[owner] else {
                        let hint = YAMLFile.closest(owner, in: entities.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
                        file.error("unknown entity '\(owner)'\(hint)", at: ownerNode)
                        continue
                    }
                    if let previous = domainIndex[lowered] { entities[previous].domains[lowered] = nil }
                    entities[index].domains[lowered] = "user"
                    domainIndex[lowered] = index
                }
            }
        }
    }

    // MARK: - Trackers

    /// Channels newer than the first scoring.yml format (report schema 3: `server-side`).
    static let laterChannels: Set<Channel> = [.serverSide]

    static let trackerKeys = [
        "id", "title", "entity", "purpose", "severity", "data", "source", "description", "match", "requires", "examples",
    ]

    private mutating func readTrackerFile(_ file: inout YAMLFile) {
        guard let members = file.mapping(file.root, what: "a tracker file", allowed: ["sources", "trackers"]) else { return }
        let sources = readSources(members.first { $0.key == "sources" }?.value, &file)
        guard let list = members.first(where: { $0.key == "trackers" })?.value else {
            file.error("a tracker file needs a 'trackers' list", at: file.root)
            return
        }
        for node in file.sequence(list, what: "trackers") ?? [] {
            if let rule = readTracker(node, sources: sources, file: &file) {
                if let other = trackers.first(where: { $0.id == rule.id }) {
                    file.error("tracker id '\(rule.id)' is also defined in \(other.file):\(other.line)", at: Self.member(node, "id") ?? node)
                } else {
                    trackers.append(rule)
                }
            }
        }
    }

    private func readTracker(_ node: Node, sources: [String: RuleSource], file: inout YAMLFile) -> TrackerRule? {
        guard let members = file.mapping(node, what: "a tracker", allowed: Self.trackerKeys) else { return nil }
        var rule = TrackerRule(
            id: "", title: "", entity: "", purpose: "", severity: .medium, data: [], sources: [], description: "", urls: [], inline: [],
            cookies: [], urlID: nil, requiresTrackers: [], requiresFormData: [], matchExamples: [], noMatchExamples: [],
            file: file.path, line: node.mark?.line ?? 1)
        var valid = true
        for (key, _, value) in members {
            switch key {
            case "id":
                guard let id = file.string(value, what: "id") else { valid = false; continue }
                if Self.isIdentifier(id) { rule.id = id } else { file.error("id must be lower-case letters, digits and '-': '\(id)'", at: value); valid = false }
            case "title": rule.title = file.string(value, what: "title") ?? ""
            case "entity":
                rule.entity = file.string(value, what: "entity") ?? ""
                rule.entityMark = value.mark.map { SourceMark(line: $0.line, column: $0.column) }
            case "purpose":
                guard let purpose = file.string(value, what: "purpose") else { continue }
                if RuleVocabulary.purposes.contains(purpose) {
                    rule.purpose = purpose
                } else {
                    let hint = YAMLFile.closest(purpose, in: RuleVocabulary.purposes).map { "; did you mean '\($0)'?" } ?? ""
                    file.error("unknown purpose '\(purpose)'\(hint)", at: value)
                }
            case "severity":
                guard let text = file.string(value, what: "severity") else { continue }
                if let severity = Severity(rawValue: text) {
                    rule.severity = severity
                } else {
                    file.error("severity must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'", at: value)
                }
            case "data":
                for (item, itemNode) in file.strings(value, what: "data") ?? [] {
                    if RuleVocabulary.data.contains(item) {
                        rule.data.append(item)
                    } else {
                        let hint = YAMLFile.closest(item, in: RuleVocabulary.data).map { "; did you mean '\($0)'?" } ?? ""
                        file.error("unknown data category '\(item)'\(hint)", at: itemNode)
                    }
                }
            case "source":
                for (id, itemNode) in file.strings(value, what: "source") ?? [] {
                    if let source = sources[id] {
                        rule.sources.append(source)
                    } else {
                        let hint = YAMLFile.closest(id, in: Array(sources.keys)).map { "; did you mean '\($0)'?" } ?? ""
                        file.error("unknown source '\(id)' (define it under sources:)\(hint)", at: itemNode)
                    }
                }
            case "description": rule.description = file.string(value, what: "description") ?? ""
            case "match": readMatch(value, into: &rule, file: &file)
            case "requires": readRequires(value, into: &rule, file: &file)
            default: readExamples(value, into: &rule, file: &file)
            }
        }
        guard valid, !rule.id.isEmpty else {
            if Self.member(node, "id") == nil { file.error("a tracker needs an id", at: node) }
            return nil
        }
        for (key, what) in [("title", rule.title), ("entity", rule.entity), ("purpose", rule.purpose)] where what.isEmpty && Self.member(node, key) == nil {
            file.error("tracker '\(rule.id)' needs a \(key)", at: node)
        }
        if Self.member(node, "source") == nil { file.error("tracker '\(rule.id)' needs a source (the id of an entry under sources:)", at: node) }
        if rule.data.isEmpty, Self.member(node, "data") == nil { file.error("tracker '\(rule.id)' needs the data categories it sends", at: node) }
        let hasMatch = !rule.urls.isEmpty || !rule.inline.isEmpty || !rule.cookies.isEmpty
        if !hasMatch && rule.requiresTrackers.isEmpty { file.error("tracker '\(rule.id)' needs match: urls, inline or cookies (or requires: trackers)", at: node) }
        if rule.matchExamples.isEmpty { file.error("tracker '\(rule.id)' needs at least one example under examples: match:", at: Self.member(node, "examples") ?? node) }
        if rule.noMatchExamples.isEmpty { file.error("tracker '\(rule.id)' needs at least one example under examples: noMatch:", at: Self.member(node, "examples") ?? node) }
        return rule
    }

    private func readMatch(_ node: Node, into rule: inout TrackerRule, file: inout YAMLFile) {
        for (key, _, value) in file.mapping(node, what: "match", allowed: ["urls", "inline", "cookies", "urlId"]) ?? [] {
            switch key {
            case "urls":
                for (pattern, item) in file.strings(value, what: "urls") ?? [] {
                    if let problem = URLPattern.problem(pattern) { file.error(problem, at: item) } else { rule.urls.append(pattern) }
                }
            case "inline":
                for item in file.sequence(value, what: "inline") ?? [] {
                    guard let members = file.mapping(item, what: "an inline pattern", allowed: ["contains", "regex", "near"]) else { continue }
                    var pattern = TrackerRule.InlinePattern(contains: "")
                    for (key, _, value) in members {
                        if key == "contains" {
                            pattern.contains = file.string(value, what: "contains") ?? ""
                            if pattern.contains.utf8.count < 3 { file.error("contains must be at least 3 characters long, to keep matching fast", at: value) }
                        } else if key == "near" {
                            pattern.near = file.string(value, what: "near")
                        } else if let regex = file.string(value, what: "regex") {
                            if let problem = Self.regexProblem(regex) { file.error(problem, at: value) } else { pattern.regex = regex }
                        }
                    }
                    if members.first(where: { $0.key == "contains" }) == nil { file.error("an inline pattern needs contains: (a literal)", at: item) }
                    if !pattern.contains.isEmpty { rule.inline.append(pattern) }
                }
            case "cookies":
                for (name, item) in file.strings(value, what: "cookies") ?? [] {
                    if name.isEmpty || name.contains(where: { $0 == " " || $0 == "=" || $0 == ";" }) {
                        file.error("'\(name)' is not a cookie name", at: item)
                    } else {
                        rule.cookies.append(name)
                    }
                }
            default:
                guard let regex = file.string(value, what: "urlId") else { continue }
                if let problem = Self.regexProblem(regex) { file.error(problem, at: value) } else { rule.urlID = regex }
            }
        }
    }

    private func readRequires(_ node: Node, into rule: inout TrackerRule, file: inout YAMLFile) {
        for (key, _, value) in file.mapping(node, what: "requires", allowed: ["trackers", "formData"]) ?? [] {
            if key == "trackers" {
                for (id, item) in file.strings(value, what: "trackers") ?? [] {
                    rule.requiresTrackers.append(id)
                    rule.requireMarks[id] = item.mark.map { SourceMark(line: $0.line, column: $0.column) }
                }
            } else {
                for (name, item) in file.strings(value, what: "formData") ?? [] {
                    if let category = DataCategory(rawValue: name) {
                        rule.requiresFormData.append(category)
                    } else {
                        let names = DataCategory.allCases.map(\.rawValue)
                        let hint = YAMLFile.closest(name, in: names).map { "; did you mean '\($0)'?" } ?? ""
                        file.error("unknown form data category '\(name)'\(hint)", at: item)
                    }
                }
            }
        }
    }

    private func readExamples(_ node: Node, into rule: inout TrackerRule, file: inout YAMLFile) {
        for (key, _, value) in file.mapping(node, what: "examples", allowed: ["match", "noMatch"]) ?? [] {
            for item in file.sequence(value, what: "examples: \(key)") ?? [] {
                guard let members = file.mapping(item, what: "an example", allowed: ["html", "cookie", "id"]) else { continue }
                var example: TrackerRule.Example?
                var id: String?
                for (kind, _, value) in members {
                    guard let text = file.string(value, what: kind) else { continue }
                    switch kind {
                    case "html": example = .init(kind: .html, text: text, line: item.mark?.line ?? 1)
                    case "cookie": example = .init(kind: .cookie, text: text, line: item.mark?.line ?? 1)
                    default: id = text
                    }
                }
                guard var example else {
                    file.error("an example needs html: or cookie:", at: item)
                    continue
                }
                example.id = id
                if key == "match" { rule.matchExamples.append(example) } else { rule.noMatchExamples.append(example) }
            }
        }
    }

    static func regexProblem(_ pattern: String) -> String? {
        if let problem = RegexSafety.problem(pattern) { return "unsafe regular expression: \(problem)" }
        do {
            let regex = try Regex(pattern)
            _ = regex
            return nil
        } catch {
            return "invalid regular expression: \(error)"
        }
    }

    // MARK: - Scoring

    private mutating func readScoringFile(_ file: inout YAMLFile) {
        guard let members = file.mapping(
            file.root, what: "scoring.yml", allowed: ["channels", "data", "platforms", "grades", "description", "practices", "maxMultiplier"])
        else { return }
        var scoring = Scoring.builtIn
        for (key, _, value) in members {
            switch key {
            case "channels":
                var channels: [Channel: Double] = [:]
                for (name, keyNode, weight) in file.mapping(value, what: "channels", allowed: Channel.allCases.map(\.rawValue)) ?? [] {
                    guard let number = file.number(weight, what: "the weight of \(name)") else { continue }
                    guard (0...1).contains(number) else {
                        file.error("channel weights are between 0 and 1", at: weight)
                        continue
                    }
                    channels[Channel(rawValue: name)!] = number
                    _ = keyNode
                }
                for channel in Channel.allCases where channels[channel] == nil {
                    // Channels added after a pack was written take the built-in weight, so older packs keep loading.
                    if Self.laterChannels.contains(channel) {
                        channels[channel] = Scoring.builtIn.channels[channel]
                    } else {
                        file.error("channels: missing a weight for '\(channel.rawValue)'", at: value)
                    }
                }
                scoring.channels = channels
            case "data":
                var data: [String: Double] = [:]
                for (name, _, weight) in file.mapping(value, what: "data", allowed: RuleVocabulary.data) ?? [] {
                    guard let number = file.number(weight, what: "the weight of \(name)") else { continue }
                    guard (0...100).contains(number) else {
                        file.error("data weights are between 0 and 100", at: weight)
                        continue
                    }
                    data[name] = number
                }
                for name in RuleVocabulary.data where data[name] == nil { file.error("data: missing a weight for '\(name)'", at: value) }
                scoring.data = data
            case "platforms":
                var platforms: [String: Double] = [:]
                for (name, _, weight) in file.mapping(value, what: "platforms", allowed: []) ?? [] {
                    guard let number = file.number(weight, what: "the multiplier of \(name)") else { continue }
                    guard (0...3).contains(number) else {
                        file.error("platform multipliers are between 0 and 3", at: weight)
                        continue
                    }
                    if name == "default" { scoring.defaultMultiplier = number } else { platforms[name] = number }
                }
                scoring.platforms = platforms
            case "practices":
                var weights: [String: Double] = [:]
                for (name, _, weight) in file.mapping(value, what: "practices", allowed: RuleVocabulary.policyCategories) ?? [] {
                    guard let number = file.number(weight, what: "the weight of \(name)") else { continue }
                    guard (0...1).contains(number) else {
                        file.error("practice weights are between 0 and 1", at: weight)
                        continue
                    }
                    weights[name] = number
                }
                scoring.practices = weights
            case "maxMultiplier":
                if let number = file.number(value, what: "maxMultiplier"), (1...3).contains(number) {
                    scoring.maxMultiplier = number
                } else {
                    file.error("maxMultiplier must be a number from 1 to 3", at: value)
                }
            case "grades":
                var grades: [(Double, String)] = []
                for item in file.sequence(value, what: "grades") ?? [] {
                    guard let members = file.mapping(item, what: "a grade", allowed: ["grade", "max"]) else { continue }
                    let grade = members.first { $0.key == "grade" }.flatMap { file.string($0.value, what: "grade") }
                    let max = members.first { $0.key == "max" }.flatMap { file.number($0.value, what: "max") }
                    guard let grade, let max else {
                        file.error("a grade needs grade: and max:", at: item)
                        continue
                    }
                    if let last = grades.last, max <= last.0 { file.error("grades must be in ascending order of max", at: item) }
                    grades.append((max, grade))
                }
                if grades.last?.0 != 100 { file.error("the last grade must have max: 100", at: value) }
                scoring.grades = grades
            default:
                _ = file.string(value, what: "description")
            }
        }
        self.scoring = scoring
    }

    // MARK: - Linking

    /// Cross-file checks: tracker entities exist, required trackers exist; compile patterns.
    private mutating func link() {
        // A subsidiary whose platform is itself rolls up to its top owner's platform (Moat → Oracle).
        for index in entities.indices where entities[index].platform == entities[index].id {
            var owner = index
            var steps = 0
            while let parent = entities[owner].parent, let next = entityIndex[parent], next != index, steps < 5 {
                owner = next
                steps += 1
            }
            if owner != index {
                entities[index].platform = entities[owner].platform
                entities[index].platformName = entities[owner].platformName
            }
        }
        // Parents must exist; an entity that reports to another platform takes that platform's name
        // (from the entity whose id is the platform, else from one that names it: x-corp → "X").
        var platformNames: [String: String] = [:]
        for entity in entities where entity.platformName != entity.platform && (entity.id == entity.platform || platformNames[entity.platform] == nil) {
            platformNames[entity.platform] = entity.platformName
        }
        for index in entities.indices {
            if let parent = entities[index].parent, entityIndex[parent] == nil {
                diagnostics.append(RuleDiagnostic(
                    file: entities[index].file, line: 1, column: 1, message: "entity '\(entities[index].id)' names unknown parent '\(parent)'"))
                entities[index].parent = nil
            }
            let platform = entities[index].platform
            if platform != entities[index].id, entities[index].platformName == platform, let name = platformNames[platform] {
                entities[index].platformName = name
            }
        }
        let known = Set(trackers.map(\.id))
        var kept: [TrackerRule] = []
        for rule in trackers {
            var ok = true
            if entityIndex[rule.entity] == nil {
                let mark = rule.entityMark
                let hint = YAMLFile.closest(rule.entity, in: entities.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(RuleDiagnostic(
                    file: rule.file, line: mark?.line ?? rule.line, column: mark?.column ?? 1,
                    message: "tracker '\(rule.id)' names unknown entity '\(rule.entity)'\(hint)",
                    sourceLine: Self.sourceLine(rule.file, mark?.line ?? rule.line)))
                ok = false
            }
            for required in rule.requiresTrackers where !known.contains(required) || required == rule.id {
                let mark = rule.requireMarks[required]
                diagnostics.append(RuleDiagnostic(
                    file: rule.file, line: mark?.line ?? rule.line, column: mark?.column ?? 1,
                    message: required == rule.id ? "tracker '\(rule.id)' cannot require itself" : "tracker '\(rule.id)' requires unknown tracker '\(required)'",
                    sourceLine: Self.sourceLine(rule.file, mark?.line ?? rule.line)))
                ok = false
            }
            if ok { kept.append(rule) }
        }
        trackers = kept.sorted { $0.id < $1.id }
        linkContainers()
        linkDecoders()
        linkAICrawlers()
        compiled = trackers.map(CompiledTracker.init)
        urlIndex = [:]
        globPatterns = []
        inlineOwners = []
        var literals: [String] = []
        for (index, tracker) in compiled.enumerated() {
            for (patternIndex, pattern) in tracker.inline.enumerated() {
                literals.append(pattern.contains)
                inlineOwners.append((index, patternIndex))
            }
        }
        inlineScanner = LiteralScanner(literals)
        for (index, tracker) in compiled.enumerated() {
            for pattern in tracker.urls {
                if pattern.hostGlob { globPatterns.append((index, pattern)) } else { urlIndex[pattern.host, default: []].append((index, pattern)) }
            }
        }
    }

    private static func sourceLine(_ path: String, _ line: Int) -> String? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return nil }
        let lines = text.splitLines()
        return line >= 1 && line <= lines.count ? String(lines[line - 1]) : nil
    }

    static func member(_ node: Node?, _ key: String) -> Node? {
        guard case .mapping(let mapping)? = node else { return nil }
        for (name, value) in mapping where name.scalar?.string == key { return value }
        return nil
    }
}

extension YAMLFile {
    package func sourceLine(_ line: Int) -> String? {
        line >= 1 && line <= lines.count ? String(lines[line - 1]) : nil
    }
}
