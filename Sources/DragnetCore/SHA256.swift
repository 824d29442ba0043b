import CSupport

/// SHA-256 digests, computed by OpenSSL's libcrypto.
public enum SHA256 {
    /// The lowercase hexadecimal SHA-256 of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes(hex(buffer:))
    }

    /// The lowercase hexadecimal SHA-256 of `bytes`.
    public static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBytes(hex(buffer:))
    }

    /// The lowercase hexadecimal SHA-256 of the UTF-8 bytes of `text`.
    public static func hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(buffer: UnsafeRawBufferPointer($0)) }
    }

    private static func hex(buffer: UnsafeRawBufferPointer) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = digest.withUnsafeMutableBufferPointer { out in
            dragnet_sha256(buffer.baseAddress, buffer.count, out.baseAddress) == 1
        }
        // EVP_Digest fails only when it cannot allocate; there is nothing to recover.
        precondition(ok, "libcrypto failed to compute SHA-256")
        return hexString(digest)
    }

    /// An incremental digest: feed it bytes as they arrive, then call `finish()` once.
    public final class Hasher {
        private var context: UnsafeMutableRawPointer?

        public init() {
            context = dragnet_sha256_begin()
        }

        deinit {
            if let context { dragnet_sha256_free(context) }
        }

        /// Adds bytes to the digest.
        public func update(_ bytes: UnsafeRawBufferPointer) {
            guard let context, !bytes.isEmpty else { return }
            if dragnet_sha256_update(context, bytes.baseAddress, bytes.count) != 1 {
                dragnet_sha256_free(context)
                self.context = nil
            }
        }

        /// The digest of everything added, as lowercase hex (nil if libcrypto failed).
        public func finish() -> String? {
            guard let context else { return nil }
            self.context = nil
            var digest = [UInt8](repeating: 0, count: 32)
            let ok = digest.withUnsafeMutableBufferPointer { dragnet_sha256_end(context, $0.baseAddress) == 1 }
            return ok ? SHA256.hexString(digest) : nil
        }
    }

    static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
