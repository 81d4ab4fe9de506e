import Foundation
import MeshAnalysis
import MeshCore
import Testing

@Suite struct MeshAnalyzerTests {
    @Test func boxHasExactVolumeAndAreaAndIsWatertight() {
        let r = MeshAnalyzer.analyze(Meshes.box())
        #expect(r.triangles == 12)
        #expect(r.vertices == 8)
        #expect(r.volume == 24)
        #expect(r.area == 52)
        #expect(r.size == Vec3(2, 3, 4))
        #expect(r.watertight)
        #expect(r.boundaryEdges == 0 && r.nonManifoldEdges == 0 && r.inconsistentEdges == 0)
        #expect(r.components == 1)
        #expect(r.insideOutComponents == 0)
        #expect(r.degenerateTriangles == 0 && r.duplicateTriangles == 0)
    }

    @Test func flippedBoxIsInsideOut() {
        let r = MeshAnalyzer.analyze(Meshes.flipped(Meshes.box()))
        #expect(r.volume == -24)
        #expect(r.watertight)
        #expect(r.inconsistentEdges == 0)
        #expect(r.insideOutComponents == 1)
    }

    @Test func openBoxHasFourBoundaryEdges() {
        var box = Meshes.box()
        box.indices.removeSubrange(6..<12)  // the +z face
        let r = MeshAnalyzer.analyze(box)
        #expect(r.boundaryEdges == 4)
        #expect(!r.watertight)
        #expect(r.components == 1)
        #expect(r.insideOutComponents == 0)  // open: no sign to judge
    }

    @Test func twoBoxesSharingAnEdgeAreTwoComponentsWithOneNonManifoldEdge() {
        let mesh = Meshes.joined(Meshes.box(Vec3(0, 0, 0), Vec3(1, 1, 1)), Meshes.box(Vec3(1, 1, 0), Vec3(2, 2, 1)))
        let r = MeshAnalyzer.analyze(mesh)
        #expect(r.vertices == 14)
        #expect(r.nonManifoldEdges == 1)
        #expect(r.components == 2)
        #expect(!r.watertight)
        #expect(r.insideOutComponents == 0)
        #expect(r.volume == 2)
    }

    @Test func anInsideOutBoxSharingAnEdgeIsStillFound() {
        let mesh = Meshes.joined(Meshes.box(Vec3(0, 0, 0), Vec3(1, 1, 1)), Meshes.flipped(Meshes.box(Vec3(1, 1, 0), Vec3(2, 2, 1))))
        let r = MeshAnalyzer.analyze(mesh)
        #expect(r.components == 2)
        #expect(r.insideOutComponents == 1)
    }

    @Test func separateBoxesAreSeparateComponents() {
        let mesh = Meshes.joined(Meshes.box(Vec3(0, 0, 0), Vec3(1, 1, 1)), Meshes.flipped(Meshes.box(Vec3(5, 0, 0), Vec3(6, 1, 1))))
        let r = MeshAnalyzer.analyze(mesh)
        #expect(r.components == 2)
        #expect(r.watertight)
        #expect(r.insideOutComponents == 1)
        #expect(r.volume == 0)
    }

    @Test func oneFlippedFaceMakesInconsistentEdgesButStaysWatertight() {
        var box = Meshes.box()
        box.indices.swapAt(1, 2)
        let r = MeshAnalyzer.analyze(box)
        #expect(r.inconsistentEdges == 3)
        #expect(r.watertight)  // as trimesh's is_watertight: winding is reported separately
        #expect(r.insideOutComponents == 0)
        #expect(SlowEdgeCounts(box) == SlowEdgeCounts(boundary: 0, nonManifold: 0, inconsistent: 3))
    }

    @Test func degenerateTrianglesAreCountedAndARepeatedIndexBreaksWatertightness() {
        var box = Meshes.box()
        box.indices += [0, 0, 1]  // repeated index: its edge 0-0 has one use
        let r = MeshAnalyzer.analyze(box)
        #expect(r.degenerateTriangles == 1)
        #expect(!r.watertight)

        // Collinear corners with distinct indices: zero area, but topologically a face.
        let line = TriangleMesh(positions: [0, 0, 0, 1, 0, 0, 2, 0, 0], indices: [0, 1, 2])
        #expect(MeshAnalyzer.analyze(line).degenerateTriangles == 1)
    }

    @Test func duplicatesInAnyOrderAreCountedOnce() {
        var box = Meshes.box()
        box.indices += [box.indices[2], box.indices[1], box.indices[0]]  // reversed copy
        box.indices += [box.indices[4], box.indices[5], box.indices[3]]  // rotated copy
        box.indices += [box.indices[4], box.indices[5], box.indices[3]]  // and again
        let r = MeshAnalyzer.analyze(box)
        #expect(r.duplicateTriangles == 3)
        #expect(r.triangles == 15)
    }

    @Test func emptyAndOutOfRangeMeshesDoNotCrash() {
        let empty = MeshAnalyzer.analyze(TriangleMesh())
        #expect(!empty.watertight)
        #expect(empty.components == 0)
        let bad = TriangleMesh(positions: [0, 0, 0, 1, 0, 0, 0, 1, 0], indices: [0, 1, 2, 0, 1, 9])
        let r = MeshAnalyzer.analyze(bad)
        #expect(r.triangles == 2)
        #expect(r.degenerateTriangles == 1)
        #expect(r.boundaryEdges == 3)
    }

    @Test func fanCentreWithManyTrianglesIsCountedCorrectly() {
        // A closed double cone with 100 segments: its two apexes each have 100 edges, which
        // takes the large-group path of the edge table.
        let segments = 100
        var positions: [Float] = [0, 0, 1, 0, 0, -1]
        var indices: [UInt32] = []
        for i in 0..<segments {
            let a = Float(i) * 2 * Float.pi / Float(segments)
            positions += [cos(a), sin(a), 0]
        }
        for i in 0..<segments {
            let p = UInt32(2 + i), q = UInt32(2 + (i + 1) % segments)
            indices += [0, p, q, 1, q, p]
        }
        let r = MeshAnalyzer.analyze(TriangleMesh(positions: positions, indices: indices))
        #expect(r.watertight)
        #expect(r.inconsistentEdges == 0)
        #expect(r.volume > 0)
        #expect(r.components == 1)
    }
}
