import MeshCore

/// Running minimum and maximum of three coordinates (world bounds, or projected x, y and
/// closeness). Min/max merge exactly in any order, so split work gives identical results.
struct Extent {
    var lo = (Float.infinity, Float.infinity, Float.infinity)
    var hi = (-Float.infinity, -Float.infinity, -Float.infinity)

    @inline(__always)
    mutating func add(_ x: Float, _ y: Float, _ z: Float) {
        // Branches, not min/max: after the first few corners they are almost never taken.
        if x < lo.0 { lo.0 = x }
        if x > hi.0 { hi.0 = x }
        if y < lo.1 { lo.1 = y }
        if y > hi.1 { hi.1 = y }
        if z < lo.2 { lo.2 = z }
        if z > hi.2 { hi.2 = z }
    }

    /// Adds a world position if all three coordinates are finite (bad ones must not spoil
    /// framing); returns whether it did.
    @inline(__always) @discardableResult
    mutating func addFinite(_ x: Float, _ y: Float, _ z: Float) -> Bool {
        // v - v is 0 for finite v and NaN for infinities and NaN.
        guard (x - x) + (y - y) + (z - z) == 0 else { return false }
        add(x, y, z)
        return true
    }

    mutating func merge(_ o: Extent) {
        add(o.lo.0, o.lo.1, o.lo.2)
        add(o.hi.0, o.hi.1, o.hi.2)
    }

    var isEmpty: Bool { !(lo.0 <= hi.0) }

    /// Whether this projected extent already holds every point of the world-space `box`,
    /// with room to spare: true only if all 8 corners project (each is in front of the
    /// camera, so the box's image lies within theirs) strictly inside it, by more than
    /// float rounding could move a point of the box. Adding the box's points would then
    /// change nothing. False for an empty box.
    func covers(_ box: Extent, _ projection: Projection) -> Bool {
        if box.isEmpty || isEmpty { return false }
        var image = Extent()
        for k in 0..<8 {
            let (x, y, c) = projection.project(
                k & 1 == 0 ? box.lo.0 : box.hi.0, k & 2 == 0 ? box.lo.1 : box.hi.1, k & 4 == 0 ? box.lo.2 : box.hi.2)
            if !(x == x) { return false }
            image.add(x, y, c)
        }
        // Float rounding moves a projected point by a few 1e-8 of its magnitude.
        @inline(__always) func slack(_ a: Float, _ b: Float) -> Float { (b - a) * 1e-4 + (abs(a) + abs(b)) * 1e-6 }
        let sx = slack(lo.0, hi.0), sy = slack(lo.1, hi.1), sz = slack(lo.2, hi.2)
        return image.lo.0 > lo.0 + sx && image.hi.0 < hi.0 - sx
            && image.lo.1 > lo.1 + sy && image.hi.1 < hi.1 - sy
            && image.lo.2 > lo.2 + sz && image.hi.2 < hi.2 - sz
    }

    /// Runs `body(range, &extent)` over `jobs` slices of `0..<count` and merges the results.
    static func gather(
        count: Int, jobs: Int, runner: JobRunner, _ body: (Range<Int>, inout Extent) -> Void
    ) -> Extent {
        var parts = [Extent](repeating: Extent(), count: jobs)
        parts.withUnsafeMutableBufferPointer { parts in
            runner.run(jobs) { j in
                var e = Extent()
                body(slice(j, of: jobs, count: count), &e)
                parts[j] = e
            }
        }
        var total = Extent()
        for p in parts { total.merge(p) }
        return total
    }
}

/// The `j`-th of `jobs` nearly equal contiguous slices of `0..<count`.
@inline(__always)
func slice(_ j: Int, of jobs: Int, count: Int) -> Range<Int> {
    (count * j / jobs)..<(count * (j + 1) / jobs)
}

/// Image size and sampling derived from `RenderOptions`.
struct Target {
    var width: Int
    var height: Int
    /// Samples per pixel side (2 with supersampling, else 1).
    var factor: Int
    var sampleWidth: Int { width * factor }
    var sampleHeight: Int { height * factor }

