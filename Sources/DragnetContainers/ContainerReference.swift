import Foundation
public import DragnetCore
import DragnetRules

/// A tag-manager container a page loads, and where to fetch it.
public struct ContainerReference: Sendable, Hashable, Comparable {
    public enum Kind: String, Sendable, Hashable {
        /// Google Tag Manager web container (`gtm.js?id=GTM-…`).
        case gtm
        /// Google tag (`gtag/js?id=G-…|AW-…|DC-…|GT-…|UA-…`).
        case gtag
        /// Segment source settings (`/v1/projects/WRITEKEY/settings`).
        case segment
    }

    public var kind: Kind
    /// `GTM-…`, `G-…`, or the Segment write key.
    public var id: String
    /// The URL the container is fetched from (the same host the page loads it from, so
    /// server-side GTM and Segment proxies are read where the page reads them).
    public var url: String
    /// A custom data-layer name (`&l=` or the snippet's argument).
    public var dataLayer: String?
    /// Where the page names it: `script@src`, `script` (inline snippet), `iframe@src`.
    public var element: String
    public var line: Int

    public init(kind: Kind, id: String, url: String, dataLayer: String? = nil, element: String, line: Int) {
        self.kind = kind
        self.id = id
        self.url = url
        self.dataLayer = dataLayer
        self.element = element
        self.line = line
    }

    /// The name findings and the graph use: the id, `segment:KEY` for Segment.
    public var name: String { kind == .segment ? "segment:\(id)" : id }

    public static func < (lhs: ContainerReference, rhs: ContainerReference) -> Bool {
        (lhs.kind.rawValue, lhs.id, lhs.url) < (rhs.kind.rawValue, rhs.id, rhs.url)
    }

    public static func isGTMID(_ text: Substring) -> Bool { matches(text, prefixes: ["GTM-"], minimum: 4, maximum: 12) }

    public static func isGtagID(_ text: Substring) -> Bool { matches(text, prefixes: ["G-", "AW-", "DC-", "GT-", "UA-"], minimum: 4, maximum: 20) }

    public static func isSegmentKey(_ text: Substring) -> Bool {
        (10...64).contains(text.utf8.count) && text.utf8.allSatisfy { isAlnum($0) }
    }

    static func matches(_ text: Substring, prefixes: [String], minimum: Int, maximum: Int) -> Bool {
        guard let prefix = prefixes.first(where: { text.hasPrefix($0) }) else { return false }
        let rest = text.dropFirst(prefix.count).utf8
        return (minimum...maximum).contains(rest.count) && rest.allSatisfy { isAlnum($0) && !(0x61...0x7A).contains($0) || $0 == UInt8(ascii: "-") }
    }

    static func isAlnum(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}

/// Finds the containers a page loads: in script and iframe URLs, and in inline snippets
/// read as JavaScript, so an id that only sits in a comment or inside another string (an
/// escaped copy of the snippet) is not taken for a loaded container.
public enum ContainerDetector {
    public struct Result: Sendable {
        public var references: [ContainerReference] = []
        /// Ids that look like containers but are not valid: never fetched.
        public var warnings: [String] = []
    }

    public static func detect(_ observations: Observations, pageURL: String?) -> Result {
        var result = Result()
        var seen = Set<String>()
        func add(_ reference: ContainerReference) {
            if seen.insert(reference.kind.rawValue + " " + reference.url).inserted { result.references.append(reference) }
        }
        for resource in observations.resources where resource.isNetwork {
            guard resource.kind == .script || resource.kind == .iframe || resource.kind == .preload || resource.kind == .frame,
                let parts = URLParts.split(resource.url), let origin = URLParts.origin(resource.url)
            else { continue }
            let path = parts.pathAndQuery.prefix { $0 != "?" }
            let query = parts.pathAndQuery.drop { $0 != "?" }.dropFirst()
            let element = "\(resource.element)@\(resource.attribute)"
            if path.hasSuffix("/gtm.js") || (path.hasSuffix("/ns.html") && parts.host.hasSuffix("googletagmanager.com")) {
                guard let id = parameter("id", in: query) else { continue }
                guard ContainerReference.isGTMID(id) else {
                    result.warnings.append("invalid container id '\(id.prefix(40))' in \(element) line \(resource.line): not fetched")
                    continue
                }
                let base = path.hasSuffix("/ns.html") ? "https://www.googletagmanager.com" : origin + path.dropLast("/gtm.js".count)
                add(ContainerReference(
                    kind: .gtm, id: String(id), url: "\(base)/gtm.js?id=\(id)", dataLayer: parameter("l", in: query).map(String.init),
                    element: element, line: resource.line))
            } else if path.hasSuffix("/gtag/js") {
                guard let id = parameter("id", in: query) else { continue }
                guard ContainerReference.isGtagID(id) else {
                    result.warnings.append("invalid gtag id '\(id.prefix(40))' in \(element) line \(resource.line): not fetched")
                    continue
                }
                add(ContainerReference(
                    kind: .gtag, id: String(id), url: "\(origin)\(path)?id=\(id)", dataLayer: parameter("l", in: query).map(String.init),
                    element: element, line: resource.line))
            } else if let key = segmentKey(path) {
                let base = String(path[..<path.range(of: "/analytics.js/v1/")!.lowerBound])
                add(ContainerReference(kind: .segment, id: key, url: "\(origin)\(base)/v1/projects/\(key)/settings", element: element, line: resource.line))
            }
        }
        for script in observations.inlineScripts where script.type == nil || script.type == "text/javascript" || script.type == "application/javascript" {
            for reference in inlineReferences(script, pageURL: pageURL, warnings: &result.warnings) { add(reference) }
        }
        return result
    }

