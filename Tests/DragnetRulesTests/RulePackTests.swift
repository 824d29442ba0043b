import DragnetCore
import DragnetRules
import DragnetTestSupport
import Foundation
import Testing

/// A small valid rule pack (Tests/Fixtures/rules/acme) for tests that need one.
let acmeEntity = (try? String(contentsOfFile: Fixtures.directory.appendingPathComponent("rules/acme/entities/acme.yml").path, encoding: .utf8)) ?? ""

let acmeTracker = (try? String(contentsOfFile: Fixtures.directory.appendingPathComponent("rules/acme/trackers/acme.yml").path, encoding: .utf8)) ?? ""

func diagnostics(entities: [(String, String)] = [("acme.yml", acmeEntity)], trackers: [(String, String)] = [], scoring: (String, String)? = nil) -> [String] {
    RulePack.load(entities: entities, trackers: trackers, scoring: scoring).errors.map(\.description)
}

@Suite("Rule packs: loading and lint diagnostics")
struct RulePackTests {
    @Test("a valid pack loads without diagnostics and indexes domains by suffix")
    func validPack() throws {
        let pack = RulePack.load(entities: [("acme.yml", acmeEntity)], trackers: [("acme.yml", acmeTracker)])
        #expect(pack.diagnostics.isEmpty)
        #expect(pack.trackers.map(\.id) == ["acme-matching", "acme-pixel"])
        #expect(pack.entity(forHost: "px.acme-ads.example")?.id == "acme")
        #expect(pack.entity(forHost: "acme-ads.example")?.id == "acme")
        #expect(pack.entity(forHost: "notacme-ads.example") == nil)
        #expect(pack.entity(forHost: "acme-ads.example.evil.example") == nil)
    }

