import MeshCore

/// A software rasterizer for thumbnails and checks: z-buffered, two-sided Gouraud
/// lighting with smooth normals (flat across sharp creases), automatic framing.
public enum MeshRenderer {
    /// Largest accepted image side, in pixels; larger requests are clamped.
    public static let maxSide = 16384

    /// Meshes with more triangles than this many per supersampled pixel are shaded with face
    /// normals: their triangles are mostly sub-pixel, so smoothing would not show and the
    /// vertex-normal pass would cost more than the whole raster.
    static let faceNormalDensity = 1

    /// Renders `mesh` framed to fill the image (minus the margin) from `options.view`.
    ///
    /// Back faces are lit with their normal turned toward the camera, so open or
    /// inside-out meshes look right. Triangles with out-of-range indices, non-finite
    /// corners or zero area are skipped; an empty mesh gives the background.
    public static func render(_ mesh: TriangleMesh, options: RenderOptions = RenderOptions()) -> RGBAImage {
        let width = Swift.min(Swift.max(options.width, 1), maxSide)
        let height = Swift.min(Swift.max(options.height, 1), maxSide)
        let ss = (options.supersample ?? (width <= 1024 && height <= 1024)) ? 2 : 1
        let rw = width * ss, rh = height * ss
        let vertexCount = mesh.vertexCount
        var background: RGBAImage { RGBAImage(width: width, height: height, fill: options.background) }
        if mesh.triangleCount == 0 || vertexCount == 0 { return background }

        // Bounds of the finite vertices (bad coordinates must not spoil the framing).
        var lo = Vec3(.infinity, .infinity, .infinity)
        var hi = Vec3(-.infinity, -.infinity, -.infinity)
        mesh.positions.withUnsafeBufferPointer { p in
            var i = 0
            while i + 2 < p.count {
                let x = p[i], y = p[i + 1], z = p[i + 2]
                if x.isFinite && y.isFinite && z.isFinite {
                    if x < lo.x { lo.x = x }
                    if x > hi.x { hi.x = x }
                    if y < lo.y { lo.y = y }
                    if y > hi.y { hi.y = y }
                    if z < lo.z { lo.z = z }
                    if z > hi.z { hi.z = z }
                }
                i += 3
            }
        }
        if !(lo.x <= hi.x) { return background }
        let center = (lo + hi) * 0.5
        var radius = (hi - lo).length * 0.5
        if !(radius > 0) || !radius.isFinite { radius = 1 }
        let camera = Camera(view: options.view, center: center, radius: radius, perspective: !options.orthographic)
        let shading = Shading(camera: camera)

        let sampleCount = rw * rh
        let faceMode = mesh.triangleCount > sampleCount * faceNormalDensity
        // Per-vertex record, one cache line or less: image x, y, closeness, then (vertex
        // mode) front level, back level, normal x, y, z. Closeness is larger when nearer
        // and always > 0; NaN x marks a vertex that cannot be drawn.
        let stride = faceMode ? 4 : 8
        var pmin = (Float.infinity, Float.infinity), pmax = (-Float.infinity, -Float.infinity)
        var cmin = Float.infinity, cmax = -Float.infinity
        var vdata = [Float](unsafeUninitializedCapacity: vertexCount * stride) { buf, count in
            mesh.positions.withUnsafeBufferPointer { p in
                let r = camera.right, u = camera.up, f = camera.forward, e = camera.eye
                let invDistance = 1 / camera.distance
                for v in 0..<vertexCount {
                    let dx = p[3 * v] - e.x, dy = p[3 * v + 1] - e.y, dz = p[3 * v + 2] - e.z
                    var x = dx * r.x + dy * r.y + dz * r.z
                    var y = dx * u.x + dy * u.y + dz * u.z
                    let z = dx * f.x + dy * f.y + dz * f.z
                    let closeness: Float
                    if camera.perspective {
                        let inv = 1 / z
                        x *= inv
                        y *= inv
                        closeness = inv
                    } else {
                        closeness = 2 - z * invDistance
                    }
                    let o = v * stride
                    if x.isFinite && y.isFinite && closeness > 0 {
                        if x < pmin.0 { pmin.0 = x }
                        if x > pmax.0 { pmax.0 = x }
                        if y < pmin.1 { pmin.1 = y }
                        if y > pmax.1 { pmax.1 = y }
                        if closeness < cmin { cmin = closeness }
                        if closeness > cmax { cmax = closeness }
                    } else {
                        x = .nan
                    }
                    buf[o] = x; buf[o + 1] = y; buf[o + 2] = closeness; buf[o + 3] = 0
                    if stride == 8 { buf[o + 4] = 0; buf[o + 5] = 0; buf[o + 6] = 0; buf[o + 7] = 0 }
                }
            }
            count = vertexCount * stride
        }
        if !(pmin.0 <= pmax.0) { return background }

        // Fit the projected extent into the image, keeping the aspect ratio.
        let margin = Swift.min(Swift.max(options.margin, 0), 0.45)
        let availW = Float(rw) * (1 - 2 * margin), availH = Float(rh) * (1 - 2 * margin)
        let extW = pmax.0 - pmin.0, extH = pmax.1 - pmin.1
        var scale: Float
        if extW > 0 && extH > 0 {
            scale = Swift.min(availW / extW, availH / extH)
        } else if extW > 0 {
            scale = availW / extW
        } else if extH > 0 {
            scale = availH / extH
        } else {
            scale = 1
        }
        if !scale.isFinite { scale = 1 }
        // Sample centres sit at integer coordinates after the -0.5 shift.
        let offX = Float(rw) * 0.5 - scale * (pmin.0 + pmax.0) * 0.5 - 0.5
        let offY = Float(rh) * 0.5 + scale * (pmin.1 + pmax.1) * 0.5 - 0.5
        // Closeness becomes a 24-bit depth key in 8…16,000,008, packed above the 8-bit
        // shade in one UInt32 per sample: one compare and one store per visible sample.
        let depthScale: Float = cmax > cmin ? 16_000_000 / (cmax - cmin) : 0
        vdata.withUnsafeMutableBufferPointer { out in
            for v in 0..<vertexCount {
                let o = v * stride
                out[o] = offX + scale * out[o]
                out[o + 1] = offY - scale * out[o + 1]
                out[o + 2] = 8 + (out[o + 2] - cmin) * depthScale
            }
        }
        if !faceMode { computeVertexShading(mesh, shading: shading, vdata: &vdata) }

        var samples = [UInt32](repeating: 0, count: sampleCount)
        mesh.positions.withUnsafeBufferPointer { pos in
            mesh.indices.withUnsafeBufferPointer { idx in
                vdata.withUnsafeBufferPointer { vd in
                    samples.withUnsafeMutableBufferPointer { buf in
                        rasterize(
                            positions: pos, indices: idx, vertices: vd, stride: stride, vertexCount: vertexCount,
                            faceMode: faceMode, shading: shading, width: rw, height: rh, samples: buf
                        )
                    }
                }
            }
        }
        return resolve(
            samples: samples, factor: ss, width: width, height: height,
            palette: Shading.palette(material: options.material), background: options.background
        )
    }

