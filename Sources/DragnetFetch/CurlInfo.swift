import CCurl
import DragnetCore

/// Reads what libcurl knows about a finished transfer (curl_easy_getinfo(3))
/// and turns its `CURLcode` into a `FetchError`.
enum CurlInfo {
    /// Copies everything out of the handle; must run before curl_easy_cleanup(3).
    static func completed(_ context: TransferContext, code: CURLcode) -> CompletedTransfer {
        let easy = context.easy
        var transfer = CompletedTransfer(request: context.request, hops: context.hops, body: context.body)

        var status = 0
        if dragnet_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK, status > 0 {
            transfer.status = status
        }
        transfer.finalURL = string(easy, CURLINFO_EFFECTIVE_URL)
        transfer.contentType = string(easy, CURLINFO_CONTENT_TYPE)
        transfer.remoteIP = string(easy, CURLINFO_PRIMARY_IP).flatMap { $0.isEmpty ? nil : $0 }
        if context.keepCertificateNames {
            var buffer = [CChar](repeating: 0, count: 16_384)
            let length = buffer.withUnsafeMutableBufferPointer { dragnet_curl_subject_alt_names(easy, $0.baseAddress, Int32($0.count)) }
            if length > 0 { transfer.certificateNames = Self.dnsNames(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        }

        var version = 0
        if dragnet_curl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version) == CURLE_OK {
            transfer.httpVersion = httpVersionName(version)
        }
        transfer.bodyBytes = context.bodyBytes
        if transfer.status != nil {
            transfer.timings = timings(easy)
            transfer.sha256 = context.hasher?.finish()
        }

        let refused = withUnsafeBytes(of: &context.addressGuard.pointee.refused) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if context.abortReason == .truncated {
            transfer.truncated = true
        } else if code != CURLE_OK, !refused.isEmpty {
            transfer.error = FetchError(
                code: .privateAddress,
                message: "refused to connect to \(refused): Dragnet does not fetch from private networks unless asked (--allow-private, or name the address or localhost as an input or in --connect-to)",
                curlCode: Int(code.rawValue))
        } else if code != CURLE_OK {
            let detail = String(cString: context.errorBuffer)
            transfer.error = error(for: code, reason: context.abortReason, detail: detail, options: context)
        }
        return transfer
    }

    /// "DNS:a.example, DNS:*.b.example, IP Address:1.2.3.4" → ["a.example", "*.b.example"], lower-cased, each once, in order.
    static func dnsNames(_ text: String) -> [String] {
        var names: [String] = []
        for item in text.split(separator: ",") {
            let entry = item.drop { $0 == " " }
            guard entry.hasPrefix("DNS:") else { continue }
            let name = entry.dropFirst(4).lowercased()
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }

    private static func string(_ easy: UnsafeMutableRawPointer, _ info: CURLINFO) -> String? {
        var value: UnsafePointer<CChar>?
        guard dragnet_curl_easy_getinfo_string(easy, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    private static func microseconds(_ easy: UnsafeMutableRawPointer, _ info: CURLINFO) -> Double {
        var value: curl_off_t = 0
        _ = dragnet_curl_easy_getinfo_off_t(easy, info, &value)
        return Double(value) / 1000
    }

    private static func timings(_ easy: UnsafeMutableRawPointer) -> Timings {
        let dns = microseconds(easy, CURLINFO_NAMELOOKUP_TIME_T)
        let connect = microseconds(easy, CURLINFO_CONNECT_TIME_T)
        let tls = microseconds(easy, CURLINFO_APPCONNECT_TIME_T)
        let ttfb = microseconds(easy, CURLINFO_STARTTRANSFER_TIME_T)
        let redirect = microseconds(easy, CURLINFO_REDIRECT_TIME_T)
        let total = microseconds(easy, CURLINFO_TOTAL_TIME_T)
        func ms(_ value: Double) -> Double { (max(0, value) * 1000).rounded() / 1000 }
        return Timings(
            dns: ms(dns),
            connect: ms(connect > 0 ? connect - dns : 0),
            tls: ms(tls > 0 ? tls - connect : 0),
            ttfb: ms(ttfb),
            redirect: ms(redirect),
            total: ms(total)
        )
    }

    private static func httpVersionName(_ version: Int) -> String? {
        switch version {
        case CURL_HTTP_VERSION_1_0: return "1.0"
        case CURL_HTTP_VERSION_1_1: return "1.1"
        case CURL_HTTP_VERSION_2_0: return "2"
        case CURL_HTTP_VERSION_3: return "3"
        default: return nil
        }
    }

    /// Maps a libcurl result to Dragnet's stable error codes. The message is
    /// libcurl's own text with any query string removed.
    static func error(for code: CURLcode, reason: AbortReason?, detail: String, options context: TransferContext) -> FetchError {
        let curlCode = Int(code.rawValue)
        let text = redactQueries(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        switch reason {
        case .bodyTooLarge:
            return FetchError(code: .tooLarge, message: "decoded body exceeds \(context.maxBytes) bytes", curlCode: curlCode)
        case .headersTooLarge:
            return FetchError(code: .headersTooLarge, message: "response headers exceed \(context.maxHeaderBytes) bytes", curlCode: curlCode)
        case .truncated, nil:
            break
        }
        let mapped: FetchError.Code
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL: mapped = .unsupportedScheme
        case CURLE_URL_MALFORMAT: mapped = .invalidURL
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: mapped = .dns
        case CURLE_COULDNT_CONNECT: mapped = .connect
        case CURLE_OPERATION_TIMEDOUT: mapped = .timeout
        case CURLE_TOO_MANY_REDIRECTS: mapped = .tooManyRedirects
        case CURLE_FILESIZE_EXCEEDED: mapped = .tooLarge
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED, CURLE_SSL_ENGINE_INITFAILED:
            mapped = .tls
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            mapped = .connectionClosed
        case CURLE_HTTP2, CURLE_HTTP2_STREAM: mapped = .http2
        case CURLE_WEIRD_SERVER_REPLY: mapped = .proto
        case CURLE_BAD_CONTENT_ENCODING: mapped = .contentEncoding
        default: mapped = .other
        }
        return FetchError(code: mapped, message: text, curlCode: curlCode)
    }

    /// Replaces the query of any URL in `text` with `?…`, so error text never leaks query strings.
    static func redactQueries(_ text: String) -> String {
        var out = ""
        var inQuery = false
        for char in text {
            if inQuery {
                if char == " " || char == "\"" || char == "'" || char == ">" || char == ")" {
                    inQuery = false
                    out.append(char)
                }
                continue
            }
            out.append(char)
            if char == "?" {
                out.append("…")
                inQuery = true
            }
        }
        return out
    }
}
