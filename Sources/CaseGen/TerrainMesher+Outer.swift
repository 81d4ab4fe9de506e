/// The terrain machinery both faces of a half share: vertex depths from cell depths, and the
/// greedy flat-rectangle merging with T-junction-free borders. The parting-side terrain and the
/// outer face (lowered by engravings) are both planned here, over their own vertex depths.
extension TerrainMesher {
    /// A terrain's faces: triangles of grid vertex indices (k·(w+1) + i), and rings of grid
    /// vertices to fan from the centre of their flat rectangle, at its level.
    typealias Plan = (triangles: [(Int, Int, Int)], rings: [(ring: [Int], i0: Int, k0: Int, i1: Int, k1: Int, level: Float)])

    /// Vertex depths of the outer face: the shallowest of the (up to four) cells around each
    /// grid vertex, so a cut is never narrower than its cells and the wall behind a cell is
    /// never thicker than asked (it is at least `back − cut − deepest`).
    static func shallowestAround(_ cells: [Float], w: Int, h: Int) -> [Float] {
        around(cells, w: w, h: h, deepest: false)
    }

    /// Vertex depths over (w+1) × (h+1) grid vertices from cell depths (w × h, row-major): the
    /// deepest (or shallowest) of the up to four cells around each vertex.
    static func around(_ cells: [Float], w: Int, h: Int, deepest: Bool) -> [Float] {
        let vw = w + 1
        let none: Float = deepest ? -.infinity : .infinity
        var u = [Float](repeating: none, count: vw * (h + 1))
        cells.withUnsafeBufferPointer { dp in
            @inline(__always) func pick(_ a: Float, _ b: Float) -> Float { deepest ? max(a, b) : min(a, b) }
            for k in 0...h {
                for i in 0...w {
                    var m = none
                    if k > 0 {
                        if i > 0 { m = pick(m, dp[(k - 1) * w + i - 1]) }
                        if i < w { m = pick(m, dp[(k - 1) * w + i]) }
                    }
                    if k < h {
                        if i > 0 { m = pick(m, dp[k * w + i - 1]) }
                        if i < w { m = pick(m, dp[k * w + i]) }
                    }
                    u[k * vw + i] = m
                }
            }
        }
        return u
    }

    /// Faces of the terrain over vertex depths `u` ((w+1) × (h+1)), in the same turning sense as
    /// `mesh()`'s top faces: triangles of grid vertex indices (k·(w+1) + i) for cells not merged,
    /// and rings (with their rectangle and level) to fan for merged flat rectangles. Every
    /// vertex on the outer border is kept in the rings, so side walls join without T-junctions.
    ///
    /// A cell not merged is split along its deeper diagonal when `deeperDiagonal` (the parting
    /// side: the surface then never rises above a cell's depth), else along its shallower one
    /// (the outer face: a cut is never narrower than its cells).
    ///
    /// `reserved` rectangles (flat, apart from each other) become rings of their own first.
    static func surfacePlan(
        _ u: [Float], w: Int, h: Int, deeperDiagonal: Bool = false,
        reserved: [(i0: Int, k0: Int, i1: Int, k1: Int)] = []
    ) -> Plan {
        let vw = w + 1
        var merged = [Bool](repeating: false, count: w * h)
        var rects = reserved
        for r in reserved { for k in r.k0..<r.k1 { for i in r.i0..<r.i1 { merged[k * w + i] = true } } }
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
                let alongAC = deeperDiagonal ? u[a] + u[c] >= u[b] + u[d] : u[a] + u[c] <= u[b] + u[d]
                if alongAC {
                    triangles.append((a, b, c)); triangles.append((a, c, d))
                } else {
                    triangles.append((a, b, d)); triangles.append((b, c, d))
                }
            }
        }
        var rings: [(ring: [Int], i0: Int, k0: Int, i1: Int, k1: Int, level: Float)] = []
        for r in rects {
            rings.append((ring(r.i0, r.k0, r.i1, r.k1, vw: vw) { used[$0] }, r.i0, r.k0, r.i1, r.k1, u[r.k0 * vw + r.i0]))
        }
        return (triangles, rings)
    }

    /// The vertices (k·vw + i) on the border of the rectangle [i0, i1] × [k0, k1] for which
    /// `keep` holds, walked in the same turning sense as the terrain's faces.
    static func ring(_ i0: Int, _ k0: Int, _ i1: Int, _ k1: Int, vw: Int, keep: (Int) -> Bool) -> [Int] {
        var ring: [Int] = []
        for i in i0..<i1 where keep(k0 * vw + i) { ring.append(k0 * vw + i) }
        for k in k0..<k1 where keep(k * vw + i1) { ring.append(k * vw + i1) }
        for i in stride(from: i1, to: i0, by: -1) where keep(k1 * vw + i) { ring.append(k1 * vw + i) }
        for k in stride(from: k1, to: k0, by: -1) where keep(k * vw + i0) { ring.append(k * vw + i0) }
        return ring
    }
}
