/// The data-flow graph of one page: who the page talks to and what flows there.
///
/// Nodes: the page, each site, each form, each data category (entities and
/// platforms join when rules classify sites). Edges are typed; parallel edges of
/// one type between the same nodes are merged and counted.
public struct DataFlowGraph: Sendable, Hashable {
    public enum NodeType: String, Sendable, Hashable, CaseIterable {
        case page, site, form, dataCategory = "data-category", entity, platform
        /// A tag-manager container or Segment source the page loads, and one of its tags.
        case container, tag
    }

    public enum EdgeType: String, Sendable, Hashable, CaseIterable {
        /// page → site: the page loads a resource of `kind` from the site.
        case loads
        /// site → site: a response from one redirected to the other.
        case redirects
        /// site → page: a response from the site set cookies on the visitor.
        case setsCookie = "sets-cookie"
        /// page → form.
        case contains
        /// form → site: the form submits to the site.
        case postsForm = "posts-form"
        /// form → data category: the form's fields collect it.
        case collects
        /// page → site: the page links to the site.
        case linksTo = "links-to"
        /// page or form → entity: data categories (labels) leave the page through a channel (kind).
        case sends
        /// site → site: a script from the first site made a request (of `kind`) to the second,
        /// as the browser saw it; `labels` name the scripts.
        case initiates
        /// site → entity: the entity owns the site.
        case ownedBy = "owned-by"
        /// entity → platform: the entity's data ends up with the platform.
        case partOf = "part-of"
    }

    public struct Node: Sendable, Hashable {
        public var id: String
        public var type: NodeType
        public var label: String
        /// For site nodes: whether the site is first-party.
        public var firstParty: Bool?

        public init(id: String, type: NodeType, label: String, firstParty: Bool? = nil) {
            self.id = id
            self.type = type
            self.label = label
            self.firstParty = firstParty
        }
    }

    public struct Edge: Sendable, Hashable {
        public var from: String
        public var to: String
        public var type: EdgeType
        /// Resource kind for `loads` edges.
        public var kind: String?
        /// How many observations the edge stands for.
        public var count: Int
        /// Cookie names (`sets-cookie`) or data categories (`sends`), sorted.
        public var labels: [String]

        public init(from: String, to: String, type: EdgeType, kind: String? = nil, count: Int = 1, labels: [String] = []) {
            self.from = from
            self.to = to
            self.type = type
            self.kind = kind
            self.count = count
            self.labels = labels
        }
    }

    public private(set) var nodes: [Node] = []
    public private(set) var edges: [Edge] = []
    private var nodeIndex: [String: Int] = [:]
    private var edgeIndex: [String: Int] = [:]

    public init() {}

    public static let pageID = "page"
    public static func siteID(_ site: String) -> String { "site:" + site }
    public static func formID(_ index: Int) -> String { "form:\(index)" }
    public static func dataID(_ category: String) -> String { "data:" + category }
    public static func entityID(_ entity: String) -> String { "entity:" + entity }
    public static func platformID(_ platform: String) -> String { "platform:" + platform }
    public static func containerID(_ container: String) -> String { "container:" + container }
    public static func tagID(_ container: String, _ tag: Int?, _ template: String) -> String {
        "tag:" + container + "#" + (tag.map(String.init) ?? template)
    }

    /// Adds a node once; a later call with the same id keeps the first.
    public mutating func addNode(_ node: Node) {
        guard nodeIndex[node.id] == nil else { return }
        nodeIndex[node.id] = nodes.count
        nodes.append(node)
    }

    /// Adds an edge, or merges it into the existing one of the same type, ends and kind.
    public mutating func addEdge(_ edge: Edge) {
        let key = "\(edge.type.rawValue)|\(edge.from)|\(edge.to)|\(edge.kind ?? "")"
        if let index = edgeIndex[key] {
            edges[index].count += edge.count
            edges[index].labels = Array(Set(edges[index].labels + edge.labels)).sorted()
        } else {
            edgeIndex[key] = edges.count
            var edge = edge
            edge.labels = Array(Set(edge.labels)).sorted()
            edges.append(edge)
        }
    }

    /// Nodes sorted by id, edges by (from, to, type, kind): the canonical order.
    public var sorted: (nodes: [Node], edges: [Edge]) {
        (
            nodes.sorted { $0.id < $1.id },
            edges.sorted {
                ($0.from, $0.to, $0.type.rawValue, $0.kind ?? "") < ($1.from, $1.to, $1.type.rawValue, $1.kind ?? "")
            }
        )
    }
}

extension DataFlowGraph: JSONRepresentable {
    public var json: JSONValue {
        let (nodes, edges) = sorted
        return .object([
            ("nodes", .array(nodes.map { node in
                var members: [(String, JSONValue)] = [("id", .string(node.id)), ("label", .string(node.label)), ("type", .string(node.type.rawValue))]
                if let firstParty = node.firstParty { members.append(("firstParty", .bool(firstParty))) }
                return .object(members)
            })),
            ("edges", .array(edges.map { edge in
                var members: [(String, JSONValue)] = [
                    ("count", .int(edge.count)), ("from", .string(edge.from)), ("to", .string(edge.to)), ("type", .string(edge.type.rawValue)),
                ]
                if let kind = edge.kind { members.append(("kind", .string(kind))) }
                if !edge.labels.isEmpty { members.append(("labels", .array(edge.labels.map { .string($0) }))) }
                return .object(members)
            })),
        ])
    }
}
