import MeshCore
import MeshIO
import Testing

/// Every shared real mesh in these folders reads with the triangle count MANIFEST.md gives, in
/// the right format; the welded vertex count matches the exact-equal float32 positions that
/// numpy's `unique` finds over trimesh's raw load (computed once, recorded here).
@Suite struct RealMeshTests {
    struct Expected: CustomTestStringConvertible, Sendable {
        var path: String
        var format: MeshFormat
        var triangles: Int
        var vertices: Int
        var testDescription: String { path }
    }

    static let folders = ["figures", "stl_ascii", "stl_edge", "broken", "converted_stl", "scans"]

    static let table: [Expected] = [
        .init(path: "figures/rpgscad_mini_goblin_bow0.stl", format: .stlASCII, triangles: 7_872, vertices: 3_926),
        .init(path: "figures/rpgscad_king_troll.stl", format: .stlASCII, triangles: 7_002, vertices: 3_495),
        .init(path: "figures/rpgscad_wyrmling.stl", format: .stlBinary, triangles: 5_838, vertices: 2_889),
        .init(path: "figures/rpgscad_mini_giant_boar_0.stl", format: .stlASCII, triangles: 4_796, vertices: 2_392),
        .init(path: "figures/rpgscad_mini_housecarl.stl", format: .stlASCII, triangles: 4_048, vertices: 2_012),
        .init(path: "figures/rpgscad_monk_0.stl", format: .stlASCII, triangles: 4_474, vertices: 2_233),
        .init(path: "scans/cjt_ogre.obj", format: .obj, triangles: 124_008, vertices: 62_185),
        .init(path: "scans/cjt_beast.obj", format: .obj, triangles: 64_618, vertices: 32_311),
        .init(path: "scans/cjt_nefertiti.obj", format: .obj, triangles: 99_938, vertices: 49_971),
        .init(path: "scans/cjt_horse.ply", format: .ply, triangles: 96_966, vertices: 48_485),
        .init(path: "scans/oded_demosthenes_lowres.obj", format: .obj, triangles: 16_719, vertices: 8_394),
        .init(path: "scans/oded_human_man.obj", format: .obj, triangles: 13_776, vertices: 6_890),
        .init(path: "scans/oded_scorpion.obj", format: .obj, triangles: 99_990, vertices: 49_997),
        .init(path: "scans/oded_skull.obj", format: .obj, triangles: 100_002, vertices: 49_999),
        .init(path: "scans/oded_skull_low_resolution.obj", format: .obj, triangles: 10_312, vertices: 5_154),
        .init(path: "scans/oded_koala.obj", format: .obj, triangles: 99_994, vertices: 49_999),
        .init(path: "scans/oded_lionstatue.obj", format: .obj, triangles: 63_338, vertices: 31_825),
        .init(path: "scans/oded_armadillo.obj", format: .obj, triangles: 29_170, vertices: 14_587),
        .init(path: "converted_stl/conv_cjt_ogre.stl", format: .stlBinary, triangles: 124_008, vertices: 62_185),
        .init(path: "converted_stl/conv_oded_scorpion.stl", format: .stlBinary, triangles: 99_990, vertices: 49_997),
        .init(path: "converted_stl/conv_cjt_nefertiti.stl", format: .stlBinary, triangles: 99_938, vertices: 49_971),
        .init(path: "stl_ascii/npstl_HalfDonut.stl", format: .stlASCII, triangles: 288, vertices: 144),
        .init(path: "stl_ascii/npstl_dos_crlf.stl", format: .stlASCII, triangles: 116, vertices: 60),
        .init(path: "stl_ascii/npstl_bwb.stl", format: .stlASCII, triangles: 4_464, vertices: 2_234),
        .init(path: "stl_ascii/trimesh_two_objects_mixed_case.stl", format: .stlASCII, triangles: 24, vertices: 16),
        .init(path: "stl_ascii/trimesh_fuji_obj.stl", format: .stlASCII, triangles: 344, vertices: 174),
        .init(path: "stl_edge/npstl_CubeInvalidUnicode.stl", format: .stlBinary, triangles: 12, vertices: 8),
        .init(path: "stl_edge/npstl_StarWithEmptyHeader.stl", format: .stlBinary, triangles: 68, vertices: 36),
        .init(path: "stl_edge/trimesh_idler_riser.STL", format: .stlBinary, triangles: 1_572, vertices: 803),
        .init(path: "stl_edge/trimesh_20mm-xyz-cube.stl", format: .stlBinary, triangles: 260, vertices: 132),
        .init(path: "stl_edge/trimesh_busted.STL", format: .stlBinary, triangles: 3_878, vertices: 1_941),
        .init(path: "stl_edge/trimesh_counter_unitsmm.STL", format: .stlBinary, triangles: 83_750, vertices: 41_837),
        .init(path: "broken/trimesh_soup.stl", format: .stlBinary, triangles: 100, vertices: 300),
        .init(path: "broken/trimesh_shared_edge.STL", format: .stlBinary, triangles: 24, vertices: 14),
        .init(path: "broken/trimesh_joined_tetrahedra.obj", format: .obj, triangles: 8, vertices: 5),
        // MANIFEST.md says 60, but three `f` lines continue with `\` onto the next line: the 13
        // polygons have 8, 11, 8, 6, 6, 6, 11, 6, 6, 6, 6, 6, 6 corners, so 66 fan triangles (trimesh agrees).
        .init(path: "broken/trimesh_wallhole.obj", format: .obj, triangles: 66, vertices: 35),
        .init(path: "broken/trimesh_multibody_inverted.stl", format: .stlASCII, triangles: 32, vertices: 20),
        .init(path: "broken/trimesh_teapot_open.stl", format: .stlBinary, triangles: 894, vertices: 480),
        .init(path: "broken/manyfold_bunny_non_manifold.stl", format: .stlBinary, triangles: 69_451, vertices: 34_834),
        .init(path: "broken/manyfold_bunny_manifold.stl", format: .stlBinary, triangles: 66_848, vertices: 33_426),
        .init(path: "broken/oded_plane_holes.obj", format: .obj, triangles: 16_747, vertices: 8_519),
    ]

