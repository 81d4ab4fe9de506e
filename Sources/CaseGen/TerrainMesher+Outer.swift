/// The outer face as a second terrain, for engraving: the same greedy flat-rectangle merging
/// and T-junction-free borders as the parting-side terrain, over its own vertex depths.
extension TerrainMesher {
    /// Vertex depths of the outer face: the shallowest of the (up to four) cells around each
    /// grid vertex, so a cut is never narrower than its cells and the wall behind a cell is
    /// never thicker than asked (it is at least `back − cut − deepest`).
    static func shallowestAround(_ cells: [Float], w: Int, h: Int) -> [Float] {
        let vw = w + 1
        var u = [Float](repeating: .infinity, count: vw * (h + 1))
        for k in 0...h {
            for i in 0...w {
                var m = Float.infinity
                if k > 0 {
                    if i > 0 { m = min(m, cells[(k - 1) * w + i - 1]) }
                    if i < w { m = min(m, cells[(k - 1) * w + i]) }
                }
                if k < h {
                    if i > 0 { m = min(m, cells[k * w + i - 1]) }
                    if i < w { m = min(m, cells[k * w + i]) }
                }
                u[k * vw + i] = m
            }
        }
        return u
    }

    /// Faces of the terrain over vertex depths `u` ((w+1) × (h+1)), in the same turning sense as
    /// `mesh()`'s top faces: triangles of grid vertex indices (k·(w+1) + i) for cells not merged,
    /// and rings (with their rectangle and level) to fan for merged flat rectangles. Every
    /// vertex on the outer border is kept in the rings, so side walls join without T-junctions.
    static func surfacePlan(_ u: [Float], w: Int, h: Int)
        -> (triangles: [(Int, Int, Int)], rings: [(ring: [Int], i0: Int, k0: Int, i1: Int, k1: Int, level: Float)])
    {
        let vw = w + 1
        var merged = [Bool](repeating: false, count: w * h)
        var rects: [(i0: Int, k0: Int, i1: Int, k1: Int)] = []
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
        var used = [Bool](repeating: false, count: vw * (h + 1))
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

        var triangles: [(Int, Int, Int)] = []
        for k in 0..<h {
            for i in 0..<w where !merged[k * w + i] {
                let a = k * vw + i, b = a + 1, c = a + vw + 1, d = a + vw
                if u[a] + u[c] <= u[b] + u[d] {
                    triangles.append((a, b, c)); triangles.append((a, c, d))
                } else {
                    triangles.append((a, b, d)); triangles.append((b, c, d))
                }
            }
        }
        var rings: [(ring: [Int], i0: Int, k0: Int, i1: Int, k1: Int, level: Float)] = []
        for r in rects {
            var ring: [Int] = []
            for i in r.i0..<r.i1 where used[r.k0 * vw + i] { ring.append(r.k0 * vw + i) }
            for k in r.k0..<r.k1 where used[k * vw + r.i1] { ring.append(k * vw + r.i1) }
            for i in stride(from: r.i1, to: r.i0, by: -1) where used[r.k1 * vw + i] { ring.append(r.k1 * vw + i) }
            for k in stride(from: r.k1, to: r.k0, by: -1) where used[k * vw + r.i0] { ring.append(k * vw + r.i0) }
            rings.append((ring, r.i0, r.k0, r.i1, r.k1, u[r.k0 * vw + r.i0]))
        }
        return (triangles, rings)
    }
}
