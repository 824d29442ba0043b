import CZlib

/// gzip encoding through zlib, for fixture responses.
public enum Gzip {
    /// `bytes` gzip-compressed.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        compress(chunks: 1, chunk: bytes)
    }

    /// A gzip stream whose decoded form is `repeating` copied `count` times,
    /// built without holding the decoded form in memory (a compression bomb
    /// when `chunk` is zeros).
    public static func compress(chunks count: Int, chunk: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 writes a gzip header and trailer.
        guard deflateInit2_(&stream, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return []
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var input = chunk
        for index in 0..<count {
            let flush = index == count - 1 ? Z_FINISH : Z_NO_FLUSH
            input.withUnsafeMutableBufferPointer { source in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                repeat {
                    buffer.withUnsafeMutableBufferPointer { target in
                        stream.next_out = target.baseAddress
                        stream.avail_out = uInt(target.count)
                        _ = deflate(&stream, flush)
                        output.append(contentsOf: target[0..<(target.count - Int(stream.avail_out))])
                    }
                } while stream.avail_out == 0
            }
        }
        return output
    }
}
