import MeshCore

/// The two dilated depth fields of a cavity split by a plane, and the cells they reach.
struct CavityField {
    /// Depth from the plane on its lower (`fields[0]`) and upper (`fields[1]`) side, in mm,
    /// ball-dilated by the clearance; `-infinity` where the cavity does not reach.
    var fields: [[Float]]
    /// The cell box [ci0, ci1] × [ck0, ck1] (inclusive) either field reaches.
    var ci0: Int, ci1: Int, ck0: Int, ck1: Int

    /// Builds the fields from the mini's per-cell extents along the depth axis (`lo`…`hi`,
    /// empty where `lo > hi`). Undilated depths are `plane − lo` and `hi − plane`; they are
    /// negative where the mini's column lies wholly on the other side, so the dilation still
    /// leaves the clearance there. `emptyMessage` is the error when the mini covers no cell.
    static func make(
        lo: [Float], hi: [Float], plane: Float, grid: CaseGrid, clearance c: Float, runner: JobRunner,
        emptyMessage: String
    ) throws(CaseError) -> CavityField {
        var lower = [Float](repeating: -.infinity, count: grid.count)
        var upper = [Float](repeating: -.infinity, count: grid.count)
        var pi0 = grid.nx, pi1 = -1, pk0 = grid.nz, pk1 = -1
        for k in 0..<grid.nz {
            for i in 0..<grid.nx {
                let g = k * grid.nx + i
                if lo[g] <= hi[g] {
                    lower[g] = plane - lo[g]
                    upper[g] = hi[g] - plane
                    pi0 = min(pi0, i); pi1 = max(pi1, i); pk0 = min(pk0, k); pk1 = max(pk1, k)
                }
            }
        }
        if pi1 < 0 { throw CaseError(emptyMessage) }
        let reach = Int((c / grid.cell).rounded(.up)) + 1
        let cols = max(0, pi0 - reach)...min(grid.nx - 1, pi1 + reach)
        let rows = max(0, pk0 - reach)...min(grid.nz - 1, pk1 + reach)
        let dilated = BallDilation.dilate([lower, upper], radius: c, grid: grid, cols: cols, rows: rows, runner: runner)

        var ci0 = grid.nx, ci1 = -1, ck0 = grid.nz, ck1 = -1
        for k in rows {
            for i in cols {
                let g = k * grid.nx + i
                if dilated[0][g] > -.infinity || dilated[1][g] > -.infinity {
                    ci0 = min(ci0, i); ci1 = max(ci1, i); ck0 = min(ck0, k); ck1 = max(ck1, k)
                }
            }
        }
        return CavityField(fields: dilated, ci0: ci0, ci1: ci1, ck0: ck0, ck1: ck1)
    }
}
