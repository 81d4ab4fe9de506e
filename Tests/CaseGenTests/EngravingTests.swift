import CaseGen
import MeshAnalysis
import MeshCore
import Testing

/// Triangles bucketed over XZ, for "which surfaces lie above this point" queries along y.
struct ColumnProbe {
    let mesh: TriangleMesh
    let x0: Float, z0: Float, cell: Float
    let nx: Int, nz: Int
    var buckets: [[Int32]]

    init(_ mesh: TriangleMesh, cell: Float = 1) {
        self.mesh = mesh
        let b = mesh.bounds
        x0 = b.min.x - cell; z0 = b.min.z - cell; self.cell = cell
        nx = Int(b.size.x / cell) + 3; nz = Int(b.size.z / cell) + 3
        buckets = Array(repeating: [], count: nx * nz)
        for t in 0..<mesh.triangleCount {
            let (a, bb, c) = mesh.corners(t)
            let lo = a.min(bb).min(c), hi = a.max(bb).max(c)
            for k in Int((lo.z - z0) / cell)...Int((hi.z - z0) / cell) {
                for i in Int((lo.x - x0) / cell)...Int((hi.x - x0) / cell) { buckets[k * nx + i].append(Int32(t)) }
            }
        }
    }

    /// The y of every non-vertical surface over (x, z).
    func heights(x: Float, z: Float) -> [Float] {
        let i = Int((x - x0) / cell), k = Int((z - z0) / cell)
        guard i >= 0, k >= 0, i < nx, k < nz else { return [] }
        var out: [Float] = []
        for t in buckets[k * nx + i] {
            let (a, b, c) = mesh.corners(Int(t))
            // Barycentric coordinates in XZ.
            let d = (b.x - a.x) * (c.z - a.z) - (c.x - a.x) * (b.z - a.z)
            if abs(d) < 1e-12 { continue }
            let u = ((x - a.x) * (c.z - a.z) - (c.x - a.x) * (z - a.z)) / d
            let v = ((b.x - a.x) * (z - a.z) - (x - a.x) * (b.z - a.z)) / d
            if u < -1e-5 || v < -1e-5 || u + v > 1 + 1e-5 { continue }
            out.append(a.y + u * (b.y - a.y) + v * (c.y - a.y))
        }
        return out
    }
}

/// Reads an engraving back from the built mesh: slices the back half 0.3 mm under its back face
/// at every mask pixel's centre and counts pixels whose cut state matches the mask.
func legibility(_ part: CasePart, _ e: EngravingPlacement) -> (agree: Int, total: Int, ink: Int) {
    let probe = ColumnProbe(part.mesh)
    var agree = 0, ink = 0
    for row in 0..<e.mask.height {
        for col in 0..<e.mask.width {
            // Seen from +y the viewer's right is −x: column 0 is at the greatest x.
            let x = e.maxX - (Float(col) + 0.5) * e.pixel
            let z = e.maxZ - (Float(row) + 0.5) * e.pixel
            let outermost = probe.heights(x: x, z: z).max() ?? -.infinity
            let cut = outermost < e.faceY - 0.3
            if cut == e.mask.ink(col, row) { agree += 1 }
            if e.mask.ink(col, row) { ink += 1 }
        }
    }
    return (agree, e.mask.width * e.mask.height, ink)
}

