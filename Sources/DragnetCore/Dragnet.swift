/// Facts about the tool itself that every report and request carries.
public enum Dragnet {
    /// The tool's name as it appears in reports and the `User-Agent`.
    public static let name = "dragnet"
    /// The tool's version (semantic versioning).
    public static let version = "0.1.0"
    /// The project's home, named in the default `User-Agent`.
    public static let homepage = "https://github.com/dragnet-audit/dragnet"
}
