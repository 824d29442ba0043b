import DragnetCheck
import DragnetContainers
import DragnetCore
import DragnetFetch
import DragnetFilters
import DragnetHTML
import DragnetPolicy
import DragnetReport
import DragnetRobots
import DragnetRules
import DragnetSites
import DragnetBrowser
import Foundation

/// The parsers Dragnet runs on hostile input, one function each. libFuzzer calls
/// `LLVMFuzzerTestOneInput` (scripts/fuzz.sh builds with `-sanitize=fuzzer,address`); a normal
/// build runs saved inputs through the same functions (`dragnet-fuzz TARGET FILE…`), which is
/// how crashes found by fuzzing are replayed in the tests.
enum FuzzTargets {
    static let names = [
        "html", "policy-html", "policy-md", "filters", "url", "cookie", "rules-yaml", "dragnet-yml", "report", "har", "container",
        "segment", "robots", "json",
    ]

    /// Runs `input` through `target`; returns false for an unknown target.
    static func run(_ target: String, _ input: [UInt8]) -> Bool {
        switch target {
        case "html":
            let page = HTMLExtractor.extract(input, pageURL: "https://fuzz.example/a/b?c=d")
            _ = page.observations.resources.count
        case "policy-html":
            let document = PolicyDocument(bytes: input, hint: "text/html")
            _ = document.sentences.count
        case "policy-md":
            let document = PolicyDocument(bytes: input, hint: "text/markdown")
            _ = document.sentences.count
        case "filters":
            let text = String(decoding: input, as: UTF8.self)
            let engine = FilterEngine.load(lists: [text], sites: sites, cacheDirectory: nil)
            var cache = SiteCache(sites)
            for url in ["https://ads.example.com/pixel.gif?id=1", "https://fuzz.example/app.js", "http://a.b.c.example/x/y"] {
                _ = engine.match(FilterRequest(url: url, sourceURL: "https://page.example/", type: .script), cache: &cache)
            }
        case "url":
            let text = String(decoding: input, as: UTF8.self)
            _ = WebURL(text)
            _ = WebURL.resolve(text, against: WebURL("https://fuzz.example/a/b/c?d#e"))
            _ = URLInput(text).url
            _ = URLInput.parseList(text).count
            _ = URLParts.split(text)
            _ = URLCredentials.strip(text)
            _ = URLCredentials.host(of: text)
            _ = AddressGuard.kind(of: text)
            _ = RobotsTxt.pathParamsQuery(text)
            _ = ConnectTo.problem(text)
        case "cookie":
            _ = parseSetCookie(String(decoding: input, as: UTF8.self), responseURL: "https://www.fuzz.example/a/b", reference: 1_700_000_000, keepValue: true)
        case "rules-yaml":
            let text = String(decoding: input, as: UTF8.self)
            let pack = RulePack.load(entities: [("e.yml", text)], trackers: [("t.yml", text)], containers: [("c.yml", text)], decoders: [("d.yml", text)])
            _ = pack.diagnostics.count
        case "dragnet-yml":
            let config = CheckConfig(path: "dragnet.yml", text: String(decoding: input, as: UTF8.self))
            _ = config.diagnostics.count
        case "report":
            _ = try? AuditReport(data: Data(input), source: "fuzz.json")
        case "har":
            _ = try? HAR.capture(input)
        case "container":
            _ = try? GTMContainer.parse(input, id: "GTM-FUZZ")
        case "segment":
            _ = try? SegmentSettings.parse(input, writeKey: "fuzzkey")
        case "robots":
            let robots = RobotsTxt(input)
            for agent in ["GPTBot", "Bytespider", "*", "CCBot/2.0"] { _ = robots.decide(agent: agent, url: "https://fuzz.example/a/b.pdf?x=1") }
        case "json":
            _ = try? JSONValue.parse(input, maxDepth: 512)
        default:
            return false
        }
        return true
    }

    static let sites: SiteResolver = {
        do { return try SiteResolver() } catch { fatalError("no public suffix list: \(error)") }
    }()
}
