import MeshAnalysis
import MeshCore
import Testing

/// True when every edge has exactly two triangles running it in opposite directions,
/// counted independently of the analyzer.
func closedAndOriented(_ mesh: TriangleMesh) -> Bool {
    mesh.triangleCount > 0 && SlowEdgeCounts(mesh) == SlowEdgeCounts(boundary: 0, nonManifold: 0, inconsistent: 0)
}

@Suite struct MeshRepairerTests {
    @Test func closedBoxComesBackUnchanged() {
        let box = Meshes.box()
        let (mesh, report) = MeshRepairer.repair(box)
        #expect(mesh.triangleCount == 12)
        #expect(mesh.indices == box.indices)
        #expect(report.after.volume == 24)
        #expect(report.flippedTriangles == 0 && report.flippedComponents == 0 && report.filledHoles == 0)
        #expect(report.lines.count == 1)
        #expect(report.lines.last?.hasPrefix("result is watertight") == true)
    }

    @Test func insideOutBoxIsTurnedOutward() {
        let (mesh, report) = MeshRepairer.repair(Meshes.flipped(Meshes.box()))
        #expect(report.flippedComponents == 1)
        #expect(report.after.volume == 24)
        #expect(report.after.insideOutComponents == 0)
        #expect(closedAndOriented(mesh))
        #expect(report.lines.contains("turned 1 inside-out component outward"))
    }

    @Test func oneFlippedFaceIsFlippedBack() {
        var box = Meshes.box()
        box.indices.swapAt(1, 2)
        let (mesh, report) = MeshRepairer.repair(box)
        #expect(report.flippedTriangles == 1)
        #expect(report.flippedComponents == 0)
        #expect(closedAndOriented(mesh))
        #expect(report.after.volume == 24)
    }

    @Test func openBoxIsClosed() {
        var box = Meshes.box()
        box.indices.removeSubrange(6..<12)
        let (mesh, report) = MeshRepairer.repair(box)
        #expect(report.filledHoles == 1)
        #expect(report.filledTriangles == 2)
        #expect(closedAndOriented(mesh))
        #expect(report.after.volume == 24)
        #expect(report.lines.contains("filled 1 hole with 2 triangles"))
    }

    @Test func holesAreLeftOpenWhenFillingIsOffOrTheyAreTooLong() {
        var box = Meshes.box()
        box.indices.removeSubrange(6..<12)
        let off = MeshRepairer.repair(box, options: RepairOptions(fillHoles: false))
        #expect(off.report.unfilledHoles == 1)
        #expect(!off.report.after.watertight)
        let short = MeshRepairer.repair(box, options: RepairOptions(maxHoleEdges: 3))
        #expect(short.report.unfilledHoles == 1)
        #expect(short.report.lines.contains { $0.contains("longer than 3 edges") })
    }

    @Test func unweldedDegenerateAndDuplicateTrianglesAreCleaned() {
        // The box as a triangle soup (every corner its own vertex), plus a repeated-index
        // triangle, a collinear one and a same-winding duplicate.
        let box = Meshes.box()
        var soup = TriangleMesh()
        for t in 0..<box.triangleCount {
            let (a, b, c) = box.corners(t)
            soup.append(TriangleMesh(positions: [a.x, a.y, a.z, b.x, b.y, b.z, c.x, c.y, c.z], indices: [0, 1, 2]))
        }
        soup.positions += [0, 0, 0, 1, 0, 0, 2, 0, 0]
        soup.indices += [36, 36, 37, 36, 37, 38, 0, 1, 2]
        let (mesh, report) = MeshRepairer.repair(soup)
        #expect(report.weldedVertices == 39 - 9)  // 8 corners and the collinear triangle's (1, 0, 0)
        #expect(report.removedDegenerate == 2)
        #expect(report.removedDuplicate == 1)
        #expect(mesh.triangleCount == 12)
        #expect(mesh.vertexCount == 8)
        #expect(closedAndOriented(mesh))
    }

