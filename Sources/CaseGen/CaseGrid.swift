import MeshCore

/// A square-celled grid over the XZ plane: cell (i, k) covers
/// x ∈ [x0 + i·cell, x0 + (i+1)·cell], z ∈ [z0 + k·cell, z0 + (k+1)·cell]. Row-major by k.
struct CaseGrid {
    var x0: Float
    var z0: Float
    var cell: Float
    var nx: Int
    var nz: Int

    var count: Int { nx * nz }

    /// x of grid line `i` (computed one way everywhere so equal lines give equal floats).
    @inline(__always) func x(_ i: Int) -> Float { x0 + Float(i) * cell }
    @inline(__always) func z(_ k: Int) -> Float { z0 + Float(k) * cell }
}

/// Depths and heights are rounded to multiples of 2⁻¹⁰ mm so that `p ± depth` is exact in
/// `Float` (for |values| < 16 m): distinct depths never collapse into one vertex.
@inline(__always) func quantizeUp(_ v: Float) -> Float { (v * 1024).rounded(.up) / 1024 }
@inline(__always) func quantizeNearest(_ v: Float) -> Float { (v * 1024).rounded() / 1024 }

extension CaseGrid {
    /// A grid over the XZ footprint of `bounds` plus `pad` mm on each side (and a few spare
    /// cells), with cells of `options.resolution` mm, coarsened (and a warning appended) when
    /// a side would exceed `options.maxGridCells` cells.
    static func around(
        _ bounds: Bounds, pad: Float, options: CaseOptions, warnings: inout [String]
    ) -> CaseGrid {
        let size = bounds.size
        let spanX = size.x + 2 * pad, spanZ = size.z + 2 * pad
        var cell = options.resolution
        let limit = Float(max(64, options.maxGridCells) - 8)
        if max(spanX, spanZ) / cell > limit {
            cell = quantizeUp(max(spanX, spanZ) / limit * 1.001)
            warnings.append(
                "resolution coarsened from " + CaseGenerator.mm(options.resolution) + " to " + CaseGenerator.mm(cell)
                    + " mm to keep the grid within " + ASCII.grouped(options.maxGridCells) + " cells per side")
        }
        let padCells = Int((pad / cell).rounded(.up)) + 4
        return CaseGrid(
            x0: bounds.min.x - Float(padCells) * cell, z0: bounds.min.z - Float(padCells) * cell, cell: cell,
            nx: Int((size.x / cell).rounded(.up)) + 2 * padCells, nz: Int((size.z / cell).rounded(.up)) + 2 * padCells)
    }
}
