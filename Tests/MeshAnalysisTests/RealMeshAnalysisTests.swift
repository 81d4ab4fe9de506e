import MeshAnalysis
import MeshCore
import Testing

/// The analyzer on every shared real mesh (STL, OBJ, PLY), against figures computed
/// independently with trimesh 5.2 and numpy on the same exactly-welded vertices:
/// `is_watertight`, shells (`split(only_watertight=False)`), edge-use counts, exact-zero
/// area triangles, duplicate faces and volume of closed meshes.
@Suite struct RealMeshAnalysisTests {
    struct Expected: CustomTestStringConvertible, Sendable {
        var path: String
        var triangles: Int
        var watertight: Bool
        var boundary = 0, nonManifold = 0, components = 1, degenerate = 0, duplicates = 0
        var consistent = true
        /// trimesh's volume, compared when the mesh is closed and consistently wound.
        var volume: Double? = nil
        var insideOut = 0
        var testDescription: String { path }
    }

    static let table: [Expected] = [
        .init(path: "broken/manyfold_bunny_manifold.stl", triangles: 66_848, watertight: true, volume: 128_400.2866),
        .init(path: "broken/manyfold_bunny_non_manifold.stl", triangles: 69_451, watertight: false, boundary: 223),
        .init(path: "broken/oded_plane_holes.obj", triangles: 16_747, watertight: false, boundary: 341),
        .init(path: "broken/trimesh_joined_tetrahedra.obj", triangles: 8, watertight: false, nonManifold: 3, components: 4, duplicates: 1),
        .init(path: "broken/trimesh_multibody_inverted.stl", triangles: 32, watertight: true, components: 2, consistent: false),
        .init(path: "broken/trimesh_shared_edge.STL", triangles: 24, watertight: false, nonManifold: 1, components: 2),
        .init(path: "broken/trimesh_soup.stl", triangles: 100, watertight: false, boundary: 300, components: 100),
        .init(path: "broken/trimesh_teapot_open.stl", triangles: 894, watertight: false, boundary: 64, components: 4),
        .init(path: "converted_stl/conv_cjt_nefertiti.stl", triangles: 99_938, watertight: true, volume: 11_553_383.53),
        .init(path: "converted_stl/conv_cjt_ogre.stl", triangles: 124_008, watertight: false, boundary: 200, components: 44, degenerate: 4),
        .init(path: "converted_stl/conv_oded_scorpion.stl", triangles: 99_990, watertight: true, volume: 11.951206),
        .init(path: "figures/rpgscad_king_troll.stl", triangles: 7_002, watertight: true, volume: 8_970.687),
        .init(path: "figures/rpgscad_mini_giant_boar_0.stl", triangles: 4_796, watertight: true, volume: 10_507.136),
        .init(path: "figures/rpgscad_mini_goblin_bow0.stl", triangles: 7_872, watertight: true, components: 2, volume: 1_751.990),
        .init(path: "figures/rpgscad_mini_housecarl.stl", triangles: 4_048, watertight: true, volume: 3_919.164),
        .init(path: "figures/rpgscad_monk_0.stl", triangles: 4_474, watertight: true, volume: 2_262.046),
        .init(path: "figures/rpgscad_wyrmling.stl", triangles: 5_838, watertight: true, volume: 6_084.027),
        .init(path: "scans/cjt_beast.obj", triangles: 64_618, watertight: false, nonManifold: 2, components: 3, duplicates: 2),
        .init(path: "scans/cjt_horse.ply", triangles: 96_966, watertight: true, volume: -0.000263418, insideOut: 1),
        .init(path: "scans/cjt_nefertiti.obj", triangles: 99_938, watertight: true, volume: 11_553_383.52),
        .init(path: "scans/cjt_ogre.obj", triangles: 124_008, watertight: false, boundary: 200, components: 44, degenerate: 4),
        .init(path: "scans/oded_armadillo.obj", triangles: 29_170, watertight: true, volume: 0.0683229),
        .init(path: "scans/oded_demosthenes_lowres.obj", triangles: 16_719, watertight: false, boundary: 67),
        .init(path: "scans/oded_human_man.obj", triangles: 13_776, watertight: true, volume: 0.0828309),
        .init(path: "scans/oded_koala.obj", triangles: 99_994, watertight: true, volume: 57.08943),
        .init(path: "scans/oded_lionstatue.obj", triangles: 63_338, watertight: false, boundary: 322, consistent: false),
        .init(path: "scans/oded_scorpion.obj", triangles: 99_990, watertight: true, volume: 11.951206),
        .init(path: "scans/oded_skull.obj", triangles: 100_002, watertight: true, volume: 563.4196),
        .init(path: "scans/oded_skull_low_resolution.obj", triangles: 10_312, watertight: true, volume: 562.5215),
        .init(path: "stl_ascii/npstl_HalfDonut.stl", triangles: 288, watertight: true, volume: 2.343149),
        .init(path: "stl_ascii/npstl_bwb.stl", triangles: 4_464, watertight: true, volume: 1_103.570),
        .init(path: "stl_ascii/npstl_dos_crlf.stl", triangles: 116, watertight: true, volume: 0.8887226),
        .init(path: "stl_ascii/trimesh_fuji_obj.stl", triangles: 344, watertight: true, volume: 12_442.543),
        .init(path: "stl_ascii/trimesh_two_objects_mixed_case.stl", triangles: 24, watertight: true, components: 2, volume: 2),
        .init(path: "stl_edge/npstl_CubeInvalidUnicode.stl", triangles: 12, watertight: true, volume: 8),
        .init(path: "stl_edge/npstl_StarWithEmptyHeader.stl", triangles: 68, watertight: true, volume: 1.416599),
        .init(path: "stl_edge/trimesh_20mm-xyz-cube.stl", triangles: 260, watertight: true, volume: 7_938.682),
        .init(path: "stl_edge/trimesh_busted.STL", triangles: 3_878, watertight: true, volume: 526.4489),
        .init(path: "stl_edge/trimesh_counter_unitsmm.STL", triangles: 83_750, watertight: true, components: 6, volume: 888_809.01),
        // trimesh merges vertices rounded to 1e-8 and calls this watertight; exactly welded,
        // CAD round-off (-5.7e-17 vs -6.0e-17 where 0 was meant) leaves 44 boundary edges.
        .init(path: "stl_edge/trimesh_idler_riser.STL", triangles: 1_572, watertight: false, boundary: 44, components: 3),
    ]

