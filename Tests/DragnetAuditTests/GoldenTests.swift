import DragnetAudit
import DragnetCore
import DragnetRules
import DragnetSites
import DragnetTestSupport
import Foundation
import Testing

/// One row of Tests/Fixtures/golden/expected-third-parties.tsv.
struct GoldenPage: CustomTestStringConvertible, Sendable {
    var file: String
    var site: String
    var scriptHosts: Set<String>
    var iframeHosts: Set<String>
    var testDescription: String { file }

    static func all() throws -> [GoldenPage] {
        let text = String(decoding: try Fixtures.bytes("golden/expected-third-parties.tsv"), as: UTF8.self)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func hosts(_ index: Int) -> Set<String> { index < columns.count ? Set(columns[index].split(separator: " ").map(String.init)) : [] }
            return GoldenPage(file: columns[0], site: columns[1], scriptHosts: hosts(2), iframeHosts: hosts(3))
        }
    }
}

let goldenPages: [GoldenPage] = (try? GoldenPage.all()) ?? []
let sharedResolver = Result { try SiteResolver() }
/// The repository's own rules: goldens show what a rule change does to real pages.
let shippedRules = RulePack.load(directory: Fixtures.rulesDirectory)

func auditFixture(_ page: GoldenPage) throws -> PageReport {
    var auditor = PageAuditor(resolver: try sharedResolver.get(), rules: shippedRules)
    let bytes = try Fixtures.bytes("pages/" + page.file)
    return auditor.audit(file: "pages/" + page.file, bytes: bytes, id: 0, pageURL: "https://\(page.site)/")
}

@Suite("Golden reports of real pages")
struct GoldenTests {
    @Test("at least 15 real pages have goldens")
    func enoughPages() {
        #expect(goldenPages.count >= 15)
    }

    @Test("third-party script and iframe hosts match the hand-checked list", arguments: goldenPages)
    func thirdParties(page: GoldenPage) throws {
        let report = try auditFixture(page)
        let thirdParty = report.observations.resources.filter { $0.firstParty == false }
        #expect(Set(thirdParty.filter { $0.kind == .script }.compactMap(\.host)) == page.scriptHosts)
        #expect(Set(thirdParty.filter { $0.kind == .iframe || $0.kind == .frame }.compactMap(\.host)) == page.iframeHosts)
        // Every third-party site of the summary appears as a site node with loads edges.
        let siteNodes = Set(report.graph.nodes.filter { $0.type == .site && $0.firstParty == false }.map(\.label))
        #expect(Set(report.thirdParties.map(\.site)).isSubset(of: siteNodes))
        #expect(report.site != nil)
    }

    @Test("the whole page report matches its golden file (RECORD_SNAPSHOTS=1 re-records)", arguments: goldenPages)
    func golden(page: GoldenPage) throws {
        let actual = try auditFixture(page).json.prettyText
        let path = Fixtures.directory.appendingPathComponent("golden/\(page.file).json")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try actual.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        #expect(actual == expected, "report of \(page.file) differs from its golden file; re-record with RECORD_SNAPSHOTS=1 if the change is intended")
    }
}
