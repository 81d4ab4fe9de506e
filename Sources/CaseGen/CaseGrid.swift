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
