/// Rounded outer corners: the vertical edges of a half's footprint become quarter circles.
///
/// A corner of radius `r` cells is the `r × r` block of cells at a footprint corner. When the
/// terrain over that block is flat on both faces, the block is meshed as one ring (fanned from
/// its centre), and its outer-border vertices are moved onto a polygon that circumscribes the
/// quarter circle of radius R = r·cell centred at the block's inner corner: every edge of that
/// polygon is tangent to the circle, so the part always holds the exact rounded outline (it
/// never cuts inside it). Only the block's own vertices move, and the side walls follow them
/// top and bottom, so the part stays closed and consistently oriented.
///
/// Walls: with R at most the distance from the cavity to the border (a cavity point lies at
/// least R inside both sides meeting at the corner), its distance to the rounded outline is no
/// less than to the square one, so rounding never thins a wall.
extension Footprint {
    /// Largest rounding radius, mm: the corners get min(wall, 2 mm), so engravings (2 mm from
    /// the back face's edges) never reach a corner block.
    static let largestCornerRadius: Float = 2

    /// Corner radius in whole cells for a wall and cell size: min(wall, 2 mm) rounded down, so
    /// it never exceeds the cavity's distance from the border (at least `wall`).
    static func cornerCells(wall: Float, cell: Float) -> Int {
        Int((min(wall, largestCornerRadius) / cell + 1e-4).rounded(.down))
    }

    /// Whether footprint cell (i, k) lies partly outside the quarter circles of radius `corner`
    /// cells at the footprint's corners: features (pins, magnets) must stay off such cells.
    func outsideRounding(_ i: Int, _ k: Int) -> Bool {
        let r = corner
        if r < 2 { return false }
        // Cells from the nearest corner, along x and z, to the cell's corner nearest it.
        let a = min(i, width - 1 - i), b = min(k, height - 1 - k)
        if a >= r || b >= r { return false }
        return (r - a) * (r - a) + (r - b) * (r - b) > r * r
    }

    /// Whether the cells [i − reach, i + reach) × [k − reach, k + reach) (footprint cells) meet a
    /// corner block grown by one cell, where the terrain must stay flat for the rounding.
    func touchesCorner(_ i: Int, _ k: Int, reach: Int) -> Bool {
        let r = corner
        if r < 2 { return false }
        let nearX = i - reach < r + 1 || i + reach > width - r - 1
        let nearZ = k - reach < r + 1 || k + reach > height - r - 1
        return nearX && nearZ
    }
}

extension TerrainMesher {
    /// The corner grid vertices (i, k) of a (w × h)-cell rectangle and the direction (±1, ±1)
    /// pointing into it, in the order (0,0), (w,0), (0,h), (w,h).
    static func corners(w: Int, h: Int) -> [(i: Int, k: Int, di: Int, dk: Int)] {
        [(0, 0, 1, 1), (w, 0, -1, 1), (0, h, 1, -1), (w, h, -1, -1)]
    }

    /// Radius in cells of each corner (order of `corners`): the largest up to `corner` for
    /// which the corner block, with the vertices on its inner edges, is flat on the parting
    /// side (`u`) and on the outer face (`outerU`, when engraved); 0 where less than 2 cells fit.
    static func cornerRadii(corner: Int, u: [Float], outerU: [Float]?, w: Int, h: Int) -> [Int] {
        let vw = w + 1
        let limit = min(corner, (min(w, h) - 2) / 2)
        if limit < 2 { return [0, 0, 0, 0] }
        return corners(w: w, h: h).map { c in
            func flat(_ f: [Float], _ r: Int) -> Bool {
                let level = f[c.k * vw + c.i]
                for b in 0...r {
                    for a in 0...r where f[(c.k + c.dk * b) * vw + c.i + c.di * a] != level { return false }
                }
                return true
            }
            var r = limit
            while r >= 2 && !(flat(u, r) && (outerU.map { flat($0, r) } ?? true)) { r -= 1 }
            return r >= 2 ? r : 0
        }
    }

    /// The cell rectangles (i0, k0, i1, k1) of the rounded corner blocks.
    static func cornerBlocks(_ radii: [Int], w: Int, h: Int) -> [(i0: Int, k0: Int, i1: Int, k1: Int)] {
        var out: [(i0: Int, k0: Int, i1: Int, k1: Int)] = []
        for (c, r) in zip(corners(w: w, h: h), radii) where r > 0 {
            let ia = c.di > 0 ? 0 : w - r, ka = c.dk > 0 ? 0 : h - r
            out.append((ia, ka, ia + r, ka + r))
        }
        return out
    }

    /// Where rectangle grid vertex (i, k) goes in x and z: on the tangent polygon of a rounded
    /// corner when it lies on the footprint's border strictly inside a corner block's outer
    /// edges, else at its grid position. The 2r − 1 such vertices of a corner, walked from the
    /// block's end on the x = const side through the corner, become the vertices where
    /// consecutive tangents meet: angles (j + ½)·Δ, Δ = 90° / (2r − 1), at R / cos(Δ/2).
    @inline(__always) func position(_ i: Int, _ k: Int, w: Int, h: Int, radii: [Int]) -> (x: Float, z: Float) {
        let x = grid.x(i0 + i), z = grid.z(k0 + k)
        if radii.isEmpty || (i != 0 && i != w && k != 0 && k != h) { return (x, z) }
        for (c, r) in zip(TerrainMesher.corners(w: w, h: h), radii) where r > 0 {
            let a = abs(i - c.i), b = abs(k - c.k)
            let s: Int
            if a == 0 && b < r { s = r - b } else if b == 0 && a < r { s = r + a } else { continue }
            let radius = Float(r) * grid.cell
            let step = Float.pi / 2 / Float(2 * r - 1)
            let angle = (Float(s - 1) + 0.5) * step
            let rho = radius / cosine(step / 2)
            let lx = radius - rho * cosine(angle), lz = radius - rho * sine(angle)
            return (grid.x(i0 + c.i) + Float(c.di) * max(0, lx), grid.z(k0 + c.k) + Float(c.dk) * max(0, lz))
        }
        return (x, z)
    }
}

/// cos and sin without Foundation, for angles in [0, π/2] (Taylor series after reducing to
/// [0, π/4]; error below 1e-7, far under the 2⁻¹⁰ mm depth grid).
@inline(__always) func cosine(_ x: Float) -> Float {
    if x > Float.pi / 4 { return sine(Float.pi / 2 - x) }
    let d = Double(x), d2 = d * d
    return Float(1 - d2 / 2 * (1 - d2 / 12 * (1 - d2 / 30 * (1 - d2 / 56 * (1 - d2 / 90)))))
}

@inline(__always) func sine(_ x: Float) -> Float {
    if x > Float.pi / 4 { return cosine(Float.pi / 2 - x) }
    let d = Double(x), d2 = d * d
    return Float(d * (1 - d2 / 6 * (1 - d2 / 20 * (1 - d2 / 42 * (1 - d2 / 72 * (1 - d2 / 110))))))
}
