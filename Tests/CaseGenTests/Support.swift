import CaseGen
import MeshAnalysis
import MeshCore
import MeshIO
import Testing

/// Test helpers: real meshes from ../shared/meshes/public, surface sampling and a uniform
/// triangle grid for distance and ray queries.
enum Fixture {
    static let packageRoot: String = {
        var path = #filePath
        while let slash = path.lastIndex(of: "/") {
            path = String(path[..<slash])
            if readFile(path + "/Package.swift") != nil { return path }
        }
        return "."
    }()

    static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// Reads a shared mesh; when `size` is given, scales it so its largest side is `size` mm.
    static func mesh(_ relative: String, size: Float? = nil) throws -> TriangleMesh {
        let path = packageRoot + "/../shared/meshes/public/" + relative
        guard let bytes = readFile(path) else { throw CaseError("cannot read " + path) }
        let ext = relative.split(separator: ".").last.map(String.init)
        var mesh = try MeshReader.read(bytes, fileExtension: ext).mesh
        if let size { mesh = mesh.scaled(by: size / mesh.bounds.largestDimension) }
        return mesh
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic area-weighted points on a mesh's surface.
func samplePoints(_ mesh: TriangleMesh, count: Int, seed: UInt64 = 0x5EED) -> [Vec3] {
    var cumulative: [Double] = []
    var total = 0.0
    for t in 0..<mesh.triangleCount {
        let (a, b, c) = mesh.corners(t)
        total += Double((b - a).cross(c - a).length) / 2
        cumulative.append(total)
    }
    var state = seed
    func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    var out: [Vec3] = []
    for _ in 0..<count {
        let target = next() * total
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        let (a, b, c) = mesh.corners(lo)
        var r1 = Float(next()), r2 = Float(next())
        if r1 + r2 > 1 { r1 = 1 - r1; r2 = 1 - r2 }
        out.append(a + (b - a) * r1 + (c - a) * r2)
    }
    return out
}

/// Closest point on triangle abc to p (Ericson, Real-Time Collision Detection 5.1.5).
func closestPoint(_ p: Vec3, _ a: Vec3, _ b: Vec3, _ c: Vec3) -> Vec3 {
    let ab = b - a, ac = c - a, ap = p - a
    let d1 = ab.dot(ap), d2 = ac.dot(ap)
    if d1 <= 0 && d2 <= 0 { return a }
    let bp = p - b
    let d3 = ab.dot(bp), d4 = ac.dot(bp)
    if d3 >= 0 && d4 <= d3 { return b }
    let vc = d1 * d4 - d3 * d2
    if vc <= 0 && d1 >= 0 && d3 <= 0 { return a + ab * (d1 / (d1 - d3)) }
    let cp = p - c
    let d5 = ab.dot(cp), d6 = ac.dot(cp)
    if d6 >= 0 && d5 <= d6 { return c }
    let vb = d5 * d2 - d1 * d6
    if vb <= 0 && d2 >= 0 && d6 <= 0 { return a + ac * (d2 / (d2 - d6)) }
    let va = d3 * d6 - d5 * d4
    if va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)))
    }
    let denom = 1 / (va + vb + vc)
    return a + ab * (vb * denom) + ac * (vc * denom)
}

/// Triangles bucketed by a uniform grid of their bounding boxes.
struct TriangleGrid {
    let mesh: TriangleMesh
    let origin: Vec3
    let cell: Float
    let n: (Int, Int, Int)
    var buckets: [[Int32]]

    init(_ mesh: TriangleMesh, cell: Float = 1) {
        self.mesh = mesh
        let b = mesh.bounds
        origin = b.min - Vec3(cell, cell, cell)
        self.cell = cell
        let s = b.size
        n = (Int(s.x / cell) + 3, Int(s.y / cell) + 3, Int(s.z / cell) + 3)
        buckets = Array(repeating: [], count: n.0 * n.1 * n.2)
        // A long thin triangle (a back face fanned from its centre) would fill every bucket of
        // its bounding box: beyond a few buckets, keep only those its surface comes near.
        let reach = cell * 0.8661
        for t in 0..<mesh.triangleCount {
            let (a, bb, c) = mesh.corners(t)
            let lo = cellOf(a.min(bb).min(c)), hi = cellOf(a.max(bb).max(c))
            let many = (hi.0 - lo.0 + 1) * (hi.1 - lo.1 + 1) * (hi.2 - lo.2 + 1) > 8
            for z in lo.2...hi.2 { for y in lo.1...hi.1 { for x in lo.0...hi.0 {
                if many {
                    let centre = origin + Vec3(Float(x) + 0.5, Float(y) + 0.5, Float(z) + 0.5) * cell
                    let d = closestPoint(centre, a, bb, c) - centre
                    if d.dot(d) > reach * reach { continue }
                }
                buckets[(z * n.1 + y) * n.0 + x].append(Int32(t))
            } } }
        }
    }

