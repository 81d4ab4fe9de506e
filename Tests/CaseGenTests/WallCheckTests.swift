import CaseGen
import MeshCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hand-made front half (at y ≤ 0, the mini leaves along +y) around a box mini: the outline
/// is the box grown by `side` mm, with corners rounded to `radius` mm (64 segments each), the
/// back `back` mm behind the plane, and a box cavity (the mini grown by `clearance`) `depth` mm
/// deep. Only what the wall check reads is built: outer walls, back and the cavity's faces, all
/// facing out of the solid.
func roundedHalf(mini: Bounds, clearance: Float, side: Float, radius: Float, back: Float, depth: Float) -> TriangleMesh {
    var p: [Float] = []
    var idx: [UInt32] = []
    func vertex(_ x: Float, _ y: Float, _ z: Float) -> UInt32 {
        p += [x, y, z]
        return UInt32(p.count / 3 - 1)
    }
    // Outline, counter-clockwise seen from +y (x right, z towards the viewer: turning −z → +x).
    let lo = mini.min - Vec3(clearance + side, 0, clearance + side), hi = mini.max + Vec3(clearance + side, 0, clearance + side)
    let centres = [(hi.x - radius, hi.z - radius, 0), (lo.x + radius, hi.z - radius, 1), (lo.x + radius, lo.z + radius, 2), (hi.x - radius, lo.z + radius, 3)]
    var ring: [(Float, Float)] = []
    for (cx, cz, q) in centres {
        for s in 0...64 {
            let a = (Float(q) + Float(s) / 64) * Float.pi / 2
            ring.append((cx + radius * cosf(a), cz + radius * sinf(a)))
        }
    }
    // Going +x → +z is clockwise seen from +y, so this ring runs clockwise seen from +y.
    let top = ring.map { vertex($0.0, 0, $0.1) }, bottom = ring.map { vertex($0.0, -back, $0.1) }
    let centre = vertex((lo.x + hi.x) / 2, -back, (lo.z + hi.z) / 2)
    for j in 0..<ring.count {
        let n = (j + 1) % ring.count
        idx += [top[j], top[n], bottom[n], top[j], bottom[n], bottom[j]]   // sides, outward
        idx += [centre, bottom[j], bottom[n]]                              // back, facing −y
    }
    // The cavity: a box open at y = 0, its faces looking into it.
    let c0 = mini.min - Vec3(clearance, 0, clearance), c1 = mini.max + Vec3(clearance, 0, clearance)
    let f = [vertex(c0.x, -depth, c0.z), vertex(c1.x, -depth, c0.z), vertex(c1.x, -depth, c1.z), vertex(c0.x, -depth, c1.z)]
    let t = [vertex(c0.x, 0, c0.z), vertex(c1.x, 0, c0.z), vertex(c1.x, 0, c1.z), vertex(c0.x, 0, c1.z)]
    let fc = vertex((c0.x + c1.x) / 2, -depth, (c0.z + c1.z) / 2)
    for j in 0..<4 { idx += [fc, f[(j + 1) % 4], f[j]] }   // floor, facing +y
    for j in 0..<4 {
        let n = (j + 1) % 4
        idx += [f[j], f[n], t[n], f[j], t[n], t[j]]
    }
    return TriangleMesh(positions: p, indices: idx)
}

/// The wall check measures to the part's real outer surface, so it sees what rounding does.
@Suite struct WallCheckTests {
    let mini = Bounds(min: Vec3(0, -6, 0), max: Vec3(20, 0, 30))
    var options: CaseOptions {
        var o = CaseOptions()
        o.clearance = 0.4
        o.wall = 2
        return o
    }

    func issues(radius: Float, back: Float = 8.4, side: Float = 2) -> [String] {
        let part = CasePart(
            name: "front",
            mesh: roundedHalf(mini: mini, clearance: 0.4, side: side, radius: radius, back: back, depth: 6.4),
            extraction: Vec3(0, 1, 0))
        let box = boxMesh(mini.min, mini.max)
        return CaseCheck.wallIssues(part: part, mini: box, plane: 0, options: options, res: 0.1)
    }

    @Test func cavityFacesAreNotOuterButTheWallsAndBackAre() {
        let mesh = roundedHalf(mini: mini, clearance: 0.4, side: 2, radius: 2, back: 8.4, depth: 6.4)
        let (outer, _) = CaseCheck.outerTriangles(mesh, towardPlane: Vec3(0, 1, 0))
        // 4 × 65 outline segments, each with two side triangles and one back triangle.
        #expect(outer.count / 3 == 260 * 3)
    }

    @Test func roundingUpToTheWallKeepsTheWall() {
        #expect(issues(radius: 2).isEmpty)
        #expect(issues(radius: 0.5).isEmpty)
    }

    /// The worst wall a message reports, in mm.
    func worst(_ found: [String]) -> Float? {
        guard let message = found.first, let range = message.firstRange(of: "(worst ") else { return nil }
        return Float(message[range.upperBound...].prefix { $0 != " " })
    }

    /// Corners rounded by 6 mm come within 6 − 4√2 ≈ 0.34 mm of the cavity's corner, though the
    /// flat sides and the back are 2 mm away: a check against the bounding box would pass.
    @Test func roundingBeyondTheWallIsCaught() throws {
        let found = issues(radius: 6)
        #expect(found.count == 1 && found[0].contains("4 cavity vertices thinner than the wall"), "\(found)")
        let expected: Float = 6 - 4 * Float(2).squareRoot()
        let off: Float = abs((worst(found) ?? 0) - expected)
        #expect(off < 0.01, "\(found)")
    }

    @Test func thinBackAndThinSidesAreCaught() {
        let back = issues(radius: 2, back: 7.9), side = issues(radius: 1, side: 1.2)
        #expect(abs((worst(back) ?? 0) - 1.5) < 1e-3, "\(back)")
        #expect(abs((worst(side) ?? 0) - 1.2) < 1e-3, "\(side)")
    }
}