@Suite struct EngravingTests {
    @Test func fontDrawsKnownGlyphsAndEveryGlyphDiffers() {
        // "L": a full left column and a full bottom row, nothing else.
        let l = BuiltinFont.bitmap("L")
        #expect(l.width == 5 && l.height == 7)
        for r in 0..<7 { for c in 0..<5 { #expect(l.ink(c, r) == (c == 0 || r == 6), "L at \(c),\(r)") } }
        // "T": top row and the middle column.
        let t = BuiltinFont.bitmap("T")
        for r in 0..<7 { for c in 0..<5 { #expect(t.ink(c, r) == (r == 0 || c == 2), "T at \(c),\(r)") } }
        var seen: [[UInt8]] = []
        for b in UInt8(33)...126 {
            let m = BuiltinFont.bitmap(String(decoding: [b], as: UTF8.self))
            #expect(m.pixels.contains(1), "glyph \(b) is blank")
            #expect(!seen.contains(m.pixels), "glyph \(b) repeats an earlier one")
            seen.append(m.pixels)
        }
        #expect(BuiltinFont.bitmap("AB").width == 11)
    }

    @Test func labelAndMarkAreLegibleOnTheBackFaceAndPartsStayClosed() throws {
        let mini = try Fixture.mesh("figures/rpgscad_wyrmling.stl")
        var options = CaseOptions()
        options.label = "Wyrmling 7"
        options.mark = "T3"
        let result = try CaseGenerator.clamshell(mini, options: options)
        let back = result.parts[1]
        #expect(result.engravings.map(\.kind) == ["mark", "label"])
        for e in result.engravings {
            let (agree, total, ink) = legibility(back, e)
            #expect(ink > 0)
            #expect(Double(agree) >= 0.9 * Double(total), "\(e.kind): \(agree) of \(total) pixels agree")
            #expect(agree == total, "\(e.kind): \(agree) of \(total) pixels agree")
            // The check can fail: the same text mirrored (as if read from inside) does not match.
            var mirrored = e
            for r in 0..<e.mask.height {
                for c in 0..<e.mask.width { mirrored.mask.pixels[r * e.mask.width + c] = e.mask.pixels[r * e.mask.width + e.mask.width - 1 - c] }
            }
            let m = legibility(back, mirrored)
            #expect(Double(m.agree) < 0.9 * Double(m.total), "\(e.kind) mirrored: \(m.agree) of \(m.total) agree")
        }
        let mark = result.engravings[0], label = result.engravings[1]
        #expect(abs(Float(mark.mask.height) * mark.pixel - 3) < 0.01)
        let pb = back.mesh.bounds
        // The label spans the face less the margins, and stays inside it.
        #expect(Float(label.mask.width) * label.pixel > pb.size.x - 2 * 2 - 0.5 || Float(label.mask.height) * label.pixel >= 9.99)
        #expect(label.maxX <= pb.max.x - 1.99 && label.maxX - Float(label.mask.width) * label.pixel >= pb.min.x + 1.99)
        // The mark sits in the viewer's lower-right corner: low x, low z.
        #expect(mark.maxX < (pb.min.x + pb.max.x) / 2 && mark.maxZ < (pb.min.z + pb.max.z) / 2)
        #expect(abs(mark.faceY - pb.max.y) < 1e-3)

        let check = CaseCheck.run(mini, result, options: options, samples: 4000)
        #expect(check.messages.filter { !$0.contains("thinner than the wall") }.isEmpty, "\(check.messages)")
        // Behind the cut the wall is still at least --wall: every cavity-side vertex of the back
        // half lies at least wall below the engraved floor.
        let floorY = pb.max.y - label.depth
        var deepestCavity = -Float.infinity
        for v in 0..<back.mesh.vertexCount {
            let p = back.mesh.position(v)
            if p.y < floorY - 1e-3 { deepestCavity = max(deepestCavity, p.y) }
        }
        #expect(floorY - deepestCavity >= options.wall - 1e-3, "wall behind the engraving \(floorY - deepestCavity) mm")
    }

    @Test func logoIsEngravedAboveTheLabel() throws {
        let mini = try Fixture.mesh("figures/rpgscad_wyrmling.stl")
        var options = CaseOptions()
        options.resolution = 0.2
        // An arrow pointing to the viewer's upper left, so a mirrored cut would not match.
        var pixels = [UInt8](repeating: 0, count: 12 * 12)
        for r in 0..<12 { for c in 0..<12 where c == r || (r < 4 && c < 8) || (c < 4 && r < 8) { pixels[r * 12 + c] = 1 } }
        options.logo = EngravingMask(width: 12, height: 12, pixels: pixels)
        options.label = "OK"
        let result = try CaseGenerator.clamshell(mini, options: options)
        #expect(result.engravings.map(\.kind) == ["label", "logo"])
        let logo = result.engravings[1]
        #expect(logo.maxZ - Float(logo.mask.height) * logo.pixel > result.engravings[0].maxZ)
        for e in result.engravings {
            let (agree, total, _) = legibility(result.parts[1], e)
            #expect(Double(agree) >= 0.9 * Double(total), "\(e.kind): \(agree) of \(total) pixels agree")
        }
        let r = MeshAnalyzer.analyze(result.parts[1].mesh)
        #expect(r.watertight && r.inconsistentEdges == 0 && r.volume > 0)
    }

    @Test func badEngravingsAreClearErrors() throws {
        let mini = try Fixture.mesh("figures/rpgscad_wyrmling.stl")
        var options = CaseOptions()
        options.resolution = 0.5
        options.label = String(repeating: "W", count: 60)
        #expect(throws: CaseError.self) { try CaseGenerator.clamshell(mini, options: options) }
        options.label = "caf\u{E9}"
        #expect(throws: CaseError("label has a character without a glyph at position 4 (only printable ASCII is engraved)")) {
            try CaseGenerator.clamshell(mini, options: options)
        }
        options.label = nil
        options.logo = EngravingMask(width: 4, height: 4, pixels: [UInt8](repeating: 0, count: 16))
        #expect(throws: CaseError("the logo has no pixels to engrave (all blank)")) {
            try CaseGenerator.clamshell(mini, options: options)
        }
        options.logo = EngravingMask(width: 4, height: 4, pixels: [1])
        #expect(throws: CaseError.self) { try CaseGenerator.clamshell(mini, options: options) }
    }
}