    func cellOf(_ p: Vec3) -> (Int, Int, Int) {
        let q = (p - origin) / cell
        return (min(n.0 - 1, max(0, Int(q.x))), min(n.1 - 1, max(0, Int(q.y))), min(n.2 - 1, max(0, Int(q.z))))
    }

    /// Distance from p to the mesh, or `limit` when nothing is nearer than that.
    func distance(_ p: Vec3, limit: Float) -> Float {
        let lo = cellOf(p - Vec3(limit, limit, limit)), hi = cellOf(p + Vec3(limit, limit, limit))
        var best = limit * limit
        for z in lo.2...hi.2 { for y in lo.1...hi.1 { for x in lo.0...hi.0 {
            for t in buckets[(z * n.1 + y) * n.0 + x] {
                let (a, b, c) = mesh.corners(Int(t))
                let d = closestPoint(p, a, b, c) - p
                best = min(best, d.dot(d))
            }
        } } }
        return best.squareRoot()
    }

    /// True when the ray from p along an axis direction (±x, ±y, ±z) hits a triangle.
    func hits(from p: Vec3, along dir: Vec3) -> Bool {
        var c = cellOf(p)
        let step = (dir.x > 0 ? 1 : (dir.x < 0 ? -1 : 0), dir.y > 0 ? 1 : (dir.y < 0 ? -1 : 0), dir.z > 0 ? 1 : (dir.z < 0 ? -1 : 0))
        while c.0 >= 0 && c.0 < n.0 && c.1 >= 0 && c.1 < n.1 && c.2 >= 0 && c.2 < n.2 {
            for t in buckets[(c.2 * n.1 + c.1) * n.0 + c.0] {
                let (a, b, cc) = mesh.corners(Int(t))
                if rayHits(p, dir, a, b, cc) { return true }
            }
            c = (c.0 + step.0, c.1 + step.1, c.2 + step.2)
        }
        return false
    }
}

/// Möller–Trumbore with a small tolerance so rays through shared edges count as hits.
func rayHits(_ o: Vec3, _ d: Vec3, _ a: Vec3, _ b: Vec3, _ c: Vec3) -> Bool {
    let e1 = b - a, e2 = c - a
    let pv = d.cross(e2)
    let det = e1.dot(pv)
    if abs(det) < 1e-12 { return false }
    let inv = 1 / det
    let tv = o - a
    let u = tv.dot(pv) * inv
    if u < -1e-5 || u > 1 + 1e-5 { return false }
    let qv = tv.cross(e1)
    let v = d.dot(qv) * inv
    if v < -1e-5 || u + v > 1 + 1e-5 { return false }
    return e2.dot(qv) * inv > 1e-6
}

/// Everything the issue's "done when" asks of a generated case, as counted failures.
struct CaseCheck {
    var messages: [String] = []

    /// `gridCell` is the bucket size (mm) of the query grids; coarser keeps big cases cheap.
    static func run(_ mini: TriangleMesh, _ result: CaseResult, options: CaseOptions, samples: Int = 10_000, gridCell: Float = 1) -> CaseCheck {
        var check = CaseCheck()
        let res = result.resolution
        let points = samplePoints(mini, count: samples)
        let grids = result.parts.map { TriangleGrid($0.mesh, cell: gridCell) }
        for (index, part) in result.parts.enumerated() {
            let r = MeshAnalyzer.analyze(part.mesh)
            if !r.watertight || r.boundaryEdges != 0 || r.nonManifoldEdges != 0 || r.inconsistentEdges != 0 {
                check.messages.append(part.name + ": not closed: \(r.boundaryEdges) boundary, \(r.nonManifoldEdges) non-manifold, \(r.inconsistentEdges) inconsistent edges")
            }
            if !(r.volume > 0) || r.insideOutComponents != 0 || r.degenerateTriangles != 0 {
                check.messages.append(part.name + ": volume \(r.volume), \(r.insideOutComponents) inside-out, \(r.degenerateTriangles) degenerate")
            }
            let grid = grids[index]
            let need = options.clearance - res / 2
            var near = 0, worst = Float.infinity, blocked = 0
            for p in points {
                let d = grid.distance(p, limit: options.clearance + 0.01)
                if d < need { near += 1; worst = min(worst, d) }
                if grid.hits(from: p, along: part.extraction) { blocked += 1 }
            }
            if near > 0 { check.messages.append(part.name + ": \(near) points closer than clearance − res/2 (worst \(worst) mm)") }
            if blocked > 0 { check.messages.append(part.name + ": \(blocked) points cannot slide out along its extraction") }
            check.messages += wallIssues(part: part, mini: mini, plane: result.partingY, options: options, res: res)
        }
        var open = 0
        let dirs = [Vec3(1, 0, 0), Vec3(-1, 0, 0), Vec3(0, 0, 1), Vec3(0, 0, -1), Vec3(0, 1, 0), Vec3(0, -1, 0)]
        for p in points {
            for d in dirs where !grids.contains(where: { $0.hits(from: p, along: d) }) { open += 1 }
        }
        if open > 0 { check.messages.append("\(open) rays from the mini escape the case") }
        return check
    }

