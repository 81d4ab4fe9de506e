import CaseGen
import MeshAnalysis
import MeshCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MagnetTests {
    @Test func pocketsHaveTheStatedSizeInBothHalvesAndKeepClearOfTheCavity() throws {
        let mini = try Fixture.mesh("figures/rpgscad_wyrmling.stl")
        var options = CaseOptions()
        options.resolution = 0.2
        options.magnets = MagnetSize(diameter: 6, height: 2)
        let result = try CaseGenerator.clamshell(mini, options: options)
        let res = result.resolution, plane = result.partingY
        #expect(result.magnets.count >= 2)
        let r = Float(3.15)
        for (index, part) in result.parts.enumerated() {
            let a = MeshAnalyzer.analyze(part.mesh)
            #expect(a.watertight && a.inconsistentEdges == 0 && a.volume > 0, "\(part.name) not closed")
            let probe = ColumnProbe(part.mesh, cell: 1)
            // Depth of the parting-side surface below the plane at (x, z).
            func depth(_ x: Float, _ z: Float) -> Float {
                let hs = probe.heights(x: x, z: z)
                if index == 0 { return plane - (hs.max() ?? plane) } else { return (hs.min() ?? plane) - plane }
            }
            let b = part.mesh.bounds
            for m in result.magnets {
                #expect(abs(depth(m.x, m.z) - 2) < 0.01, "\(part.name) pocket depth \(depth(m.x, m.z))")
                // Diameter along x and z through the centre: the run of cells at full depth.
                for (dx, dz) in [(Float(1), Float(0)), (0, 1)] {
                    var lo: Float = 0, hi: Float = 0
                    while abs(depth(m.x - (lo + 0.01) * dx, m.z - (lo + 0.01) * dz) - 2) < 0.01 { lo += 0.01 }
                    while abs(depth(m.x + (hi + 0.01) * dx, m.z + (hi + 0.01) * dz) - 2) < 0.01 { hi += 0.01 }
                    #expect(abs(lo + hi - 2 * r) <= 2 * res + 0.02, "\(part.name) pocket diameter \(lo + hi)")
                }
                // At least 1 mm of flat parting face around the pocket: no cavity, no outside.
                #expect(m.x - r - 1 >= b.min.x && m.x + r + 1 <= b.max.x && m.z - r - 1 >= b.min.z && m.z + r + 1 <= b.max.z)
                for s in 0..<64 {
                    let t = Float(s) / 64 * 2 * .pi
                    for radius in [r + 3 * res, r + 1] {
                        let d = depth(m.x + radius * cos(t), m.z + radius * sin(t))
                        #expect(abs(d) < 1e-3, "\(part.name): \(d) mm deep at \(radius) mm from a pocket")
                    }
                }
            }
        }
        let check = CaseCheck.run(mini, result, options: options, samples: 3000)
        #expect(check.messages.isEmpty, "\(check.messages)")
    }

    @Test func bigMagnetsWidenTheWallsAndSaySo() throws {
        let mini = try Fixture.mesh("figures/rpgscad_wyrmling.stl")
        var options = CaseOptions()
        options.resolution = 0.3
        let plain = try CaseGenerator.clamshell(mini, options: options)
        options.magnets = MagnetSize(diameter: 15, height: 3)
        let result = try CaseGenerator.clamshell(mini, options: options)
        #expect(result.magnets.count >= 2)
        #expect(result.parts[0].mesh.bounds.size.x > plain.parts[0].mesh.bounds.size.x)
        #expect(result.warnings.contains { $0.contains("pins and magnets fit") }, "\(result.warnings)")
        for part in result.parts {
            let b = part.mesh.bounds
            for m in result.magnets {
                #expect(m.x - 7.65 - 1 >= b.min.x && m.x + 7.65 + 1 <= b.max.x, "pocket too near the outside")
            }
            #expect(MeshAnalyzer.analyze(part.mesh).watertight)
        }
    }

    @Test func badMagnetSizesAreClearErrors() throws {
        let mini = try Fixture.mesh("figures/rpgscad_wyrmling.stl")
        var options = CaseOptions()
        options.magnets = MagnetSize(diameter: 0.5, height: 2)
        #expect(throws: CaseError("magnet diameter 0.5 mm is out of range: use 1 to 20 mm")) {
            try CaseGenerator.clamshell(mini, options: options)
        }
        options.magnets = MagnetSize(diameter: 6, height: 20)
        #expect(throws: CaseError.self) { try CaseGenerator.clamshell(mini, options: options) }
    }
}
