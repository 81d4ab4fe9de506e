import CaseGen
import MeshAnalysis
import MeshCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A closed elliptic cylinder with diameters dx × dy, from z0 to z1, centred at (cx, cy).
func ellipticCylinder(_ dx: Float, _ dy: Float, z0: Float = 0, z1: Float = 3, cx: Float = 0, cy: Float = 0, segments: Int = 96) -> TriangleMesh {
    var p: [Float] = []
    var idx: [UInt32] = []
    for s in 0..<segments {
        let a = 2 * Float.pi * Float(s) / Float(segments)
        let x = cx + dx / 2 * cosf(a), y = cy + dy / 2 * sinf(a)
        p += [x, y, z0, x, y, z1]
    }
    let bottom = UInt32(segments * 2), top = bottom + 1
    p += [cx, cy, z0, cx, cy, z1]
    for s in 0..<segments {
        let a = UInt32(2 * s), b = UInt32(2 * ((s + 1) % segments))
        idx += [a, b, b + 1, a, b + 1, a + 1]   // side, outward
        idx += [bottom, b, a]                   // bottom faces −z
        idx += [top, a + 1, b + 1]              // top faces +z
    }
    return TriangleMesh(positions: p, indices: idx)
}

/// Turns a lid-style result and its mini into the engine's frame (x, z, −y), where the parting
/// plane is y = partingY and extraction is ±y, so the clamshell checks apply unchanged.
func lidInClamshellFrame(_ mini: TriangleMesh, _ result: CaseResult) -> (TriangleMesh, CaseResult) {
    let t = Transform(rows: (1, 0, 0, 0), (0, 0, 1, 0), (0, -1, 0, 0))
    var r = result
    r.parts = result.parts.map { CasePart(name: $0.name, mesh: $0.mesh.transformed(by: t), extraction: t.apply($0.extraction)) }
    return (mini.transformed(by: t), r)
}

@Suite struct LidTests {
    static let rounds: [Float] = [25, 28, 32, 40, 50]

    @Test(arguments: rounds)
    func roundBasesAreRecognizedWithAFigureOnTop(_ d: Float) throws {
        var mini = ellipticCylinder(d, d, z0: 1, z1: 4, cx: 3, cy: -2)
        mini.append(boxMesh(Vec3(-2, -6, 4), Vec3(6, 1, 30)))   // the figure, overlapping the base's top
        let base = try #require(BaseDetector.detect(mini))
        #expect(abs(base.diameterX - d) < 0.05 && abs(base.diameterY - d) < 0.05, "\(base.summary)")
        #expect(base.isRound)
        #expect(base.standard?.long == d && base.standard?.short == d)
        #expect(abs(base.centreX - 3) < 0.01 && abs(base.centreY + 2) < 0.01)
        #expect(abs((base.height ?? 0) - 3) <= 0.11, "height \(base.height ?? -1)")
        #expect(base.summary.hasPrefix(ASCII.decimal(Double(d), fractionDigits: 0) + " mm round base"))
    }

    @Test(arguments: [(Float(60), Float(35)), (75, 42), (90, 52), (35, 25), (50, 25)])
    func ovalBasesAreRecognizedEitherWayRound(_ long: Float, _ short: Float) throws {
        for (dx, dy) in [(long, short), (short, long)] {
            let base = try #require(BaseDetector.detect(ellipticCylinder(dx, dy, segments: 120)))
            #expect(abs(base.diameterX - dx) < 0.05 && abs(base.diameterY - dy) < 0.05, "\(base.summary)")
            #expect(!base.isRound)
            #expect(base.standard?.long == long && base.standard?.short == short, "\(base.summary)")
        }
    }

    @Test func anOddSizeIsMeasuredButNotNamed() throws {
        let base = try #require(BaseDetector.detect(ellipticCylinder(36, 36)))
        #expect(base.standard == nil)
        #expect(base.summary == "no standard base: footprint about 36 mm")
    }

    static let figures: [(String, Float)] = [
        ("figures/rpgscad_mini_goblin_bow0.stl", 25),
        ("figures/rpgscad_mini_housecarl.stl", 25),
        ("figures/rpgscad_monk_0.stl", 25),
        ("figures/rpgscad_king_troll.stl", 50),
        ("figures/rpgscad_mini_giant_boar_0.stl", 50),
    ]

    @Test(arguments: figures.map { $0.0 })
    func sharedMinisGetABaseAndLidThatFit(_ path: String) throws {
        let d = Self.figures.first { $0.0 == path }!.1
        let mini = try Fixture.mesh(path)
        var options = CaseOptions()
        options.resolution = 0.25
        let result = try CaseGenerator.lid(mini, options: options)
        #expect(result.parts.map(\.name) == ["base", "lid"])
        #expect(result.parts.map(\.extraction) == [Vec3(0, 0, 1), Vec3(0, 0, -1)])
        let base = try #require(result.base)
        #expect(base.standard?.long == d && base.standard?.short == d, "\(path): \(base.summary)")
        #expect(result.warnings.contains { $0.contains(ASCII.decimal(Double(d), fractionDigits: 0) + " mm round base") })
        let pocket = result.partingY - mini.bounds.min.z
        #expect(pocket > 0.5 && pocket <= 3.001, "pocket \(pocket)")

        let (m, r) = lidInClamshellFrame(mini, result)
        let check = CaseCheck.run(m, r, options: options)
        #expect(check.messages.isEmpty, "\(path): \(check.messages)")

        // The base's rim stays clear of the lid by the stated fit, so the lid seats on it.
        let baseMesh = result.parts[0].mesh, lid = TriangleGrid(result.parts[1].mesh, cell: 1)
        let rimPoints = samplePoints(baseMesh, count: 20_000).filter { $0.z > result.partingY + 1e-3 }
        #expect(rimPoints.count > 100)
        let closest = rimPoints.map { lid.distance($0, limit: 1) }.min() ?? 0
        #expect(closest >= 0.2 - 1e-3, "rim to lid \(closest) mm")
        // The rim is there: 1.5 mm high all round.
        #expect(abs(baseMesh.bounds.max.z - result.partingY - 1.5) < 0.01)
    }
}
