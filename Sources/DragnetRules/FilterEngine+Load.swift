import DragnetCore
public import DragnetSites

extension FilterEngine {
    /// Parses and compiles lists (the disk cache arrives in a later step).
    public static func load(lists: [String], sites: SiteResolver) -> FilterEngine {
        var parser = FilterParser()
        for list in lists { parser.add(list: list) }
        return FilterEngine(parser, sites: sites)
    }

    public var loadedFromCache: Bool { false }
}
