import Dispatch
import Foundation
import MeshCore
import MeshIO
import Testing

/// The binary STL weld gives the same mesh, vertex numbering included, for every `JobRunner`
/// and the same as welding the triangle soup with `MeshBuilder` (numbered in order of first use).
@Suite struct ParallelWeldTests {
    /// Runners that must all agree: serial, wider runners that still run jobs one at a time
    /// (in order and backwards), and one that really uses threads.
    static let runners: [(name: String, runner: JobRunner)] = [
        ("serial", .serial),
        ("width 2, in order", JobRunner(width: 2) { count, body in for i in 0..<count { body(i) } }),
        ("width 4, backwards", JobRunner(width: 4) { count, body in for i in (0..<count).reversed() { body(i) } }),
        ("dispatch", JobRunner(width: 4) { count, body in
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let job = body
                DispatchQueue.concurrentPerform(iterations: count) { job($0) }
            }
        }),
    ]

    static let files = [
        "converted_stl/conv_cjt_nefertiti.stl", "converted_stl/conv_cjt_ogre.stl",
        "converted_stl/conv_oded_scorpion.stl", "figures/rpgscad_wyrmling.stl",
    ]

    /// The reference: the unwelded soup welded by `MeshBuilder`.
    static func reference(_ bytes: [UInt8]) throws -> TriangleMesh {
        try bytes.withUnsafeBytes { raw throws(MeshIOError) in
            try MeshReader.read(raw, fileExtension: "stl", welding: false).mesh
        }.welded()
    }

    static func read(_ bytes: [UInt8], _ runner: JobRunner) throws -> TriangleMesh {
        try bytes.withUnsafeBytes { raw throws(MeshIOError) in
            try MeshReader.read(raw, fileExtension: "stl", runner: runner).mesh
        }
    }

    @Test(arguments: files)
    func realFilesWeldTheSameWithEveryRunner(_ file: String) throws {
        let bytes = try TestFiles.publicMesh(file)
        let expected = try Self.reference(bytes)
        #expect(expected.vertexCount > 0 && expected.vertexCount < expected.sourceVertexCount)
        for (name, runner) in Self.runners {
            let mesh = try Self.read(bytes, runner)
            #expect(mesh.positions == expected.positions, "\(file) with \(name)")
            #expect(mesh.indices == expected.indices, "\(file) with \(name)")
            #expect(mesh.sourceVertexCount == expected.sourceVertexCount)
        }
    }

    @Test func knownCountsAreUnchanged() throws {
        // Counts the single-table weld gave before the partitioned one (vertices, triangles).
        let known: [(String, Int, Int)] = [
            ("converted_stl/conv_cjt_ogre.stl", 62_185, 124_008),
            ("figures/rpgscad_wyrmling.stl", 2_889, 5_838),
        ]
        for (file, vertices, triangles) in known {
            let mesh = try Self.read(try TestFiles.publicMesh(file), Self.runners[3].runner)
            #expect(mesh.vertexCount == vertices, "\(file)")
            #expect(mesh.triangleCount == triangles, "\(file)")
        }
    }

    /// A grid of 2·180·180 = 64,800 triangles (two chunks, four partitions) with -0, tiny
    /// round-off and shuffled facet order.
    static func grid() -> [[Float]] {
        let n = 180
        func coordinate(_ i: Int, _ j: Int) -> (Float, Float) {
            var x = Float(i) * 0.25 - 20, y = Float(j) * 0.5
            if i == 80 { x = (j % 2 == 0) ? -0.0 : 3e-17 }  // snaps to +0 like the exact zeros
            if j == 0 { y = (i % 3 == 0) ? -0.0 : 0 }
            return (x, y)
        }
        var facets: [[Float]] = []
        for i in 0..<n {
            for j in 0..<n {
                let (x0, y0) = coordinate(i, j), (x1, y1) = coordinate(i + 1, j)
                let (x2, y2) = coordinate(i, j + 1), (x3, y3) = coordinate(i + 1, j + 1)
                facets.append([x0, y0, 1, x1, y1, 1, x3, y3, 1])
                facets.append([x0, y0, 1, x3, y3, 1, x2, y2, 1])
            }
        }
        // Deterministic shuffle: a fixed multiplicative permutation of the facet order.
        let count = facets.count
        return (0..<count).map { facets[($0 &* 7919) % count] }
    }

    @Test func manyChunksAndPartitionsWeldLikeMeshBuilder() throws {
        let bytes = binarySTL(Self.grid())
        let expected = try Self.reference(bytes)
        #expect(expected.vertexCount == 181 * 181)
        for (name, runner) in Self.runners {
            let mesh = try Self.read(bytes, runner)
            #expect(mesh.positions == expected.positions, "\(name)")
            #expect(mesh.indices == expected.indices, "\(name)")
        }
        #expect(try Self.read(bytes, .serial).positions.allSatisfy { $0.sign == .plus || $0 != 0 })
    }

    @Test func firstNaNIsReportedWhateverTheRunner() throws {
        var facets = Self.grid()
        facets[40_000][4] = .nan
        facets[64_000][0] = .infinity  // in a later chunk, found by another job first
        let bytes = binarySTL(facets)
        for (name, runner) in Self.runners {
            do {
                _ = try Self.read(bytes, runner)
                Issue.record("\(name): read a file with NaN")
            } catch {
                #expect((error as? MeshIOError)?.message == "binary STL triangle 40000 (counting from 0) has a NaN or infinite coordinate", "\(name)")
            }
        }
    }
}
