/// User names and passwords in URLs (`https://user:secret@host/`): the fetcher sends them, and
/// nothing Dragnet writes (reports, logs, errors, history) ever shows them.
public enum URLCredentials {
    /// The URL without the user info of its authority; any other text unchanged.
    public static func strip(_ url: String) -> String {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return url }
        let authorityStart = url.index(colon, offsetBy: 3)
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<authorityStart]) + rest[rest.index(after: at)...]
    }
}
