import DragnetCore

/// A Segment source's settings (`cdn.segment.com/v1/projects/WRITEKEY/settings`): the
/// destinations Segment sends the page's events to, from the browser (device mode) or
/// from its own servers (cloud mode), which no browser can observe.
public struct SegmentSettings: Sendable {
    public struct Destination: Sendable, Hashable {
        /// The name Segment keys it by ("Facebook Pixel", "Google Analytics 4 Web").
        public var name: String
        /// `device` (loaded in the browser) or `cloud` (sent by Segment's servers).
        public var mode: String
        /// The settings, flattened to their string values (ids live there).
        public var settings: [String: String]
    }

    public var writeKey: String?
    public var destinations: [Destination] = []
    public var warnings: [String] = []

    public init() {}

    /// Reads settings JSON; `cloudOnly` names destinations that exist only in cloud mode.
    public static func parse(_ bytes: [UInt8], writeKey: String? = nil, cloudOnly: (String) -> Bool = { _ in false }) throws(ContainerError) -> SegmentSettings {
        if bytes.first(where: { $0 > 0x20 }) == UInt8(ascii: "<") {
            throw ContainerError("the settings URL answered with HTML, not Segment settings JSON")
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes, maxDepth: 128)
        } catch {
            throw ContainerError("Segment settings are not JSON: \(error)")
        }
        guard let integrations = root["integrations"]?.objectValue else {
            throw ContainerError("Segment settings have no `integrations` object")
        }
        var settings = SegmentSettings()
        settings.writeKey = writeKey ?? integrations.first { $0.0 == "Segment.io" }?.1["apiKey"]?.stringValue
        let segmentIO = integrations.first { $0.0 == "Segment.io" }?.1
        let unbundled = Set((segmentIO?["unbundledIntegrations"]?.arrayValue ?? []).compactMap(\.stringValue))
        for (name, value) in integrations where name != "Segment.io" {
            var mode = "device"
            let components = (value["versionSettings"]?["componentTypes"]?.arrayValue ?? []).compactMap(\.stringValue)
            if unbundled.contains(name) || value["bundlingStatus"]?.stringValue == "unbundled" || cloudOnly(name)
                || (!components.isEmpty && !components.contains("browser"))
            {
                mode = "cloud"
            }
            settings.destinations.append(Destination(name: name, mode: mode, settings: flatten(value)))
        }
        // Actions destinations that run in the browser.
        for plugin in root["remotePlugins"]?.arrayValue ?? [] {
            guard let name = plugin["creationName"]?.stringValue ?? plugin["name"]?.stringValue else { continue }
            if settings.destinations.contains(where: { $0.name == name }) { continue }
            settings.destinations.append(Destination(name: name, mode: "device", settings: flatten(plugin["settings"] ?? .null)))
        }
        settings.destinations.sort { ($0.name, $0.mode) < ($1.name, $1.mode) }
        return settings
    }

    static func flatten(_ value: JSONValue) -> [String: String] {
        var result: [String: String] = [:]
        for (key, item) in value.objectValue ?? [] {
            switch item {
            case .string(let text) where !text.isEmpty: result[key] = text
            case .int(let number): result[key] = String(number)
            default: break
            }
        }
        return result
    }
}
