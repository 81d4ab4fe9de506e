import MeshCore

/// Exact ball dilation of depth fields over a `CaseGrid`, measured conservatively between
/// cell squares: out(q) = max over cells r with ρ(q, r) ≤ c of in(r) + √(c² − ρ²), where ρ is
/// the least distance between the squares of q and r. A mini point anywhere over r at depth
/// ≤ in(r) is then at least c from any point over q at depth ≥ out(q).
enum BallDilation {
    /// One neighbour offset and what it adds.
    struct Offset {
        var di: Int
        var dk: Int
        var add: Float
    }

    static func offsets(radius c: Float, cell: Float) -> [Offset] {
        let reach = Int((c / cell).rounded(.up)) + 1
        var out: [Offset] = []
        for dk in -reach...reach {
            for di in -reach...reach {
                let gx = Float(max(0, abs(di) - 1)) * cell
                let gz = Float(max(0, abs(dk) - 1)) * cell
                let rho2 = gx * gx + gz * gz
                if rho2 <= c * c { out.append(Offset(di: di, dk: dk, add: (c * c - rho2).squareRoot())) }
            }
        }
        return out
    }

    /// Dilates `fields` (each `grid.count` long, −∞ where empty) by `c`, restricted to the cells
    /// of `rows` × `cols` (inclusive bounds already grown by the reach). Cells outside stay −∞.
    static func dilate(
        _ fields: [[Float]], radius c: Float, grid: CaseGrid,
        cols: ClosedRange<Int>, rows: ClosedRange<Int>, runner: JobRunner
    ) -> [[Float]] {
        let offs = offsets(radius: c, cell: grid.cell)
        var outs: [[Float]] = []
        let nx = grid.nx, nz = grid.nz
        for field in fields {
            var out = [Float](repeating: -.infinity, count: grid.count)
            // Per source row, the span of cells holding a value: outside it nothing is added.
            var spanLo = [Int](repeating: nx, count: nz), spanHi = [Int](repeating: -1, count: nz)
            field.withUnsafeBufferPointer { src in
                for k in 0..<nz {
                    let row = src.baseAddress! + k * nx
                    var i = 0
                    while i < nx && row[i] == -.infinity { i += 1 }
                    if i == nx { continue }
                    var j = nx - 1
                    while row[j] == -.infinity { j -= 1 }
                    spanLo[k] = i; spanHi[k] = j
                }
            }
            field.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    nonisolated(unsafe) let s = src.baseAddress!
                    nonisolated(unsafe) let d = dst.baseAddress!
                    let rowCount = rows.count
                    let jobs = min(rowCount, runner.width * 4)
                    let spanLo = spanLo, spanHi = spanHi
                    runner.run(jobs) { j in
                        let k0 = rows.lowerBound + rowCount * j / jobs
                        let k1 = rows.lowerBound + rowCount * (j + 1) / jobs
                        for k in k0..<k1 {
                            let outRow = d + k * nx
                            for o in offs {
                                let kk = k + o.dk
                                if kk < 0 || kk >= nz { continue }
                                let lo = max(cols.lowerBound, spanLo[kk] - o.di)
                                let hi = min(cols.upperBound, spanHi[kk] - o.di)
                                if lo > hi { continue }
                                let inRow = s + kk * nx + o.di
                                let add = o.add
                                for i in lo...hi { outRow[i] = Swift.max(outRow[i], inRow[i] + add) }
                            }
                        }
                    }
                }
            }
            outs.append(out)
        }
        return outs
    }
}
