/// Round magnets sunk into both halves' parting faces, so a closed case holds together.
///
/// Each pocket has diameter `diameter + 2 × fit` and depth `height` (rounded up to the depth
/// grid, 1/1024 mm): a glued-in magnet sits flush with the parting face, and the two halves'
/// magnets meet face to face when the case is closed. The pockets are heightfield edits (the
/// parting face lowered over every cell the pocket's circle touches, so a pocket is never
/// narrower than stated), so the halves stay watertight.
public struct MagnetSize: Sendable, Equatable {
    /// Magnet diameter in mm (1…20).
    public var diameter: Float
    /// Magnet height in mm (0.5…10) = pocket depth.
    public var height: Float
    /// Radial gap around the magnet in mm (0…1).
    public var fit: Float = 0.15

    public init(diameter: Float, height: Float, fit: Float = 0.15) {
        self.diameter = diameter
        self.height = height
        self.fit = fit
    }

    /// Pocket radius in mm: half the diameter plus the fit.
    public var pocketRadius: Float { diameter / 2 + fit }

    /// Least material between a pocket and the cavity, the outside, a pin hole or another pocket.
    static let wall: Float = 1

    /// Side of the square beside the cavity that always holds a pocket with its wall.
    var margin: Float { 2 * (pocketRadius + MagnetSize.wall) + 1 }

    static func validate(_ m: MagnetSize) throws(CaseError) {
        if !(m.diameter >= 1 && m.diameter <= 20) {
            throw CaseError("magnet diameter " + CaseGenerator.mm(m.diameter) + " mm is out of range: use 1 to 20 mm")
        }
        if !(m.height >= 0.5 && m.height <= 10) {
            throw CaseError("magnet height " + CaseGenerator.mm(m.height) + " mm is out of range: use 0.5 to 10 mm")
        }
        if !(m.fit >= 0 && m.fit <= 1) {
            throw CaseError("magnet fit " + CaseGenerator.mm(m.fit) + " mm is out of range: use 0 to 1 mm")
        }
    }
}

extension Footprint {
    /// Places magnet pockets at the free spots nearest the middles of the footprint's left and
    /// right edges (both required) and of its bottom and top edges (when they fit): squares of
    /// half-side pocket radius + 1 mm (+ one cell for the terrain's slope) holding no cavity,
    /// notch, or pin square, inside the footprint and apart from each other. False when the
    /// required two do not fit (the caller widens the walls). Call after `placeFeatures`.
    mutating func placeMagnets(
        layout: Layout, options: CaseOptions, grid: CaseGrid, front: [Float], back: [Float], notchCells: Int
    ) -> Bool {
        magnets = []
        guard let magnet = options.magnets else { return true }
        if i0 < 0 || k0 < 0 || i1 > grid.nx || k1 > grid.nz { return false }
        let w = width, h = height
        var blocked = [Bool](repeating: false, count: w * h)
        let cx = notchCentreX(grid), hw = notchHalfWidth(grid, layout)
        for k in 0..<h {
            for i in 0..<w {
                let g = (k0 + k) * grid.nx + i0 + i
                var b = front[g] > -.infinity || back[g] > -.infinity || outsideRounding(i, k)
                if notchCells > 0 && k >= h - notchCells {
                    let x = grid.x(i0 + i) + grid.cell / 2
                    if abs(x - cx) < hw + grid.cell { b = true }
                }
                blocked[k * w + i] = b
            }
        }
        let sc = Int(((layout.holeRadius + layout.pinWall) / grid.cell).rounded(.up)) + 1
        for pin in pins {
            let pi = Int(((pin.x - grid.x0) / grid.cell).rounded()) - i0
            let pk = Int(((pin.z - grid.z0) / grid.cell).rounded()) - k0
            for k in max(0, pk - sc)..<min(h, pk + sc) { for i in max(0, pi - sc)..<min(w, pi + sc) { blocked[k * w + i] = true } }
        }
        var sat = [Int32](repeating: 0, count: (w + 1) * (h + 1))
        for k in 0..<h {
            var rowSum: Int32 = 0
            for i in 0..<w {
                if blocked[k * w + i] { rowSum += 1 }
                sat[(k + 1) * (w + 1) + i + 1] = sat[k * (w + 1) + i + 1] + rowSum
            }
        }
        let sm = Int(((magnet.pocketRadius + MagnetSize.wall) / grid.cell).rounded(.up)) + 1
        let pc = Int((magnet.pocketRadius / grid.cell).rounded(.up)) + 1   // a pocket's cells, around its centre
        if 2 * sm > w || 2 * sm > h { return false }
        let targets: [(i: Int, k: Int, required: Bool)] = [(0, h / 2, true), (w, h / 2, true), (w / 2, 0, false), (w / 2, h, false)]
        var chosen: [(Int, Int)] = []
        for t in targets {
            var best = -1, bestI = 0, bestK = 0
            for k in sm...(h - sm) {
                for i in sm...(w - sm) {
                    let d = (i - t.i) * (i - t.i) + (k - t.k) * (k - t.k)
                    if best >= 0 && d >= best { continue }
                    let a = (k - sm) * (w + 1), b = (k + sm) * (w + 1)
                    if sat[b + i + sm] - sat[b + i - sm] - sat[a + i + sm] + sat[a + i - sm] != 0 { continue }
                    if chosen.contains(where: { abs($0.0 - i) < 2 * sm && abs($0.1 - k) < 2 * sm }) { continue }
                    if touchesCorner(i, k, reach: pc) { continue }
                    best = d; bestI = i; bestK = k
                }
            }
            if best < 0 {
                if t.required { return false }
                continue
            }
            chosen.append((bestI, bestK))
        }
        magnets = chosen.map { (grid.x(i0 + $0.0), grid.z(k0 + $0.1)) }
        return true
    }

    /// Lowers the parting face of either half to the pocket depth over every cell a pocket's
    /// circle touches (`depths` as from `depths(half:…)`).
    func cutMagnetPockets(_ depths: inout [Float], grid: CaseGrid, options: CaseOptions) {
        guard let magnet = options.magnets else { return }
        let w = width, h = height
        let r = magnet.pocketRadius
        let bottom = quantizeUp(magnet.height)
        let reach = Int((r / grid.cell).rounded(.up)) + 2
        for m in magnets {
            let mi = Int(((m.x - grid.x0) / grid.cell).rounded()) - i0
            let mk = Int(((m.z - grid.z0) / grid.cell).rounded()) - k0
            for k in max(0, mk - reach)..<min(h, mk + reach) {
                for i in max(0, mi - reach)..<min(w, mi + reach) {
                    let xa = grid.x(i0 + i) - m.x, xb = grid.x(i0 + i + 1) - m.x
                    let za = grid.z(k0 + k) - m.z, zb = grid.z(k0 + k + 1) - m.z
                    let nx = xa > 0 ? xa : (xb < 0 ? xb : 0)
                    let nz = za > 0 ? za : (zb < 0 ? zb : 0)
                    if nx * nx + nz * nz < r * r { depths[k * w + i] = max(depths[k * w + i], bottom) }
                }
            }
        }
    }
}
