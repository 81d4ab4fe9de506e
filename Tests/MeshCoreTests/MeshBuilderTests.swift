import MeshCore
import Testing

@Suite struct MeshBuilderTests {
    @Test func zeroSnapBitsIsTheBitPatternOfOneTrillionth() {
        #expect(MeshBuilder.zeroSnapBits == Float(1e-12).bitPattern)
    }

    @Test func weldsExactlyEqualPositionsAndKeepsCornerCount() {
        var b = MeshBuilder()
        b.triangle(Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 1, 0))
        b.triangle(Vec3(1, 0, 0), Vec3(1, 1, 0), Vec3(0, 1, 0))
        let mesh = b.build()
        #expect(mesh.vertexCount == 4)
        #expect(mesh.triangleCount == 2)
        #expect(mesh.sourceVertexCount == 6)
        #expect(Array(mesh.indices) == [0, 1, 2, 1, 3, 2])
    }

    @Test func negativeZeroWeldsWithPositiveZero() {
        var b = MeshBuilder()
        let a = b.vertex(-0.0, 0, 0)
        let c = b.vertex(0, 0, 0)
        #expect(a == c)
    }

    @Test func nearlyEqualPositionsStayApart() {
        var b = MeshBuilder()
        let a = b.vertex(1, 0, 0)
        let c = b.vertex(1.0000001, 0, 0)
        #expect(a != c)
    }

    @Test func growsPastInitialCapacityWithoutLosingVertices() {
        var b = MeshBuilder(expectedTriangles: 1)
        var ids: [UInt32] = []
        for i in 0..<10_000 { ids.append(b.vertex(Float(i), Float(i % 7), 0)) }
        for i in 0..<10_000 { #expect(b.vertex(Float(i), Float(i % 7), 0) == ids[i]) }
        #expect(b.vertexCount == 10_000)
    }

    @Test func transformedMirrorKeepsOutwardWinding() {
        let mesh = TriangleMesh(positions: [0, 0, 0, 1, 0, 0, 0, 1, 0], indices: [0, 1, 2])
        let mirrored = mesh.transformed(by: Transform(rows: (-1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0)))
        #expect(Array(mirrored.indices) == [0, 2, 1])
    }

    @Test func groupedAndDecimalFormatting() {
        #expect(ASCII.grouped(4_000_000) == "4,000,000")
        #expect(ASCII.grouped(12) == "12")
        #expect(ASCII.decimal(1.5) == "1.5")
        #expect(ASCII.decimal(-0.25, fractionDigits: 1) == "-0.3" || ASCII.decimal(-0.25, fractionDigits: 1) == "-0.2")
        #expect(ASCII.decimal(3) == "3")
    }
}
