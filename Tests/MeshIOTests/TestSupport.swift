import Foundation
import MeshCore
import MeshIO

/// Locations of the shared real meshes and small helpers for building test inputs.
enum TestFiles {
    /// The package root: the first folder above this file that holds Package.swift.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared/meshes/public` next to the package root.
    static let publicMeshes = packageRoot.appendingPathComponent("../shared/meshes/public").standardizedFileURL

    /// The bytes of a shared mesh, by its path under `public/`.
    static func publicMesh(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: publicMeshes.appendingPathComponent(relativePath)))
    }

    /// The bytes of a hand-made fixture under Tests/Fixtures/meshio.
    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/meshio/\(name)")))
    }

    /// The file names in a folder under `public/`.
    static func listing(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: publicMeshes.appendingPathComponent(folder).path).sorted()
    }
}

/// The error message reading `bytes` gives, or nil when it reads.
func readError(_ bytes: [UInt8], _ ext: String?) -> String? {
    do {
        _ = try MeshReader.read(bytes, fileExtension: ext)
        return nil
    } catch {
        return error.message
    }
}

/// The error message reading `text` gives, or nil when it reads.
func readError(_ text: String, _ ext: String?) -> String? {
    readError(Array(text.utf8), ext)
}

/// Reads `text` as a mesh file.
func read(_ text: String, _ ext: String? = nil) throws -> (mesh: TriangleMesh, format: MeshFormat) {
    try MeshReader.read(Array(text.utf8), fileExtension: ext)
}

/// A little binary STL built in code: `triangles` as 9 floats each, with `claim` written at byte 80.
func binarySTL(_ triangles: [[Float]], header: String = "test", claim: UInt32? = nil) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 80)
    for (i, b) in header.utf8.prefix(80).enumerated() { out[i] = b }
    let n = claim ?? UInt32(triangles.count)
    withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
    for t in triangles {
        out.append(contentsOf: [UInt8](repeating: 0, count: 12))
        for f in t { withUnsafeBytes(of: f.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: [0, 0])
    }
    return out
}

/// A unit tetrahedron, outward winding.
let tetrahedron = TriangleMesh(
    positions: [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1],
    indices: [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]
)
