import Foundation
import MeshCore
@testable import MeshIO
import Testing
import ZIPFoundation

@testable import ModelFormats

/// `ThreeMFStoredWriter` (MeshIO, Foundation-free) checked against the Foundation 3MF reader
/// and ZIPFoundation, which verifies every entry's CRC-32 while extracting.
@Suite struct StoredWriterTests {
    /// A small mesh with coordinates that need many digits, negative zero, whole numbers and tiny values.
    static func awkwardMesh() -> TriangleMesh {
        var b = MeshBuilder()
        let p: [(Float, Float, Float)] = [
            (0, 0, 0), (0.1, -0.0, 1e-7), (12.345678, 3, -7.25), (-1234.5677, 0.3333333, 99999.99),
        ]
        let v = p.map { b.vertex($0.0, $0.1, $0.2) }
        b.triangle(v[0], v[2], v[1]); b.triangle(v[0], v[1], v[3]); b.triangle(v[1], v[2], v[3]); b.triangle(v[0], v[3], v[2])
        return b.build()
    }

    static func wyrmling() throws -> TriangleMesh {
        let url = ThreeMFFixtures.publicMeshes.appendingPathComponent("figures/rpgscad_wyrmling.stl")
        let bytes = [UInt8](try Data(contentsOf: url))
        return try MeshReader.read(bytes, fileExtension: "stl").mesh
    }

    @Test func readsBackWithSameCountsBoundsAndCoordinates() throws {
        let meshes = [("front & \"quoted\" <part>", try Self.wyrmling()), ("back", Self.awkwardMesh())]
        let bytes = ThreeMFStoredWriter.write(objects: meshes)
        #expect(bytes.prefix(2) == [0x50, 0x4B])
        let model = try ThreeMF.read(data: Data(bytes))
        #expect(model.unit == .millimetre)
        try #require(model.objects.count == 2)
        for (k, (name, mesh)) in meshes.enumerated() {
            let read = model.objects[k]
            #expect(read.name == name)
            #expect(read.mesh.triangleCount == mesh.triangleCount)
            #expect(read.mesh.vertexCount == mesh.vertexCount)
            #expect(read.mesh.bounds.min == mesh.bounds.min)
            #expect(read.mesh.bounds.max == mesh.bounds.max)
            // Shortest round-trip text: every corner comes back bit for bit (the reader welds
            // again, so vertex order may differ; -0 is written as 0).
            #expect(Self.corners(read.mesh) == Self.corners(mesh))
        }
    }

    static func corners(_ mesh: TriangleMesh) -> [UInt32] {
        mesh.indices.flatMap { i in (0..<3).map { mesh.positions[Int(i) * 3 + $0] == 0 ? 0 : mesh.positions[Int(i) * 3 + $0].bitPattern } }
    }

    @Test func zipEntriesAreStoredWithCorrectCRCs() throws {
        let bytes = ThreeMFStoredWriter.write(objects: [("only", Self.awkwardMesh())])
        let archive = try Archive(data: Data(bytes), accessMode: .read)
        let names = archive.map(\.path)
        #expect(names == ["[Content_Types].xml", "_rels/.rels", "3D/3dmodel.model"])
        for entry in archive {
            var data = Data()
            // ZIPFoundation recomputes the CRC-32 while extracting and throws on a mismatch.
            _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            #expect(entry.checksum == CRC32.checksum([UInt8](data)))
            #expect(data.count == Int(entry.uncompressedSize))
            #expect(entry.compressedSize == entry.uncompressedSize)
        }
        // Known CRC-32 of "123456789" (the standard check value).
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    /// The writer's fast number formatting gives the same text as `DecimalNumber.append`
    /// (the shortest round-trip digits) across magnitudes, and reads back exactly.
    @Test func numbersMatchDecimalNumberAndRoundTrip() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var values: [Float] = [0, -0.0, 1, -1, 0.1, 123.456, 1e-7, 1.5e-5, 99999.99, 123456789, 1e9, 3.4e38, 1e-30, 0.00001, 100000000, 12.3]
        for _ in 0..<50_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let bits = UInt32(truncatingIfNeeded: state >> 32)
            let f = Float(bitPattern: bits)
            if f.isFinite { values.append(f) }
            values.append(Float(Int32(truncatingIfNeeded: bits) % 200_000) * 0.01)  // grid-like mm values
        }
        let line = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { line.deallocate() }
        var mismatches: [String] = []
        for v in values {
            let n = ThreeMFStoredWriter.number(v, line, 0)
            let fast = String(decoding: UnsafeBufferPointer(start: line, count: n), as: UTF8.self)
            var reference: [UInt8] = []
            DecimalNumber.append(v == 0 ? 0 : v, to: &reference)
            if fast != String(decoding: reference, as: UTF8.self) || Float(fast) != (v == 0 ? 0 : v) {
                if mismatches.count < 5 { mismatches.append("\(v): \(fast) vs \(String(decoding: reference, as: UTF8.self))") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test func sameMeshesSameBytes() {
        let a = ThreeMFStoredWriter.write(objects: [("a", Self.awkwardMesh())])
        let b = ThreeMFStoredWriter.write(objects: [("a", Self.awkwardMesh())])
        #expect(a == b)
        #expect(ThreeMFStoredWriter.write(objects: []).count > 0)
    }
}
