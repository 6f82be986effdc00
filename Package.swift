// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // One section per function, so that the executables' link can place the ones the services run
    // together (`lean` below) and drop unused ones.
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
    // Release builds skip the run-time exclusivity checks (a call into the runtime for every access
    // to a class's stored property, ~3% of the worker's instructions per request); debug builds,
    // which the tests run, keep them, so a violation still traps there.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

// The executables link with lld, which folds identical functions (generic specializations are
// often identical): about 2% off each static binary, whose size is a burst pod's start-up time.
// The rest keeps an idle service's resident memory low (bench/memory):
// - `pack-relative-relocs` stores the 37,000 relative relocations (Swift metadata is full of
//   pointers) as DT_RELR: 8 KB instead of an 880 KB table the loader reads at every start (glibc >=
//   2.36, Debian 12; an older loader refuses the binary by name).
// - Sources/StaticLinking's linker scripts take libstdc++ (about 25 functions for the Swift runtime)
//   and libcrypto (the worker's SHA-256) from their static archives: loading the shared libraries
//   touched 1 MB and 1.4 MB of their relocations, symbol tables and start-up code. The watcher
//   links no OpenSSL: it opens the shared libssl (and libcrypto) only when it first needs TLS.
// - The functions a service runs (start-up, idle, a little of each request; listed by
//   bench/symbol-order) are placed first in .text, so the code it touches shares a few dozen pages
//   instead of being spread over the 9 MB it links (the kernel maps 64 KB around each code page
//   faulted in). A stale list costs memory, never correctness.
let staticLinking = String(#filePath.dropLast("Package.swift".count)) + "Sources/StaticLinking"
func lean(symbolOrder: String, staticCrypto: Bool = false) -> [LinkerSetting] {
    [
        .unsafeFlags([
            "-use-ld=lld", "-Xlinker", "--icf=all",
            "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        ] + (staticCrypto ? ["-L", staticLinking + "/crypto"] : []) + [
            "-L", staticLinking,
            "-Xlinker", "--symbol-ordering-file=\(staticLinking)/symbol-order-\(symbolOrder).txt",
            "-Xlinker", "--no-warn-symbol-ordering",
        ], .when(platforms: [.linux]))
    ]
}

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
        // libssl-dev: TLS for the watcher's HTTP client. Headers only: libssl.so.3 is opened when a
        // TLS context is first made (Sources/CLibSSL/include/CLibSSL.h says why).
        .target(name: "CLibSSL", path: "Sources/CLibSSL"),

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
        .executableTarget(
            name: "worker", dependencies: ["WorkerService"], swiftSettings: strict,
            linkerSettings: lean(symbolOrder: "worker", staticCrypto: true)),
        .executableTarget(
            name: "frontend", dependencies: ["FrontendService"], swiftSettings: strict,
            linkerSettings: lean(symbolOrder: "frontend")),
        .executableTarget(
            name: "istiowatcher", dependencies: ["WatcherService"], swiftSettings: strict,
            linkerSettings: lean(symbolOrder: "istiowatcher")),

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
