public import DragnetCore

extension FetchResult: JSONRepresentable {
    /// The result as JSON: every field present (null when unknown), the body left out.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("attempts", .int(attempts)),
            ("bytes", .int(bytes)),
            ("charset", .string(charset)),
            ("charsetSource", .string(charsetSource?.rawValue)),
            ("contentType", .string(contentType)),
            ("cookies", .array(cookies.map(\.json))),
            ("error", error.json),
            ("finalURL", .string(finalURL)),
            ("headers", headers.json),
            ("httpVersion", .string(httpVersion)),
        ]
        if let line { members.append(("line", .int(line))) }
        if !certificateNames.isEmpty { members.append(("certificateNames", .array(certificateNames.map { .string($0) }))) }
        members += [
            ("redirectChain", .array(redirectChain.map(\.json))),
            ("remoteIP", .string(remoteIP)),
            ("requestURL", .string(requestURL)),
            ("responseTime", .double(responseTime)),
            ("sha256", .string(sha256)),
            ("status", .int(status)),
            ("timings", timings.json),
            ("url", .string(url)),
        ]
        return .object(members)
    }
}

extension FetchError: JSONRepresentable {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("code", .string(code.rawValue))]
        if let curlCode { members.append(("curlCode", .int(curlCode))) }
        members.append(("message", .string(message)))
        return .object(members)
    }
}

extension HTTPHeaders: JSONRepresentable {
    /// An object from lower-case name to the list of its values in arrival order.
    public var json: JSONValue {
        var order: [String] = []
        var values: [String: [JSONValue]] = [:]
        for field in fields {
            if values[field.name] == nil { order.append(field.name) }
            values[field.name, default: []].append(.string(field.value))
        }
        return .object(order.map { ($0, .array(values[$0] ?? [])) })
    }
}

extension RedirectHop: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("headers", headers.json),
            ("location", .string(location)),
            ("status", .int(status)),
            ("url", .string(url)),
        ])
    }
}

extension Timings: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("connect", .double(connect)),
            ("dns", .double(dns)),
            ("redirect", .double(redirect)),
            ("tls", .double(tls)),
            ("total", .double(total)),
            ("ttfb", .double(ttfb)),
        ])
    }
}

extension ResponseCookie: JSONRepresentable {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("domain", .string(domain)),
            ("expiresIn", .double(expiresIn)),
            ("hop", .int(hop)),
            ("hostOnly", .bool(hostOnly)),
            ("httpOnly", .bool(httpOnly)),
            ("name", .string(name)),
            ("partitioned", .bool(partitioned)),
            ("path", .string(path)),
            ("sameSite", .string(sameSite)),
            ("secure", .bool(secure)),
            ("url", .string(url)),
        ]
        if let value { members.append(("value", .string(value))) }
        return .object(members)
    }
}