    @Test("an unknown key is reported at its line and column with a suggestion and a caret")
    func unknownKey() {
        let text = acmeEntity.replacingOccurrences(of: "domains:\n", with: "domians:\n")
        let errors = diagnostics(entities: [("rules/entities/acme.yml", text)])
        #expect(errors.first { $0.contains("domians") } == """
            rules/entities/acme.yml:10:1: error: unknown key 'domians' in an entity; did you mean 'domains'?
            domians:
            ^
            """)
    }

    @Test("YAML syntax errors carry the parser's position")
    func syntaxError() {
        let errors = diagnostics(entities: [("bad.yml", "id: acme\nname: [unclosed\ncategory: social\n")])
        #expect(errors.count == 1)
        #expect(errors[0].hasPrefix("bad.yml:3:"))
        #expect(errors[0].contains("error: YAML syntax"))
    }

    @Test("every kind of bad value is reported where it is written")
    func badValues() {
        let entity = """
            id: Acme
            name: Acme
            category: adverts
            sources:
              home: {url: acme.example/about, checked: 29.11.2026}
            domains:
              home: ["*.acme.example", "not a domain"]
              nowhere: [acme2.example]
            """
        let errors = diagnostics(entities: [("e.yml", entity)])
        let heads = errors.map { $0.split(separator: "\n")[0] }
        #expect(heads.contains("e.yml:1:5: error: id must be lower-case letters, digits and '-': 'Acme'"))
        #expect(heads.contains("e.yml:3:11: error: unknown category 'adverts'; did you mean 'advertising'?"))
        #expect(heads.contains("e.yml:5:15: error: source url must start with https:// or http://"))
        #expect(heads.contains("e.yml:5:44: error: checked must be a date written YYYY-MM-DD, not '29.11.2026'"))
        #expect(heads.contains("e.yml:7:10: error: write 'acme.example' instead of '*.acme.example': a domain already covers its subdomains"))
        #expect(heads.contains("e.yml:7:28: error: 'not a domain' is not a domain name"))
        #expect(heads.contains("e.yml:8:3: error: domains cite unknown source 'nowhere'"))
    }

    @Test("a domain claimed by two entities is an error in the second file")
    func duplicateDomain() {
        let other = acmeEntity.replacingOccurrences(of: "id: acme", with: "id: other").replacingOccurrences(of: "acmecdn.example", with: "other.example")
        let errors = diagnostics(entities: [("acme.yml", acmeEntity), ("other.yml", other)])
        #expect(errors.map { $0.split(separator: "\n")[0] } == [
            "other.yml:11:10: error: domain 'acme-ads.example' already belongs to entity 'acme' (acme.yml)",
        ])
    }

    @Test("tracker errors: unknown entity, bad regex, unknown data category, missing examples, unknown requirement")
    func trackerErrors() {
        let tracker = """
            sources:
              docs: {url: https://acme.example/docs, checked: 2026-11-29}
            trackers:
              - id: broken
                title: Broken
                entity: acmee
                purpose: advertising
                data: [identifier]
                source: docs
                match:
                  inline:
                    - contains: acme(
                      regex: "acme\\\\(("
                requires:
                  trackers: [nothing]
                examples:
                  match:
                    - html: <p>
            """
        let heads = diagnostics(trackers: [("t.yml", tracker)]).map { $0.split(separator: "\n")[0] }
        #expect(heads.contains("t.yml:6:13: error: tracker 'broken' names unknown entity 'acmee'; did you mean 'acme'?"))
        #expect(heads.contains("t.yml:8:12: error: unknown data category 'identifier'; did you mean 'identifiers'?"))
        #expect(heads.contains { $0.hasPrefix("t.yml:13:18: error: invalid regular expression") })
        #expect(heads.contains("t.yml:15:18: error: tracker 'broken' requires unknown tracker 'nothing'"))
        #expect(heads.contains("t.yml:17:7: error: tracker 'broken' needs at least one example under examples: noMatch:"))
    }

    @Test("scoring: missing weights, out-of-range values and unordered grades")
    func scoringErrors() {
        let scoring = """
            channels: {script: 2, pixel: 0.8}
            data: {identifiers: 15}
            grades:
              - {grade: A, max: 50}
              - {grade: B, max: 10}
            """
        let heads = diagnostics(scoring: ("scoring.yml", scoring)).map { $0.split(separator: "\n")[0] }
        #expect(heads.contains("scoring.yml:1:20: error: channel weights are between 0 and 1"))
        #expect(heads.contains("scoring.yml:1:11: error: channels: missing a weight for 'cookie'"))
        #expect(heads.contains("scoring.yml:2:7: error: data: missing a weight for 'contact-data'"))
        #expect(heads.contains("scoring.yml:5:5: error: grades must be in ascending order of max"))
        #expect(heads.contains("scoring.yml:3:1: error: the last grade must have max: 100") == false)
        #expect(heads.contains("scoring.yml:4:3: error: the last grade must have max: 100"))
    }

    @Test("an override file adds first-party sites, moves a domain and adds an entity")
    func overrides() {
        let override = """
            firstParty: [shop.example]
            owners:
              acmecdn.example: mine
            entities:
              - id: mine
                name: My CDN
                domains: [mycdn.example]
            """
        let reordered = """
            entities:
              - id: mine
                name: My CDN
                domains: [mycdn.example]
            owners:
              acmecdn.example: mine
            firstParty: [shop.example]
            """
        for text in [override, reordered] {
            let pack = RulePack.load(entities: [("acme.yml", acmeEntity)], trackers: [], overrides: [("mine.yml", text)])
            #expect(pack.firstPartySites == ["shop.example"])
            #expect(pack.entity(forHost: "cdn.mycdn.example")?.id == "mine")
            #expect(pack.errors.isEmpty)
            #expect(pack.entity(forHost: "static.acmecdn.example")?.id == "mine")
            #expect(pack.entity(forHost: "acme-ads.example")?.id == "acme")
        }
        let typo = RulePack.load(entities: [("acme.yml", acmeEntity)], trackers: [], overrides: [("mine.yml", "owners:\n  acmecdn.example: acmee\n")])
        #expect(typo.errors.map(\.description) == ["mine.yml:2:20: error: unknown entity 'acmee'; did you mean 'acme'?\n  acmecdn.example: acmee\n                   ^"])
    }
}

@Suite("The shipped rules")
struct ShippedRulesTests {
    let pack = RulePack.load(directory: Fixtures.rulesDirectory)

    @Test("load without errors or warnings")
    func clean() {
        #expect(pack.diagnostics.map(\.description) == [])
    }

    @Test("the whole third-party-web and whotracks.me maps: thousands of entities, each domain citing a dated source, every parent known")
    func entities() {
        #expect(pack.entities.count >= 4_000)
        #expect(pack.entities.reduce(0) { $0 + $1.domains.count } >= 5_500)
        let parents = Set(pack.entities.compactMap(\.parent))
        for entity in pack.entities {
            // Only a company-level owner (a parent of others) may have no domain of its own.
            #expect(!entity.domains.isEmpty || parents.contains(entity.id), "\(entity.id) has no domains")
            if let parent = entity.parent { #expect(pack.entity(id: parent) != nil, "\(entity.id): parent \(parent)") }
            for (domain, source) in entity.domains {
                #expect(entity.sources[source]?.checked.count == 10, "\(entity.id): \(domain) cites \(source)")
            }
        }
    }

    @Test("the platforms' sites map to their owners", arguments: [
        ("analytics.tiktok.com", "bytedance", "tiktok"), ("p16-sign-va.tiktokcdn.com", "bytedance", "tiktok"),
        ("lf16-tiktok-web.tiktokcdn-us.com", "bytedance", "tiktok"), ("mon.tiktokv.com", "bytedance", "tiktok"),
        ("sf16-website-login.neutral.ttwstatic.com", "bytedance", "tiktok"), ("pangle.pangleglobal.com", "bytedance", "tiktok"),
        ("static.ads-twitter.com", "x-corp", "x"), ("x.com", "x-corp", "x"), ("t.co", "x-corp", "x"), ("pbs.twimg.com", "x-corp", "x"),
        ("connect.facebook.net", "meta", "meta"), ("scontent.cdninstagram.com", "meta", "meta"), ("static.xx.fbcdn.net", "meta", "meta"),
        ("www.googletagmanager.com", "google", "google"), ("stats.g.doubleclick.net", "google", "google"), ("www.youtube.com", "google", "google"),
        ("www.clarity.ms", "microsoft", "microsoft"), ("snap.licdn.com", "microsoft", "microsoft"), ("bat.bing.com", "microsoft", "microsoft"),
        ("static.hotjar.com", "hotjar", "contentsquare"), ("mc.yandex.ru", "yandex", "yandex"), ("static.criteo.net", "criteo", "criteo"),
        // Subsidiaries roll up to their owner's platform; newly attributed sites from the whole maps.
        ("z.moatads.com", "moat", "oracle"), ("sb.scorecardresearch.com", "scorecard-research", "scorecard-research"), ("cdn.jsdelivr.net", "jsdelivr-cdn", "jsdelivr-cdn"),
    ])
    func owners(host: String, entity: String, platform: String) {
        #expect(pack.entity(forHost: host)?.id == entity)
        #expect(pack.entity(forHost: host)?.platform == platform)
    }

    @Test("customer-content hosting is nobody's")
    func hosting() {
        for host in ["d1234.cloudfront.net", "bucket.s3.amazonaws.com", "storage.googleapis.com", "lh3.googleusercontent.com"] {
            #expect(pack.entity(forHost: host) == nil, "\(host)")
        }
    }
}
