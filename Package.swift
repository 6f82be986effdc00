// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "string-hashr",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "worker", targets: ["worker"]),
        .executable(name: "frontend", targets: ["frontend"]),
        .executable(name: "istiowatcher", targets: ["istiowatcher"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C libraries from Debian (libuv1-dev, libhiredis-dev, libcurl4-openssl-dev).
        .systemLibrary(name: "CLibUV", path: "Sources/CLibUV"),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),

        // The shared core: event loop, HTTP server and client, Redis client, service plumbing.
        .target(
            name: "HashrCore",
            dependencies: [
                "CLibUV", "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // The three services, as libraries so tests run them in-process.
        .target(
            name: "WorkerService",
            dependencies: ["HashrCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "FrontendService",
            dependencies: ["HashrCore", .product(name: "Histogram", package: "hdrhistogram-swift")],
            resources: [.copy("Page")],
            swiftSettings: strict
        ),
        .target(
            name: "WatcherService",
            dependencies: ["HashrCore", "CCurl"],
            swiftSettings: strict
        ),

        // Thin executables: read configuration, run the service.
        .executableTarget(name: "worker", dependencies: ["WorkerService"], swiftSettings: strict),
        .executableTarget(name: "frontend", dependencies: ["FrontendService"], swiftSettings: strict),
        .executableTarget(name: "istiowatcher", dependencies: ["WatcherService"], swiftSettings: strict),

        // Real servers for tests (redis-server, ...) started on free loopback ports, and waiting helpers.
        .target(
            name: "HashrTestSupport",
            dependencies: ["HashrCore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport", swiftSettings: strict),

        .testTarget(name: "HashrCoreTests", dependencies: ["HashrCore", "HashrTestSupport"], swiftSettings: strict),
        .testTarget(name: "WorkerServiceTests", dependencies: ["WorkerService", "HashrTestSupport"], swiftSettings: strict),
        .testTarget(name: "FrontendServiceTests", dependencies: ["FrontendService", "HashrTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "WatcherServiceTests", dependencies: ["WatcherService", "HashrTestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
