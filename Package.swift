// swift-tools-version:6.1
import PackageDescription

// The geometry targets (MeshCore … GeometryWasm) import nothing but each other, so
// scripts/build-wasm.sh can compile them with Embedded Swift for the browser.
let geometrySettings: [SwiftSetting] = []

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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
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
            dependencies: ["MeshCore", "MeshIO", "MeshAnalysis", "MeshRender", "CaseGen", "ModelFormats"]
        ),
        .executableTarget(
            name: "vitrine",
            dependencies: ["VitrineKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
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
    ]
)
