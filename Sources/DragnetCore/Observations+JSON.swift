extension Observations: JSONRepresentable {
    /// The members every report of a page shares: `resources`, `inlineScripts`,
    /// `forms`, `links`, `policyLinks` and `meta`.
    public var jsonMembers: [(String, JSONValue)] {
        [
            ("resources", .array(resources.map(\.json))),
            ("inlineScripts", .array(inlineScripts.map(\.json))),
            ("forms", .array(forms.map(\.json))),
            ("links", .array(links.map(\.json))),
            ("policyLinks", .array(policyLinks.map(\.json))),
            ("meta", meta.json),
        ] + (cnames.isEmpty ? [] : [("cnames", .array(cnames.sorted { $0.host < $1.host }.map { chain in
            .object([("host", .string(chain.host)), ("chain", .array(chain.chain.map { .string($0) })), ("error", .string(chain.error))])
        }))])
    }

    public var json: JSONValue { .object(jsonMembers) }
}

extension Resource: JSONRepresentable {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("attribute", .string(attribute)),
            ("element", .string(element)),
            ("firstParty", firstParty.map { .bool($0) } ?? .null),
            ("host", .string(host)),
            ("kind", .string(kind.rawValue)),
            ("line", .int(line)),
            ("scheme", .string(scheme)),
            ("site", .string(site)),
            ("url", .string(url)),
        ]
        if inNoscript { members.append(("inNoscript", .bool(true))) }
        if likelyPixel { members.append(("likelyPixel", .bool(true))) }
        if lazy { members.append(("lazy", .bool(true))) }
        if let blockedBy { members.append(("blockedBy", .string(blockedBy))) }
        if !seenBy.isEmpty { members.append(("seenBy", .array(seenBy.map { .string($0) }))) }
        if let initiator { members.append(("initiator", .string(initiator))) }
        if async { members.append(("async", .bool(true))) }
        if deferred { members.append(("defer", .bool(true))) }
        if module { members.append(("module", .bool(true))) }
        if let integrity { members.append(("integrity", .string(integrity))) }
        return .object(members)
    }
}

extension InlineScript: JSONRepresentable {
    /// The text itself stays out of reports; size and digest identify it.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("line", .int(line)), ("sha256", .string(sha256)), ("size", .int(size)), ("type", .string(type)),
        ]
        if inNoscript { members.append(("inNoscript", .bool(true))) }
        return .object(members)
    }
}

extension FormField: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("autocomplete", .string(autocomplete)),
            ("category", .string(category.rawValue)),
            ("categorySource", .string(categorySource)),
            ("element", .string(element)),
            ("id", .string(id)),
            ("label", .string(label)),
            ("line", .int(line)),
            ("name", .string(name)),
            ("placeholder", .string(placeholder)),
            ("type", .string(type)),
        ])
    }
}

extension Form: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("action", .string(action)),
            ("actionHost", .string(actionHost)),
            ("actionSite", .string(actionSite)),
            ("categories", .array(categories.map { .string($0.rawValue) })),
            ("fields", .array(fields.map(\.json))),
            ("firstParty", firstParty.map { .bool($0) } ?? .null),
            ("id", .string(id)),
            ("index", .int(index)),
            ("line", .int(line)),
            ("method", .string(method)),
            ("name", .string(name)),
        ])
    }
}

extension Link: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("firstParty", firstParty.map { .bool($0) } ?? .null),
            ("host", .string(host)),
            ("line", .int(line)),
            ("scheme", .string(scheme)),
            ("site", .string(site)),
            ("url", .string(url)),
        ])
    }
}

extension PolicyLinkCandidate: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("line", .int(line)),
            ("reasons", .array(reasons.map { .string($0) })),
            ("score", .int(score)),
            ("text", .string(text)),
            ("url", .string(url)),
        ])
    }
}

extension PageMeta: JSONRepresentable {
    public var json: JSONValue {
        func table(_ values: [String: [String]]) -> JSONValue {
            .object(values.map { ($0.key, .array($0.value.map { .string($0) })) })
        }
        return .object([
            ("baseHref", .string(baseHref)),
            ("canonical", .string(canonical)),
            ("contentSecurityPolicy", .string(contentSecurityPolicy)),
            ("declaredCharset", .string(declaredCharset)),
            ("openGraph", table(openGraph)),
            ("referrerPolicy", .string(referrerPolicy)),
            ("robots", table(robots)),
            ("title", .string(title)),
            ("twitter", table(twitter)),
            ("verifications", table(verifications)),
        ])
    }
}
