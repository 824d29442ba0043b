import DragnetCore

/// Turns a completed transfer into a `FetchResult`: cookies, redirect chain,
/// charset and digest. Runs on the consumer's thread, off the transfer loop.
enum ResultBuilder {
    static func build(_ transfer: CompletedTransfer, options: FetchOptions) -> FetchResult {
        let request = transfer.request
        var result = FetchResult(id: request.id, url: request.url, line: request.line)
        result.requestURL = URLCredentials.strip(request.target.string)
        result.finalURL = transfer.finalURL.map(URLCredentials.strip)
        result.status = transfer.status
        result.httpVersion = transfer.httpVersion
        result.remoteIP = transfer.remoteIP
        result.certificateNames = transfer.certificateNames
        result.contentType = transfer.contentType
        result.timings = transfer.timings
        result.attempts = request.attempt
        result.error = transfer.error
        result.responseTime = transfer.hops.last?.arrival

        for (index, hop) in transfer.hops.enumerated() {
            let headers = hop.headers.values("set-cookie")
            guard !headers.isEmpty else { continue }  // most responses set none: skip parsing the hop URL
            let origin = cookieOrigin(hop, index: index)
            for header in headers {
                if let cookie = SetCookieParser.parse(header, origin: origin, keepValue: options.includeCookieValues) {
                    result.cookies.append(cookie)
                }
            }
        }

        let shownHops = transfer.hops.map { hop in
            var hop = hop
            if !options.includeCookieValues { hop.headers = hop.headers.redactingCookieValues() }
            return hop
        }
        if let last = shownHops.last { result.headers = last.headers }
        result.redirectChain = shownHops.dropLast().map { hop in
            RedirectHop(url: URLCredentials.strip(hop.url), status: hop.status, location: hop.headers["location"].map(URLCredentials.strip), headers: hop.headers)
        }

        result.bytes = transfer.bodyBytes
        result.truncated = transfer.truncated
        if transfer.status != nil {
            if options.computeDigest { result.sha256 = transfer.sha256 ?? (options.keepBody ? SHA256.hex(transfer.body) : nil) }
            if let (charset, source) = Charset.detect(contentType: transfer.contentType, body: transfer.body) {
                result.charset = charset
                result.charsetSource = source
            }
        }
        if options.keepBody { result.body = transfer.body }
        return result
    }

    private static func cookieOrigin(_ hop: RawHop, index: Int) -> SetCookieParser.Origin {
        let parsed = try? CurlURL.parse(hop.url).get()
        let reference = hop.headers["date"].flatMap(HTTPDate.parse) ?? hop.arrival
        return SetCookieParser.Origin(
            url: hop.url,
            host: parsed?.host ?? "",
            path: parsed?.path ?? "/",
            hop: index,
            reference: reference
        )
    }
}
