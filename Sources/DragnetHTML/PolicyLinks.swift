import DragnetCore

/// Ranks links that may lead to a privacy policy: `rel=privacy-policy` first,
/// then anchor text, then URL patterns, in English, German, French, Spanish,
/// Italian, Portuguese and Dutch.
enum PolicyLinks {
    /// Phrases that name a privacy policy outright (score 70), by language.
    static let strongPhrases: [(String, [String])] = [
        ("en", ["privacy policy", "privacy notice", "privacy statement", "privacy & cookie", "privacy and cookie", "privacy center", "privacy centre"]),
        ("de", ["datenschutzerklärung", "datenschutzhinweis", "datenschutzrichtlinie", "datenschutzbestimmung", "datenschutzinformation"]),
        ("fr", ["politique de confidentialité", "politique de protection des données", "charte de confidentialité", "protection des données personnelles", "données personnelles", "vie privée"]),
        ("es", ["política de privacidad", "aviso de privacidad", "politica de privacidad", "protección de datos", "aviso legal y privacidad"]),
        ("it", ["informativa sulla privacy", "informativa privacy", "politica sulla privacy", "politica di privacy", "protezione dei dati", "riservatezza"]),
        ("pt", ["política de privacidade", "politica de privacidade", "aviso de privacidade", "proteção de dados", "protecção de dados"]),
        ("nl", ["privacybeleid", "privacyverklaring", "privacyreglement", "privacy statement", "gegevensbescherming"]),
    ]

    /// Single words that usually mean the policy (score 60).
    static let words: [(String, [String])] = [
        ("en", ["privacy", "data protection"]),
        ("de", ["datenschutz", "privatsphäre"]),
        ("fr", ["confidentialité", "confidentialite"]),
        ("es", ["privacidad"]),
        ("pt", ["privacidade"]),
        ("it", ["privacy"]),
        ("nl", ["privacy"]),
    ]

    /// Path fragments of policy URLs (score 40).
    static let urlPatterns = [
        "privacy", "datenschutz", "dsgvo", "confidentialite", "confidentialité", "privacidad", "privacidade",
        "riservatezza", "privacybeleid", "privacyverklaring", "data-protection", "dataprotection",
        "donnees-personnelles", "protection-des-donnees", "proteccion-de-datos", "protecao-de-dados", "gdpr", "rgpd",
    ]

    /// Stems that every phrase, word and URL pattern above contains one of: a link
    /// with none of them in its text or URL is not a candidate, checked cheaply.
    static let stems = ["priva", "datenschutz", "dsgvo", "confiden", "données", "donnees", "protec", "riserv", "gegevens", "vie priv", "gdpr", "rgpd"]

    static func candidate(url: String, host: String?, pageHost: String?, text: String, rel: String?, line: Int) -> PolicyLinkCandidate? {
        let isRel = rel.map { $0.lowercased().split(separator: " ").contains("privacy-policy") } ?? false
        let lowered = text.lowercased()
        let haystack = lowered + " " + url.lowercased()
        guard isRel || stems.contains(where: haystack.containsBytes) else { return nil }
        var score = 0
        var reasons: [String] = []
        if isRel {
            score += 100
            reasons.append("rel")
        }
        if !lowered.isEmpty {
            if let language = strongPhrases.first(where: { $0.1.contains(where: lowered.containsBytes) })?.0 {
                score += 70
                reasons.append("text:\(language)")
            } else if let language = words.first(where: { $0.1.contains(where: lowered.containsBytes) })?.0 {
                score += 60
                reasons.append("text:\(language)")
            }
        }
        let path = pathAndQuery(url).lowercased()
        if urlPatterns.contains(where: path.containsBytes) {
            score += 40
            reasons.append("url")
        }
        guard score > 0 else { return nil }
        // A policy about cookies only is a weaker match than the privacy policy.
        if lowered.containsBytes("cookie") && !lowered.containsBytes("privacy") && !reasons.contains("rel") { score -= 30 }
        if let host, host == pageHost { score += 5 }
        return PolicyLinkCandidate(url: url, text: text, reasons: reasons, score: score, line: line)
    }

    /// Best first; one entry per URL (its best score, all reasons).
    static func rank(_ candidates: [PolicyLinkCandidate]) -> [PolicyLinkCandidate] {
        var best: [String: PolicyLinkCandidate] = [:]
        var order: [String] = []
        for candidate in candidates {
            let key = candidate.url
            if var existing = best[key] {
                for reason in candidate.reasons where !existing.reasons.contains(reason) { existing.reasons.append(reason) }
                if candidate.score > existing.score {
                    existing.score = candidate.score
                    if !candidate.text.isEmpty { existing.text = candidate.text }
                }
                best[key] = existing
            } else {
                best[key] = candidate
                order.append(key)
            }
        }
        let ranked = order.enumerated().compactMap { index, key in best[key].map { (index, $0) } }
        return ranked.sorted { $0.1.score != $1.1.score ? $0.1.score > $1.1.score : $0.0 < $1.0 }.map(\.1)
    }

    private static func pathAndQuery(_ url: String) -> String {
        let bytes = Array(url.utf8)
        guard let schemeEnd = url.firstByteOffset(of: "://") else { return url }
        guard let slash = bytes[(schemeEnd + 3)...].firstIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(decoding: bytes[slash...], as: UTF8.self)
    }
}
