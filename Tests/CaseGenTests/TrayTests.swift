import CaseGen
import MeshAnalysis
import MeshCore
import Testing

@Suite struct TrayTests {
    /// Checks the tray like a clamshell around the packed minis, then that each pair of
    /// neighbouring cavities keeps at least `wall` of solid between them.
    func checkTray(_ paths: [String], resolution: Float) throws {
        let minis = try paths.map { try Fixture.mesh($0) }
        var options = CaseOptions()
        options.resolution = resolution
        let result = try CaseGenerator.tray(minis, options: options)
        #expect(result.parts.map(\.name) == ["front", "back"])
        #expect(result.offsets.count == minis.count && result.offsets[0] == Vec3(0, 0, 0))
        var packed = TriangleMesh()
        var boxes: [Bounds] = []
        for (mini, offset) in zip(minis, result.offsets) {
            let moved = mini.transformed(by: .translation(offset))
            boxes.append(moved.bounds)
            packed.append(moved)
        }
        let check = CaseCheck.run(packed, result, options: options)
        #expect(check.messages.isEmpty, "\(paths): \(check.messages)")

        // Between neighbours: the cavity vertices (below the parting face, not on the back)
        // over the height both minis share (pins or holes may sit above the shorter one),
        // split at the middle of the gap: the solid between the two sides, less the cell of
        // terrain slope on each, must be at least `wall` wide.
        let res = result.resolution
        for j in 1..<boxes.count {
            let a = boxes[j - 1], b = boxes[j]
            #expect(b.min.x - a.max.x >= options.wall + 2 * options.clearance)
            let mid = (a.max.x + b.min.x) / 2, zTop = min(a.max.z, b.max.z)
            for part in result.parts {
                let backY = part.extraction.y > 0 ? part.mesh.bounds.min.y : part.mesh.bounds.max.y
                var aEdge = a.max.x, bEdge = b.min.x
                for v in 0..<part.mesh.vertexCount {
                    let p = part.mesh.position(v)
                    if p.x < a.max.x || p.x > b.min.x || p.z > zTop || p.z < max(a.min.z, b.min.z) { continue }
                    let depth = (p.y - result.partingY) * -part.extraction.y
                    if depth <= 1e-3 || abs(p.y - backY) <= 1e-4 { continue }
                    if p.x < mid { aEdge = max(aEdge, p.x) } else { bEdge = min(bEdge, p.x) }
                }
                let wall = bEdge - aEdge - 2 * res
                #expect(wall >= options.wall - 1e-3, "\(part.name): \(wall) mm between the cavities of minis \(j) and \(j + 1)")
            }
        }
    }

    @Test func threeSmallMinisGetOneCavityEach() throws {
        try checkTray(
            ["figures/rpgscad_mini_goblin_bow0.stl", "figures/rpgscad_mini_housecarl.stl", "figures/rpgscad_monk_0.stl"],
            resolution: 0.25)
    }

    @Test func twoLargeMinisGetOneCavityEach() throws {
        try checkTray(["figures/rpgscad_king_troll.stl", "figures/rpgscad_mini_giant_boar_0.stl"], resolution: 0.3)
    }

    @Test func badTraysAreClearErrors() throws {
        #expect(throws: CaseError("a tray needs at least one mini")) { try CaseGenerator.tray([], options: CaseOptions()) }
        let cube = boxMesh(Vec3(0, 0, 0), Vec3(20, 20, 20))
        #expect(throws: CaseError("mini 2: the mesh has no triangles")) {
            try CaseGenerator.tray([cube, TriangleMesh()], options: CaseOptions())
        }
        let long = boxMesh(Vec3(0, 0, 0), Vec3(120, 20, 20))
        do {
            _ = try CaseGenerator.tray([long, long, long], options: CaseOptions())
            Issue.record("a 360 mm row was accepted")
        } catch {
            #expect(error.message.contains("split the minis over several trays"))
        }
    }
}
