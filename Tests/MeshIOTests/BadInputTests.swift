import Foundation
import MeshCore
import MeshIO
import Testing

/// Each kind of bad input gives one clear error naming what and where; none crashes, hangs,
/// or allocates by a count the file merely claims.
@Suite struct BadInputTests {
    static let triangle: [Float] = [0, 0, 0, 1, 0, 0, 0, 1, 0]

    @Test func truncatedBinarySTLNamesClaimedAndPresentCounts() {
        var bytes = binarySTL(Array(repeating: Self.triangle, count: 10))
        bytes.removeLast(75)  // 8 whole records and half of the ninth remain
        #expect(readError(bytes, "stl") == "STL header claims 10 triangles but the file holds 8")
        // Detected as binary from content alone: binary bytes after the header.
        #expect(readError(bytes, nil) == "STL header claims 10 triangles but the file holds 8")
    }

    @Test func truncatedRealBinarySTLWithSolidHeader() throws {
        // idler_riser's header starts with "solid": it must still be read as binary.
        let bytes = try TestFiles.publicMesh("stl_edge/trimesh_idler_riser.STL")
        let cut = Array(bytes.prefix(84 + 50 * 1_000 + 17))
        #expect(readError(cut, "stl") == "STL header claims 1,572 triangles but the file holds 1,000")
        #expect(readError(cut, nil) == "STL header claims 1,572 triangles but the file holds 1,000")
    }

    @Test func headerClaimingMillionsIsRejectedBeforeAllocating() {
        let bytes = binarySTL(Array(repeating: Self.triangle, count: 12_000), claim: 4_000_000)
        #expect(readError(bytes, "stl") == "STL header claims 4,000,000 triangles but the file holds 12,000")
        let huge = binarySTL([Self.triangle], claim: UInt32.max)
        #expect(readError(huge, "stl") == "STL header claims 4,294,967,295 triangles but the file holds 1")
    }

    @Test func binarySTLShorterThanItsHeader() {
        let bytes: [UInt8] = Array("solid x".utf8) + [UInt8](repeating: 0, count: 30)
        #expect(readError(bytes, "stl") == "binary STL is 37 bytes, shorter than its 84-byte header")
    }

    @Test func binarySTLWithNaNOrInfinity() {
        let nan = binarySTL([Self.triangle, [0, 0, 0, 1, .nan, 0, 0, 1, 0]])
        #expect(readError(nan, "stl") == "binary STL triangle 1 (counting from 0) has a NaN or infinite coordinate")
        let inf = binarySTL([[0, 0, 0, 1, 0, 0, 0, 1, -.infinity], Self.triangle, Self.triangle])
        #expect(readError(inf, "stl") == "binary STL triangle 0 (counting from 0) has a NaN or infinite coordinate")
    }

    @Test func asciiSTLWithNaNOrInfinity() {
        let text = """
            solid t
            facet normal 0 0 1
            outer loop
            vertex 0 0 0
            vertex 1 0 nan
            vertex 0 1 0
            endloop
            endfacet
            endsolid t
            """
        #expect(readError(text, "stl") == "ASCII STL line 5: facet 0 (counting from 0) has a NaN or infinite coordinate")
        let inf = text.replacingOccurrences(of: "nan", with: "-INF")
        #expect(readError(inf, "stl") == "ASCII STL line 5: facet 0 (counting from 0) has a NaN or infinite coordinate")
        let overflow = text.replacingOccurrences(of: "nan", with: "1e39")  // beyond Float's range
        #expect(readError(overflow, "stl") == "ASCII STL line 5: facet 0 (counting from 0) has a NaN or infinite coordinate")
    }

