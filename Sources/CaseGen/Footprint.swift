/// Fixed sizes of the case's features, derived from the options (mm).
struct Layout {
    var pinRadius: Float
    var holeRadius: Float
    var pinHeight: Float
    var holeDepth: Float
    /// Least material around a hole, to the cavity and to the outside.
    var pinWall: Float = 1
    /// Side of the square beside the cavity that always holds a pin with its wall.
    var pinMargin: Float
    var notchLength: Float = 2.5
    var notchHalfWidth: Float = 5
    var notchDepth: Float = 1.5
    /// The most a footprint can extend beyond the dilated mini, for sizing the grid.
    var widestMargin: Float

    init(options o: CaseOptions) {
        pinRadius = o.pinDiameter / 2
        holeRadius = o.pinDiameter / 2 + o.pinFit
        pinHeight = o.pinHeight
        holeDepth = o.pinHeight + 0.3
        pinMargin = 2 * (holeRadius + pinWall) + 1
        if let m = o.magnets { pinMargin = max(pinMargin, m.margin) }
        widestMargin = o.wall + pinMargin + notchLength + 3
    }
}

/// The cell rectangle [i0, i1) × [k0, k1) of a case half, and where its pins go.
struct Footprint {
    var i0: Int, i1: Int, k0: Int, k1: Int
    /// Pin centres in mm (x, z).
    var pins: [(x: Float, z: Float)] = []
    /// Magnet pocket centres in mm (x, z), the same in both halves.
    var magnets: [(x: Float, z: Float)] = []
    /// Radius in cells of the rounded outer corners (0: square); see `RoundedCorners.swift`.
    var corner: Int = 0

    init(i0: Int, i1: Int, k0: Int, k1: Int) {
        self.i0 = i0; self.i1 = i1; self.k0 = k0; self.k1 = k1
    }

    var width: Int { i1 - i0 }
    var height: Int { k1 - k0 }

    func notchCentreX(_ grid: CaseGrid) -> Float { (grid.x(i0) + grid.x(i1)) / 2 }
    func notchHalfWidth(_ grid: CaseGrid, _ layout: Layout) -> Float {
        min(layout.notchHalfWidth, (grid.x(i1) - grid.x(i0)) / 4)
    }

    /// Finds, for each requested pin, the free spot nearest its corner of the footprint: a
    /// square of half-side hole radius + pin wall (+ one cell for the terrain's slope) that
    /// holds no cavity or notch cell and stays inside the footprint. False when one does not fit.
    mutating func placeFeatures(
        layout: Layout, options: CaseOptions, grid: CaseGrid, front: [Float], back: [Float], notchCells: Int
    ) -> Bool {
        if i0 < 0 || k0 < 0 || i1 > grid.nx || k1 > grid.nz { return false }
        pins = []
        if options.pins == 0 { return true }
        let w = width, h = height
        let cx = notchCentreX(grid), hw = notchHalfWidth(grid, layout)
        // Summed-area table of blocked cells.
        var sat = [Int32](repeating: 0, count: (w + 1) * (h + 1))
        for k in 0..<h {
            var rowSum: Int32 = 0
            for i in 0..<w {
                let g = (k0 + k) * grid.nx + i0 + i
                var blocked = front[g] > -.infinity || back[g] > -.infinity || outsideRounding(i, k)
                if notchCells > 0 && k >= h - notchCells {
                    let x = grid.x(i0 + i) + grid.cell / 2
                    if abs(x - cx) < hw + grid.cell { blocked = true }
                }
                if blocked { rowSum += 1 }
                sat[(k + 1) * (w + 1) + i + 1] = sat[k * (w + 1) + i + 1] + rowSum
            }
        }
        let sc = Int(((layout.holeRadius + layout.pinWall) / grid.cell).rounded(.up)) + 1
        if 2 * sc > w || 2 * sc > h { return false }
        let hc = Int((layout.holeRadius / grid.cell).rounded(.up)) + 1   // a hole's cells, around its centre
        let corners: [(Int, Int)]
        switch options.pins {
        case 1: corners = [(0, 0)]
        case 2: corners = [(0, 0), (w, h)]
        case 3: corners = [(0, 0), (w, 0), (w, h)]
        default: corners = [(0, 0), (w, 0), (0, h), (w, h)]
        }
        var chosen: [(Int, Int)] = []
        for (ci, ck) in corners {
            var best = -1, bestI = 0, bestK = 0
            for k in sc...(h - sc) {
                for i in sc...(w - sc) {
                    let d = (i - ci) * (i - ci) + (k - ck) * (k - ck)
                    if best >= 0 && d >= best { continue }
                    let a = (k - sc) * (w + 1), b = (k + sc) * (w + 1)
                    let s = sat[b + i + sc] - sat[b + i - sc] - sat[a + i + sc] + sat[a + i - sc]
                    if s == 0 && !touchesCorner(i, k, reach: hc) { best = d; bestI = i; bestK = k }
                }
            }
            if best < 0 { return false }
            for (oi, ok) in chosen where abs(oi - bestI) < 2 * sc && abs(ok - bestK) < 2 * sc { return false }
            chosen.append((bestI, bestK))
        }
        pins = chosen.map { (grid.x(i0 + $0.0), grid.z(k0 + $0.1)) }
        return true
    }

