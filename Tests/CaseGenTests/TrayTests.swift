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

        // Between neighbours: the x range outside both minis' cavities (bounding box grown by
        // clearance + 3 cells) must be at least `wall` wide and hold no cavity vertex, over the
        // height both minis share (pins or holes may sit above the shorter one).
        let res = result.resolution
        for j in 1..<boxes.count {
            let a = boxes[j - 1], b = boxes[j]
            #expect(b.min.x - a.max.x >= options.wall + 2 * options.clearance)
            let x0 = a.max.x + options.clearance + 3 * res, x1 = b.min.x - options.clearance - 3 * res
            #expect(x1 - x0 >= options.wall - 1e-3, "gap \(x1 - x0) mm between minis \(j) and \(j + 1)")
            let zTop = min(a.max.z, b.max.z)
            for part in result.parts {
                let backY = part.extraction.y > 0 ? part.mesh.bounds.min.y : part.mesh.bounds.max.y
                var inside = 0
                for v in 0..<part.mesh.vertexCount {
                    let p = part.mesh.position(v)
                    if p.x <= x0 || p.x >= x1 || p.z > zTop || p.z < a.min.z { continue }
                    let depth = (p.y - result.partingY) * -part.extraction.y
                    if depth > 1e-3 && abs(p.y - backY) > 1e-4 { inside += 1 }
                }
                #expect(inside == 0, "\(part.name): \(inside) cavity vertices between minis \(j) and \(j + 1)")
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
