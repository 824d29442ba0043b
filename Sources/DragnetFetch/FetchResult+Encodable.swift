/// The JSON form of a result: every field present (null when unknown), the body left out.
extension FetchResult: Encodable {
    enum CodingKeys: String, CodingKey {
        case url, line, requestURL, finalURL, status, httpVersion, remoteIP, redirectChain
        case headers, cookies, contentType, charset, charsetSource, bytes, sha256, timings
        case attempts, responseTime, error
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(url, forKey: .url)
        try container.encodeIfPresent(line, forKey: .line)
        try container.encode(requestURL, forKey: .requestURL)
        try container.encode(finalURL, forKey: .finalURL)
        try container.encode(status, forKey: .status)
        try container.encode(httpVersion, forKey: .httpVersion)
        try container.encode(remoteIP, forKey: .remoteIP)
        try container.encode(redirectChain, forKey: .redirectChain)
        try container.encode(headers, forKey: .headers)
        try container.encode(cookies, forKey: .cookies)
        try container.encode(contentType, forKey: .contentType)
        try container.encode(charset, forKey: .charset)
        try container.encode(charsetSource, forKey: .charsetSource)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(timings, forKey: .timings)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(responseTime, forKey: .responseTime)
        try container.encode(error, forKey: .error)
    }
}

extension ResponseCookie {
    enum CodingKeys: String, CodingKey {
        case name, value, domain, hostOnly, path, expiresIn, secure, httpOnly, sameSite, partitioned, url, hop
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(value, forKey: .value)
        try container.encode(domain, forKey: .domain)
        try container.encode(hostOnly, forKey: .hostOnly)
        try container.encode(path, forKey: .path)
        try container.encode(expiresIn, forKey: .expiresIn)
        try container.encode(secure, forKey: .secure)
        try container.encode(httpOnly, forKey: .httpOnly)
        try container.encode(sameSite, forKey: .sameSite)
        try container.encode(partitioned, forKey: .partitioned)
        try container.encode(url, forKey: .url)
        try container.encode(hop, forKey: .hop)
    }
}
