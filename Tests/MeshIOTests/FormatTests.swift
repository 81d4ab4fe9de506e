import Foundation
import MeshCore
import MeshIO
import Testing

/// Format details the readers must handle, on tiny inputs whose answer is known.
@Suite struct FormatTests {
    @Test func objFaceFormsNegativeIndicesContinuationAndNonGeometry() throws {
        let result = try MeshReader.read(try TestFiles.fixture("quad-mixed.obj"), fileExtension: "obj")
        #expect(result.format == .obj)
        #expect(result.mesh.triangleCount == 12)
        #expect(result.mesh.vertexCount == 8)
        #expect(result.mesh.sourceVertexCount == 8)
        #expect(result.mesh.bounds == Bounds(min: Vec3(0, 0, 0), max: Vec3(1, 1, 1)))
        // "f 1 4 3 2" as a fan: (1 4 3) (1 3 2), numbered by first use.
        #expect(Array(result.mesh.indices.prefix(6)) == [0, 1, 2, 0, 2, 3])
        // The continued line "f -6 -2 -1 \ -5" is the quad 3 7 8 4.
        let top = Array(result.mesh.indices[24..<30]).map { result.mesh.position(Int($0)) }
        #expect(top == [Vec3(1, 1, 0), Vec3(1, 1, 1), Vec3(0, 1, 1), Vec3(1, 1, 0), Vec3(0, 1, 1), Vec3(0, 1, 0)])
    }

    @Test func objWeldsDuplicatePositionsButCountsListedVertices() throws {
        let text = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nv 5 5 5\nf 1 2 3\nf 4 6 5\n"
        let mesh = try read(text).mesh
        #expect(mesh.vertexCount == 4)  // duplicates welded, the unused vertex dropped
        #expect(mesh.sourceVertexCount == 7)
        #expect(mesh.indices == [0, 1, 2, 1, 3, 2])
    }

    @Test func degenerateTrianglesAreKept() throws {
        let obj = try read("v 0 0 0\nv 1 0 0\nv 2 0 0\nf 1 2 3\nf 1 1 2\n").mesh
        #expect(obj.triangleCount == 2)
        #expect(obj.indices == [0, 1, 2, 0, 0, 1])
        let stl = try MeshReader.read(binarySTL([[0, 0, 0, 0, 0, 0, 0, 0, 0]]), fileExtension: "stl").mesh
        #expect(stl.triangleCount == 1)
        #expect(stl.indices == [0, 0, 0])
    }

    @Test func asciiSTLWithSeveralSolidsMixedCaseCRLFAndExponents() throws {
        let text = "  SOLID First one\r\n FACET NORMAL 0 0 1e+0\r\n  Outer Loop\r\n   VERTEX 0 0 0\r\n   vertex 1.0E+1 0 0\r\n"
            + "   vertex 0 -2.5e-1 0\r\n  ENDLOOP\r\n ENDFACET\r\nEndSolid First one\r\nsolid\r\nfacet normal nan nan nan\r\n"
            + "outer loop\r\nvertex 0 0 0\r\nvertex 10 0 0\r\nvertex 0 0 7\r\nendloop\r\nendfacet\r\nendsolid\r\n"
        let result = try read(text)
        #expect(result.format == .stlASCII)
        #expect(result.mesh.triangleCount == 2)
        #expect(result.mesh.vertexCount == 4)
        #expect(result.mesh.position(1) == Vec3(10, 0, 0))
        #expect(result.mesh.position(2) == Vec3(0, -0.25, 0))
        #expect(result.mesh.sourceVertexCount == 6)
    }

    @Test func binarySTLThatStartsWithSolidIsBinary() {
        let bytes = binarySTL([[0, 0, 0, 1, 0, 0, 0, 1, 0]], header: "solid facet vertex: a binary file anyway")
        let format = bytes.withUnsafeBytes { MeshReader.detect($0, fileExtension: "stl") }
        #expect(format == .stlBinary)
    }

    @Test func detectionByContentIgnoresMisleadingExtensions() throws {
        let obj = Array("# cube\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".utf8)
        #expect(obj.withUnsafeBytes { MeshReader.detect($0, fileExtension: "stl") } == .obj)
        let ply = try TestFiles.fixture("ascii-extras.ply")
        #expect(ply.withUnsafeBytes { MeshReader.detect($0, fileExtension: "obj") } == .ply)
        let stl = binarySTL([[0, 0, 0, 1, 0, 0, 0, 1, 0]])
        #expect(stl.withUnsafeBytes { MeshReader.detect($0, fileExtension: ".PLY") } == .stlBinary)
        #expect(MeshFormat.stlBinary.name == "stl-binary")
        #expect(MeshFormat.stlASCII.name == "stl-ascii")
    }

    @Test func plyASCIIWithOtherPropertiesElementsAndCRLF() throws {
        let result = try MeshReader.read(try TestFiles.fixture("ascii-extras.ply"), fileExtension: nil)
        #expect(result.format == .ply)
        let mesh = result.mesh
        #expect(mesh.triangleCount == 3)  // a triangle and a quad with a repeated corner
        #expect(mesh.sourceVertexCount == 4)
        #expect(mesh.vertexCount == 4)
        #expect(mesh.positions == [0, 0, 0, 1.5, 0, 0, 1.5, 2, 0, 0, 2, -1])
        #expect(mesh.indices == [0, 1, 2, 0, 2, 3, 0, 3, 0])
    }

