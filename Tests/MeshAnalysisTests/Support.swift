import Foundation
import MeshCore
import MeshIO

/// Shared real meshes and small meshes built in code.
enum Meshes {
    /// The package root: the first folder above this file that holds Package.swift.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// Reads a shared mesh by its path under `../shared/meshes/public/`.
    static func read(_ relativePath: String) throws -> TriangleMesh {
        let url = packageRoot.appendingPathComponent("../shared/meshes/public").appendingPathComponent(relativePath)
        let bytes = [UInt8](try Data(contentsOf: url))
        return try MeshReader.read(bytes, fileExtension: url.pathExtension).mesh
    }

    /// A closed box from `lo` to `hi`, wound counter-clockwise seen from outside.
    static func box(_ lo: Vec3 = Vec3(0, 0, 0), _ hi: Vec3 = Vec3(2, 3, 4)) -> TriangleMesh {
        var positions: [Float] = []
        for i in 0..<8 {
            positions.append(i & 1 == 0 ? lo.x : hi.x)
            positions.append(i & 2 == 0 ? lo.y : hi.y)
            positions.append(i & 4 == 0 ? lo.z : hi.z)
        }
        // Corner i has x = bit 0, y = bit 1, z = bit 2.
        let quads: [[UInt32]] = [
            [0, 2, 3, 1],  // z = lo, facing -z
            [4, 5, 7, 6],  // z = hi, facing +z
            [0, 1, 5, 4],  // y = lo
            [2, 6, 7, 3],  // y = hi
            [0, 4, 6, 2],  // x = lo
            [1, 3, 7, 5],  // x = hi
        ]
        var indices: [UInt32] = []
        for q in quads { indices += [q[0], q[1], q[2], q[0], q[2], q[3]] }
        return TriangleMesh(positions: positions, indices: indices)
    }

    /// `mesh` with every triangle's winding reversed.
    static func flipped(_ mesh: TriangleMesh) -> TriangleMesh {
        var out = mesh
        out.reverseWinding()
        return out
    }

    /// Two or more meshes as one, welded, as a reader would deliver them.
    static func joined(_ meshes: TriangleMesh...) -> TriangleMesh {
        var out = TriangleMesh()
        for m in meshes { out.append(m) }
        return out.welded()
    }
}

/// Edge counts worked out the slow, obvious way (a dictionary of undirected edges), to
/// check the analyzer's counting-sort version against.
struct SlowEdgeCounts: Equatable {
    var boundary = 0, nonManifold = 0, inconsistent = 0

    init(_ mesh: TriangleMesh) {
        struct Key: Hashable { var lo: UInt32, hi: UInt32 }
        var uses: [Key: [Bool]] = [:]  // per use: true when it runs lo -> hi
        for t in 0..<mesh.triangleCount {
            for k in 0..<3 {
                let a = mesh.indices[3 * t + k], b = mesh.indices[3 * t + (k + 1) % 3]
                uses[Key(lo: min(a, b), hi: max(a, b)), default: []].append(a <= b)
            }
        }
        for (_, u) in uses {
            if u.count == 1 { boundary += 1 }
            if u.count > 2 { nonManifold += 1 }
            if u.count == 2 && u[0] == u[1] { inconsistent += 1 }
        }
    }

    init(boundary: Int, nonManifold: Int, inconsistent: Int) {
        self.boundary = boundary
        self.nonManifold = nonManifold
        self.inconsistent = inconsistent
    }
}
