/// Resource types as uBlock Origin and adblock-rust name them.
public enum RequestType: String, Sendable, CaseIterable {
    case script, image, stylesheet, subdocument, xmlhttprequest, media, font, ping, object, websocket, other, document, popup

    /// One bit per type, in declaration order (the compiled cache stores these bits).
    /// A switch: `allCases.firstIndex` built an array on every filter check.
    var bit: UInt16 {
        switch self {
        case .script: 1 << 0
        case .image: 1 << 1
        case .stylesheet: 1 << 2
        case .subdocument: 1 << 3
        case .xmlhttprequest: 1 << 4
        case .media: 1 << 5
        case .font: 1 << 6
        case .ping: 1 << 7
        case .object: 1 << 8
        case .websocket: 1 << 9
        case .other: 1 << 10
        case .document: 1 << 11
        case .popup: 1 << 12
        }
    }

    static let allBits: UInt16 = RequestType.allCases.reduce(0) { $0 | $1.bit }
    /// How many types there are (a constant: `allCases` builds an array on every call).
    static let count = RequestType.allCases.count
    /// The type's position in declaration order.
    var index: Int { bit.trailingZeroBitCount }

    /// A type as requests name it: uBlock's names, adblock-rust's and browsers' aliases
    /// (`xhr`, `fetch`, `sub_frame`, `main_frame`, `beacon`, `css`, `img`); unknown → `other`.
    public static func named(_ text: String) -> RequestType {
        known(text) ?? .other
    }

    /// The type `text` names, or nil when it names none.
    public static func known(_ text: String) -> RequestType? {
        let name = text.lowercased()
        switch name {
        case "fetch": return .xmlhttprequest
        case "sub_frame", "iframe": return .subdocument
        case "main_frame": return .document
        default: return fromOption(name)
        }
    }

    /// Option names, including the aliases lists use.
    static func fromOption(_ name: String) -> RequestType? {
        switch name {
        case "script": .script
        case "image", "img": .image
        case "stylesheet", "css": .stylesheet
        case "subdocument", "frame": .subdocument
        case "xmlhttprequest", "xhr": .xmlhttprequest
        case "media": .media
        case "font": .font
        case "ping", "beacon": .ping
        case "object", "object-subrequest": .object
        case "websocket": .websocket
        case "other": .other
        case "document", "doc": .document
        case "popup": .popup
        default: nil
        }
    }
}

/// One Adblock Plus / uBlock Origin network filter, parsed.
public struct NetworkFilter: Sendable, Hashable {
    public enum Anchor: UInt8, Sendable { case none, start, hostname }

    /// The line as written in the list.
    public var text: String
    public var isException = false
    /// Pattern text (lower-cased unless `matchCase`), without anchors and options.
    public var pattern: String = ""
    public var leftAnchor: Anchor = .none
    public var rightAnchor = false
    public var isRegex = false
    /// Resource types the filter applies to (all by default).
    public var types: UInt16 = RequestType.allBits & ~(RequestType.document.bit | RequestType.popup.bit)
    /// nil: any party; true: third-party only; false: first-party only.
    public var thirdParty: Bool?
    public var includeDomains: [String] = []
    public var excludeDomains: [String] = []
    public var important = false
    public var matchCase = false
    public var badfilter = false

    public init(text: String) {
        self.text = text
    }

    /// The filter without `$badfilter`, as `$badfilter` compares it.
    var identity: String {
        var copy = self
        copy.text = ""
        copy.badfilter = false
        return "\(copy.isException)|\(copy.pattern)|\(copy.leftAnchor.rawValue)|\(copy.rightAnchor)|\(copy.isRegex)|\(copy.types)|\(String(describing: copy.thirdParty))|\(copy.includeDomains.sorted())|\(copy.excludeDomains.sorted())|\(copy.important)|\(copy.matchCase)"
    }
}