    /// Every cavity vertex is at least `wall` from the part's real outer surface, whatever its
    /// shape (rounded corners and edges, engravings): the distance is measured to every outer
    /// triangle. Cavity vertices: those behind the parting face, not on an outer triangle, in a
    /// connected region (along edges) that reaches over the mini's XZ silhouette; so pin holes,
    /// magnet pockets and the finger notch (walled less, by design) are not cavities.
    ///
    /// Outer triangles are found from the mesh alone: those that do not face the parting plane
    /// (the parting-side terrain of a 2.5D half always does) and from whose centre a ray along
    /// ±x, ±z or away from the plane, not going into the triangle, escapes the part. So a
    /// vertical wall of a cavity (its rays hit the cavity's far side or floor) is not outer.
    static func wallIssues(part: CasePart, mini: TriangleMesh, plane: Float, options: CaseOptions, res: Float) -> [String] {
        let mesh = part.mesh
        let (outer, onOuter) = outerTriangles(mesh, towardPlane: part.extraction)
        if outer.isEmpty { return [part.name + ": no outer faces found"] }
        let cavity = cavityVertices(part, mini: mini, plane: plane, onOuter: onOuter)
        let outside = TriangleGrid(TriangleMesh(positions: mesh.positions, indices: outer), cell: 1)
        var thin = 0, worst = Float.infinity, checked = 0
        for v in 0..<mesh.vertexCount where cavity[v] {
            checked += 1
            let d = outside.distance(mesh.position(v), limit: options.wall)
            if d < options.wall - 1e-3 { thin += 1; worst = min(worst, d) }
        }
        if checked == 0 { return [part.name + ": no cavity vertices to check the wall at"] }
        return thin > 0 ? [part.name + ": \(thin) cavity vertices thinner than the wall (worst \(worst) mm)"] : []
    }

    /// Which vertices of a part are on a cavity: behind the parting face, not on an outer
    /// triangle (`onOuter`, from `outerTriangles`; computed when nil), in a region connected
    /// along edges that reaches over the mini's XZ silhouette.
    static func cavityVertices(_ part: CasePart, mini: TriangleMesh, plane: Float, onOuter given: [Bool]? = nil) -> [Bool] {
        let mesh = part.mesh
        let onOuter = given ?? outerTriangles(mesh, towardPlane: part.extraction).onOuter
        let b = mini.bounds, g: Float = 0.25
        let x0 = b.min.x - g, z0 = b.min.z - g
        let nx = Int(b.size.x / g) + 3, nz = Int(b.size.z / g) + 3
        let over = silhouette(mini, x0: x0, z0: z0, nx: nx, nz: nz, cell: g, grow: 0)
        let away = part.extraction * -1
        let n = mesh.vertexCount
        var deep = [Bool](repeating: false, count: n)
        for v in 0..<n where !onOuter[v] { deep[v] = (mesh.position(v) - Vec3(0, plane, 0)).dot(away) > 0.001 }
        var parent = Array(0..<n)
        func find(_ v: Int) -> Int {
            var r = v
            while parent[r] != r { r = parent[r] }
            var x = v
            while parent[x] != r { let next = parent[x]; parent[x] = r; x = next }
            return r
        }
        for t in 0..<mesh.triangleCount {
            for j in 0..<3 {
                let a = Int(mesh.indices[3 * t + j]), c = Int(mesh.indices[3 * t + (j + 1) % 3])
                if deep[a] && deep[c] { parent[find(a)] = find(c) }
            }
        }
        var reaches = Set<Int>()
        for v in 0..<n where deep[v] {
            let p = mesh.position(v)
            let i = Int((p.x - x0) / g), k = Int((p.z - z0) / g)
            if i >= 0 && k >= 0 && i < nx && k < nz && over[k * nx + i] { reaches.insert(find(v)) }
        }
        return (0..<n).map { deep[$0] && reaches.contains(find($0)) }
    }

