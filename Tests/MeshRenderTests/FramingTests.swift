import MeshCore
import Testing

@testable import MeshRender

/// `Extent.covers`, which lets the binary STL path skip projecting blocks of triangles, may
/// only say yes when no point of the box could widen the projected extent.
@Suite struct FramingTests {
    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next() -> Float {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(state >> 40) / Float(1 << 24)
        }
        mutating func point(in lo: Float, _ hi: Float) -> (Float, Float, Float) {
            (lo + (hi - lo) * next(), lo + (hi - lo) * next(), lo + (hi - lo) * next())
        }
    }

    @Test(arguments: [RenderView.iso, .front, .top], [false, true])
    func coveredBoxesHoldNoPointOutsideTheExtent(view: RenderView, orthographic: Bool) {
        var random = Random(state: 0x9E37_79B9_7F4A_7C15)
        var bounds = Extent()
        bounds.add(-10, -10, 0)
        bounds.add(10, 10, 30)
        var options = RenderOptions()
        options.view = view
        options.orthographic = orthographic
        let projection = Projection(makeCamera(bounds: bounds, options: options))
        // The projected extent of a cloud of points inside the bounds.
        var extent = Extent()
        for _ in 0..<2_000 {
            let (x, y, z) = random.point(in: 0, 1)
            let p = projection.project(-10 + 20 * x, -10 + 20 * y, 30 * z)
            extent.add(p.0, p.1, p.2)
        }
        var covered = 0, notCovered = 0
        for _ in 0..<2_000 {
            // Boxes of every size, some reaching past the cloud.
            let (cx, cy, cz) = random.point(in: 0, 1)
            let half = 0.5 * random.next() * random.next()
            var box = Extent()
            box.add(-10 + 20 * (cx - half), -10 + 20 * (cy - half), 30 * (cz - half))
            box.add(-10 + 20 * (cx + half), -10 + 20 * (cy + half), 30 * (cz + half))
            guard extent.covers(box, projection) else { notCovered += 1; continue }
            covered += 1
            for _ in 0..<50 {
                let (u, v, w) = random.point(in: 0, 1)
                let p = projection.project(
                    box.lo.0 + (box.hi.0 - box.lo.0) * u, box.lo.1 + (box.hi.1 - box.lo.1) * v,
                    box.lo.2 + (box.hi.2 - box.lo.2) * w)
                #expect(p.0 >= extent.lo.0 && p.0 <= extent.hi.0 && p.1 >= extent.lo.1 && p.1 <= extent.hi.1)
                #expect(p.2 >= extent.lo.2 && p.2 <= extent.hi.2)
            }
        }
        // Both answers occur, or the test proves nothing.
        #expect(covered > 100 && notCovered > 100, "\(covered) covered, \(notCovered) not")
    }

    @Test func emptyOrUnprojectableBoxesAreNeverCovered() {
        var bounds = Extent()
        bounds.add(0, 0, 0)
        bounds.add(1, 1, 1)
        let projection = Projection(makeCamera(bounds: bounds, options: RenderOptions()))
        var extent = Extent()
        extent.add(-1, -1, 0)
        extent.add(1, 1, 100)
        #expect(!extent.covers(Extent(), projection))
        #expect(!Extent().covers(bounds, projection))
        // A box reaching behind the eye: its corners there do not project.
        var behind = Extent()
        behind.add(-1e6, -1e6, -1e6)
        behind.add(1e6, 1e6, 1e6)
        #expect(!extent.covers(behind, projection))
    }
}
