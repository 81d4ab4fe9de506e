import MeshCore

/// Measures a mesh and checks its topology; see `MeshReport` for what each figure means.
public enum MeshAnalyzer {
    /// Analyzes `mesh` using its vertex indices as they are (readers weld exact duplicates).
    ///
    /// Rules, chosen to agree with trimesh on the same welded mesh:
    /// - Every triangle contributes its three edges, even a degenerate one with a repeated
    ///   index (its zero-length edge `a–a` then counts as an edge too), so a mesh holding such
    ///   a triangle is not watertight. Collinear triangles with three distinct indices are
    ///   ordinary faces topologically; both kinds count in `degenerateTriangles`.
    /// - `watertight` means every edge has exactly two faces that use it in opposite
    ///   directions: no boundary, non-manifold or inconsistent edge (trimesh's `is_watertight`
    ///   and `is_winding_consistent` together). A closed mesh whose faces disagree about the
    ///   outside is therefore not watertight; repair orients it.
    /// - Triangles whose indices are out of range are left out of everything and counted
    ///   as degenerate.
    ///
    /// Runs in O(n) time with no hashing. `runner` spreads the passes over cores; the
    /// report is the same, bit for bit, for every runner.
    public static func analyze(_ mesh: TriangleMesh, runner: JobRunner = .serial) -> MeshReport {
        analyze(mesh, runner: runner, parallelFrom: parallelThreshold)
    }

    /// `analyze`, splitting the work between jobs only for `parallelFrom` triangles or more
    /// (tests lower it to split small meshes).
    static func analyze(_ mesh: TriangleMesh, runner: JobRunner, parallelFrom: Int) -> MeshReport {
        var report = MeshReport(triangles: mesh.triangleCount, vertices: mesh.vertexCount, sourceVertices: mesh.sourceVertexCount)
        let vertexCount = mesh.vertexCount
        let n = mesh.triangleCount
        // Keys pack a vertex index in 31 bits and a half-edge in 32.
        if n == 0 || UInt64(vertexCount) >= 1 << 31 || UInt64(3 * n) >= 1 << 32 {  // UInt64: Int is 32 bits on wasm32
            report.bounds = mesh.bounds
            report.size = report.bounds.size
            return report
        }
        if analyzeIndexed(mesh, runner: runner, parallelFrom: parallelFrom, into: &report) {
            report.watertight = report.boundaryEdges == 0 && report.nonManifoldEdges == 0 && report.inconsistentEdges == 0
            return report
        }

        // Out-of-range indices would read past the positions; drop those triangles.
        var invalid = 0
        var valid = TriangleMesh(positions: mesh.positions, indices: [], sourceVertexCount: mesh.sourceVertexCount)
        for t in 0..<n {
            let a = mesh.indices[3 * t], b = mesh.indices[3 * t + 1], c = mesh.indices[3 * t + 2]
            if Int(max(a, max(b, c))) < vertexCount {
                valid.indices.append(a); valid.indices.append(b); valid.indices.append(c)
            } else {
                invalid += 1
            }
        }
        var inner = analyze(valid, runner: runner, parallelFrom: parallelFrom)
        inner.triangles = n
        inner.degenerateTriangles += invalid
        return inner
    }

    /// Signed volume of one triangle's tetrahedron with the origin, times 6.
    @inline(__always)
    static func volume6(_ p: UnsafeBufferPointer<Float>, _ a: Int, _ b: Int, _ c: Int) -> Double {
        let ax = Double(p[3 * a]), ay = Double(p[3 * a + 1]), az = Double(p[3 * a + 2])
        let bx = Double(p[3 * b]), by = Double(p[3 * b + 1]), bz = Double(p[3 * b + 2])
        let cx = Double(p[3 * c]), cy = Double(p[3 * c + 1]), cz = Double(p[3 * c + 2])
        return ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx)
    }

    /// Twice the area of triangle (a, b, c), in `Double`; exactly 0 for a degenerate one.
    @inline(__always)
    static func twiceArea(_ p: UnsafeBufferPointer<Float>, _ a: Int, _ b: Int, _ c: Int) -> Double {
        let ax = Double(p[3 * a]), ay = Double(p[3 * a + 1]), az = Double(p[3 * a + 2])
        let ux = Double(p[3 * b]) - ax, uy = Double(p[3 * b + 1]) - ay, uz = Double(p[3 * b + 2]) - az
        let vx = Double(p[3 * c]) - ax, vy = Double(p[3 * c + 1]) - ay, vz = Double(p[3 * c + 2]) - az
        let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx
        return (nx * nx + ny * ny + nz * nz).squareRoot()
    }

    /// True when the half-edge `corner` of a triangle whose edge is (lo, hi) and whose
    /// remaining vertex is `third` is the triangle's one "canonical" edge: the edge between
    /// its two smallest indices. Two triangles with the same vertices share it, so comparing
    /// `third` there finds each duplicate exactly once.
    @inline(__always)
    static func isCanonical(lo: UInt32, hi: UInt32, third: UInt32, reversed: Int, corner: Int) -> Bool {
        if third != hi { return third > hi }
        // Ties only happen in triangles with repeated indices.
        return lo < hi ? reversed == 0 : corner == 0
    }

    /// Flags kept per triangle while scanning edges.
    static let touchesBoundary: UInt8 = 1
    static let touchesInconsistent: UInt8 = 2

    /// Duplicate triangles among the three or more that share edge (lo, hi): keys[i..<j].
    static func duplicatesInRun(
        _ keys: UnsafeMutableBufferPointer<UInt64>, _ thirds: UnsafeMutableBufferPointer<UInt32>, _ i: Int, _ j: Int,
        lo: UInt32, hi: UInt32, _ scratch: inout [UInt64]
    ) -> Int {
        scratch.removeAll(keepingCapacity: true)
        for k in i..<j {
            let h = EdgeTable.halfEdge(keys[k])
            let f = h / 3
            let third = thirds[k]
            if isCanonical(lo: lo, hi: hi, third: third, reversed: EdgeTable.reversed(keys[k]), corner: h - 3 * f) {
                scratch.append(UInt64(third) << 32 | UInt64(f))
            }
        }
        if scratch.count < 2 { return 0 }
        scratch.sort()
        var duplicates = 0
        for k in 1..<scratch.count where scratch[k] >> 32 == scratch[k - 1] >> 32 { duplicates += 1 }
        return duplicates
    }
}
