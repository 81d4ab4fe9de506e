import CaseGen
import MeshAnalysis
import MeshCore
import Testing

/// Rounded outer corners: min(wall, 2 mm) on the clamshell (and tray), within the skirt on the lid.
@Suite struct RoundedCornerTests {
    /// The smallest distance from any vertex of `mesh` to each corner of its bounds, in the
    /// plane of axes x and `second` (2: z, the clamshell's footprint; 1: y, the lid's).
    func cornerGaps(_ mesh: TriangleMesh, second: Int = 2) -> [Float] {
        let b = mesh.bounds
        let lo = b.min[second], hi = b.max[second]
        return [(b.min.x, lo), (b.max.x, lo), (b.min.x, hi), (b.max.x, hi)].map { c in
            var best = Float.infinity
            for v in 0..<mesh.vertexCount {
                let p = mesh.position(v)
                let dx = p.x - c.0, dz = p[second] - c.1
                best = min(best, (dx * dx + dz * dz).squareRoot())
            }
            return best
        }
    }

    /// A quarter circle of radius R leaves the bounding box's corner R(√2 − 1) away.
    @Test(arguments: [(Float(2), Float(0.25)), (1.2, 0.2), (4, 0.3)])
    func clamshellCornersAreRoundedAndTheCaseStaysSound(_ wall: Float, _ resolution: Float) throws {
        let mini = boxMesh(Vec3(0, 0, 0), Vec3(20, 14, 26))
        var options = CaseOptions()
        options.wall = wall
        options.resolution = resolution
        let result = try CaseGenerator.clamshell(mini, options: options)
        let radius = (min(wall, 2) / result.resolution + 1e-4).rounded(.down) * result.resolution
        for part in result.parts {
            let expected: Float = radius * (Float(2).squareRoot() - 1)
            for gap in cornerGaps(part.mesh) {
                let off: Float = abs(gap - expected)
                #expect(off < 0.02 * radius, "\(part.name): corner gap \(gap), radius \(radius)")
            }
        }
        let check = CaseCheck.run(mini, result, options: options, samples: 3000)
        #expect(check.messages.isEmpty, "\(check.messages)")
    }

    @Test func lidAndBaseShareRoundedCorners() throws {
        let mini = try Fixture.mesh("figures/rpgscad_monk_0.stl")
        var options = CaseOptions()
        options.resolution = 0.25
        let result = try CaseGenerator.lid(mini, options: options)
        let gaps = result.parts.map { cornerGaps($0.mesh, second: 1) }
        for g in gaps { #expect(g.allSatisfy { $0 > 0.4 && $0 < 0.7 }, "\(g)") }   // radius about 1.25 mm
        #expect(zip(gaps[0], gaps[1]).allSatisfy { abs($0 - $1) < 1e-3 })
    }
}
