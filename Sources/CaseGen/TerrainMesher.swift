import MeshCore

/// Meshes one case half: over a rectangle of grid cells, the solid between a depth surface
/// (measured from the parting plane into the half) and a flat back at depth `back`.
///
/// The depth surface is a terrain: each grid vertex takes the greatest depth of the cells
/// around it, so over every cell the surface is at least as deep as the cell asks (clearance
/// and hole sizes are kept; pins only get thinner), and it is a single-valued graph, so the
/// solid is watertight by construction: one vertex per grid vertex on top, side walls down
/// to the back along the rectangle's border, and a back face. Cells whose four corners are
/// equal merge greedily into rectangles; a merged rectangle keeps every border vertex that
/// another face uses (and is fanned from its centre), so no T-junction appears.
struct TerrainMesher {
    var grid: CaseGrid
    /// Cell rectangle [i0, i1) × [k0, k1) of `grid`.
    var i0: Int, i1: Int, k0: Int, k1: Int
    /// Depth per cell of the rectangle, row-major, (i1 − i0) × (k1 − k0).
    var depth: [Float]
    /// Depth of the flat back face; greater than every depth.
    var back: Float
    /// The parting plane's y.
    var plane: Float
    /// +1: the half lies at y ≥ plane (y = plane + depth); −1: at y ≤ plane.
    var side: Float
    /// Depth of the outer face per cell (like `depth`; each ≤ `back`), or nil for a flat back
    /// at `back`. Engravings lower it; see `TerrainMesher+Outer.swift`.
    var outer: [Float]? = nil
    /// Radius in cells of the rounded outer corners (0: square); each corner gets the most, up
    /// to this, that keeps its block flat. See `RoundedCorners.swift`.
    var corner: Int = 0

    func mesh() -> TriangleMesh {
        let w = i1 - i0, h = k1 - k0
        let vw = w + 1, vh = h + 1
        // Vertex depths: the deepest of the (up to four) cells around each grid vertex.
        let u = TerrainMesher.around(depth, w: w, h: h, deepest: true)
        let outerU = outer.map { TerrainMesher.shallowestAround($0, w: w, h: h) }
        let radii = TerrainMesher.cornerRadii(corner: corner, u: u, outerU: outerU, w: w, h: h)
        let blocks = TerrainMesher.cornerBlocks(radii, w: w, h: h)
        let topPlan = TerrainMesher.surfacePlan(u, w: w, h: h, deeperDiagonal: true, reserved: blocks)

        var positions: [Float] = []
        var indices: [UInt32] = []
        positions.reserveCapacity(vw * vh * 3)
        indices.reserveCapacity(w * h * 6 + 12 * (w + h))
        var top = [UInt32](repeating: .max, count: vw * vh)
        var bottom = [UInt32](repeating: .max, count: vw * vh)
        let plane = self.plane, side = self.side, grid = self.grid, i0 = self.i0, k0 = self.k0
        @inline(__always) func add(_ x: Float, _ d: Float, _ z: Float) -> UInt32 {
            let id = UInt32(positions.count / 3)
            positions.append(x); positions.append(plane + side * d); positions.append(z)
            return id
        }
        @inline(__always) func topVertex(_ i: Int, _ k: Int) -> UInt32 {
            let v = k * vw + i
            if top[v] == .max {
                let p = position(i, k, w: w, h: h, radii: radii)
                top[v] = add(p.x, u[v], p.z)
            }
            return top[v]
        }
        @inline(__always) func bottomVertex(_ i: Int, _ k: Int) -> UInt32 {
            let v = k * vw + i
            if bottom[v] == .max {
                let p = position(i, k, w: w, h: h, radii: radii)
                bottom[v] = add(p.x, outerU?[v] ?? back, p.z)
            }
            return bottom[v]
        }
        // (a, b, c) going +x then +z is clockwise seen from +y; the top faces the plane, i.e.
        // outward is −side·y, so for side = +1 keep that order and for side = −1 reverse it.
        let topKeeps = side > 0
        @inline(__always) func tri(_ a: UInt32, _ b: UInt32, _ c: UInt32, keep: Bool) {
            indices.append(a)
            if keep { indices.append(b); indices.append(c) } else { indices.append(c); indices.append(b) }
        }
        func fan(_ ring: [UInt32], centre: (Float, Float, Float), keep: Bool) {
            if ring.count == 4 {
                tri(ring[0], ring[1], ring[2], keep: keep); tri(ring[0], ring[2], ring[3], keep: keep)
                return
            }
            let c = add(centre.0, centre.1, centre.2)
            for j in 0..<ring.count { tri(c, ring[j], ring[(j + 1) % ring.count], keep: keep) }
        }
        func emit(_ plan: Plan, keep: Bool, _ vertex: (Int, Int) -> UInt32) {
            for t in plan.triangles {
                tri(vertex(t.0 % vw, t.0 / vw), vertex(t.1 % vw, t.1 / vw), vertex(t.2 % vw, t.2 / vw), keep: keep)
            }
            for r in plan.rings {
                let ring = r.ring.map { vertex($0 % vw, $0 / vw) }
                let centre = ((grid.x(i0 + r.i0) + grid.x(i0 + r.i1)) / 2, r.level, (grid.z(k0 + r.k0) + grid.z(k0 + r.k1)) / 2)
                fan(ring, centre: centre, keep: keep)
            }
        }
        emit(topPlan, keep: topKeeps, topVertex)
        // Every border vertex, walked like the top's rings.
        let walk = TerrainMesher.ring(0, 0, w, h, vw: vw) { _ in true }.map { ($0 % vw, $0 / vw) }
        // Back face: the outer terrain, or the whole rectangle fanned from its centre.
        if let outerU {
            emit(TerrainMesher.surfacePlan(outerU, w: w, h: h, reserved: blocks), keep: !topKeeps, bottomVertex)
        } else {
            let backRing = walk.map { bottomVertex($0.0, $0.1) }
            fan(backRing, centre: ((grid.x(i0) + grid.x(i0 + w)) / 2, back, (grid.z(k0) + grid.z(k0 + h)) / 2), keep: !topKeeps)
        }
        // Side walls: quads from the terrain down to the back along the border, wound like the
        // border walk (which turns the same way as the top) so they face outwards.
        for j in 0..<walk.count {
            let (ia, ka) = walk[j], (ib, kb) = walk[(j + 1) % walk.count]
            let ta = topVertex(ia, ka), tb = topVertex(ib, kb)
            let ba = bottomVertex(ia, ka), bb = bottomVertex(ib, kb)
            tri(ta, ba, bb, keep: topKeeps); tri(ta, bb, tb, keep: topKeeps)
        }
        return TriangleMesh(positions: positions, indices: indices)
    }
}
