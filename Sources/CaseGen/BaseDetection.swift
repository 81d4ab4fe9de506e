import MeshCore

/// A miniature's base as seen from below: an axis-aligned ellipse (a circle when round)
/// fitted to the convex outline of the mesh's lowest slice. Millimetres, +z up.
public struct BaseFootprint: Sendable, Equatable {
    /// Centre of the fitted ellipse (x, y) in mm.
    public var centreX: Float
    public var centreY: Float
    /// Fitted diameters along x and y in mm.
    public var diameterX: Float
    public var diameterY: Float
    /// The lowest z of the mesh.
    public var bottom: Float
    /// Height of the base above `bottom` (the lowest wide upward-facing level over the
    /// footprint), or nil when no such level lies within 10 mm.
    public var height: Float?
    /// The standard size it matches: (long, short) in mm, equal for a round base; nil when none.
    public var standard: (long: Float, short: Float)?

    /// True when the two diameters agree within 2 % (at least 0.5 mm).
    public var isRound: Bool {
        abs(diameterX - diameterY) <= max(0.5, 0.02 * max(diameterX, diameterY))
    }

    /// "25 mm round base (measured 24.98 mm, 3 mm high)", "60 x 35 mm oval base (…)" or
    /// "no standard base: footprint about 27.1 x 26 mm".
    public var summary: String {
        func f(_ v: Float, _ d: Int) -> String { ASCII.decimal(Double(v), fractionDigits: d) }
        let measured = isRound
            ? f((diameterX + diameterY) / 2, 2) + " mm"
            : f(max(diameterX, diameterY), 2) + " x " + f(min(diameterX, diameterY), 2) + " mm"
        if let s = standard {
            let name = s.long == s.short
                ? f(s.long, 0) + " mm round base" : f(s.long, 0) + " x " + f(s.short, 0) + " mm oval base"
            return name + " (measured " + measured + (height.map { ", " + f($0, 1) + " mm high" } ?? "") + ")"
        }
        return "no standard base: footprint about " + measured
    }

    public static func == (a: BaseFootprint, b: BaseFootprint) -> Bool {
        a.centreX == b.centreX && a.centreY == b.centreY && a.diameterX == b.diameterX
            && a.diameterY == b.diameterY && a.bottom == b.bottom && a.height == b.height
            && a.standard?.long == b.standard?.long && a.standard?.short == b.standard?.short
    }
}

/// Finds a mini's base footprint from its lowest slice.
public enum BaseDetector {
    /// Common round base diameters in mm.
    public static let rounds: [Float] = [20, 25, 28, 30, 32, 40, 50, 60, 65, 80, 90, 100, 130, 160]
    /// Common oval bases (long, short) in mm.
    public static let ovals: [(Float, Float)] = [
        (35, 25), (50, 25), (60, 35), (75, 42), (90, 52), (105, 70), (120, 92), (150, 95), (170, 105),
    ]

