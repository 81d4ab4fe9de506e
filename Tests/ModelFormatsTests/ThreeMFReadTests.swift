import Foundation
import MeshCore
import Testing

@testable import ModelFormats

@Suite struct ThreeMFSampleTests {
    static let rows = ThreeMFFixtures.manifestRows()

    @Test func manifestListsTheSamples() throws {
        let files = try FileManager.default.contentsOfDirectory(
            atPath: ThreeMFFixtures.publicMeshes.appendingPathComponent("3mf").path)
        #expect(files.count >= 14)
        #expect(Set(Self.rows.map { $0.file }) == Set(files.map { "3mf/" + $0 }))
    }

    @Test(arguments: rows.filter { !$0.file.contains("MUSTFAIL") })
    func readsSampleWithManifestCounts(_ row: ThreeMFFixtures.ManifestRow) throws {
        let model = try ThreeMF.read(data: ThreeMFFixtures.sample(row.file))
        #expect(model.placedTriangles == row.placed)
        #expect(model.merged.triangleCount == row.placed)
        #expect(model.declaredTriangles == row.triangles)
        #expect(model.objects.reduce(0) { $0 + $1.mesh.triangleCount } == row.placed)
        for (_, mesh) in model.objects {
            #expect(mesh.indices.allSatisfy { Int($0) < mesh.vertexCount })
            #expect(mesh.positions.allSatisfy { $0.isFinite })
        }
        if let extent = row.extent {
            let size = model.merged.bounds.size
            let scale = model.unit.millimetres
            for axis in 0..<3 {
                let expected = extent[axis] * scale
                #expect(abs(Double(size[axis]) - expected) <= 0.002 * expected + 0.01, "axis \(axis)")
            }
        }
    }

    @Test func mustFailSampleIsRejectedForItsMissingObject() throws {
        let data = try ThreeMFFixtures.sample("3mf/3mfc_MUSTFAIL_BuildItemBadObjectId.3mf")
        let message = try #require(ThreeMFFixtures.failure(data))
        #expect(message.contains("build item refers to object"))
        #expect(message.contains("which the model does not define"))
        #expect(message.contains("line "))
    }

    @Test func inchModelIsConvertedToMillimetres() throws {
        let model = try ThreeMF.read(data: ThreeMFFixtures.sample("3mf/trimesh_featuretype.3MF"))
        #expect(model.unit == .inch)
        let size = model.merged.bounds.size
        #expect(abs(size.x - 127) < 0.01)
        #expect(abs(size.y - 63.5) < 0.01)
        #expect(abs(size.z - 34.925) < 0.01)
    }

    @Test func nonReferencedObjectsAreNotOutput() throws {
        let model = try ThreeMF.read(data: ThreeMFFixtures.sample("3mf/3mfc_MUSTPASS_NonReferencedObjects.3mf"))
        #expect(model.objects.count == 1)
        #expect(model.placedTriangles == 12)
        #expect(model.declaredTriangles == 24)
    }

    @Test func eachBuildItemIsItsOwnObject() throws {
        let model = try ThreeMF.read(data: ThreeMFFixtures.sample("3mf/3mfc_multiple_cylinders.3mf"))
        #expect(model.objects.count == 6)
        #expect(model.objects.allSatisfy { $0.mesh.triangleCount == 88 })
        // Welding keeps the file's vertex count per instance as the source count.
        #expect(model.objects.allSatisfy { $0.mesh.sourceVertexCount == model.objects[0].mesh.sourceVertexCount })
    }

    @Test func largestSampleReadsQuickly() throws {
        let data = try ThreeMFFixtures.sample("3mf/3mfc_multipletextures.3mf")
        let clock = ContinuousClock()
        var model: ThreeMFModel? = nil
        let elapsed = try clock.measure { model = try ThreeMF.read(data: data) }
        #expect(model?.placedTriangles == 96_692)
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        print("3mfc_multipletextures.3mf read in \(Int(ms)) ms")
        // Generous enough for a debug build on a shared machine; release is far faster.
        #expect(ms < 10_000)
    }
}

@Suite struct ThreeMFStructureTests {
    typealias F = ThreeMFFixtures

    @Test func transformAttributeMapsRowVectorConvention() throws {
        // m00 m01 m02 m10 m11 m12 m20 m21 m22 m30 m31 m32: x' = x·m00 + y·m10 + z·m20 + m30.
        // This one turns 90° about z (x' = -y, y' = x) and moves by (10, 20, 30).
        let body = """
            <resources>\(F.tetrahedron(id: 1))</resources>
            <build><item objectid="1" transform="0 1 0 -1 0 0 0 0 1 10 20 30"/></build>
            """
        let model = try ThreeMF.read(data: F.package(model: F.model(body)))
        let mesh = model.objects[0].mesh
        let points = (0..<mesh.vertexCount).map { mesh.position($0) }
        #expect(points.contains(Vec3(10, 21, 30)))  // (1,0,0) -> (0,1,0) + t
        #expect(points.contains(Vec3(9, 20, 30)))  // (0,1,0) -> (-1,0,0) + t
        #expect(points.contains(Vec3(10, 20, 31)))
        // A rotation keeps the winding: the volume stays positive.
        #expect(signedVolume(mesh) > 0)
    }

    @Test func mirroringTransformKeepsTrianglesFacingOut() throws {
        let body = """
            <resources>\(F.tetrahedron(id: 1))</resources>
            <build><item objectid="1" transform="-1 0 0 0 1 0 0 0 1 0 0 0"/></build>
            """
        let model = try ThreeMF.read(data: F.package(model: F.model(body)))
        #expect(signedVolume(model.objects[0].mesh) > 0)
        #expect(model.merged.bounds.min.x == -1)
    }

