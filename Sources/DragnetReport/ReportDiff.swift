public import DragnetCore

/// What changed between two audits, page by page: third-party sites, entities,
/// platforms, trackers (and every finding, by its stable id), cookies, data
/// categories per platform, forms, policy practices, and each platform's score.
/// Keys never include query strings or cache-busters, so rotating parameters are no change.
public struct ReportDiff: Sendable {
    public static let kinds = ["thirdPartySites", "entities", "platforms", "trackers", "findings", "cookies", "data", "forms", "practices"]

    public struct ScoreChange: Sendable, Hashable {
        public var platform: String
        public var old: Double?
        public var new: Double?
        public var change: Double { ((new ?? 0) - (old ?? 0)).rounded(toPlaces: 1) }
    }

    public struct PageDiff: Sendable {
        public enum Status: String, Sendable { case added, removed, changed, unchanged }
        public var page: String
        public var status: Status
        /// Per kind, sorted.
        public var added: [String: [String]] = [:]
        public var removed: [String: [String]] = [:]
        public var scores: [ScoreChange] = []
        public var overallOld: Double?
        public var overallNew: Double?

        public var hasAdditions: Bool { added.values.contains { !$0.isEmpty } }

        /// The changes a report summary shows, in order: additions and removals of the
        /// summary kinds, then score changes as `platform old → new`.
        public var summaryItems: [(change: Character, kind: String, item: String)] {
            var items: [(Character, String, String)] = []
            for kind in ["trackers", "thirdPartySites", "platforms", "cookies", "data", "practices"] {
                items += (added[kind] ?? []).map { ("+", kind, $0) }
                items += (removed[kind] ?? []).map { ("−", kind, $0) }
            }
            items += scores.map { change in
                ("~", "score", "\(change.platform) \(change.old.map { ExposureText.number($0) } ?? "–") → \(change.new.map { ExposureText.number($0) } ?? "–")")
            }
            return items
        }
        public var scoreWentUp: Bool {
            scores.contains { $0.change > 0 } || ((overallNew ?? 0) > (overallOld ?? 0) && overallOld != nil)
        }
    }

    public var old: String
    public var new: String
    public var pages: [PageDiff]

    public var hasAdditions: Bool { pages.contains { $0.hasAdditions || $0.status == .added } }
    public var scoreWentUp: Bool { pages.contains { $0.scoreWentUp } }

    public static func compare(_ old: AuditReport, _ new: AuditReport) -> ReportDiff {
        var oldPages: [String: AuditReport.Page] = [:]
        for page in old.pages where oldPages[page.key] == nil { oldPages[page.key] = page }
        var newPages: [String: AuditReport.Page] = [:]
        for page in new.pages where newPages[page.key] == nil { newPages[page.key] = page }
        var result: [PageDiff] = []
        for key in Set(oldPages.keys).union(newPages.keys).sorted() {
            let before = oldPages[key]
            let after = newPages[key]
            let status: PageDiff.Status = before == nil ? .added : after == nil ? .removed : .changed
            var diff = PageDiff(page: key, status: status)
            let a = before.map(items) ?? [:]
            let b = after.map(items) ?? [:]
            for kind in kinds {
                let x = a[kind] ?? []
                let y = b[kind] ?? []
                let plus = y.subtracting(x).sorted()
                let minus = x.subtracting(y).sorted()
                if !plus.isEmpty { diff.added[kind] = plus }
                if !minus.isEmpty { diff.removed[kind] = minus }
            }
            let oldScores = Dictionary((before?.platforms ?? []).map { ($0.id, $0.score) }, uniquingKeysWith: { first, _ in first })
            let newScores = Dictionary((after?.platforms ?? []).map { ($0.id, $0.score) }, uniquingKeysWith: { first, _ in first })
            for platform in Set(oldScores.keys).union(newScores.keys).sorted() where oldScores[platform] != newScores[platform] {
                diff.scores.append(ScoreChange(platform: platform, old: oldScores[platform], new: newScores[platform]))
            }
            diff.overallOld = before?.score
            diff.overallNew = after?.score
            if status == .changed && diff.added.isEmpty && diff.removed.isEmpty && diff.scores.isEmpty && diff.overallOld == diff.overallNew {
                diff.status = .unchanged
            }
            result.append(diff)
        }
        return ReportDiff(old: old.source, new: new.source, pages: result)
    }