    /// Fills slots 5…7 of each 8-float vertex record with its area-weighted unit normal
    /// (zero when its faces cancel or it is unused) and slots 3, 4 with the lighting level
    /// of its front and back side.
    static func computeVertexShading(_ mesh: TriangleMesh, shading: Shading, vdata: inout [Float]) {
        let vertexCount = mesh.vertexCount
        mesh.positions.withUnsafeBufferPointer { p in
            mesh.indices.withUnsafeBufferPointer { idx in
                vdata.withUnsafeMutableBufferPointer { vd in
                    let triangles = idx.count / 3
                    for t in 0..<triangles {
                        let a = Int(idx[3 * t]), b = Int(idx[3 * t + 1]), c = Int(idx[3 * t + 2])
                        guard a < vertexCount && b < vertexCount && c < vertexCount else { continue }
                        let ax = p[3 * a], ay = p[3 * a + 1], az = p[3 * a + 2]
                        let ux = p[3 * b] - ax, uy = p[3 * b + 1] - ay, uz = p[3 * b + 2] - az
                        let vx = p[3 * c] - ax, vy = p[3 * c + 1] - ay, vz = p[3 * c + 2] - az
                        let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx
                        guard (nx + ny + nz).isFinite else { continue }
                        let oa = 8 * a + 5, ob = 8 * b + 5, oc = 8 * c + 5
                        vd[oa] += nx; vd[oa + 1] += ny; vd[oa + 2] += nz
                        vd[ob] += nx; vd[ob + 1] += ny; vd[ob + 2] += nz
                        vd[oc] += nx; vd[oc + 1] += ny; vd[oc + 2] += nz
                    }
                    for v in 0..<vertexCount {
                        let o = 8 * v
                        let x = vd[o + 5], y = vd[o + 6], z = vd[o + 7]
                        let len2 = x * x + y * y + z * z
                        guard len2 > 0 && len2.isFinite else {
                            vd[o + 3] = 1; vd[o + 4] = 1
                            vd[o + 5] = 0; vd[o + 6] = 0; vd[o + 7] = 0
                            continue
                        }
                        let inv = 1 / len2.squareRoot()
                        let ux = x * inv, uy = y * inv, uz = z * inv
                        vd[o + 5] = ux; vd[o + 6] = uy; vd[o + 7] = uz
                        vd[o + 3] = shading.level(ux, uy, uz)
                        vd[o + 4] = shading.level(-ux, -uy, -uz)
                    }
                }
            }
        }
    }