    @Test func asciiGarbage() {
        #expect(readError("hello, this is not a mesh\nat all\n", nil)
            == "not a mesh file: text that is not ASCII STL ('solid' … 'facet'), OBJ ('v'/'f' lines) or PLY")
        #expect(readError("hello, this is not a mesh\n", "stl") == "ASCII STL line 1: expected 'solid' but found 'hello,'")
        #expect(readError("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 zero\n", "stl")
            == "ASCII STL line 4: expected a number but found 'zero'")
        #expect(readError("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 1.5.5\n", "stl")
            == "ASCII STL line 4: expected a number but found '1.5.5'")
        #expect(readError("solid x\n  bogus 1 2 3\nendsolid\n", "stl")
            == "ASCII STL line 2: expected 'facet' or 'endsolid' but found 'bogus'")
        #expect(readError([0x00, 0x01, 0x02, 0xFF, 0x10, 0x20], nil)
            == "not a mesh file: binary data that is not a binary STL (size is not 84 + 50 × its triangle count)")
    }

    @Test func truncatedASCIISTL() throws {
        let bytes = try TestFiles.publicMesh("stl_ascii/npstl_HalfDonut.stl")
        let cutMidFacet = Array(bytes.prefix(bytes.count / 2))
        let message = readError(cutMidFacet, "stl")
        #expect(message?.hasPrefix("ASCII STL line ") == true, "\(message ?? "read")")
        let text = "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\n"
        #expect(readError(text, "stl") == "ASCII STL ends after 1 facets without 'endsolid' (truncated file?)")
    }

    @Test func emptyFiles() {
        #expect(readError([UInt8](), "stl") == "the file is empty")
        #expect(readError([UInt8](), nil) == "the file is empty")
        #expect(readError(" \n\r\n\t", "obj") == "the file holds only whitespace")
        #expect(readError("solid empty\nendsolid empty\n", "stl") == "ASCII STL holds no facets")
        #expect(readError(binarySTL([]), "stl") == "binary STL holds no triangles")
        #expect(readError("v 0 0 0\nv 1 0 0\n", "obj") == "OBJ file has 2 vertices but no faces")
    }

    @Test func objIndexOutOfRange() {
        let text = "v 0 0 0\nv 1 0 0\nv 0 1 0\n# comment\nf 1 2 3\nf 1 2 4\n"
        #expect(readError(text, "obj") == "OBJ line 6: vertex index 4 is out of range (the file has 3 vertices)")
        #expect(readError("v 0 0 0\nv 1 0 0\nv 0 1 0\nf -1 -2 -4\n", "obj")
            == "OBJ line 4: vertex index -4 is out of range (only 3 vertices precede it)")
        #expect(readError("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 99999999999999999999 1 2\n", "obj")?
            .hasPrefix("OBJ line 4: vertex index ") == true)
    }

    @Test func objZeroIndex() {
        #expect(readError("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n", "obj")
            == "OBJ line 4: vertex index 0 is invalid (OBJ indices start at 1)")
    }

    @Test func objBadNumbersAndNaN() {
        #expect(readError("v 0 0 0\nv 1 nan 0\nv 0 1 0\nf 1 2 3\n", "obj") == "OBJ line 2: vertex 2 has a NaN or infinite coordinate")
        #expect(readError("v 0 0 0\nv 1 0\nv 0 1 0\nf 1 2 3\n", "obj")
            == "OBJ line 2: expected a number in vertex 2 but found end of line")
        #expect(readError("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 x\n", "obj") == "OBJ line 4: expected a vertex index but found 'x'")
        #expect(readError("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3x\n", "obj") == "OBJ line 4: bad face corner '3x'")
    }

    @Test func plyUnsupportedPropertyType() {
        let text = "ply\nformat ascii 1.0\nelement vertex 3\nproperty int64 x\nproperty float y\nproperty float z\nend_header\n"
        #expect(readError(text, "ply") == "PLY header line 4: property 'x' has unsupported type 'int64'")
        let list = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar string vertex_indices\nend_header\n"
        #expect(readError(list, "ply") == "PLY header line 8: property 'vertex_indices' has unsupported type 'string'")
        let floatCount = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list float int vertex_indices\nend_header\n"
        #expect(readError(floatCount, "ply") == "PLY header line 8: list 'vertex_indices' has a non-integer count type 'float'")
    }

    @Test func plyHeaderProblems() {
        #expect(readError("ply\nformat binary_middle_endian 1.0\nend_header\n", "ply")
            == "PLY header line 2: unsupported format 'binary_middle_endian'")
        #expect(readError("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\n", "ply")
            == "PLY header has no 'end_header' line (truncated file?)")
        #expect(readError("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n0 0\n", "ply")
            == "PLY vertex element has no 'z' property")
        #expect(readError("ply\nformat ascii 1.0\nfrobnicate 7\nend_header\n", "ply") == "PLY header line 3: unknown keyword 'frobnicate'")
    }

    @Test func plyTruncatedBinaryBody() throws {
        let bytes = try TestFiles.publicMesh("scans/cjt_horse.ply")
        // Cut inside the face list: the vertices (24 bytes each) are whole.
        let headerEnd = bytes.count - 48_485 * 24 - 96_966 * 13
        let cut = Array(bytes.prefix(headerEnd + 48_485 * 24 + 500 * 13 + 6))
        #expect(readError(cut, "ply") == "PLY header declares 96,966 'face' elements (at least 1 bytes each) but only 6,506 bytes remain (truncated file?)")
        let cutLater = Array(bytes.prefix(bytes.count - 7))
        #expect(readError(cutLater, "ply") == "PLY body ends inside 'face' 96,965 of 96,966 (truncated file?)")
        // Cut inside the vertices: rejected by the size check before anything is allocated.
        let cutEarly = Array(bytes.prefix(headerEnd + 1_000))
        #expect(readError(cutEarly, "ply") == "PLY header declares 48,485 'vertex' elements (at least 24 bytes each) but only 1,000 bytes remain (truncated file?)")
    }

    @Test func plyHugeClaimsAreCheckedAgainstTheBytes() {
        var bytes = Array("ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n".utf8)
        bytes += [UInt8](repeating: 0, count: 36)
        #expect(readError(bytes, "ply") == "PLY header declares 4,000,000,000 'vertex' elements (at least 12 bytes each) but only 36 bytes remain (truncated file?)")
        let ascii = "ply\nformat ascii 1.0\nelement vertex 4000000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n"
        #expect(readError(ascii, "ply") == "PLY header declares 4,000,000,000 'vertex' elements but only 6 bytes remain (truncated file?)")
    }

    @Test func plyIndexOutOfRangeAndNaN() {
        let header = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n"
        #expect(readError(header + "0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n", "ply")
            == "PLY face 0 (counting from 0): vertex index 3 is out of range (the file has 3 vertices)")
        #expect(readError(header + "0 0 0\n1 0 0\n0 nan 0\n3 0 1 2\n", "ply") == "PLY vertex 2 (counting from 0) has a NaN or infinite coordinate")
        #expect(readError(header + "0 0 0\n1 0 0\n0 1 0\n3 0 1\n", "ply") == "PLY body ends inside 'face' 0 of 1 (truncated file?)")
    }
}