    /// Depth per footprint cell of half 0 (front: cavity, pins, notch) or 1 (back: cavity,
    /// holes, notch), measured from the parting plane into the half; negative = pin.
    func depths(half: Int, grid: CaseGrid, field: [Float], layout: Layout, options: CaseOptions) -> [Float] {
        let w = width, h = height
        var out = [Float](repeating: 0, count: w * h)
        for k in 0..<h {
            for i in 0..<w {
                let d = field[(k0 + k) * grid.nx + i0 + i]
                out[k * w + i] = d > 0 ? quantizeUp(d) : 0
            }
        }
        if options.fingerNotch {
            let cx = notchCentreX(grid), hw = notchHalfWidth(grid, layout)
            let rows = Int((layout.notchLength / grid.cell).rounded(.up))
            for k in max(0, h - rows)..<h {
                for i in 0..<w {
                    let dx = (grid.x(i0 + i) + grid.cell / 2 - cx) / hw
                    if abs(dx) < 1 {
                        let d = quantizeUp(layout.notchDepth * (1 - dx * dx).squareRoot())
                        out[k * w + i] = max(out[k * w + i], d)
                    }
                }
            }
        }
        let reach = Int((layout.holeRadius / grid.cell).rounded(.up)) + 2
        let pinTop = -quantizeUp(layout.pinHeight)
        let holeBottom = quantizeUp(layout.holeDepth)
        for pin in pins {
            let pi = Int(((pin.x - grid.x0) / grid.cell).rounded()) - i0
            let pk = Int(((pin.z - grid.z0) / grid.cell).rounded()) - k0
            for k in max(0, pk - reach)..<min(h, pk + reach) {
                for i in max(0, pi - reach)..<min(w, pi + reach) {
                    let xa = grid.x(i0 + i) - pin.x, xb = grid.x(i0 + i + 1) - pin.x
                    let za = grid.z(k0 + k) - pin.z, zb = grid.z(k0 + k + 1) - pin.z
                    if half == 0 {
                        // Pin: cells wholly inside the pin's circle, so the pin is never wider.
                        let fx = max(xa * xa, xb * xb), fz = max(za * za, zb * zb)
                        if fx + fz <= layout.pinRadius * layout.pinRadius { out[k * w + i] = pinTop }
                    } else {
                        // Hole: every cell the hole's circle touches, so the hole is never narrower.
                        let nx = xa > 0 ? xa : (xb < 0 ? xb : 0)
                        let nz = za > 0 ? za : (zb < 0 ? zb : 0)
                        if nx * nx + nz * nz <= layout.holeRadius * layout.holeRadius {
                            out[k * w + i] = max(out[k * w + i], holeBottom)
                        }
                    }
                }
            }
        }
        return out
    }
}
