import MeshCore

/// A software rasterizer for thumbnails and checks: z-buffered, two-sided Gouraud
/// lighting with smooth normals (flat across sharp creases), automatic framing.
///
/// A native caller may pass a `JobRunner` that uses several cores: triangles are split
/// into consecutive ranges, each drawn into its own sample buffer, and the buffers are
/// merged so the picture is identical, pixel for pixel, for any runner.
public enum MeshRenderer {
    /// Largest accepted image side, in pixels; larger requests are clamped.
    public static let maxSide = 16384

    /// Meshes with more triangles than this many per supersampled pixel are shaded with face
    /// normals: their triangles are mostly sub-pixel, so smoothing would not show and the
    /// vertex-normal pass would cost more than the whole raster.
    static let faceNormalDensity = 1

    /// Fewest triangles worth a raster job of its own (each job fills and merges a whole
    /// sample buffer).
    static let trianglesPerJob = 40_000

    /// Renders `mesh` framed to fill the image (minus the margin) from `options.view`.
    ///
    /// Back faces are lit with their normal turned toward the camera, so open or
    /// inside-out meshes look right. Triangles with out-of-range indices, non-finite
    /// corners or zero area are skipped; an empty mesh gives the background.
    public static func render(
        _ mesh: TriangleMesh, options: RenderOptions = RenderOptions(), runner: JobRunner = .serial
    ) -> RGBAImage {
        let target = Target(options)
        let vertexCount = mesh.vertexCount, triangleCount = mesh.triangleCount
        if triangleCount == 0 || vertexCount == 0 { return background(target, options) }
        let vertexJobs = Swift.max(1, Swift.min(runner.width, vertexCount / 20_000))

        let bounds = mesh.positions.withUnsafeBufferPointer { p in
            Extent.gather(count: vertexCount, jobs: vertexJobs, runner: runner) { range, e in
                for v in range { e.addFinite(p[3 &* v], p[3 &* v &+ 1], p[3 &* v &+ 2]) }
            }
        }
        if bounds.isEmpty { return background(target, options) }
        let camera = makeCamera(bounds: bounds, options: options)
        let projection = Projection(camera)
        let shading = Shading(camera: camera)

        let faceMode = triangleCount > target.sampleWidth * target.sampleHeight * faceNormalDensity
        // Per-vertex record: sample x, y, depth value, then (vertex mode) front level, back
        // level, unit normal x, y, z. NaN x marks a vertex that cannot be drawn.
        let stride = faceMode ? 4 : 8
        // Every slot is written by the jobs (the normal sums start at zero there): a zeroing
        // pass first would touch megabytes of fresh pages on one thread.
        var projected = Extent()
        var vdata = [Float](unsafeUninitializedCapacity: vertexCount * stride) { out, initialized in
            projected = mesh.positions.withUnsafeBufferPointer { p in
                Extent.gather(count: vertexCount, jobs: vertexJobs, runner: runner) { range, e in
                    for v in range {
                        let (x, y, c) = projection.project(p[3 &* v], p[3 &* v &+ 1], p[3 &* v &+ 2])
                        if x == x { e.add(x, y, c) }
                        let o = v &* stride
                        out[o] = x; out[o &+ 1] = y; out[o &+ 2] = c
                        var k = 3
                        while k < stride { out[o &+ k] = 0; k &+= 1 }
                    }
                }
            }
            initialized = vertexCount * stride
        }
        if projected.isEmpty { return background(target, options) }
        let framing = Framing(projected: projected, target: target, margin: options.margin)
        vdata.withUnsafeMutableBufferPointer { out in
            runner.run(vertexJobs) { j in
                for v in slice(j, of: vertexJobs, count: vertexCount) {
                    let o = v &* stride
                    (out[o], out[o &+ 1], out[o &+ 2]) = framing.apply(out[o], out[o &+ 1], out[o &+ 2])
                }
            }
        }
        if !faceMode { computeVertexShading(mesh, shading: shading, vdata: &vdata, runner: runner) }

        // The image is drawn in horizontal bands small enough to stay in the core's cache,
        // each from a list of the triangles that reach it (in mesh order, so a band looks
        // the same whichever job draws it). Bands go to jobs round-robin.
        let rw = target.sampleWidth, rh = target.sampleHeight, factor = target.factor
        // A power of two (so binning shifts instead of dividing) and a multiple of `factor`.
        let bandShift = Int.bitWidth - 1 - Swift.max(factor, 65_536 / rw).leadingZeroBitCount
        let bandRows = 1 << bandShift
        let bandCount = (rh + bandRows - 1) / bandRows
        let (bandStart, bandTriangles) = binByBand(
            mesh.indices, vertices: vdata, stride: stride, vertexCount: vertexCount,
            sampleHeight: rh, bandShift: bandShift, bandCount: bandCount, runner: runner
        )
        let maxX = Float(rw - 1)
        let crease2 = creaseCosine * creaseCosine
        let tables = ResolveTables(palette: Shading.palette(material: options.material), background: options.background, factor: factor)
        let pixels = [UInt8](unsafeUninitializedCapacity: target.width * target.height * 4) { out, count in
            mesh.positions.withUnsafeBufferPointer { pos in
                mesh.indices.withUnsafeBufferPointer { idx in
                    vdata.withUnsafeBufferPointer { vd in
                        bandStart.withUnsafeBufferPointer { bandStart in
                            bandTriangles.withUnsafeBufferPointer { bandTriangles in
                                // One job a band, taken by whichever core is free: how much a band
                                // costs depends on how many of its triangles face the camera, which
                                // no up-front split predicts well. A band is drawn the same
                                // whichever job draws it.
                                runner.run(bandCount) { band in
                                    let buf = UnsafeMutablePointer<UInt32>.allocate(capacity: bandRows * rw)
                                    defer { buf.deallocate() }
                                    let firstRow = band * bandRows, endRow = Swift.min(firstRow + bandRows, rh)
                                    buf.update(repeating: 0, count: (endRow - firstRow) * rw)
                                    let maxY = Float(endRow - 1)
                                    for k in bandStart[band]..<bandStart[band + 1] {
                                        let t = Int(bandTriangles[k])
                                        let ia = Int(idx[3 &* t]), ib = Int(idx[3 &* t &+ 1]), ic = Int(idx[3 &* t &+ 2])
                                        let oa = ia &* stride, ob = ib &* stride, oc = ic &* stride
                                        drawTriangle(
                                            vd[oa], vd[oa &+ 1], vd[oa &+ 2], vd[ob], vd[ob &+ 1], vd[ob &+ 2],
                                            vd[oc], vd[oc &+ 1], vd[oc &+ 2],
                                            maxX: maxX, firstRow: firstRow, maxY: maxY, width: rw, samples: buf
                                        ) { front, area in
                                            if faceMode {
                                                let n = rawFaceNormal(pos, ia, ib, ic)
                                                let l = faceLevel(n.x, n.y, n.z, front: front, shading: shading)
                                                return (l, l, l)
                                            }
                                            let side = front ? 3 : 4
                                            var la = vd[oa &+ side], lb = vd[ob &+ side], lc = vd[oc &+ side]
                                            // (Small triangles need no face normal: most of a dense mesh.)
                                            if area < creaseMinArea { return (la, lb, lc) }
                                            let n = rawFaceNormal(pos, ia, ib, ic)
                                            // Flat shading at sharp creases: the corner's smooth normal is too
                                            // far from the face's (compared squared to avoid a square root).
                                            let limit = crease2 * n.dot(n)
                                            let da = n.x * vd[oa &+ 5] + n.y * vd[oa &+ 6] + n.z * vd[oa &+ 7]
                                            let db = n.x * vd[ob &+ 5] + n.y * vd[ob &+ 6] + n.z * vd[ob &+ 7]
                                            let dc = n.x * vd[oc &+ 5] + n.y * vd[oc &+ 6] + n.z * vd[oc &+ 7]
                                            let sharpA = da < 0 || da * da < limit
                                            let sharpB = db < 0 || db * db < limit
                                            let sharpC = dc < 0 || dc * dc < limit
                                            if sharpA || sharpB || sharpC {
                                                let flat = faceLevel(n.x, n.y, n.z, front: front, shading: shading)
                                                if sharpA { la = flat }
                                                if sharpB { lb = flat }
                                                if sharpC { lc = flat }
                                            }
                                            return (la, lb, lc)
                                        }
                                    }
                                    tables.resolve(
                                        buf, rows: firstRow / factor..<endRow / factor, width: target.width,
                                        factor: factor, out: out.baseAddress!
                                    )
                                }
                            }
                        }
                    }
                }
            }
            count = target.width * target.height * 4
        }
        return RGBAImage(width: target.width, height: target.height, pixels: pixels)
    }