    /// The comparable items of a page, per kind.
    static func items(_ page: AuditReport.Page) -> [String: Set<String>] {
        var data = Set<String>()
        for finding in page.findings { for category in finding.data { data.insert("\(finding.platform): \(category)") } }
        return [
            "thirdPartySites": Set(page.thirdPartySites),
            "entities": Set(page.entities.map(\.id)),
            "platforms": Set(page.platforms.filter { $0.score > 0 }.map(\.id)),
            "trackers": Set(page.findings.filter(\.isTracker).map { $0.rule + ($0.accountID.map { " [\($0)]" } ?? "") }),
            "findings": Set(page.findings.map { "\($0.id) \($0.rule)" }),
            "cookies": Set(page.cookies.map { "\($0.name) (\($0.domain))" }),
            "data": data,
            "forms": Set(page.forms.map { "\($0.action) [\($0.categories.joined(separator: ","))]" }),
            "practices": Set(page.policy?.practices ?? []),
        ]
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}

extension ReportDiff: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("old", .string(old)), ("new", .string(new)),
            ("summary", .object([
                ("pagesChanged", .int(pages.filter { $0.status == .changed }.count)),
                ("pagesAdded", .int(pages.filter { $0.status == .added }.count)),
                ("pagesRemoved", .int(pages.filter { $0.status == .removed }.count)),
                ("added", .bool(hasAdditions)), ("scoreUp", .bool(scoreWentUp)),
            ])),
            ("pages", .array(pages.map { page in
                .object([
                    ("page", .string(page.page)), ("status", .string(page.status.rawValue)),
                    ("added", .object(page.added.map { ($0.key, .array($0.value.map { .string($0) })) })),
                    ("removed", .object(page.removed.map { ($0.key, .array($0.value.map { .string($0) })) })),
                    ("scores", .array(page.scores.map { change in
                        .object([
                            ("platform", .string(change.platform)), ("old", change.old.map { .double($0) } ?? .null),
                            ("new", change.new.map { .double($0) } ?? .null), ("change", .double(change.change)),
                        ])
                    })),
                    ("overall", .object([
                        ("old", page.overallOld.map { .double($0) } ?? .null), ("new", page.overallNew.map { .double($0) } ?? .null),
                    ])),
                ])
            })),
        ])
    }

    static let kindTitles = [
        "thirdPartySites": "third-party sites", "entities": "entities", "platforms": "platforms", "trackers": "trackers",
        "findings": "findings", "cookies": "cookies", "data": "data categories", "forms": "forms", "practices": "policy practices",
    ]

    /// Text or Markdown.
    public func render(markdown: Bool) -> String {
        var lines: [String] = []
        let changed = pages.filter { $0.status != .unchanged }
        lines.append(markdown ? "### Dragnet diff" : "dragnet diff \(old) → \(new)")
        lines.append("\(changed.count) of \(pages.count) page(s) changed")
        for page in changed {
            lines.append("")
            lines.append(markdown ? "#### `\(page.page)` (\(page.status.rawValue))" : "\(page.page) (\(page.status.rawValue))")
            for change in page.scores {
                let old = change.old.map { ExposureText.number($0) } ?? "–"
                let new = change.new.map { ExposureText.number($0) } ?? "–"
                let sign = change.change > 0 ? "+" : ""
                lines.append((markdown ? "- " : "  ") + "score \(change.platform): \(old) → \(new) (\(sign)\(ExposureText.number(change.change)))")
            }
            if let old = page.overallOld, let new = page.overallNew, old != new {
                lines.append((markdown ? "- " : "  ") + "overall: \(ExposureText.number(old)) → \(ExposureText.number(new))")
            }
            for kind in Self.kinds where kind != "findings" {
                for item in page.added[kind] ?? [] { lines.append((markdown ? "- **+** " : "  + ") + "\(Self.kindTitles[kind]!): \(markdown ? "`\(item)`" : item)") }
                for item in page.removed[kind] ?? [] { lines.append((markdown ? "- **−** " : "  - ") + "\(Self.kindTitles[kind]!): \(markdown ? "`\(item)`" : item)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Number formatting shared by the renderers (no locale).
public enum ExposureText {
    public static func number(_ value: Double) -> String {
        let rounded = value.rounded(toPlaces: 1)
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        let scaled = Int((abs(rounded) * 10).rounded())
        return (rounded < 0 ? "-" : "") + "\(scaled / 10).\(scaled % 10)"
    }
}
