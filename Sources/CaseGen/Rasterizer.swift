import MeshCore

/// Conservative rasterization of a mesh's triangles into per-cell y extents over a
/// `CaseGrid`: every cell whose square meets a triangle's XZ projection gets y bounds that
/// contain the triangle's part above that cell. Only triangle extents matter, so holes,
/// flipped faces and duplicate shells need no repair.
enum Rasterizer {
    /// Returns (lo, hi): per cell the least and greatest y of the mesh over the cell
    /// (+∞ / −∞ where nothing lies over it).
    static func yExtents(_ mesh: TriangleMesh, grid: CaseGrid, runner: JobRunner) -> (lo: [Float], hi: [Float]) {
        let n = mesh.triangleCount
        let jobs = n < 20_000 ? 1 : runner.width
        if jobs == 1 {
            var lo = [Float](repeating: .infinity, count: grid.count)
            var hi = [Float](repeating: -.infinity, count: grid.count)
            lo.withUnsafeMutableBufferPointer { l in
                hi.withUnsafeMutableBufferPointer { h in
                    raster(mesh, range: 0..<n, grid: grid, lo: l.baseAddress!, hi: h.baseAddress!)
                }
            }
            return (lo, hi)
        }
        // Each job fills its own pair of grids; they are merged afterwards.
        let cells = grid.count
        var lo = [Float](repeating: .infinity, count: cells * jobs)
        var hi = [Float](repeating: -.infinity, count: cells * jobs)
        lo.withUnsafeMutableBufferPointer { l in
            hi.withUnsafeMutableBufferPointer { h in
                nonisolated(unsafe) let lp = l.baseAddress!
                nonisolated(unsafe) let hp = h.baseAddress!
                runner.run(jobs) { j in
                    let start = n * j / jobs, end = n * (j + 1) / jobs
                    raster(mesh, range: start..<end, grid: grid, lo: lp + j * cells, hi: hp + j * cells)
                }
                runner.run(jobs) { j in
                    let start = cells * j / jobs, end = cells * (j + 1) / jobs
                    for other in 1..<jobs {
                        let ol = lp + other * cells, oh = hp + other * cells
                        for c in start..<end {
                            lp[c] = min(lp[c], ol[c])
                            hp[c] = max(hp[c], oh[c])
                        }
                    }
                }
            }
        }
        lo.removeSubrange(cells...)
        hi.removeSubrange(cells...)
        return (lo, hi)
    }