    @Test func componentsComposeTransformsAndUnits() throws {
        // Object 2 holds object 1 twice (once moved 5 along x); the item moves it 100 along y;
        // the unit is centimetres, so everything is ten times larger in mm.
        let body = """
            <resources>\(F.tetrahedron(id: 1))
             <object id="2" name="pair"><components>
              <component objectid="1"/>
              <component objectid="1" transform="1 0 0 0 1 0 0 0 1 5 0 0"/>
             </components></object>
            </resources>
            <build><item objectid="2" transform="1 0 0 0 1 0 0 0 1 0 100 0"/></build>
            """
        let model = try ThreeMF.read(data: F.package(model: F.model(body, unit: "centimeter")))
        #expect(model.objects.count == 1)
        #expect(model.objects[0].name == "pair")
        #expect(model.placedTriangles == 8)
        #expect(model.declaredTriangles == 4)
        #expect(model.objects[0].mesh.sourceVertexCount == 8)
        let b = model.merged.bounds
        #expect(b.min == Vec3(0, 1000, 0))
        #expect(b.max == Vec3(60, 1010, 10))
    }

    @Test func extensionElementsAndPrefixedCoreElementsAreHandled() throws {
        // A slice-extension <s:vertex> must not become geometry; core elements may carry a prefix.
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- written by hand -->
            <c:model unit="millimeter" xmlns:c="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"
                xmlns:s="http://schemas.microsoft.com/3dmanufacturing/slice/2015/07">
             <c:resources>
              <s:slicestack id="9"><s:slice ztop="1"><s:vertices><s:vertex x="5" y="5"/></s:vertices></s:slice></s:slicestack>
              <c:object id='1'><c:mesh><c:vertices>
               <c:vertex x="0" y="0" z="0"/><c:vertex y="0" x="2" z="0"/><c:vertex z="0" y="2" x="0"/>
              </c:vertices><c:triangles><c:triangle v3="2" v1="0" v2="1"/></c:triangles></c:mesh></c:object>
             </c:resources>
             <c:build><c:item objectid="1"/></c:build>
            </c:model>
            """
        let model = try ThreeMF.read(data: F.package(model: text))
        #expect(model.placedTriangles == 1)
        #expect(model.objects[0].mesh.vertexCount == 3)
        #expect(model.objects[0].name == "object 1")
        #expect(Array(model.objects[0].mesh.indices) == [0, 1, 2])
    }

    @Test func productionExtensionPathsReachOtherModelParts() throws {
        let root = F.model(
            """
            <resources/>
            <build><item objectid="7" p:path="/3D/parts/tet.model" transform="1 0 0 0 1 0 0 0 1 0 0 3"/></build>
            """, extraNamespaces: " xmlns:p=\"http://schemas.microsoft.com/3dmanufacturing/production/2015/06\"")
        let other = F.model("<resources>\(F.tetrahedron(id: 7))</resources><build/>")
        let model = try ThreeMF.read(data: F.package(model: root, extra: [("3D/parts/tet.model", Array(other.utf8))]))
        #expect(model.placedTriangles == 4)
        #expect(model.merged.bounds.min.z == 3)

        let missing = try F.package(model: root)
        #expect(F.failure(missing)?.contains("/3D/parts/tet.model, which is not in the archive") == true)
    }

    @Test func writeThenReadKeepsCountsAndBounds() throws {
        var first = MeshBuilder()
        first.triangle(Vec3(0, 0, 0), Vec3(1.5, 0, 0), Vec3(0, 2.25, 0))
        first.triangle(Vec3(0, 0, 0), Vec3(0, 2.25, 0), Vec3(0.1, 0.2, -3.3333333))
        let a = first.build()
        let cube = try ThreeMF.read(data: F.sample("3mf/3mfc_box.3mf")).objects[0].mesh
        let b = cube.transformed(by: .translation(Vec3(12.345678, -7, 1e-3)))
        let data = try ThreeMF.write(objects: [(name: "tri & <pair>", mesh: a), (name: "box", mesh: b)])
        let back = try ThreeMF.read(data: data)
        #expect(back.unit == .millimetre)
        #expect(back.objects.count == 2)
        #expect(back.objects[0].name == "tri & <pair>")
        #expect(back.objects[1].name == "box")
        #expect(back.objects[0].mesh.triangleCount == a.triangleCount)
        #expect(back.objects[1].mesh.triangleCount == b.triangleCount)
        #expect(back.objects[0].mesh.vertexCount == a.vertexCount)
        #expect(back.objects[1].mesh.vertexCount == b.vertexCount)
        #expect(back.objects[0].mesh.bounds == a.bounds)
        #expect(back.objects[1].mesh.bounds == b.bounds)
        #expect(back.objects[1].mesh.positions == b.positions)
        #expect(back.declaredTriangles == a.triangleCount + b.triangleCount)
        // Writing is deterministic.
        #expect(try ThreeMF.write(objects: [(name: "tri & <pair>", mesh: a), (name: "box", mesh: b)]) == data)
    }

    @Test func writeInInchesDeclaresTheUnit() throws {
        var builder = MeshBuilder()
        builder.triangle(Vec3(0, 0, 0), Vec3(25.4, 0, 0), Vec3(0, 50.8, 0))
        let data = try ThreeMF.write(objects: [(name: "t", mesh: builder.build())], unit: .inch)
        let back = try ThreeMF.read(data: data)
        #expect(back.unit == .inch)
        #expect(abs(back.merged.bounds.max.y - 50.8) < 1e-4)
    }

    private func signedVolume(_ mesh: TriangleMesh) -> Double {
        var v = 0.0
        for t in 0..<mesh.triangleCount {
            let (a, b, c) = mesh.corners(t)
            v += Double(a.dot(b.cross(c))) / 6
        }
        return v
    }
}