    /// Cells (row-major by z) of an nx × nz grid over XZ that the mesh's projection covers
    /// (cell centres inside a triangle, and every cell its edges pass through), grown by a disc
    /// of radius `grow` mm.
    static func silhouette(_ mesh: TriangleMesh, x0: Float, z0: Float, nx: Int, nz: Int, cell g: Float, grow: Float) -> [Bool] {
        var core = [Bool](repeating: false, count: nx * nz)
        func mark(_ x: Float, _ z: Float) {
            let i = Int((x - x0) / g), k = Int((z - z0) / g)
            if i >= 0 && k >= 0 && i < nx && k < nz { core[k * nx + i] = true }
        }
        for t in 0..<mesh.triangleCount {
            let (a, b, c) = mesh.corners(t)
            for (p, q) in [(a, b), (b, c), (c, a)] {
                let steps = Int(max(abs(q.x - p.x), abs(q.z - p.z)) / (g / 2)) + 1
                for s in 0...steps {
                    let f = Float(s) / Float(steps)
                    mark(p.x + (q.x - p.x) * f, p.z + (q.z - p.z) * f)
                }
            }
            let area = (b.x - a.x) * (c.z - a.z) - (c.x - a.x) * (b.z - a.z)
            if abs(area) < 1e-12 { continue }
            let i0 = max(0, Int((min(a.x, b.x, c.x) - x0) / g)), i1 = min(nx - 1, Int((max(a.x, b.x, c.x) - x0) / g))
            let k0 = max(0, Int((min(a.z, b.z, c.z) - z0) / g)), k1 = min(nz - 1, Int((max(a.z, b.z, c.z) - z0) / g))
            if i0 > i1 || k0 > k1 { continue }
            for k in k0...k1 {
                for i in i0...i1 {
                    let x = x0 + (Float(i) + 0.5) * g, z = z0 + (Float(k) + 0.5) * g
                    let u = ((b.x - x) * (c.z - z) - (c.x - x) * (b.z - z)) / area
                    let v = ((c.x - x) * (a.z - z) - (a.x - x) * (c.z - z)) / area
                    if u >= 0 && v >= 0 && u + v <= 1 { core[k * nx + i] = true }
                }
            }
        }
        // Grow from the border cells of the core by a disc of `grow` (+ half a cell).
        let r = Int((grow / g).rounded(.up))
        let reach = (grow / g + 0.5) * (grow / g + 0.5)
        var out = core
        for k in 0..<nz {
            for i in 0..<nx where core[k * nx + i] {
                let inner = i > 0 && k > 0 && i < nx - 1 && k < nz - 1
                    && core[k * nx + i - 1] && core[k * nx + i + 1] && core[(k - 1) * nx + i] && core[(k + 1) * nx + i]
                if inner { continue }
                for dk in -r...r {
                    for di in -r...r where Float(di * di + dk * dk) <= reach {
                        let ii = i + di, kk = k + dk
                        if ii >= 0 && kk >= 0 && ii < nx && kk < nz { out[kk * nx + ii] = true }
                    }
                }
            }
        }
        return out
    }

    /// Indices (three per triangle) of a part's outer triangles, and which vertices they use.
    static func outerTriangles(_ mesh: TriangleMesh, towardPlane toward: Vec3) -> (indices: [UInt32], onOuter: [Bool]) {
        let all = TriangleGrid(mesh, cell: 1)
        let dirs = [Vec3(1, 0, 0), Vec3(-1, 0, 0), Vec3(0, 0, 1), Vec3(0, 0, -1), toward * -1]
        var indices: [UInt32] = []
        var onOuter = [Bool](repeating: false, count: mesh.vertexCount)
        for t in 0..<mesh.triangleCount {
            let (a, b, c) = mesh.corners(t)
            let n = (b - a).cross(c - a)
            let length = n.length
            if !(length > 1e-12) { continue }
            let unit = n / length
            if unit.dot(toward) > 1e-4 { continue }
            let centre = (a + b + c) / 3 + unit * 1e-4
            // The most outward direction first: from an outer face it leaves the part at once.
            let order = dirs.filter { $0.dot(unit) >= -1e-4 }.sorted { $0.dot(unit) > $1.dot(unit) }
            guard order.contains(where: { !all.hits(from: centre, along: $0) }) else { continue }
            for j in 0..<3 {
                let v = mesh.indices[3 * t + j]
                indices.append(v)
                onOuter[Int(v)] = true
            }
        }
        return (indices, onOuter)
    }
}
