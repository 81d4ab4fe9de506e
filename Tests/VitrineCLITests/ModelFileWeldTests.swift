import Foundation
import MeshCore
import MeshIO
import Testing
import VitrineKit

/// `ModelFile.load` welds binary STL on all cores (`JobRunner.cores`); the mesh must be exactly
/// the one the serial reader gives, vertex numbering included.
@Suite struct ModelFileWeldTests {
    @Test(arguments: ["converted_stl/conv_cjt_ogre.stl", "converted_stl/conv_oded_scorpion.stl", "figures/rpgscad_wyrmling.stl"])
    func coresWeldLikeSerial(_ file: String) throws {
        let path = CLI.mesh(file)
        let loaded = try ModelFile.load(path: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let serial = try bytes.withUnsafeBytes { raw throws(MeshIOError) in
            try MeshReader.read(raw, fileExtension: "stl", runner: .serial).mesh
        }
        #expect(loaded.format == "stl-binary")
        #expect(loaded.mesh.positions == serial.positions)
        #expect(loaded.mesh.indices == serial.indices)
        #expect(loaded.mesh.sourceVertexCount == serial.sourceVertexCount)
        #expect(JobRunner.cores.width >= 1)
    }
}
