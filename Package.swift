// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares (the way swift-log sets them package-wide).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Dragnet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dragnet", targets: ["dragnet"]),
        .executable(name: "dragnet-fuzz", targets: ["DragnetFuzz"]),
        .library(name: "DragnetCore", targets: ["DragnetCore"]),
        .library(name: "DragnetFetch", targets: ["DragnetFetch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C at the edges: one small target per C library.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "CHTMLSAX", dependencies: ["CLibXML2"]),
        .systemLibrary(
            name: "CLibPSL",
            pkgConfig: "libpsl",
            providers: [.apt(["libpsl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        .target(
            name: "CResolv",
            linkerSettings: [.linkedLibrary("resolv")]
        ),
        .target(
            name: "CSupport",
            linkerSettings: [.linkedLibrary("crypto")]
        ),

        .target(name: "DragnetCore", dependencies: ["CSupport"], swiftSettings: swiftSettings),
        .target(
            name: "DragnetFetch",
            dependencies: ["CCurl", "DragnetCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DragnetHTML",
            dependencies: ["CHTMLSAX", "DragnetCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DragnetSites",
            dependencies: ["CLibPSL", "CResolv", "DragnetCore"],
            swiftSettings: swiftSettings
        ),
        // The rule pack built into the binary (generated from rules/ by scripts/generate-builtin-rules.py).
        .target(name: "DragnetBuiltInRules", swiftSettings: swiftSettings),
        // The filter-list engine (EasyList/uBlock network filters), a unit of its own like adblock-rust.
        .target(
            name: "DragnetFilters",
            dependencies: ["CSupport", "DragnetCore", "DragnetSites"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DragnetRules",
            dependencies: ["CSupport", "DragnetCore", "DragnetSites", "DragnetRobots", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DragnetPolicy",
            dependencies: ["DragnetCore", "DragnetHTML", "DragnetRules"],
            swiftSettings: swiftSettings
        ),
        // robots.txt (RFC 9309): groups, rules and the line that decides.
        .target(name: "DragnetRobots", swiftSettings: swiftSettings),
        .target(
            name: "DragnetContainers",
            dependencies: ["DragnetCore", "DragnetHTML", "DragnetRules"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DragnetReport",
            dependencies: ["DragnetCore", "DragnetRules", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // Headless Chromium over the DevTools pipe (fd 3/4, NUL-terminated JSON).
        .target(name: "DragnetBrowser", dependencies: ["DragnetCore"], swiftSettings: swiftSettings),
        // The CI gate: dragnet.yml and the verdict over audit reports.
        .target(
            name: "DragnetCheck",
            dependencies: ["DragnetCore", "DragnetRules", "DragnetReport", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DragnetAudit",
            dependencies: ["DragnetCore", "DragnetFetch", "DragnetHTML", "DragnetSites", "DragnetFilters", "DragnetRules", "DragnetPolicy", "DragnetContainers", "DragnetBrowser", "DragnetRobots"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "dragnet",
            dependencies: [
                "DragnetCore",
                "DragnetFetch",
                "DragnetAudit",
                "DragnetHTML",
                "DragnetSites",
                "DragnetRules",
                "DragnetPolicy",
                "DragnetReport",
                "DragnetContainers",
                "DragnetFilters",
                "DragnetCheck",
                "DragnetBuiltInRules",
                "DragnetBrowser",
                "DragnetRobots",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Fuzz targets for every parser (scripts/fuzz.sh; docs/hardening.md). Built normally it
        // replays saved inputs: `dragnet-fuzz TARGET FILE…`.
        .executableTarget(
            name: "DragnetFuzz",
            dependencies: [
                "DragnetCore", "DragnetFetch", "DragnetHTML", "DragnetPolicy", "DragnetFilters", "DragnetRules", "DragnetSites", "DragnetCheck",
                "DragnetReport", "DragnetContainers", "DragnetRobots", "DragnetBrowser",
            ],
            swiftSettings: swiftSettings
        ),

        // Test helpers: a fixture HTTP server on 127.0.0.1, a process runner, fixture loading.
        .target(
            name: "DragnetTestSupport",
            dependencies: ["CZlib", "DragnetCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DragnetFetchTests",
            dependencies: ["DragnetFetch", "DragnetTestSupport", "dragnet"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DragnetAuditTests",
            dependencies: [
                "DragnetAudit", "DragnetHTML", "DragnetSites", "DragnetCore", "DragnetPolicy", "DragnetRules", "DragnetReport", "DragnetTestSupport",
                "DragnetContainers", "DragnetFilters", "DragnetCheck", "DragnetBrowser", "DragnetRobots",
                "dragnet",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DragnetRulesTests",
            dependencies: ["DragnetRules", "DragnetFilters", "DragnetSites", "DragnetCore", "DragnetTestSupport", "DragnetBuiltInRules", "dragnet"],
            swiftSettings: swiftSettings
        ),
    ]
)