    @Test func tableCoversEveryFileInTheFolders() throws {
        var onDisk: [String] = []
        for folder in Self.folders {
            for name in try TestFiles.listing(folder) { onDisk.append("\(folder)/\(name)") }
        }
        #expect(onDisk.sorted() == Self.table.map(\.path).sorted())
    }

    @Test(arguments: table)
    func readsWithManifestCounts(_ expected: Expected) throws {
        let bytes = try TestFiles.publicMesh(expected.path)
        let ext = String(expected.path.split(separator: ".").last!)
        let result = try MeshReader.read(bytes, fileExtension: ext)
        #expect(result.format == expected.format)
        #expect(result.mesh.triangleCount == expected.triangles)
        #expect(result.mesh.vertexCount == expected.vertices)
        #expect(result.mesh.indices.allSatisfy { Int($0) < result.mesh.vertexCount })
        #expect(result.mesh.positions.allSatisfy { $0.isFinite })
        // Detection must not depend on the extension.
        let detected = bytes.withUnsafeBytes { MeshReader.detect($0, fileExtension: nil) }
        #expect(detected == expected.format)
        if expected.format == .stlBinary || expected.format == .stlASCII {
            #expect(result.mesh.sourceVertexCount == 3 * expected.triangles)
        } else {
            #expect(result.mesh.sourceVertexCount >= result.mesh.vertexCount)
        }
    }

    @Test func indexedFormatsKeepTheVertexCountTheFileListed() throws {
        let ogre = try MeshReader.read(try TestFiles.publicMesh("scans/cjt_ogre.obj"), fileExtension: "obj").mesh
        #expect(ogre.sourceVertexCount == 62_194)
        #expect(ogre.vertexCount == 62_185)
        let horse = try MeshReader.read(try TestFiles.publicMesh("scans/cjt_horse.ply"), fileExtension: "ply").mesh
        #expect(horse.sourceVertexCount == 48_485)
    }

    @Test func binaryAndObjCopiesOfTheSameModelAgree() throws {
        let stl = try MeshReader.read(try TestFiles.publicMesh("converted_stl/conv_cjt_nefertiti.stl"), fileExtension: "stl").mesh
        let obj = try MeshReader.read(try TestFiles.publicMesh("scans/cjt_nefertiti.obj"), fileExtension: "obj").mesh
        #expect(stl.bounds == obj.bounds)
        #expect(stl.vertexCount == obj.vertexCount)
        #expect(stl.triangleCount == obj.triangleCount)
    }
}
