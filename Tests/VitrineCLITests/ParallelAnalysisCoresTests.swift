import Foundation
import MeshAnalysis
import MeshCore
import MeshIO
import Testing
import VitrineKit

/// The analysis spread over all cores with `JobRunner.cores` (as `vitrine inspect` runs it)
/// gives exactly the serial report on real meshes big enough to be split.
@Suite struct ParallelAnalysisCoresTests {
    @Test(arguments: ["scans/cjt_ogre.obj", "scans/oded_skull.obj", "broken/manyfold_bunny_non_manifold.stl", "scans/cjt_beast.obj"])
    func coresMatchSerial(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CLI.mesh(path))))
        let mesh = try MeshReader.read(bytes, fileExtension: (path as NSString).pathExtension).mesh
        #expect(mesh.triangleCount >= 1 << 15, "big enough to be split between jobs")
        let serial = MeshAnalyzer.analyze(mesh)
        for _ in 0..<3 {
            let cores = MeshAnalyzer.analyze(mesh, runner: .cores)
            #expect(cores == serial, "\(path)")
            #expect(cores.area.bitPattern == serial.area.bitPattern && cores.volume.bitPattern == serial.volume.bitPattern)
        }
    }
}