    /// Fits an axis-aligned ellipse to the convex outline of the vertices within `slice` mm of
    /// the lowest z. Nil when that slice has fewer than three distinct points or no area.
    public static func detect(_ mini: TriangleMesh, slice: Float = 0.75) -> BaseFootprint? {
        if mini.vertexCount < 3 { return nil }
        let b = mini.bounds
        let zmin = b.min.z
        var pts: [(Float, Float)] = []
        mini.positions.withUnsafeBufferPointer { p in
            var i = 0
            while i + 2 < p.count {
                if p[i + 2] <= zmin + slice { pts.append((p[i], p[i + 1])) }
                i += 3
            }
        }
        let hull = convexHull(pts)
        if hull.count < 3 { return nil }
        var lx = Float.infinity, hx = -Float.infinity, ly = Float.infinity, hy = -Float.infinity
        for (x, y) in hull { lx = min(lx, x); hx = max(hx, x); ly = min(ly, y); hy = max(hy, y) }
        let cx = (lx + hx) / 2, cy = (ly + hy) / 2
        // Least squares for A·dx² + B·dy² = 1 over the hull's vertices (exact on a polygon
        // inscribed in the ellipse); the box's half sides are the fallback.
        var sxx = 0.0, sxy = 0.0, syy = 0.0, sx = 0.0, sy = 0.0
        for (x, y) in hull {
            let u = Double((x - cx) * (x - cx)), v = Double((y - cy) * (y - cy))
            sxx += u * u; sxy += u * v; syy += v * v; sx += u; sy += v
        }
        let det = sxx * syy - sxy * sxy
        var rx = (hx - lx) / 2, ry = (hy - ly) / 2
        if !(rx > 0 && ry > 0) { return nil }
        if abs(det) > 1e-12 * max(1, sxx * syy) {
            let a = (sx * syy - sy * sxy) / det, bb = (sxx * sy - sxy * sx) / det
            if a > 0 && bb > 0 {
                let fx = Float(1 / a.squareRoot()), fy = Float(1 / bb.squareRoot())
                // Never smaller than the outline itself, never wildly larger.
                if fx >= rx * 0.999 && fx <= rx * 1.2 && fy >= ry * 0.999 && fy <= ry * 1.2 { rx = fx; ry = fy }
            }
        }
        var out = BaseFootprint(
            centreX: cx, centreY: cy, diameterX: 2 * rx, diameterY: 2 * ry, bottom: zmin, height: nil, standard: nil)
        out.standard = standardSize(out)
        out.height = baseHeight(mini, footprint: out)
        return out
    }

    /// The standard size within 3 % (at least 0.8 mm) of both measured diameters.
    static func standardSize(_ f: BaseFootprint) -> (long: Float, short: Float)? {
        let long = max(f.diameterX, f.diameterY), short = min(f.diameterX, f.diameterY)
        func near(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= max(0.8, 0.03 * b) }
        if f.isRound {
            let d = (long + short) / 2
            for r in rounds where near(d, r) { return (r, r) }
            return nil
        }
        for (l, s) in ovals where near(long, l) && near(short, s) { return (l, s) }
        return nil
    }

    /// The lowest z level (0.1 mm bins) above `bottom + 0.3` where upward-facing triangles over
    /// the footprint cover at least a quarter of its area: the top of the base.
    static func baseHeight(_ mini: TriangleMesh, footprint f: BaseFootprint) -> Float? {
        let bins = 100, binSize: Float = 0.1
        var area = [Float](repeating: 0, count: bins)
        let rx = f.diameterX / 2, ry = f.diameterY / 2
        for t in 0..<mini.triangleCount {
            let (a, b, c) = mini.corners(t)
            let n = (b - a).cross(c - a)
            let len = n.length
            if !(len > 0) || n.z < 0.95 * len { continue }
            let z = (a.z + b.z + c.z) / 3 - f.bottom
            if z < 0.3 { continue }
            let bin = Int(z / binSize)
            if bin >= bins { continue }
            let dx = ((a.x + b.x + c.x) / 3 - f.centreX) / rx, dy = ((a.y + b.y + c.y) / 3 - f.centreY) / ry
            if dx * dx + dy * dy > 1 { continue }
            area[bin] += len / 2
        }
        let need = 0.25 * Float.pi * rx * ry
        for j in 0..<bins where area[j] >= need { return Float(j + 1) * binSize }
        // A level split over two neighbouring bins.
        for j in 0..<(bins - 1) where area[j] + area[j + 1] >= need { return Float(j + 2) * binSize }
        return nil
    }

    /// Andrew's monotone chain; counter-clockwise, no collinear points.
    static func convexHull(_ input: [(Float, Float)]) -> [(Float, Float)] {
        let p = input.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        if p.count < 3 { return p }
        func cross(_ o: (Float, Float), _ a: (Float, Float), _ b: (Float, Float)) -> Float {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        }
        var hull: [(Float, Float)] = []
        for q in p {
            while hull.count >= 2 && cross(hull[hull.count - 2], hull[hull.count - 1], q) <= 0 { hull.removeLast() }
            hull.append(q)
        }
        let lower = hull.count + 1
        for q in p.reversed() {
            while hull.count >= lower && cross(hull[hull.count - 2], hull[hull.count - 1], q) <= 0 { hull.removeLast() }
            hull.append(q)
        }
        hull.removeLast()
        return hull
    }
}
