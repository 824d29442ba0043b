import DragnetReport
import DragnetTestSupport
import Foundation
import Testing

@Suite("The overview of a multi-page report")
struct OverviewTests {
    @Test("a 3-page run: platform reach, contact data, companies, grades and worst pages match the pages' own findings")
    func threePages() throws {
        let directory = try temporaryDirectory()
        let output = directory.appendingPathComponent("report.json").path
        let pages = ["food52.com_food52.html", "aclu.html", "usapears.org_usapears_1.html"].map { Fixtures.directory.appendingPathComponent("pages/\($0)").path }
        let result = try dragnet(["audit", "-q", "--no-history", "--output", output, "--format", "json,md,html"] + pages)
        #expect(result.status == 0)
        let report = try AuditReport(path: output)
        let overview = ReportOverview(report)
        #expect(overview.audited == 3)
        #expect(overview.failed == 0)

        // Independently from the raw JSON: pages per platform with a data-carrying finding.
        let json = try #require(try loadJSON(output)["pages"] as? [[String: Any]])
        var expected: [String: (pages: Int, contact: Int)] = [:]
        for page in json {
            let findings = page["findings"] as? [[String: Any]] ?? []
            for platform in Set(findings.compactMap { ($0["data"] as? [String])?.isEmpty == false ? $0["platform"] as? String : nil }) where platform != "unattributed" {
                let contact = findings.contains { $0["platform"] as? String == platform && (($0["data"] as? [String]) ?? []).contains("contact-data") }
                expected[platform, default: (0, 0)].pages += 1
                if contact { expected[platform, default: (0, 0)].contact += 1 }
            }
        }
        #expect(Dictionary(uniqueKeysWithValues: overview.platforms.map { ($0.id, $0.pages) }) == expected.mapValues(\.pages))
        #expect(Dictionary(uniqueKeysWithValues: overview.platforms.map { ($0.id, $0.contactPages) }) == expected.mapValues(\.contact))
        #expect(overview.platforms.first?.pages == expected.values.map(\.pages).max())
        #expect(overview.grades.reduce(0) { $0 + $1.pages } == 3)
        let scores = json.compactMap { ($0["exposure"] as? [String: Any])?["score"] as? Double }
        #expect(overview.worst.first?.score == scores.max())
        // Companies count only where they receive data: never more pages than their platform reaches.
        let reachByName = Dictionary(overview.platforms.map { ($0.name, $0.pages) }, uniquingKeysWith: max)
        #expect(overview.companies.first { $0.name == "Google LLC (Alphabet)" }?.pages == reachByName["Google"])

        let markdown = try String(contentsOfFile: output.replacingOccurrences(of: ".json", with: ".md"), encoding: .utf8)
        #expect(markdown.contains("### Overview"))
        let google = try #require(overview.platforms.first { $0.id == "google" })
        #expect(markdown.contains("| \(google.name) (`google`) | \(google.pages) of 3 | \(google.contactPages) |"))
        let html = try String(contentsOfFile: output.replacingOccurrences(of: ".json", with: ".html"), encoding: .utf8)
        #expect(html.contains("<h2>Overview</h2>"))
        #expect(html.contains("<svg class=\"reach\""))
        #expect(html.contains("<a href=\"#page-\(try #require(overview.worst.first).index)\">"))
    }
}