    @Test(arguments: table)
    func matchesTrimesh(_ e: Expected) throws {
        let mesh = try Meshes.read(e.path)
        let r = MeshAnalyzer.analyze(mesh)
        #expect(r.triangles == e.triangles)
        #expect(r.watertight == e.watertight)
        #expect(r.boundaryEdges == e.boundary)
        #expect(r.nonManifoldEdges == e.nonManifold)
        #expect((r.inconsistentEdges == 0) == e.consistent)
        #expect(r.components == e.components)
        #expect(r.degenerateTriangles == e.degenerate)
        #expect(r.duplicateTriangles == e.duplicates)
        #expect(r.insideOutComponents == e.insideOut)
        if let v = e.volume {
            #expect(abs(r.volume - v) <= 1e-5 * abs(v), "volume \(r.volume), trimesh \(v)")
        }
        #expect(r.area > 0)
    }

    @Test(arguments: ["broken/trimesh_wallhole.obj", "broken/trimesh_joined_tetrahedra.obj", "scans/oded_lionstatue.obj", "broken/trimesh_teapot_open.stl"])
    func edgeCountsAgreeWithADictionaryCount(_ path: String) throws {
        let mesh = try Meshes.read(path)
        let r = MeshAnalyzer.analyze(mesh)
        let slow = SlowEdgeCounts(mesh)
        #expect(SlowEdgeCounts(boundary: r.boundaryEdges, nonManifold: r.nonManifoldEdges, inconsistent: r.inconsistentEdges) == slow)
    }
}
