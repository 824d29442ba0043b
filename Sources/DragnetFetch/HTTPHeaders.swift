/// Response headers in the order they arrived, names lower-cased, repeats kept.
public struct HTTPHeaders: Sendable, Hashable, Sequence {
    /// One header line.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Appends a header; the name is lower-cased.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name.lowercased(), value: value))
    }

    /// Appends a folded continuation line to the last header.
    mutating func appendContinuation(_ text: String) {
        guard !fields.isEmpty else { return }
        fields[fields.count - 1].value += " " + text
    }

    /// Every value of the header `name` (case-insensitive), in arrival order.
    public func values(_ name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name == key }.map(\.value)
    }

    /// The first value of the header `name` (case-insensitive).
    public subscript(name: String) -> String? {
        let key = name.lowercased()
        return fields.first { $0.name == key }?.value
    }

    public var isEmpty: Bool { fields.isEmpty }
    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// A copy in which `Set-Cookie` values are replaced by `[redacted]`, keeping names and attributes.
    public func redactingCookieValues() -> HTTPHeaders {
        HTTPHeaders(fields.map { field in
            guard field.name == "set-cookie" else { return field }
            return Field(name: field.name, value: SetCookieParser.redactValue(field.value))
        })
    }
}
