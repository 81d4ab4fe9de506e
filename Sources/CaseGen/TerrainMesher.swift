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

    func mesh() -> TriangleMesh {
        let w = i1 - i0, h = k1 - k0
        let vw = w + 1, vh = h + 1
        // Vertex depths: the deepest of the (up to four) cells around each grid vertex.
        var u = [Float](repeating: -.infinity, count: vw * vh)
        depth.withUnsafeBufferPointer { dp in
            for k in 0...h {
                for i in 0...w {
                    var m = -Float.infinity
                    if k > 0 {
                        if i > 0 { m = max(m, dp[(k - 1) * w + i - 1]) }
                        if i < w { m = max(m, dp[(k - 1) * w + i]) }
                    }
                    if k < h {
                        if i > 0 { m = max(m, dp[k * w + i - 1]) }
                        if i < w { m = max(m, dp[k * w + i]) }
                    }
                    u[k * vw + i] = m
                }
            }
        }
        // Flat cells (four equal corners) merged into rectangles.
        var rects: [(i0: Int, k0: Int, i1: Int, k1: Int)] = []
        var merged = [Bool](repeating: false, count: w * h)
        @inline(__always) func flat(_ i: Int, _ k: Int) -> Bool {
            let a = u[k * vw + i]
            return u[k * vw + i + 1] == a && u[(k + 1) * vw + i] == a && u[(k + 1) * vw + i + 1] == a
        }
        for k in 0..<h {
            var i = 0
            while i < w {
                if merged[k * w + i] || !flat(i, k) { i += 1; continue }
                let level = u[k * vw + i]
                var ie = i + 1
                while ie < w && !merged[k * w + ie] && flat(ie, k) && u[k * vw + ie] == level { ie += 1 }
                var ke = k + 1
                grow: while ke < h {
                    for j in i..<ie where merged[ke * w + j] || !flat(j, ke) || u[ke * vw + j] != level { break grow }
                    ke += 1
                }
                if (ie - i) * (ke - k) > 1 {
                    for kk in k..<ke { for j in i..<ie { merged[kk * w + j] = true } }
                    rects.append((i, k, ie, ke))
                }
                i = ie
            }
        }
        // Which grid vertices some face uses as a corner (or the side walls use).
        var used = [Bool](repeating: false, count: vw * vh)
        for k in 0..<h {
            for i in 0..<w where !merged[k * w + i] {
                used[k * vw + i] = true; used[k * vw + i + 1] = true
                used[(k + 1) * vw + i] = true; used[(k + 1) * vw + i + 1] = true
            }
        }
        for r in rects {
            used[r.k0 * vw + r.i0] = true; used[r.k0 * vw + r.i1] = true
            used[r.k1 * vw + r.i0] = true; used[r.k1 * vw + r.i1] = true
        }
        for i in 0...w { used[i] = true; used[h * vw + i] = true }
        for k in 0...h { used[k * vw] = true; used[k * vw + w] = true }

        var positions: [Float] = []
        var indices: [UInt32] = []
        positions.reserveCapacity(vw * vh * 3)
        indices.reserveCapacity(w * h * 6 + 12 * (w + h))
        var top = [UInt32](repeating: .max, count: vw * vh)
        var bottom = [UInt32](repeating: .max, count: vw * vh)
        let outerU = outer.map { TerrainMesher.shallowestAround($0, w: w, h: h) }
        let plane = self.plane, side = self.side, grid = self.grid, i0 = self.i0, k0 = self.k0
        @inline(__always) func add(_ x: Float, _ d: Float, _ z: Float) -> UInt32 {
            let id = UInt32(positions.count / 3)
            positions.append(x); positions.append(plane + side * d); positions.append(z)
            return id
        }
        @inline(__always) func topVertex(_ i: Int, _ k: Int) -> UInt32 {
            let v = k * vw + i
            if top[v] == .max { top[v] = add(grid.x(i0 + i), u[v], grid.z(k0 + k)) }
            return top[v]
        }
        @inline(__always) func bottomVertex(_ i: Int, _ k: Int) -> UInt32 {
            let v = k * vw + i
            if bottom[v] == .max { bottom[v] = add(grid.x(i0 + i), outerU?[v] ?? back, grid.z(k0 + k)) }
            return bottom[v]
        }
        // (a, b, c) going +x then +z is clockwise seen from +y; the top faces the plane, i.e.
        // outward is −side·y, so for side = +1 keep that order and for side = −1 reverse it.
        let topKeeps = side > 0
        @inline(__always) func tri(_ a: UInt32, _ b: UInt32, _ c: UInt32, keep: Bool) {
            indices.append(a)
            if keep { indices.append(b); indices.append(c) } else { indices.append(c); indices.append(b) }
        }
        for k in 0..<h {
            for i in 0..<w where !merged[k * w + i] {
                let a = topVertex(i, k), b = topVertex(i + 1, k), c = topVertex(i + 1, k + 1), d = topVertex(i, k + 1)
                // Split along the deeper diagonal: the surface then never rises above a cell's depth.
                if u[k * vw + i] + u[(k + 1) * vw + i + 1] >= u[k * vw + i + 1] + u[(k + 1) * vw + i] {
                    tri(a, b, c, keep: topKeeps); tri(a, c, d, keep: topKeeps)
                } else {
                    tri(a, b, d, keep: topKeeps); tri(b, c, d, keep: topKeeps)
                }
            }
        }
        // A rectangle's border in the same turning sense as (a, b, c, d) above.
        func border(_ r: (i0: Int, k0: Int, i1: Int, k1: Int)) -> [(Int, Int)] {
            var out: [(Int, Int)] = []
            for i in r.i0..<r.i1 where used[r.k0 * vw + i] { out.append((i, r.k0)) }
            for k in r.k0..<r.k1 where used[k * vw + r.i1] { out.append((r.i1, k)) }
            for i in stride(from: r.i1, to: r.i0, by: -1) where used[r.k1 * vw + i] { out.append((i, r.k1)) }
            for k in stride(from: r.k1, to: r.k0, by: -1) where used[k * vw + r.i0] { out.append((r.i0, k)) }
            return out
        }
        func fan(_ ring: [UInt32], centre: (Float, Float, Float), keep: Bool) {
            if ring.count == 4 {
                tri(ring[0], ring[1], ring[2], keep: keep); tri(ring[0], ring[2], ring[3], keep: keep)
                return
            }
            let c = add(centre.0, centre.1, centre.2)
            for j in 0..<ring.count { tri(c, ring[j], ring[(j + 1) % ring.count], keep: keep) }
        }
        for r in rects {
            let ring = border(r).map { topVertex($0.0, $0.1) }
            let centre = ((grid.x(i0 + r.i0) + grid.x(i0 + r.i1)) / 2, u[r.k0 * vw + r.i0], (grid.z(k0 + r.k0) + grid.z(k0 + r.k1)) / 2)
            fan(ring, centre: centre, keep: topKeeps)
        }
        // Back face: the whole rectangle, fanned from its centre over every border vertex.
        let full = (i0: 0, k0: 0, i1: w, k1: h)
        if let outerU {
            let plan = TerrainMesher.surfacePlan(outerU, w: w, h: h)
            for t in plan.triangles {
                tri(bottomVertex(t.0 % vw, t.0 / vw), bottomVertex(t.1 % vw, t.1 / vw), bottomVertex(t.2 % vw, t.2 / vw), keep: !topKeeps)
            }
            for r in plan.rings {
                let ring = r.ring.map { bottomVertex($0 % vw, $0 / vw) }
                let centre = ((grid.x(i0 + r.i0) + grid.x(i0 + r.i1)) / 2, r.level, (grid.z(k0 + r.k0) + grid.z(k0 + r.k1)) / 2)
                fan(ring, centre: centre, keep: !topKeeps)
            }
        } else {
        let backRing = border(full).map { bottomVertex($0.0, $0.1) }
        fan(backRing, centre: ((grid.x(i0) + grid.x(i0 + w)) / 2, back, (grid.z(k0) + grid.z(k0 + h)) / 2), keep: !topKeeps)
        }
        // Side walls: quads from the terrain down to the back along the border, wound like the
        // border walk (which turns the same way as the top) so they face outwards.
        let walk = border(full)
        for j in 0..<walk.count {
            let (ia, ka) = walk[j], (ib, kb) = walk[(j + 1) % walk.count]
            let ta = topVertex(ia, ka), tb = topVertex(ib, kb)
            let ba = bottomVertex(ia, ka), bb = bottomVertex(ib, kb)
            tri(ta, ba, bb, keep: topKeeps); tri(ta, bb, tb, keep: topKeeps)
        }
        return TriangleMesh(positions: positions, indices: indices)
    }
}