    @Test(arguments: [true, false])
    func plyBinaryEitherEndianWithMixedTypes(bigEndian: Bool) throws {
        // Vertex: uchar flag, double x, short y, float z, list uchar ushort junk; face: int id, list ushort uint vertex_indices.
        var bytes = Array("""
            ply
            format \(bigEndian ? "binary_big_endian" : "binary_little_endian") 1.0
            element vertex 3
            property uchar flag
            property float64 x
            property int16 y
            property float z
            property list uchar ushort junk
            element face 1
            property int id
            property list ushort uint vertex_indices
            end_header\n
            """.utf8)
        func put<T: FixedWidthInteger>(_ v: T) {
            let e = bigEndian ? v.bigEndian : v.littleEndian
            withUnsafeBytes(of: e) { bytes.append(contentsOf: $0) }
        }
        for (x, y, z) in [(0.5, Int16(-3), Float(1)), (2.0, 4, -2), (0.25, 0, 0)] {
            put(UInt8(9)); put(x.bitPattern); put(y); put(z.bitPattern)
            put(UInt8(2)); put(UInt16(1)); put(UInt16(2))
        }
        put(Int32(77)); put(UInt16(3)); put(UInt32(2)); put(UInt32(0)); put(UInt32(1))
        let mesh = try MeshReader.read(bytes, fileExtension: "ply").mesh
        #expect(mesh.positions == [0.25, 0, 0, 0.5, -3, 1, 2, 4, -2])
        #expect(mesh.indices == [0, 1, 2])
    }

    @Test func plyBigEndianCopyOfARealScanReadsTheSame() throws {
        // horse.ply rewritten as binary_big_endian: 6 floats per vertex, faces of uchar 3 + 3 int32.
        let little = try TestFiles.publicMesh("scans/cjt_horse.ply")
        let vertices = 48_485, faces = 96_966
        let bodyStart = little.count - vertices * 24 - faces * 13
        let header = String(decoding: little.prefix(bodyStart), as: UTF8.self)
            .replacingOccurrences(of: "binary_little_endian", with: "binary_big_endian")
        var big = Array(header.utf8)
        var body = Array(little[bodyStart...])
        for v in 0..<(vertices * 6) { body[(4 * v)..<(4 * v + 4)].reverse() }
        for f in 0..<faces {
            let o = vertices * 24 + 13 * f + 1
            for k in 0..<3 { body[(o + 4 * k)..<(o + 4 * k + 4)].reverse() }
        }
        big += body
        let expected = try MeshReader.read(little, fileExtension: "ply").mesh
        let result = try MeshReader.read(big, fileExtension: "ply")
        #expect(result.format == .ply)
        #expect(result.mesh == expected)
        #expect(result.mesh.triangleCount == 96_966)
    }

    @Test func weldingMatchesMeshBuilderOnRealBinarySTL() throws {
        // The binary STL path uses its own welding table; it must give exactly MeshBuilder's result.
        for path in ["converted_stl/conv_cjt_ogre.stl", "broken/trimesh_soup.stl", "stl_edge/trimesh_busted.STL"] {
            let bytes = try TestFiles.publicMesh(path)
            let mesh = try MeshReader.read(bytes, fileExtension: "stl").mesh
            var builder = MeshBuilder()
            bytes.withUnsafeBytes { raw in
                let n = Int(raw.loadUnaligned(fromByteOffset: 80, as: UInt32.self))
                for t in 0..<n {
                    let f = (0..<9).map { raw.loadUnaligned(fromByteOffset: 84 + 50 * t + 12 + 4 * $0, as: Float.self) }
                    builder.triangle(Vec3(f[0], f[1], f[2]), Vec3(f[3], f[4], f[5]), Vec3(f[6], f[7], f[8]))
                }
            }
            #expect(mesh == builder.build(), "\(path)")
        }
    }

    @Test func negativeZeroWeldsWithZeroInBinarySTL() throws {
        let mesh = try MeshReader.read(binarySTL([[0, 0, 0, 1, 0, 0, 0, 1, 0], [-0.0, 0, -0.0, 0, 1, 0, 1, 1, 0]]), fileExtension: "stl").mesh
        #expect(mesh.vertexCount == 4)
        #expect(mesh.positions.allSatisfy { $0.sign == .plus || $0 != 0 })
    }

    @Test func largeVertexCountsGrowTheWeldTable() throws {
        // More distinct positions than the table's initial estimate (half the triangle count).
        var tris: [[Float]] = []
        for i in 0..<5_000 { let f = Float(i); tris.append([f, 0, 0, f, 1, 0, f, 0, 1]) }
        let mesh = try MeshReader.read(binarySTL(tris), fileExtension: "stl").mesh
        #expect(mesh.vertexCount == 15_000)
        #expect(mesh.indices == (0..<15_000).map { UInt32($0) })
    }
}
