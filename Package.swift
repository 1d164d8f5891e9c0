// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ttstrack",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ttstrackd", targets: ["ttstrackd"]),
        .executable(name: "ttstrack", targets: ["ttstrack"]),
        .executable(name: "camb-sim", targets: ["camb-sim"]),
        .executable(name: "ttstrack-bench", targets: ["ttstrack-bench"]),
        .library(name: "TTSTrack", targets: ["TTSTrack"]),
        .library(name: "TTSTrackClient", targets: ["TTSTrackClient"]),
        .library(name: "CambSimulator", targets: ["CambSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.7.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The Varlink wire both sides share: framing, JSON, the interface text, id rules.
        .target(
            name: "TTSTrackWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            exclude: ["io.ttstrack.Tracker.varlink"],
            swiftSettings: strict
        ),
        // The async client library for Swift programs; the `ttstrack` CLI is built on it.
        .target(
            name: "TTSTrackClient",
            dependencies: [
                "TTSTrackWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TTSTrack",
            dependencies: [
                "TTSTrackWire", "CSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CambSimulator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ttstrackd",
            dependencies: [
                "TTSTrack", "CambSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ttstrack",
            dependencies: [
                "TTSTrackClient", "TTSTrackWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "camb-sim",
            dependencies: [
                "CambSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ttstrack-bench",
            dependencies: [
                "TTSTrack", "TTSTrackWire", "CambSimulator", "TTSTrackTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TTSTrackTestSupport",
            dependencies: [
                "TTSTrackWire", "CambSimulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // The webhook receiver's HTTP server.
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TTSTrackTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "TTSTrackWireTests",
            dependencies: ["TTSTrackWire"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TTSTrackClientTests",
            dependencies: ["TTSTrackClient", "TTSTrackWire", "CambSimulator", "TTSTrackTestSupport", "ttstrackd"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TTSTrackTests",
            dependencies: [
                "TTSTrack", "TTSTrackWire", "CambSimulator", "TTSTrackTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CambSimulatorTests",
            dependencies: ["CambSimulator", "TTSTrack"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ttstrackdTests",
            dependencies: [
                "TTSTrack", "TTSTrackWire", "CambSimulator", "TTSTrackTestSupport", "ttstrackd",
                // Webhook signatures are checked independently of the daemon's code.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ttstrackTests",
            dependencies: [
                "TTSTrack", "TTSTrackWire", "CambSimulator", "TTSTrackTestSupport", "ttstrackd", "ttstrack",
            ],
            swiftSettings: strict
        ),
    ]
)
