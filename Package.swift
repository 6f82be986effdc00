// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

// The executables link with lld, which folds identical functions (generic specializations are
// often identical): about 2% off each static binary, whose size is a burst pod's start-up time.
let lean: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "--icf=all"], .when(platforms: [.linux]))
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
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C libraries from Debian (libuv1-dev, libhiredis-dev, libssl-dev).
        .systemLibrary(name: "CLibUV", path: "Sources/CLibUV"),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        // libssl-dev: the worker's SHA-256 (libcrypto alone).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // libssl-dev: TLS for the watcher's HTTP client (libssl and libcrypto).
        .systemLibrary(name: "CLibSSL", path: "Sources/CLibSSL"),

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

        // TLS for the core's HTTP client, outside the core so that only the watcher loads libssl.
        .target(name: "HashrTLS", dependencies: ["HashrCore", "CLibSSL"], swiftSettings: strict),

        // The three services, as libraries so tests run them in-process.
        .target(
            name: "WorkerService",
            dependencies: ["HashrCore", "COpenSSL"],
            swiftSettings: strict
        ),
        .target(
            name: "FrontendService",
            dependencies: ["HashrCore", .product(name: "Histogram", package: "hdrhistogram-swift")],
            // Embedded in the binary (no Foundation `Bundle`, no folder to ship beside it).
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/app.js"), .embedInCode("Page/style.css")],
            swiftSettings: strict
        ),
        .target(
            name: "WatcherService",
            dependencies: ["HashrCore", "HashrTLS"],
            swiftSettings: strict
        ),

        // Thin executables: read configuration, run the service.
        .executableTarget(name: "worker", dependencies: ["WorkerService"], swiftSettings: strict, linkerSettings: lean),
        .executableTarget(name: "frontend", dependencies: ["FrontendService"], swiftSettings: strict, linkerSettings: lean),
        .executableTarget(name: "istiowatcher", dependencies: ["WatcherService"], swiftSettings: strict, linkerSettings: lean),

        // Real servers for tests (redis-server, ...) started on free loopback ports, and waiting helpers.
        .target(
            name: "HashrTestSupport",
            dependencies: ["HashrCore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport", swiftSettings: strict),

        .testTarget(name: "HashrCoreTests", dependencies: ["HashrCore", "HashrTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HashrTLSTests", dependencies: ["HashrTLS", "HashrTestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "WorkerServiceTests", dependencies: ["WorkerService", "HashrTestSupport"], swiftSettings: strict),
        .testTarget(name: "FrontendServiceTests", dependencies: ["FrontendService", "HashrTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "WatcherServiceTests", dependencies: ["WatcherService", "HashrTestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