    /// Lists, for each band of 2^`bandShift` sample rows, the triangles whose box reaches it:
    /// first those facing the camera, then those facing away, each group in mesh order
    /// (counting sort). Triangles with bad indices or that cannot be drawn are left out.
    /// Returns the start of each band's list (plus the end) and the lists. `runner` jobs
    /// count and place consecutive triangle ranges; the lists are the same for any runner.
    ///
    /// Front faces first: on a closed mesh every back face then lies behind samples already
    /// drawn, and `drawTriangle` drops it after a depth check instead of shading and drawing
    /// it only to be painted over (half the triangles of a closed mesh face away).
    static func binByBand(
        _ indices: [UInt32], vertices vdata: [Float], stride: Int, vertexCount: Int,
        sampleHeight rh: Int, bandShift: Int, bandCount: Int, runner: JobRunner = .serial
    ) -> ([Int], [UInt32]) {
        let maxY = Float(rh - 1)
        let triangles = indices.count / 3
        let jobs = Swift.max(1, Swift.min(runner.width, triangles / 30_000))
        // Band range of triangle t and whether it faces away (the sign `drawTriangle` finds),
        // or nil; Float → Int only after the range checks.
        @inline(__always) func bands(_ idx: UnsafeBufferPointer<UInt32>, _ vd: UnsafeBufferPointer<Float>, _ t: Int) -> (Int, Int, Bool)? {
            let ia = Int(idx[3 &* t]), ib = Int(idx[3 &* t &+ 1]), ic = Int(idx[3 &* t &+ 2])
            guard ia < vertexCount && ib < vertexCount && ic < vertexCount else { return nil }
            let xa = vd[ia &* stride], xb = vd[ib &* stride], xc = vd[ic &* stride]
            let ya = vd[ia &* stride &+ 1], yb = vd[ib &* stride &+ 1], yc = vd[ic &* stride &+ 1]
            let x = xa + xb + xc
            let lo = Swift.min(ya, Swift.min(yb, yc)), hi = Swift.max(ya, Swift.max(yb, yc))
            guard x == x && lo <= hi && hi >= 0 && lo <= maxY else { return nil }
            let back = (xb - xa) * (yc - ya) - (yb - ya) * (xc - xa) > 0
            return (Int(lo > 0 ? lo : 0) &>> bandShift, Int(hi < maxY ? hi : maxY) &>> bandShift, back)
        }
        // Per job, side (front 0, back 1) and band: first its count, then where its entries
        // go. Each triangle's band range (first | back << 15 | last << 16, or all ones) is
        // kept for the second pass. (Bands number under 2^15: at most 16384 sample rows.)
        let perJob = 2 * bandCount
        var slots = [Int](repeating: 0, count: jobs * perJob)
        var ranges = [UInt32](repeating: 0, count: triangles)
        indices.withUnsafeBufferPointer { idx in
            vdata.withUnsafeBufferPointer { vd in
                slots.withUnsafeMutableBufferPointer { slots in
                    ranges.withUnsafeMutableBufferPointer { ranges in
                        runner.run(jobs) { j in
                            for t in slice(j, of: jobs, count: triangles) {
                                guard let (b0, b1, back) = bands(idx, vd, t) else { ranges[t] = .max; continue }
                                ranges[t] = UInt32(truncatingIfNeeded: b0) | (back ? 0x8000 : 0)
                                    | UInt32(truncatingIfNeeded: b1) << 16
                                let counts = slots.baseAddress! + j * perJob + (back ? bandCount : 0)
                                for b in b0...b1 { counts[b] &+= 1 }
                            }
                        }
                    }
                }
            }
        }
        var start = [Int](repeating: 0, count: bandCount + 1)
        var total = 0
        for b in 0..<bandCount {
            start[b] = total
            for side in 0..<2 {
                for j in 0..<jobs {
                    let s = j * perJob + side * bandCount + b
                    let n = slots[s]
                    slots[s] = total
                    total += n
                }
            }
        }
        start[bandCount] = total
        let list = [UInt32](unsafeUninitializedCapacity: total) { out, count in
            ranges.withUnsafeBufferPointer { ranges in
                slots.withUnsafeMutableBufferPointer { slots in
                    runner.run(jobs) { j in
                        for t in slice(j, of: jobs, count: triangles) {
                            let r = ranges[t]
                            if r == .max { continue }
                            let next = slots.baseAddress! + j * perJob + (r & 0x8000 != 0 ? bandCount : 0)
                            for b in Int(r & 0x7FFF)...Int(r >> 16) {
                                out[next[b]] = UInt32(truncatingIfNeeded: t)
                                next[b] &+= 1
                            }
                        }
                    }
                }
            }
            count = total
        }
        return (start, list)
    }

