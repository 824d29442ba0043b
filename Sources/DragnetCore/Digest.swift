import CSupport

/// Hex digests by name, computed by OpenSSL's libcrypto: what the canary search needs to find a
/// typed value in a request whatever the page did to it.
public enum Digest {
    public static let names = ["md5", "sha1", "sha256", "sha512"]

    /// The lowercase hexadecimal digest of the UTF-8 bytes of `text`; nil for an unknown algorithm.
    public static func hex(_ name: String, _ text: String) -> String? {
        var digest = [UInt8](repeating: 0, count: 64)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { dragnet_digest(name, input.baseAddress, input.count, $0.baseAddress) }
        }
        guard written > 0 else { return nil }
        return SHA256.hexString(Array(digest.prefix(Int(written))))
    }
}
