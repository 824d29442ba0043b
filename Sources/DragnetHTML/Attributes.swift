#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A view of libxml2's NULL-terminated attribute list (name, value, name, value …),
/// valid only during the callback that received it. Values are copied out on request.
struct Attributes {
    let pairs: UnsafePointer<UnsafePointer<CChar>?>?

    /// The value of attribute `name` (lower-case), "" for a bare attribute, nil when absent.
    subscript(_ name: StaticString) -> String? {
        guard let pairs else { return nil }
        var index = 0
        while let attribute = pairs[index] {
            if name.withUTF8Buffer({ strcmp(attribute, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) == 0 }) {
                return pairs[index + 1].map { String(cString: $0) } ?? ""
            }
            index += 2
        }
        return nil
    }

    /// Calls `body` with each attribute's name and value pointers (value nil for a bare attribute).
    func forEach(_ body: (UnsafePointer<CChar>, UnsafePointer<CChar>?) -> Void) {
        guard let pairs else { return }
        var index = 0
        while let attribute = pairs[index] {
            body(attribute, pairs[index + 1])
            index += 2
        }
    }

    /// Whether attribute `name` is present.
    func has(_ name: StaticString) -> Bool { self[name] != nil }
}
