import Foundation
import MeshCore
import MeshIO
import Testing

/// Writing then reading gives the same mesh, and text output uses decimals that read back exactly.
@Suite struct RoundTripTests {
    static let formats: [MeshFormat] = [.stlBinary, .stlASCII, .obj, .ply]

    @Test(arguments: formats)
    func tetrahedronRoundTrips(_ format: MeshFormat) throws {
        let bytes = MeshWriter.write(tetrahedron, as: format)
        let result = try MeshReader.read(bytes, fileExtension: nil)
        // Readers number vertices in order of first use, as `welded()` does.
        let expected = tetrahedron.welded()
        #expect(result.format == format)
        #expect(result.mesh.positions == expected.positions)
        #expect(result.mesh.indices == expected.indices)
        #expect(result.mesh.bounds == tetrahedron.bounds)
    }

    @Test(arguments: formats)
    func realMeshRoundTripsExactly(_ format: MeshFormat) throws {
        // Awkward decimals (scan coordinates in metres) must survive the text formats bit for bit.
        let original = try MeshReader.read(try TestFiles.publicMesh("scans/cjt_horse.ply"), fileExtension: "ply").mesh
        let again = try MeshReader.read(MeshWriter.write(original, as: format), fileExtension: nil)
        #expect(again.format == format)
        #expect(again.mesh.positions == original.positions)
        #expect(again.mesh.indices == original.indices)
    }

    @Test func binarySTLHeaderAndNormals() throws {
        let bytes = MeshWriter.write(tetrahedron, as: .stlBinary)
        #expect(bytes.count == 84 + 50 * 4)
        #expect(Array(bytes.prefix(8)) == Array("Vitrine".utf8) + [0])
        let normal = (0..<3).map { k in
            bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 84 + 4 * k, as: Float.self) }
        }
        #expect(normal == [0, 0, -1])  // the first face (0 2 1) lies in z = 0, facing down
    }

    @Test func textOutputLooksLikeTheFormat() {
        let obj = String(decoding: MeshWriter.write(tetrahedron, as: .obj), as: UTF8.self)
        #expect(obj == "# Vitrine\nv 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n")
        let stl = String(decoding: MeshWriter.write(tetrahedron, as: .stlASCII), as: UTF8.self)
        #expect(stl.hasPrefix("solid vitrine\n  facet normal 0 0 -1\n    outer loop\n      vertex 0 0 0\n      vertex 0 1 0\n"))
        #expect(stl.hasSuffix("endsolid vitrine\n"))
        let ply = MeshWriter.write(tetrahedron, as: .ply)
        let header = "ply\nformat binary_little_endian 1.0\ncomment Vitrine\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\nelement face 4\nproperty list uchar int vertex_indices\nend_header\n"
        #expect(Array(ply.prefix(header.utf8.count)) == Array(header.utf8))
        #expect(ply.count == header.utf8.count + 4 * 12 + 4 * 13)
    }

    @Test func decimalsAreShortAndExact() throws {
        let values: [Float] = [0.1, -12.5, 1e-7, 3.4028235e38, 1.17549435e-38, 123456.79, 0.000123, 1e9, 2e-45, 16777216, 1.0 / 3.0]
        var positions: [Float] = []
        for v in values { positions += [v, -v, 0] }
        let mesh = TriangleMesh(positions: positions, indices: (0..<UInt32(values.count / 3 * 3)).map { $0 })
        let text = String(decoding: MeshWriter.write(mesh, as: .obj), as: UTF8.self)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("v ") }
        // Every written decimal reads back, through Swift's own parser, as exactly the same float.
        for line in lines {
            for token in line.split(separator: " ").dropFirst() {
                let text = String(token)
                #expect(Float(text) != nil, "\(text)")
            }
        }
        let written = lines.flatMap { $0.split(separator: " ").dropFirst().map { Float(String($0))! } }
        #expect(written == Array(positions.prefix(written.count)))
        #expect(text.contains("v 0.1 -0.1 0\n"))
        #expect(text.contains("v -12.5 12.5 0\n"))
        #expect(text.contains("v 1e-07 -1e-07 0\n"))
        #expect(text.contains("v 123456.79 -123456.79 0\n"))
        #expect(text.contains("v 3.4028235e+38 "))
    }
}