    @Test func backToBackFacesCancel() throws {
        // Two tetrahedra glued on a face, each keeping its copy of it (opposite windings):
        // both copies go and a closed bipyramid remains.
        let mesh = try Meshes.read("broken/trimesh_joined_tetrahedra.obj")
        let (fixed, report) = MeshRepairer.repair(mesh)
        #expect(report.removedDuplicate == 2)
        #expect(fixed.triangleCount == 6)
        #expect(closedAndOriented(fixed))
    }

    @Test func aLooseTriangleIsNotAHole() {
        let (mesh, report) = MeshRepairer.repair(TriangleMesh(positions: [0, 0, 0, 1, 0, 0, 0, 1, 0], indices: [0, 1, 2]))
        #expect(mesh.triangleCount == 1)
        #expect(report.filledHoles == 0)
        #expect(report.unfilledHoles == 1)
    }

    /// Broken real files whose holes are all simple loops: repair makes them closed,
    /// consistently wound and outward.
    @Test(arguments: [
        "broken/trimesh_teapot_open.stl", "broken/manyfold_bunny_non_manifold.stl", "broken/oded_plane_holes.obj",
        "broken/trimesh_multibody_inverted.stl", "scans/oded_lionstatue.obj", "scans/oded_demosthenes_lowres.obj",
        "scans/cjt_ogre.obj", "scans/cjt_beast.obj", "scans/cjt_horse.ply",
    ])
    func brokenRealFilesBecomeWatertight(_ path: String) throws {
        let mesh = try Meshes.read(path)
        let (fixed, report) = MeshRepairer.repair(mesh)
        #expect(!report.before.watertight || report.before.inconsistentEdges > 0 || report.before.insideOutComponents > 0)
        #expect(report.after.watertight)
        #expect(report.after.inconsistentEdges == 0)
        #expect(report.after.insideOutComponents == 0)
        #expect(report.after.volume > 0)
        #expect(closedAndOriented(fixed))
        #expect(report.lines.last?.hasPrefix("result is watertight") == true)
    }

    @Test func insideOutBodiesBecomePositive() throws {
        let multibody = MeshRepairer.repair(try Meshes.read("broken/trimesh_multibody_inverted.stl")).report
        #expect(multibody.flippedComponents == 2)
        #expect(abs(multibody.after.volume - 0.0074232) < 1e-6)  // trimesh fix_normals: 0.0014714 + 0.0059518
        let horse = MeshRepairer.repair(try Meshes.read("scans/cjt_horse.ply")).report
        #expect(horse.flippedComponents == 1)
        #expect(abs(horse.after.volume + horse.before.volume) < 1e-12)
    }

    @Test func holesAreCountedInTheReport() throws {
        let teapot = MeshRepairer.repair(try Meshes.read("broken/trimesh_teapot_open.stl")).report
        #expect(teapot.filledHoles == 6)
        #expect(teapot.lines.contains("filled 6 holes with \(teapot.filledTriangles) triangles"))
        let bunny = MeshRepairer.repair(try Meshes.read("broken/manyfold_bunny_non_manifold.stl")).report
        #expect(bunny.filledHoles == 5)  // the Stanford bunny's five scan holes
    }

    @Test(arguments: ["figures/rpgscad_monk_0.stl", "scans/cjt_nefertiti.obj", "stl_edge/trimesh_counter_unitsmm.STL"])
    func closedRealMeshesStayTheSame(_ path: String) throws {
        let mesh = try Meshes.read(path)
        let (fixed, report) = MeshRepairer.repair(mesh)
        #expect(fixed.triangleCount == mesh.triangleCount)
        #expect(report.after.volume == report.before.volume)
        #expect(fixed.indices == mesh.indices)
        #expect(report.lines.count == 1)
    }

    @Test func whatCannotBeFixedIsSaid() throws {
        let shared = MeshRepairer.repair(try Meshes.read("broken/trimesh_shared_edge.STL")).report
        #expect(!shared.after.watertight)
        #expect(shared.lines.last == "result is still not watertight: 1 non-manifold edge")
        let soup = MeshRepairer.repair(try Meshes.read("broken/trimesh_soup.stl")).report
        #expect(soup.after.triangles == 100)
        #expect(soup.unfilledHoles == 100)
    }
}