    /// `KEY` in `/analytics.js/v1/KEY/analytics.min.js` (Segment's CDN or a proxy of it).
    static func segmentKey(_ path: Substring) -> String? {
        guard let range = path.range(of: "/analytics.js/v1/") else { return nil }
        let key = path[range.upperBound...].prefix { $0 != "/" }
        guard path[range.upperBound...].dropFirst(key.count).hasPrefix("/analytics"), ContainerReference.isSegmentKey(key) else { return nil }
        return String(key)
    }

    static func parameter(_ name: String, in query: Substring) -> Substring? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return parts[1].removingPercentEscapes() }
        }
        return nil
    }

    /// A string literal of an inline script, read in code (not in a comment or another string).
    struct Literal {
        var text: Substring
        /// The code just before the literal (up to 40 bytes), to tell `.load(` calls.
        var before: Substring
        var line: Int
    }

    static func literals(_ text: String) -> [Literal] {
        var result: [Literal] = []
        let bytes = Array(text.utf8)
        var index = 0
        var line = 0
        var codeStart = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A { line += 1 }
            if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                continue
            }
            if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                index += 2
                while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/")) {
                    if bytes[index] == 0x0A { line += 1 }
                    index += 1
                }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "`") {
                let start = index + 1
                var end = start
                while end < bytes.count, bytes[end] != byte {
                    if bytes[end] == 0x0A { line += 1 }
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                let literal = String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
                let before = String(decoding: bytes[max(codeStart, index - 40)..<index], as: UTF8.self)
                result.append(Literal(text: Substring(literal), before: Substring(before), line: line))
                index = end + 1
                codeStart = index
                continue
            }
            index += 1
        }
        return result
    }

    static func inlineReferences(_ script: InlineScript, pageURL: String?, warnings: inout [String]) -> [ContainerReference] {
        let text = script.text
        guard text.containsBytes("gtm.js") || text.containsBytes("GTM-") || text.containsBytes("analytics.js") || text.containsBytes("segment") else { return [] }
        let all = literals(text)
        var references: [ContainerReference] = []
        let pageOrigin = pageURL.flatMap(URLParts.origin)
        // The GTM loader: a URL literal ending in /gtm.js (its host is where the container lives).
        var loaderBase: String?
        for literal in all where literal.text.contains("/gtm.js") {
            let value = literal.text
            guard value.hasPrefix("https://") || value.hasPrefix("http://") || value.hasPrefix("//") || value.hasPrefix("/") else { continue }
            let upToScript = value[..<value.range(of: "/gtm.js")!.lowerBound]
            if value.hasPrefix("/") && !value.hasPrefix("//") {
                if let pageOrigin { loaderBase = pageOrigin + upToScript }
            } else {
                let absolute = value.hasPrefix("//") ? "https:" + upToScript : String(upToScript)
                loaderBase = absolute
            }
            // A complete URL with its id in one literal.
            if let query = value.range(of: "/gtm.js?")?.upperBound, let id = parameter("id", in: value[query...]) {
                if ContainerReference.isGTMID(id), let loaderBase {
                    references.append(ContainerReference(kind: .gtm, id: String(id), url: "\(loaderBase)/gtm.js?id=\(id)", element: "script", line: script.line + literal.line))
                }
            }
        }
        if let loaderBase {
            for (position, literal) in all.enumerated() where literal.text.hasPrefix("GTM-") {
                guard ContainerReference.isGTMID(literal.text) else {
                    warnings.append("invalid container id '\(literal.text.prefix(40))' in an inline script at line \(script.line + literal.line): not fetched")
                    continue
                }
                // The snippet's arguments: (window, document, 'script', 'dataLayer', 'GTM-…').
                let layer = position > 0 ? all[position - 1].text : ""
                let dataLayer = !layer.isEmpty && layer != "script" && layer != "dataLayer" && layer.utf8.allSatisfy { ContainerReference.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "$") } ? String(layer) : nil
                references.append(ContainerReference(
                    kind: .gtm, id: String(literal.text), url: "\(loaderBase)/gtm.js?id=\(literal.text)", dataLayer: dataLayer, element: "script",
                    line: script.line + literal.line))
            }
        }
        // Segment's snippet: analytics.load("WRITEKEY") or _writeKey="…", with its CDN (or proxy) host.
        let segmentCDN = all.first { $0.text.contains("/analytics.js/v1/") }.flatMap { literal -> String? in
            let value = literal.text
            guard value.hasPrefix("https://") || value.hasPrefix("//") else { return nil }
            let base = value[..<value.range(of: "/analytics.js/v1/")!.lowerBound]
            return value.hasPrefix("//") ? "https:" + base : String(base)
        }
        if let segmentCDN {
            for literal in all where ContainerReference.isSegmentKey(literal.text) {
                let before = literal.before.filter { !$0.isWhitespace }
                guard before.hasSuffix(".load(") || before.hasSuffix("_writeKey=") || before.hasSuffix("writeKey:") else { continue }
                references.append(ContainerReference(
                    kind: .segment, id: String(literal.text), url: "\(segmentCDN)/v1/projects/\(literal.text)/settings", element: "script",
                    line: script.line + literal.line))
            }
        }
        return references
    }
}

extension Substring {
    /// `%XX` sequences decoded (invalid ones kept as they are).
    func removingPercentEscapes() -> Substring {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2, let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return Substring(String(decoding: bytes, as: UTF8.self))
    }
}