    static func raster(
        _ mesh: TriangleMesh, range: Range<Int>, grid: CaseGrid,
        lo: UnsafeMutablePointer<Float>, hi: UnsafeMutablePointer<Float>
    ) {
        let inv = 1 / grid.cell
        let nx = grid.nx, nz = grid.nz
        let halfCell = grid.cell / 2
        mesh.positions.withUnsafeBufferPointer { pos in
            mesh.indices.withUnsafeBufferPointer { idx in
                for t in range {
                    let a = 3 * Int(idx[3 * t]), b = 3 * Int(idx[3 * t + 1]), c = 3 * Int(idx[3 * t + 2])
                    // Grid coordinates: u along x, v along z; y stays in mm.
                    let au = (pos[a] - grid.x0) * inv, ay = pos[a + 1], av = (pos[a + 2] - grid.z0) * inv
                    let bu = (pos[b] - grid.x0) * inv, by = pos[b + 1], bv = (pos[b + 2] - grid.z0) * inv
                    let cu = (pos[c] - grid.x0) * inv, cy = pos[c + 1], cv = (pos[c + 2] - grid.z0) * inv
                    let umin = min(au, min(bu, cu)), umax = max(au, max(bu, cu))
                    let vmin = min(av, min(bv, cv)), vmax = max(av, max(bv, cv))
                    let i0 = max(0, Int(umin.rounded(.down))), i1 = min(nx - 1, Int(umax.rounded(.down)))
                    let k0 = max(0, Int(vmin.rounded(.down))), k1 = min(nz - 1, Int(vmax.rounded(.down)))
                    if i0 > i1 || k0 > k1 { continue }
                    let ymin = min(ay, min(by, cy)), ymax = max(ay, max(by, cy))
                    // Small, nearly level triangles (most of a dense scan): mark their whole 2×2
                    // cell box with their y range. Still conservative; it widens the cavity by at
                    // most half a cell in depth and the triangle's own size sideways.
                    if i1 - i0 <= 1 && k1 - k0 <= 1 && ymax - ymin <= halfCell {
                        for k in k0...k1 {
                            for i in i0...i1 {
                                let cidx = k * nx + i
                                if ymin < lo[cidx] { lo[cidx] = ymin }
                                if ymax > hi[cidx] { hi[cidx] = ymax }
                            }
                        }
                        continue
                    }
                    // The triangle's plane y = y0 + gu·u + gv·v (in grid units), when it is not
                    // seen edge-on from y; per cell its extreme over the square bounds the triangle.
                    let e1u = bu - au, e1v = bv - av, e1y = by - ay
                    let e2u = cu - au, e2v = cv - av, e2y = cy - ay
                    let ny = e1v * e2u - e1u * e2v   // y-component of the normal in (u, y, v) coords
                    let nu = e1y * e2v - e1v * e2y
                    let nv = e1u * e2y - e1y * e2u
                    // Steeper than ~1000 mm per cell, the slab's own y range is the better (and exact) bound.
                    let planar = abs(ny) > 1e-3 * (abs(nu) + abs(nv) + abs(ny))
                    let gu: Float = planar ? -nu / ny : 0
                    let gv: Float = planar ? -nv / ny : 0
                                        for k in k0...k1 {
                        // Clip the triangle to the slab v ∈ [k, k+1]: its u and y ranges there.
                        let s0 = Float(k), s1 = Float(k + 1)
                        var su0 = Float.infinity, su1 = -Float.infinity
                        var sy0 = Float.infinity, sy1 = -Float.infinity
                        @inline(__always) func add(_ u: Float, _ y: Float) {
                            su0 = min(su0, u); su1 = max(su1, u)
                            sy0 = min(sy0, y); sy1 = max(sy1, y)
                        }
                        @inline(__always) func edge(_ pu: Float, _ pv: Float, _ py: Float, _ qu: Float, _ qv: Float, _ qy: Float) {
                            if pv >= s0 && pv <= s1 { add(pu, py) }
                            if (pv < s0) != (qv < s0) && pv != qv {
                                let f = (s0 - pv) / (qv - pv)
                                add(pu + f * (qu - pu), py + f * (qy - py))
                            }
                            if (pv < s1) != (qv < s1) && pv != qv {
                                let f = (s1 - pv) / (qv - pv)
                                add(pu + f * (qu - pu), py + f * (qy - py))
                            }
                        }
                        edge(au, av, ay, bu, bv, by)
                        edge(bu, bv, by, cu, cv, cy)
                        edge(cu, cv, cy, au, av, ay)
                        if su0 > su1 { continue }
                        let ci0 = max(i0, Int(su0.rounded(.down))), ci1 = min(i1, Int(su1.rounded(.down)))
                        if ci0 > ci1 { continue }
                        let row = k * nx
                        if planar {
                            let vLo = gv >= 0 ? s0 : s1, vHi = gv >= 0 ? s1 : s0
                            for i in ci0...ci1 {
                                let c0 = Float(i), c1 = Float(i + 1)
                                let uLo = gu >= 0 ? c0 : c1, uHi = gu >= 0 ? c1 : c0
                                let pl = max(sy0, min(sy1, ay + gu * (uLo - au) + gv * (vLo - av)))
                                let ph = min(sy1, max(sy0, ay + gu * (uHi - au) + gv * (vHi - av)))
                                if pl < lo[row + i] { lo[row + i] = pl }
                                if ph > hi[row + i] { hi[row + i] = ph }
                            }
                        } else {
                            for i in ci0...ci1 {
                                if sy0 < lo[row + i] { lo[row + i] = sy0 }
                                if sy1 > hi[row + i] { hi[row + i] = sy1 }
                            }
                        }
                    }
                }
            }
        }
    }
}
