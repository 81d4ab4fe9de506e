import CaseGen
import MeshAnalysis
import MeshCore
import Testing

/// An axis-aligned box from `lo` to `hi`, counter-clockwise outward.
func boxMesh(_ lo: Vec3, _ hi: Vec3) -> TriangleMesh {
    var p: [Float] = []
    for k in 0..<8 {
        p += [k & 1 == 0 ? lo.x : hi.x, k & 2 == 0 ? lo.y : hi.y, k & 4 == 0 ? lo.z : hi.z]
    }
    let quads: [(UInt32, UInt32, UInt32, UInt32)] = [
        (0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5),
    ]
    var idx: [UInt32] = []
    for q in quads { idx += [q.0, q.1, q.2, q.0, q.2, q.3] }
    return TriangleMesh(positions: p, indices: idx)
}

@Suite struct CaseInputTests {
    @Test func boxFixtureIsAClosedPositiveSolid() {
        let r = MeshAnalyzer.analyze(boxMesh(Vec3(0, 0, 0), Vec3(1, 2, 3)))
        #expect(r.watertight && r.volume == 6)
    }

    func error(_ mini: TriangleMesh, _ change: (inout CaseOptions) -> Void = { _ in }) -> String? {
        var o = CaseOptions()
        change(&o)
        do {
            _ = try CaseGenerator.clamshell(mini, options: o)
            return nil
        } catch {
            return error.message
        }
    }

    let cube = boxMesh(Vec3(0, 0, 0), Vec3(20, 20, 20))

    @Test func badInputGivesClearErrors() throws {
        #expect(error(TriangleMesh()) == "the mesh has no triangles")
        let flat = TriangleMesh(positions: [0, 0, 0, 10, 0, 0, 0, 0, 10], indices: [0, 1, 2])
        #expect(error(flat)?.contains("flat: its y extent is 0 mm") == true)
        #expect(error(boxMesh(Vec3(0, 0, 0), Vec3(400, 20, 30)))?.contains("400 mm along x") == true)
        #expect(error(cube) { $0.clearance = -1 }?.contains("clearance -1 mm is out of range") == true)
        #expect(error(cube) { $0.wall = 0.5 }?.contains("wall 0.5 mm is out of range") == true)
        #expect(error(cube) { $0.resolution = 2 }?.contains("resolution 2 mm is out of range") == true)
        #expect(error(cube) { $0.resolution = 0 }?.contains("resolution 0 mm") == true)
        #expect(error(cube) { $0.pins = 7 }?.contains("pins 7") == true)
        #expect(error(cube) { $0.partingOffset = 30 }?.contains("parting offset 30 mm") == true)
        let nan = TriangleMesh(positions: [0, 0, 0, 10, .nan, 0, 0, 5, 10], indices: [0, 1, 2])
        #expect(error(nan)?.contains("non-finite") == true)
        let outOfRange = TriangleMesh(positions: [0, 0, 0, 10, 5, 0, 0, 5, 10], indices: [0, 1, 7])
        #expect(error(outOfRange)?.contains("indices beyond") == true)
    }

    @Test func symmetricMiniIsSplitInTheMiddleAndTheCubeCaseHasExactWalls() throws {
        let o = CaseOptions()
        let r = try CaseGenerator.clamshell(cube, options: o)
        #expect(r.partingY == 10)
        #expect(r.warnings == ["walls widened by 4 mm so the pins fit beside the cavity"])  // a cube fills its box
        let check = CaseCheck.run(cube, r, options: o, samples: 2_000)
        #expect(check.messages.isEmpty, "\(check.messages)")
        // Back of each half: 10 mm of cube + clearance, rounded up to the grid, + wall.
        let back = r.parts[1].mesh.bounds
        #expect(back.max.y >= 20 + o.clearance + o.wall && back.max.y < 20 + o.clearance + o.wall + 0.01)
        #expect(r.parts[0].extraction == Vec3(0, 1, 0) && r.parts[1].extraction == Vec3(0, -1, 0))
        // Finger notch: both halves are recessed about 1.5 mm at the middle of their top edge.
        for part in r.parts {
            let b = part.mesh.bounds
            let cx = (b.min.x + b.max.x) / 2
            let backDepth = max(abs(b.min.y - r.partingY), abs(b.max.y - r.partingY))
            var deepest: Float = 0
            for v in 0..<part.mesh.vertexCount {
                let q = part.mesh.position(v)
                if q.z == b.max.z && abs(q.x - cx) < 1 && abs(q.y - r.partingY) < backDepth - 0.01 { deepest = max(deepest, abs(q.y - r.partingY)) }
            }
            #expect(deepest > 1.4 && deepest < 1.6, "\(part.name) notch depth \(deepest)")
        }
    }

    @Test func explicitPartingOffsetIsUsed() throws {
        var o = CaseOptions()
        o.partingOffset = 4
        let r = try CaseGenerator.clamshell(cube, options: o)
        #expect(r.partingY == 4)
    }

    @Test func largeGridIsCoarsenedAndReported() throws {
        var o = CaseOptions()
        o.maxGridCells = 200
        let r = try CaseGenerator.clamshell(cube, options: o)
        #expect(r.resolution > 0.1)
        #expect(r.warnings.first?.hasPrefix("resolution coarsened from 0.1 to ") == true)
        let check = CaseCheck.run(cube, r, options: o, samples: 2_000)
        #expect(check.messages.isEmpty, "\(check.messages)")
    }

    /// Pins stand on the front's parting face, and every point of a pin above the face is at
    /// least the fit away from the back half (so it fits its hole with that gap all round).
    @Test(arguments: [0.1, 0.25] as [Float])
    func pinsFitTheirHolesWithTheStatedGap(resolution: Float) throws {
        var o = CaseOptions()
        o.resolution = resolution
        let mini = boxMesh(Vec3(0, 0, 0), Vec3(12, 8, 25))  // fills its bounding box: pins need wider walls
        let r = try CaseGenerator.clamshell(mini, options: o)
        let front = r.parts[0].mesh, back = TriangleGrid(r.parts[1].mesh, cell: 1)
        let p = r.partingY
        // Pin tops: vertices at the pin height above the plane, grouped by position.
        var centres: [Vec3] = []
        for v in 0..<front.vertexCount where front.position(v).y > p + 1 {
            let q = front.position(v)
            if !centres.contains(where: { ($0 - q).length < 4 }) { centres.append(q) }
        }
        #expect(centres.count == 4)
        #expect(r.warnings.contains { $0.contains("walls widened") })
        var pinArea: Float = 0, tooClose = 0
        for t in 0..<front.triangleCount {
            let (a, b, c) = front.corners(t)
            guard min(a.y, b.y, c.y) > p + 0.01 || max(a.y, b.y, c.y) > p + 0.01 else { continue }
            pinArea += (b - a).cross(c - a).length / 2
            for (s, u) in [(Float(0.2), Float(0.2)), (0.6, 0.2), (0.2, 0.6), (0.33, 0.33)] {
                let q = a + (b - a) * s + (c - a) * u
                if q.y > p + 0.01 && back.distance(q, limit: 1) < o.pinFit - 1e-3 { tooClose += 1 }
            }
        }
        #expect(pinArea > 4 * 3 * 3.14 * 0.8)  // four pins of about 3 mm × 3 mm sides
        #expect(tooClose == 0)
    }
}
