// swift-tools-version:6.1
import PackageDescription

// The geometry targets (MeshCore … GeometryWasm) import nothing but each other, so
// scripts/build-wasm.sh can compile them with Embedded Swift for the browser.
let geometrySettings: [SwiftSetting] = []

// How `vitrine` is linked. No exported symbol table (SwiftPM exports every symbol of an
// executable so tests can link it; none do): start-up looked addresses up among 62,000 of
// them, ~1 ms of a 25 ms thumbnail render. With VITRINE_STATIC_LINK=1 (set with
// `--static-swift-stdlib` for a shipped binary, as Benchmarks/ do) also no PIE: the binary
// carries the whole server, whose 160,000 relative relocations made the loader copy ~500
// pages on every start (2.5 ms); libraries, heap and stack stay randomized. Only then:
// against the shared Swift runtime a non-PIE executable makes the loader print warnings.
let vitrineLinkerFlags = ["-Xlinker", "--no-export-dynamic"]
    + (Context.environment["VITRINE_STATIC_LINK"] == "1" ? ["-Xclang-linker", "-no-pie"] : [])

let package = Package(
    name: "Vitrine",
    products: [
        .executable(name: "vitrine", targets: ["vitrine"]),
        .executable(name: "vitrine-bench", targets: ["vitrine-bench"]),
        .library(name: "MeshCore", targets: ["MeshCore"]),
        .library(name: "MeshIO", targets: ["MeshIO"]),
        .library(name: "MeshAnalysis", targets: ["MeshAnalysis"]),
        .library(name: "MeshRender", targets: ["MeshRender"]),
        .library(name: "ModelFormats", targets: ["ModelFormats"]),
        .library(name: "VitrineKit", targets: ["VitrineKit"]),
        .library(name: "VitrineServer", targets: ["VitrineServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Server (issue 4).
        .package(url: "https://github.com/vapor/vapor", from: "4.115.0"),
        .package(url: "https://github.com/vapor/fluent", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver", from: "2.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // SMTP deliverer (already dependencies of Vapor; named here to use their products).
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
    ],
    targets: [
        // Geometry core: Foundation-free, Embedded-Swift clean.
        .target(name: "MeshCore", swiftSettings: geometrySettings),
        .target(name: "MeshIO", dependencies: ["MeshCore"], swiftSettings: geometrySettings),
        .target(name: "MeshAnalysis", dependencies: ["MeshCore"], swiftSettings: geometrySettings),
        .target(name: "MeshRender", dependencies: ["MeshCore"], swiftSettings: geometrySettings),
        .target(name: "CaseGen", dependencies: ["MeshCore"], swiftSettings: geometrySettings),
        .target(name: "WasmAllocator"),
        .target(
            name: "GeometryWasm",
            dependencies: ["MeshCore", "MeshIO", "MeshAnalysis", "MeshRender", "CaseGen", "WasmAllocator"],
            swiftSettings: geometrySettings
        ),

        // Foundation side.
        .target(
            name: "ModelFormats",
            dependencies: ["MeshCore", "MeshIO", "MeshRender", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(
            name: "VitrineKit",
            dependencies: [
                "MeshCore", "MeshIO", "MeshAnalysis", "MeshRender", "CaseGen", "ModelFormats",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The server: Vapor app, Fluent models and migrations, mail deliverers. Pure domain code
        // (license keys, email normalization, MIME, settings) lives in VitrineKit.
        .target(
            name: "VitrineServer",
            dependencies: [
                "VitrineKit",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "vitrine",
            dependencies: [
                "VitrineKit", "VitrineServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: [.unsafeFlags(vitrineLinkerFlags)]
        ),
        .executableTarget(
            name: "vitrine-bench",
            dependencies: ["VitrineKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "MeshCoreTests", dependencies: ["MeshCore"]),
        .testTarget(name: "MeshIOTests", dependencies: ["MeshIO", "MeshAnalysis"]),
        .testTarget(name: "MeshAnalysisTests", dependencies: ["MeshAnalysis", "MeshIO"]),
        .testTarget(name: "MeshRenderTests", dependencies: ["MeshRender", "MeshIO"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "MeshAnalysis"]),
        .testTarget(name: "VitrineCLITests", dependencies: ["VitrineKit", "MeshAnalysis"]),
        .testTarget(name: "CaseGenTests", dependencies: ["CaseGen", "MeshIO", "MeshAnalysis", "ModelFormats"]),
        .testTarget(
            name: "VitrineServerTests",
            dependencies: [
                "VitrineServer", "VitrineKit",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
