import Dispatch
@testable import MeshAnalysis
import MeshCore
import Testing

/// `MeshAnalyzer.analyze` must give the same report, bit for bit, whatever runner splits
/// its work: here every mesh is split into jobs (even small ones) and the jobs run in
/// order, in reverse order and on threads.
@Suite struct ParallelAnalysisTests {
    static let paths: [String] = [
        "scans/cjt_ogre.obj", "scans/cjt_beast.obj", "scans/cjt_horse.ply", "scans/oded_lionstatue.obj",
        "broken/manyfold_bunny_manifold.stl", "broken/manyfold_bunny_non_manifold.stl", "broken/oded_plane_holes.obj",
        "broken/trimesh_joined_tetrahedra.obj", "broken/trimesh_multibody_inverted.stl", "broken/trimesh_shared_edge.STL",
        "broken/trimesh_soup.stl", "broken/trimesh_teapot_open.stl", "broken/trimesh_wallhole.obj",
        "figures/rpgscad_king_troll.stl", "figures/rpgscad_mini_giant_boar_0.stl", "figures/rpgscad_mini_goblin_bow0.stl",
        "figures/rpgscad_mini_housecarl.stl", "figures/rpgscad_monk_0.stl", "figures/rpgscad_wyrmling.stl",
    ]

    /// Runs the jobs one by one on this thread, first to last.
    static func inOrder(_ width: Int) -> JobRunner {
        JobRunner(width: width) { count, body in for i in 0..<count { body(i) } }
    }

    /// Runs the jobs one by one, last to first, so a job that relied on an earlier one
    /// having run would go wrong.
    static func reversed(_ width: Int) -> JobRunner {
        JobRunner(width: width) { count, body in for i in (0..<count).reversed() { body(i) } }
    }

    /// Runs the jobs on threads, as a native caller would.
    static let threads = JobRunner(width: 4) { count, body in
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let job = body
            DispatchQueue.concurrentPerform(iterations: count) { job($0) }
        }
    }

    @Test(arguments: paths)
    func sameReportForEveryRunner(path: String) throws {
        let mesh = try Meshes.read(path)
        let serial = MeshAnalyzer.analyze(mesh)
        #expect(serial.triangles == mesh.triangleCount)
        for (name, runner) in [("2 in order", Self.inOrder(2)), ("4 in order", Self.inOrder(4)), ("3 reversed", Self.reversed(3)),
                               ("8 reversed", Self.reversed(8)), ("threads", Self.threads)] {
            let split = MeshAnalyzer.analyze(mesh, runner: runner, parallelFrom: 1)
            #expect(split == serial, "\(path), runner \(name)")
            // Compare the bits too: == on Double would let -0 pass for 0.
            #expect(split.area.bitPattern == serial.area.bitPattern && split.volume.bitPattern == serial.volume.bitPattern, "\(path), runner \(name)")
        }
        // The public entry point with a wide runner (big meshes split by default).
        #expect(MeshAnalyzer.analyze(mesh, runner: Self.threads) == serial)
    }

    /// Out-of-range indices make the analyzer start over without them; splitting must not
    /// change that either.
    @Test func invalidIndicesWithSplitJobs() throws {
        var mesh = try Meshes.read("figures/rpgscad_monk_0.stl")
        mesh.indices += [0, 1, UInt32(mesh.vertexCount + 5)]
        let serial = MeshAnalyzer.analyze(mesh)
        #expect(serial.triangles == 4_475)
        #expect(serial.degenerateTriangles >= 1)
        #expect(MeshAnalyzer.analyze(mesh, runner: Self.inOrder(4), parallelFrom: 1) == serial)
        #expect(MeshAnalyzer.analyze(mesh, runner: Self.threads, parallelFrom: 1) == serial)
    }

    /// Bounds are merged from per-job parts; they must equal the mesh's own.
    @Test func boundsMatchTheMesh() throws {
        let mesh = try Meshes.read("scans/cjt_ogre.obj")
        let r = MeshAnalyzer.analyze(mesh, runner: Self.reversed(4), parallelFrom: 1)
        #expect(r.bounds == mesh.bounds)
        #expect(r.size == mesh.bounds.size)
    }
}