    /// Renders a binary STL file (`bytes` is the whole file: 80-byte header, count,
    /// 50-byte records) straight from its bytes, with face normals and no mesh built:
    /// the fast path for big files, whose triangles are mostly smaller than a pixel.
    /// Nil when `bytes` is not exactly the size its triangle count implies.
    public static func render(
        binarySTL bytes: UnsafeRawBufferPointer, options: RenderOptions = RenderOptions(), runner: JobRunner = .serial
    ) -> RGBAImage? {
        guard bytes.count >= 84, let base = bytes.baseAddress else { return nil }
        let count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 80, as: UInt32.self)))
        guard (bytes.count - 84) / 50 == count, (bytes.count - 84) % 50 == 0 else { return nil }
        let target = Target(options)
        if count == 0 { return background(target, options) }
        let records = base + 84
        @inline(__always) func corner(_ t: Int, _ k: Int) -> (Float, Float, Float) {
            let p = records + (t &* 50 &+ 12 &+ 12 &* k)
            return (
                Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))),
                Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))),
                Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
            )
        }
        // The framing needs the projected extent of every corner: one pass for the bounds
        // (and so the camera), one for the projected extent. The first also keeps each block of
        // triangles' box, so the second projects a box's 8 corners and skips the block when
        // they fall inside the extent found so far (the image of a box in front of the camera
        // lies within its corners' images): most blocks of a model are inside its silhouette.
        let blocks = (count + statBlock - 1) / statBlock
        let boxes = UnsafeMutablePointer<Extent>.allocate(capacity: blocks)
        defer { boxes.deallocate() }
        @inline(__always) func triangles(of block: Int) -> Range<Int> {
            (block &* statBlock)..<Swift.min(count, (block &+ 1) &* statBlock)
        }
        let jobs = Swift.max(1, Swift.min(runner.width, count / 20_000))
        let bounds = Extent.gather(count: blocks, jobs: jobs, runner: runner) { range, e in
            for block in range {
                var box = Extent()
                var finite = true
                for t in triangles(of: block) {
                    for k in 0..<3 {
                        let (x, y, z) = corner(t, k)
                        if !box.addFinite(x, y, z) { finite = false }
                    }
                }
                if !box.isEmpty { e.merge(box) }
                // A block with a bad corner is always projected corner by corner.
                (boxes + block).initialize(to: finite ? box : Extent())
            }
        }
        if bounds.isEmpty { return background(target, options) }
        let camera = makeCamera(bounds: bounds, options: options)
        let projection = Projection(camera)
        let shading = Shading(camera: camera)
        let projected = Extent.gather(count: blocks, jobs: jobs, runner: runner) { range, e in
            for block in range {
                if e.covers(boxes[block], projection) { continue }
                for t in triangles(of: block) {
                    for k in 0..<3 {
                        let (x, y, z) = corner(t, k)
                        let (px, py, c) = projection.project(x, y, z)
                        if px == px { e.add(px, py, c) }
                    }
                }
            }
        }
        if projected.isEmpty { return background(target, options) }
        let framing = Framing(projected: projected, target: target, margin: options.margin)

        let layers = rasterJobs(count, runner)
        let layerSize = target.sampleWidth * target.sampleHeight
        var samples = [UInt32](repeating: 0, count: layerSize * layers)
        let maxX = Float(target.sampleWidth - 1), maxY = Float(target.sampleHeight - 1), rw = target.sampleWidth
        return samples.withUnsafeMutableBufferPointer { samples in
            runner.run(layers) { j in
                let buf = samples.baseAddress! + j * layerSize
                for t in slice(j, of: layers, count: count) {
                    let a = corner(t, 0), b = corner(t, 1), c = corner(t, 2)
                    let pa = projection.project(a.0, a.1, a.2), pb = projection.project(b.0, b.1, b.2)
                    let pc = projection.project(c.0, c.1, c.2)
                    let sa = framing.apply(pa.0, pa.1, pa.2), sb = framing.apply(pb.0, pb.1, pb.2)
                    let sc = framing.apply(pc.0, pc.1, pc.2)
                    drawTriangle(
                        sa.0, sa.1, sa.2, sb.0, sb.1, sb.2, sc.0, sc.1, sc.2,
                        maxX: maxX, maxY: maxY, width: rw, samples: buf
                    ) { front, _ in
                        // The file's stored normal is often missing or wrong; use the corners.
                        let ux = b.0 - a.0, uy = b.1 - a.1, uz = b.2 - a.2
                        let vx = c.0 - a.0, vy = c.1 - a.1, vz = c.2 - a.2
                        let l = faceLevel(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx, front: front, shading: shading)
                        return (l, l, l)
                    }
                }
            }
            return resolve(
                samples: samples, layers: layers, target: target,
                palette: Shading.palette(material: options.material), background: options.background, runner: runner
            )
        }
    }

    /// Triangles per block whose box the binary STL path keeps for skipping projections.
    static let statBlock = 256

    /// How many sample buffers (raster jobs) `triangles` are worth on `runner`.
    static func rasterJobs(_ triangles: Int, _ runner: JobRunner) -> Int {
        Swift.max(1, Swift.min(runner.width, triangles / trianglesPerJob))
    }

    static func background(_ target: Target, _ options: RenderOptions) -> RGBAImage {
        RGBAImage(width: target.width, height: target.height, fill: options.background)
    }

    /// Fills slots 5…7 of each 8-float vertex record with its area-weighted unit normal
    /// (zero when its faces cancel or it is unused) and slots 3, 4 with the lighting level
    /// of its front and back side.
    ///
    /// Big meshes sum their face normals in a few consecutive triangle ranges at once, one
    /// buffer each, added in range order afterwards; the number of ranges depends only on
    /// the mesh, so the sums (and the picture) are the same for any runner.
    static func computeVertexShading(_ mesh: TriangleMesh, shading: Shading, vdata: inout [Float], runner: JobRunner) {
        let vertexCount = mesh.vertexCount
        let triangles = mesh.indices.count / 3
        let parts = Swift.max(1, Swift.min(4, triangles / 50_000))
        // Sums of ranges 1…: three floats per vertex each (range 0 sums into `vdata`).
        // Each range's job zeroes its own buffer (in parallel, as it first touches the pages).
        var extra = [Float](unsafeUninitializedCapacity: (parts - 1) * vertexCount * 3) { _, initialized in
            initialized = (parts - 1) * vertexCount * 3
        }
        mesh.positions.withUnsafeBufferPointer { p in
            mesh.indices.withUnsafeBufferPointer { idx in
                vdata.withUnsafeMutableBufferPointer { vd in
                    extra.withUnsafeMutableBufferPointer { extra in
                        runner.run(Swift.min(runner.width, parts)) { j in
                            var part = j
                            while part < parts {
                                // Range 0 adds into the 8-float records, the others into 3-float sums.
                                let (sums, stride, first) = part == 0
                                    ? (vd.baseAddress!, 8, 5)
                                    : (extra.baseAddress! + (part - 1) * vertexCount * 3, 3, 0)
                                if part > 0 { sums.update(repeating: 0, count: vertexCount * 3) }
                                for t in slice(part, of: parts, count: triangles) {
                                    let a = Int(idx[3 &* t]), b = Int(idx[3 &* t &+ 1]), c = Int(idx[3 &* t &+ 2])
                                    guard a < vertexCount && b < vertexCount && c < vertexCount else { continue }
                                    let n = rawFaceNormal(p, a, b, c)
                                    guard (n.x + n.y + n.z).isFinite else { continue }
                                    let oa = stride &* a &+ first, ob = stride &* b &+ first, oc = stride &* c &+ first
                                    sums[oa] += n.x; sums[oa &+ 1] += n.y; sums[oa &+ 2] += n.z
                                    sums[ob] += n.x; sums[ob &+ 1] += n.y; sums[ob &+ 2] += n.z
                                    sums[oc] += n.x; sums[oc &+ 1] += n.y; sums[oc &+ 2] += n.z
                                }
                                part += runner.width
                            }
                        }
                        let jobs = Swift.max(1, Swift.min(runner.width, vertexCount / 20_000))
                        runner.run(jobs) { j in
                            for v in slice(j, of: jobs, count: vertexCount) {
                                let o = 8 &* v
                                var x = vd[o &+ 5], y = vd[o &+ 6], z = vd[o &+ 7]
                                var part = 1
                                while part < parts {
                                    let e = ((part - 1) * vertexCount + v) * 3
                                    x += extra[e]; y += extra[e &+ 1]; z += extra[e &+ 2]
                                    part += 1
                                }
                                let len2 = x * x + y * y + z * z
                                guard len2 > 0 && len2.isFinite else {
                                    vd[o &+ 3] = 1; vd[o &+ 4] = 1
                                    vd[o &+ 5] = 0; vd[o &+ 6] = 0; vd[o &+ 7] = 0
                                    continue
                                }
                                let inv = 1 / len2.squareRoot()
                                let ux = x * inv, uy = y * inv, uz = z * inv
                                vd[o &+ 5] = ux; vd[o &+ 6] = uy; vd[o &+ 7] = uz
                                vd[o &+ 3] = shading.level(ux, uy, uz)
                                vd[o &+ 4] = shading.level(-ux, -uy, -uz)
                            }
                        }
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

    /// Normal of the triangle (a, b, c) by the right-hand rule, with length twice its area.
    @inline(__always)
    static func rawFaceNormal(_ p: UnsafeBufferPointer<Float>, _ a: Int, _ b: Int, _ c: Int) -> Vec3 {
        let ax = p[3 &* a], ay = p[3 &* a &+ 1], az = p[3 &* a &+ 2]
        let ux = p[3 &* b] - ax, uy = p[3 &* b &+ 1] - ay, uz = p[3 &* b &+ 2] - az
        let vx = p[3 &* c] - ax, vy = p[3 &* c &+ 1] - ay, vz = p[3 &* c &+ 2] - az
        return Vec3(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx)
    }
}