    /// Cosine of the crease angle: a corner whose smooth normal is further than ~32° from
    /// its face's normal is shaded flat, so boxes and bevels keep crisp edges. (Normals are
    /// area-weighted, so a box corner split 2:1:1 between faces is only ~35° off.)
    static let creaseCosine: Float = 0.85
    /// Twice the area, in samples², below which a triangle is too small for a crease to show.
    static let creaseMinArea: Float = 24

    static func rasterize(
        positions pos: UnsafeBufferPointer<Float>, indices idx: UnsafeBufferPointer<UInt32>,
        vertices vd: UnsafeBufferPointer<Float>, stride: Int, vertexCount: Int, faceMode: Bool, shading: Shading,
        width: Int, height: Int, samples buf: UnsafeMutableBufferPointer<UInt32>
    ) {
        let triangles = idx.count / 3
        let maxX = Float(width - 1), maxY = Float(height - 1)
        let crease2 = creaseCosine * creaseCosine
        for t in 0..<triangles {
            let ia = Int(idx[3 &* t]), ib0 = Int(idx[3 &* t &+ 1]), ic0 = Int(idx[3 &* t &+ 2])
            guard ia < vertexCount && ib0 < vertexCount && ic0 < vertexCount else { continue }
            let oa = ia &* stride
            var ob = ib0 &* stride, oc = ic0 &* stride
            let xa = vd[oa], ya = vd[oa &+ 1]
            var xb = vd[ob], yb = vd[ob &+ 1]
            var xc = vd[oc], yc = vd[oc &+ 1]

            // Cheapest rejection first: does the box hold any sample centre at all?
            let minX = Swift.min(xa, Swift.min(xb, xc)), maxXf = Swift.max(xa, Swift.max(xb, xc))
            let minY = Swift.min(ya, Swift.min(yb, yc)), maxYf = Swift.max(ya, Swift.max(yb, yc))
            // (Also false for NaN, so the Int conversions below are safe.)
            if !(minX <= maxXf && minY <= maxYf && maxXf >= 0 && maxYf >= 0 && minX <= maxX && minY <= maxY) {
                continue
            }
            // Ceil of the clamped minimum and floor of the clamped maximum (all ≥ 0 here).
            let cx0 = minX > 0 ? minX : 0, cy0 = minY > 0 ? minY : 0
            var x0 = Int(cx0), y0 = Int(cy0)
            if Float(x0) < cx0 { x0 += 1 }
            if Float(y0) < cy0 { y0 += 1 }
            let x1 = Int(maxXf < maxX ? maxXf : maxX), y1 = Int(maxYf < maxY ? maxYf : maxY)
            if x0 > x1 || y0 > y1 { continue }

            var area = (xb - xa) * (yc - ya) - (yb - ya) * (xc - xa)
            if !(area > 1e-6 || area < -1e-6) { continue }
            // Counter-clockwise seen from the camera is negative here (image y points down).
            let front = area < 0
            if front {
                swap(&ob, &oc)
                swap(&xb, &xc)
                swap(&yb, &yc)
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
                    let za = vd[oa &+ 2], zb = vd[ob &+ 2], zc = vd[oc &+ 2]
                    let z = (wa * za + wb * zb + wc * zc) * inv
                    let i = y0 &* width &+ x0
                    let key = depthKey(z)
                    if key > buf[i] & 0xFFFF_FF00 {
                        var l: Float
                        if faceMode {
                            let n = rawFaceNormal(pos, ia, ib0, ic0)
                            let len2 = n.dot(n)
                            let s: Float = len2 > 0 && len2.isFinite ? (front ? 1 : -1) / len2.squareRoot() : 0
                            l = shading.level(n.x * s, n.y * s, n.z * s)
                        } else {
                            let side = front ? 3 : 4
                            l = (wa * vd[oa &+ side] + wb * vd[ob &+ side] + wc * vd[oc &+ side]) * inv
                        }
                        l += 0.5
                        buf[i] = key | shadeByte(l)
                    }
                }
                continue
            }

            // Lighting level at each corner.
            var la: Float, lb: Float, lc: Float
            let sign: Float = front ? 1 : -1
            if faceMode {
                let n = rawFaceNormal(pos, ia, ib0, ic0)
                let len2 = n.dot(n)
                let inv = len2 > 0 && len2.isFinite ? sign / len2.squareRoot() : 0
                let l = shading.level(n.x * inv, n.y * inv, n.z * inv)
                la = l; lb = l; lc = l
            } else if area < creaseMinArea {
                let side = front ? 3 : 4
                la = vd[oa &+ side]
                lb = vd[ob &+ side]
                lc = vd[oc &+ side]
            } else {
                let side = front ? 3 : 4
                la = vd[oa &+ side]
                lb = vd[ob &+ side]
                lc = vd[oc &+ side]
                // Flat shading at sharp creases: the corner's smooth normal is too far from
                // the face's (compared squared to avoid a square root per triangle).
                let n = rawFaceNormal(pos, ia, ib0, ic0)
                let len2 = n.dot(n)
                let limit = crease2 * len2
                let da = n.x * vd[oa + 5] + n.y * vd[oa + 6] + n.z * vd[oa + 7]
                let db = n.x * vd[ob + 5] + n.y * vd[ob + 6] + n.z * vd[ob + 7]
                let dc = n.x * vd[oc + 5] + n.y * vd[oc + 6] + n.z * vd[oc + 7]
                let sharpA = da < 0 || da * da < limit
                let sharpB = db < 0 || db * db < limit
                let sharpC = dc < 0 || dc * dc < limit
                if sharpA || sharpB || sharpC {
                    let inv = len2 > 0 && len2.isFinite ? sign / len2.squareRoot() : 0
                    let flat = shading.level(n.x * inv, n.y * inv, n.z * inv)
                    if sharpA { la = flat }
                    if sharpB { lb = flat }
                    if sharpC { lc = flat }
                }
            }

            let za = vd[oa &+ 2], zb = vd[ob &+ 2], zc = vd[oc &+ 2]
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
            var lrow = la + dldx * (px - xa) + dldy * (py - ya) + 0.5
            if x1 &- x0 < 3 {
                // Small box: test every sample.
                for y in y0...y1 {
                    var e0 = e0row, e1 = e1row, e2 = e2row, z = zrow, l = lrow
                    var i = y &* width &+ x0
                    for _ in x0...x1 {
                        if e0 >= 0 && e1 >= 0 && e2 >= 0 {
                            let key = depthKey(z)
                            if key > buf[i] & 0xFFFF_FF00 { buf[i] = key | shadeByte(l) }
                        }
                        e0 += e0dx; e1 += e1dx; e2 += e2dx; z += dzdx; l += dldx
                        i &+= 1
                    }
                    e0row += e0dy; e1row += e1dy; e2row += e2dy; zrow += dzdy; lrow += dldy
                }
                continue
            }
            // Larger box: solve each row's span from the three edge functions, so long
            // thin triangles cost their area, not their bounding box. The small slack
            // makes neighbours overlap by a hair instead of leaving pinholes.
            let r0 = e0dx != 0 ? 1 / e0dx : 0, r1 = e1dx != 0 ? 1 / e1dx : 0, r2 = e2dx != 0 ? 1 / e2dx : 0
            let slack: Float = 1e-3
            for y in y0...y1 {
                var lo: Float = 0, hi = Float(x1 &- x0)
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
                        var i = y &* width &+ x0 &+ xs
                        let end = y &* width &+ x0 &+ xe
                        while i <= end {
                            let key = depthKey(z)
                            if key > buf[i] & 0xFFFF_FF00 { buf[i] = key | shadeByte(l) }
                            z += dzdx; l += dldx
                            i &+= 1
                        }
                    }
                }
                e0row += e0dy; e1row += e1dy; e2row += e2dy; zrow += dzdy; lrow += dldy
            }
        }
    }

    /// Depth key (nearer is larger) in the top 24 bits; clamped because interpolation
    /// may step a hair outside the corners' range.
    @inline(__always)
    static func depthKey(_ z: Float) -> UInt32 {
        UInt32(z > 1 ? (z < 16_777_000 ? z : 16_777_000) : 1) &<< 8
    }

    /// Palette index 1…255 for an interpolated level (already offset by 0.5 for rounding).
    @inline(__always)
    static func shadeByte(_ l: Float) -> UInt32 {
        UInt32(l < 255 ? (l > 1 ? l : 1) : 255)
    }

    /// Normal of the triangle (a, b, c) by the right-hand rule, with length twice its area.
    @inline(__always)
    static func rawFaceNormal(_ p: UnsafeBufferPointer<Float>, _ a: Int, _ b: Int, _ c: Int) -> Vec3 {
        let ax = p[3 * a], ay = p[3 * a + 1], az = p[3 * a + 2]
        let ux = p[3 * b] - ax, uy = p[3 * b + 1] - ay, uz = p[3 * b + 2] - az
        let vx = p[3 * c] - ax, vy = p[3 * c + 1] - ay, vz = p[3 * c + 2] - az
        return Vec3(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx)
    }

    /// Averages each `factor`×`factor` block of samples into one pixel. Shade (low byte) 0 means no
    /// surface and takes the background; colours are averaged premultiplied, so a
    /// transparent background gives anti-aliased alpha edges.
    static func resolve(
        samples: [UInt32], factor: Int, width: Int, height: Int, palette: [UInt8], background bg: RGBAColor
    ) -> RGBAImage {
        // Premultiplied (colour × alpha) table, entry 0 the background.
        var pre = [UInt32](repeating: 0, count: 256 * 4)
        for i in 0..<256 {
            if i == 0 {
                let a = UInt32(bg.a)
                pre[0] = UInt32(bg.r) * a; pre[1] = UInt32(bg.g) * a; pre[2] = UInt32(bg.b) * a; pre[3] = a
            } else {
                pre[4 * i] = UInt32(palette[3 * i]) * 255
                pre[4 * i + 1] = UInt32(palette[3 * i + 1]) * 255
                pre[4 * i + 2] = UInt32(palette[3 * i + 2]) * 255
                pre[4 * i + 3] = 255
            }
        }
        let n = UInt32(factor * factor)
        let rw = width * factor
        if factor == 2 && bg.a == 255 {
            return resolveOpaque2x2(samples: samples, width: width, height: height, palette: palette, background: bg)
        }
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { out, count in
            samples.withUnsafeBufferPointer { s in
                pre.withUnsafeBufferPointer { pre in
                    for y in 0..<height {
                        for x in 0..<width {
                            var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0, a: UInt32 = 0
                            for sy in 0..<factor {
                                let row = (y * factor + sy) * rw + x * factor
                                for sx in 0..<factor {
                                    let e = Int(s[row + sx] & 0xFF) &* 4
                                    r &+= pre[e]; g &+= pre[e + 1]; b &+= pre[e + 2]; a &+= pre[e + 3]
                                }
                            }
                            let o = (y * width + x) * 4
                            if a == 0 {
                                out[o] = 0; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0
                            } else {
                                let half = a / 2
                                out[o] = UInt8(truncatingIfNeeded: Swift.min((r + half) / a, 255))
                                out[o + 1] = UInt8(truncatingIfNeeded: Swift.min((g + half) / a, 255))
                                out[o + 2] = UInt8(truncatingIfNeeded: Swift.min((b + half) / a, 255))
                                out[o + 3] = UInt8(truncatingIfNeeded: (a + n / 2) / n)
                            }
                        }
                    }
                }
            }
            count = width * height * 4
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// The common case, 2×2 samples on an opaque background: every sample is opaque, so
    /// the pixel is the plain mean. Colours are packed as three 10-bit fields so four of
    /// them add without overflow in one `UInt32`.
    static func resolveOpaque2x2(
        samples: [UInt32], width: Int, height: Int, palette: [UInt8], background bg: RGBAColor
    ) -> RGBAImage {
        var packed = [UInt32](repeating: 0, count: 256)
        packed[0] = UInt32(bg.r) | UInt32(bg.g) << 10 | UInt32(bg.b) << 20
        for i in 1..<256 {
            packed[i] = UInt32(palette[3 * i]) | UInt32(palette[3 * i + 1]) << 10 | UInt32(palette[3 * i + 2]) << 20
        }
        let rw = width * 2
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { out, count in
            samples.withUnsafeBufferPointer { s in
                packed.withUnsafeBufferPointer { pal in
                    for y in 0..<height {
                        let r0 = 2 * y * rw, r1 = r0 + rw
                        var o = y * width * 4
                        for x in 0..<width {
                            let c = pal[Int(s[r0 + 2 * x] & 0xFF)] &+ pal[Int(s[r0 + 2 * x + 1] & 0xFF)]
                                &+ pal[Int(s[r1 + 2 * x] & 0xFF)] &+ pal[Int(s[r1 + 2 * x + 1] & 0xFF)] &+ 0x0020_0802
                            out[o] = UInt8(truncatingIfNeeded: (c >> 2) & 0xFF)
                            out[o + 1] = UInt8(truncatingIfNeeded: (c >> 12) & 0xFF)
                            out[o + 2] = UInt8(truncatingIfNeeded: (c >> 22) & 0xFF)
                            out[o + 3] = 255
                            o += 4
                        }
                    }
                }
            }
            count = width * height * 4
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }
}