    init(_ options: RenderOptions) {
        width = Swift.min(Swift.max(options.width, 1), MeshRenderer.maxSide)
        height = Swift.min(Swift.max(options.height, 1), MeshRenderer.maxSide)
        factor = (options.supersample ?? (width <= 1024 && height <= 1024)) ? 2 : 1
    }
}

/// World → camera projection: image-plane x, y (before framing) and a closeness that
/// is larger when nearer and > 0 for drawable points.
struct Projection {
    var r: Vec3, u: Vec3, f: Vec3
    /// Eye position; points are made eye-relative first so far-from-origin models keep precision.
    var e: Vec3
    var perspective: Bool
    var invDistance: Float

    init(_ camera: Camera) {
        r = camera.right; u = camera.up; f = camera.forward
        e = camera.eye
        perspective = camera.perspective
        invDistance = 1 / camera.distance
    }

    /// Raw projected x, y and closeness; x is NaN when the point cannot be drawn.
    @inline(__always)
    func project(_ px: Float, _ py: Float, _ pz: Float) -> (Float, Float, Float) {
        let dx = px - e.x, dy = py - e.y, dz = pz - e.z
        var x = dx * r.x + dy * r.y + dz * r.z
        var y = dx * u.x + dy * u.y + dz * u.z
        let z = dx * f.x + dy * f.y + dz * f.z
        let closeness: Float
        if perspective {
            let inv = 1 / z
            x *= inv
            y *= inv
            closeness = inv
        } else {
            closeness = 2 - z * invDistance
        }
        if !((x - x) + (y - y) == 0 && closeness > 0) { x = .nan }
        return (x, y, closeness)
    }
}

/// Maps raw projected coordinates to sample coordinates (sample centres at integers) and
/// closeness to a depth value in 8…16,000,008 for `MeshRenderer.depthKey`.
struct Framing {
    var scale: Float
    var offX: Float
    var offY: Float
    var cmin: Float
    var depthScale: Float

    /// Fits the projected extent into the sample grid, keeping the aspect ratio.
    init(projected p: Extent, target: Target, margin: Float) {
        let rw = target.sampleWidth, rh = target.sampleHeight
        let m = Swift.min(Swift.max(margin, 0), 0.45)
        let availW = Float(rw) * (1 - 2 * m), availH = Float(rh) * (1 - 2 * m)
        let extW = p.hi.0 - p.lo.0, extH = p.hi.1 - p.lo.1
        var s: Float
        if extW > 0 && extH > 0 {
            s = Swift.min(availW / extW, availH / extH)
        } else if extW > 0 {
            s = availW / extW
        } else if extH > 0 {
            s = availH / extH
        } else {
            s = 1
        }
        if !s.isFinite { s = 1 }
        scale = s
        offX = Float(rw) * 0.5 - s * (p.lo.0 + p.hi.0) * 0.5 - 0.5
        offY = Float(rh) * 0.5 + s * (p.lo.1 + p.hi.1) * 0.5 - 0.5
        cmin = p.lo.2
        depthScale = p.hi.2 > p.lo.2 ? 16_000_000 / (p.hi.2 - p.lo.2) : 0
    }

    @inline(__always)
    func apply(_ x: Float, _ y: Float, _ c: Float) -> (Float, Float, Float) {
        (offX + scale * x, offY - scale * y, 8 + (c - cmin) * depthScale)
    }
}

/// Camera and lighting for a model with world extent `bounds`.
func makeCamera(bounds b: Extent, options: RenderOptions) -> Camera {
    let lo = Vec3(b.lo.0, b.lo.1, b.lo.2), hi = Vec3(b.hi.0, b.hi.1, b.hi.2)
    let center = (lo + hi) * 0.5
    var radius = (hi - lo).length * 0.5
    if !(radius > 0) || !radius.isFinite { radius = 1 }
    return Camera(view: options.view, center: center, radius: radius, perspective: !options.orthographic)
}
