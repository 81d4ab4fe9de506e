extension MeshRenderer {
    /// Draws one triangle given in sample coordinates (x, y, depth value) into the sample
    /// rows `firstRow…maxY` (a band of the image, `firstRow` stored first in `buf`) of a
    /// buffer `width` samples wide whose last column is `maxX`.
    ///
    /// `levels(front, area)` gives the lighting level of corners a, b, c (in the order
    /// passed) for the visible side; it is called only once something may be drawn,
    /// because it is the expensive part for the many triangles that cover no sample.
    /// A sample keeps the first triangle that reaches its largest depth key, so
    /// buffers filled from consecutive triangle ranges merge exactly (`mergeLayers`).
    @inline(__always)
    static func drawTriangle(
        _ xa: Float, _ ya: Float, _ za: Float,
        _ xb0: Float, _ yb0: Float, _ zb0: Float,
        _ xc0: Float, _ yc0: Float, _ zc0: Float,
        maxX: Float, firstRow: Int = 0, maxY: Float, width: Int, samples buf: UnsafeMutablePointer<UInt32>,
        levels: (_ front: Bool, _ doubleArea: Float) -> (Float, Float, Float)
    ) {
        // Cheapest rejection first: does the box hold any sample centre at all?
        let minX = Swift.min(xa, Swift.min(xb0, xc0)), maxXf = Swift.max(xa, Swift.max(xb0, xc0))
        let minY = Swift.min(ya, Swift.min(yb0, yc0)), maxYf = Swift.max(ya, Swift.max(yb0, yc0))
        // (Also false for NaN, so the Int conversions below are safe.)
        let minRow = Float(firstRow)
        if !(minX <= maxXf && minY <= maxYf && maxXf >= 0 && maxYf >= minRow && minX <= maxX && minY <= maxY) {
            return
        }
        // Ceil of the clamped minimum and floor of the clamped maximum (all ≥ 0 here).
        let cx0 = minX > 0 ? minX : 0, cy0 = minY > minRow ? minY : minRow
        var x0 = Int(cx0), y0 = Int(cy0)
        if Float(x0) < cx0 { x0 &+= 1 }
        if Float(y0) < cy0 { y0 &+= 1 }
        let x1 = Int(maxXf < maxX ? maxXf : maxX), y1 = Int(maxYf < maxY ? maxYf : maxY)
        if x0 > x1 || y0 > y1 { return }

        var xb = xb0, yb = yb0, zb = zb0, xc = xc0, yc = yc0, zc = zc0
        var area = (xb - xa) * (yc - ya) - (yb - ya) * (xc - xa)
        if !(area > 1e-6 || area < -1e-6) { return }
        // Counter-clockwise seen from the camera is negative here (image y points down).
        let front = area < 0
        if front {
            swap(&xb, &xc)
            swap(&yb, &yc)
            swap(&zb, &zc)
            area = -area
        }

        if x0 == x1 && y0 == y1 {
            // One candidate sample (most triangles of dense meshes): barycentrics directly.
            let px = Float(x0), py = Float(y0)
            let wa = (xc - xb) * (py - yb) - (yc - yb) * (px - xb)
            let wb = (xa - xc) * (py - yc) - (ya - yc) * (px - xc)
            let wc = area - wa - wb
            if wa >= 0 && wb >= 0 && wc >= 0 {
                let inv = 1 / area
                let key = depthKey((wa * za + wb * zb + wc * zc) * inv)
                let i = (y0 &- firstRow) &* width &+ x0
                if key > buf[i] & 0xFFFF_FF00 {
                    var (la, lb, lc) = levels(front, area)
                    if front { swap(&lb, &lc) }
                    buf[i] = key | shadeByte((wa * la + wb * lb + wc * lc) * inv)
                }
            }
            return
        }

        if !front || (x1 &- x0 < 3 && y1 &- y0 < 3) {
            // Box already covered by nearer surface everywhere (back faces of closed meshes,
            // drawn after the front faces; small far parts): skip the lighting and gradient
            // setup. The bound sits a little above the nearest corner, so interpolation
            // rounding cannot make a skipped sample win.
            let bound = depthKey(Swift.max(za, Swift.max(zb, zc)) + 2)
            var y = y0
            var hidden = true
            scan: while y <= y1 {
                var i = (y &- firstRow) &* width &+ x0
                let end = i &+ (x1 &- x0)
                while i <= end {
                    if buf[i] & 0xFFFF_FF00 < bound { hidden = false; break scan }
                    i &+= 1
                }
                y &+= 1
            }
            if hidden { return }
        }

        var (la, lb, lc) = levels(front, area)
        if front { swap(&lb, &lc) }
        let inv = 1 / area
        let dzdx = ((zb - za) * (yc - ya) - (zc - za) * (yb - ya)) * inv
        let dzdy = ((zc - za) * (xb - xa) - (zb - za) * (xc - xa)) * inv
        let dldx = ((lb - la) * (yc - ya) - (lc - la) * (yb - ya)) * inv
        let dldy = ((lc - la) * (xb - xa) - (lb - la) * (xc - xa)) * inv
        // Edge functions, each ≥ 0 inside: opposite a, b, c.
        let e0dx = -(yc - yb), e0dy = xc - xb
        let e1dx = -(ya - yc), e1dy = xa - xc
        let e2dx = -(yb - ya), e2dy = xb - xa

        let px = Float(x0), py = Float(y0)
        var e0row = (xc - xb) * (py - yb) - (yc - yb) * (px - xb)
        var e1row = (xa - xc) * (py - yc) - (ya - yc) * (px - xc)
        var e2row = (xb - xa) * (py - ya) - (yb - ya) * (px - xa)
        var zrow = za + dzdx * (px - xa) + dzdy * (py - ya)
        var lrow = la + dldx * (px - xa) + dldy * (py - ya)
        if x1 &- x0 < 3 {
            // Small box: test every sample.
            var y = y0
            while y <= y1 {
                var e0 = e0row, e1 = e1row, e2 = e2row, z = zrow, l = lrow
                var i = (y &- firstRow) &* width &+ x0
                let end = i &+ (x1 &- x0)
                while i <= end {
                    if e0 >= 0 && e1 >= 0 && e2 >= 0 {
                        let key = depthKey(z)
                        if key > buf[i] & 0xFFFF_FF00 { buf[i] = key | shadeByte(l) }
                    }
                    e0 += e0dx; e1 += e1dx; e2 += e2dx; z += dzdx; l += dldx
                    i &+= 1
                }
                e0row += e0dy; e1row += e1dy; e2row += e2dy; zrow += dzdy; lrow += dldy
                y &+= 1
            }
            return
        }
        // Larger box: solve each row's span from the three edge functions, so long
        // thin triangles cost their area, not their bounding box. The small slack
        // makes neighbours overlap by a hair instead of leaving pinholes.
        let r0 = e0dx != 0 ? 1 / e0dx : 0, r1 = e1dx != 0 ? 1 / e1dx : 0, r2 = e2dx != 0 ? 1 / e2dx : 0
        let slack: Float = 1e-3
        let span = Float(x1 &- x0)
        var y = y0
        while y <= y1 {
            var lo: Float = 0, hi = span
            var empty = false
            if e0dx > 0 { let b = -e0row * r0 - slack; if b > lo { lo = b } }
            else if e0dx < 0 { let b = -e0row * r0 + slack; if b < hi { hi = b } }
            else if e0row < 0 { empty = true }
            if e1dx > 0 { let b = -e1row * r1 - slack; if b > lo { lo = b } }
            else if e1dx < 0 { let b = -e1row * r1 + slack; if b < hi { hi = b } }
            else if e1row < 0 { empty = true }
            if e2dx > 0 { let b = -e2row * r2 - slack; if b > lo { lo = b } }
            else if e2dx < 0 { let b = -e2row * r2 + slack; if b < hi { hi = b } }
            else if e2row < 0 { empty = true }
            if !empty && lo <= hi {
                // lo, hi ≥ 0 here, so truncation is floor.
                var xs = Int(lo)
                if Float(xs) < lo { xs &+= 1 }
                let xe = Int(hi)
                if xs <= xe {
                    let fx = Float(xs)
                    var z = zrow + dzdx * fx, l = lrow + dldx * fx
                    var i = (y &- firstRow) &* width &+ x0 &+ xs
                    let end = (y &- firstRow) &* width &+ x0 &+ xe
                    while i <= end {
                        let key = depthKey(z)
                        if key > buf[i] & 0xFFFF_FF00 { buf[i] = key | shadeByte(l) }
                        z += dzdx; l += dldx
                        i &+= 1
                    }
                }
            }
            e0row += e0dy; e1row += e1dy; e2row += e2dy; zrow += dzdy; lrow += dldy
            y &+= 1
        }
    }

    /// Depth key (nearer is larger) in the top 24 bits; clamped because interpolation
    /// may step a hair outside the corners' range.
    @inline(__always)
    static func depthKey(_ z: Float) -> UInt32 {
        let c = z > 1 ? (z < 16_777_000 ? z : 16_777_000) : 1
        // Adding 2^52 leaves round(c) in the low bits of the Double: a conversion without
        // the range checks of `UInt32(_:)` (c is in range already), once per sample.
        return UInt32(truncatingIfNeeded: (Double(c) + 4_503_599_627_370_496).bitPattern) &<< 8
    }

    /// Palette index 1…255 for an interpolated level, rounded to nearest.
    @inline(__always)
    static func shadeByte(_ l: Float) -> UInt32 {
        let c = l < 255 ? (l > 1 ? l : 1) : 255
        // As in `depthKey`, with 2^23 for a Float: round(c) lands in the low byte.
        return (c + 8_388_608).bitPattern & 0xFF
    }

    /// Lighting level of a face with (unnormalized) normal `n` seen from its `front` side.
    @inline(__always)
    static func faceLevel(_ nx: Float, _ ny: Float, _ nz: Float, front: Bool, shading: Shading) -> Float {
        let len2 = nx * nx + ny * ny + nz * nz
        let s: Float = len2 > 0 && len2.isFinite ? (front ? 1 : -1) / len2.squareRoot() : 0
        return shading.level(nx * s, ny * s, nz * s)
    }
}
