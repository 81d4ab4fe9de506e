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
    /// Runs in O(n) time with no hashing: about 20–40 ms for 2M triangles in release builds.
    public static func analyze(_ mesh: TriangleMesh) -> MeshReport {
        let bounds = mesh.bounds
        var report = MeshReport(
            triangles: mesh.triangleCount, vertices: mesh.vertexCount,
            sourceVertices: mesh.sourceVertexCount, bounds: bounds, size: bounds.size
        )
        let vertexCount = mesh.vertexCount
        let n = mesh.triangleCount
        if n == 0 { return report }

        // Out-of-range indices would read past the positions; drop those triangles.
        var invalid = 0
        mesh.indices.withUnsafeBufferPointer { idx in
            var largest: UInt32 = 0
            for i in 0..<(3 * n) { largest = max(largest, idx[i]) }
            if Int(largest) >= vertexCount {
                for t in 0..<n where Int(max(idx[3 * t], max(idx[3 * t + 1], idx[3 * t + 2]))) >= vertexCount {
                    invalid += 1
                }
            }
        }
        if invalid > 0 {
            var valid = TriangleMesh(positions: mesh.positions, indices: [], sourceVertexCount: mesh.sourceVertexCount)
            valid.indices.reserveCapacity(3 * (n - invalid))
            for t in 0..<n {
                let a = mesh.indices[3 * t], b = mesh.indices[3 * t + 1], c = mesh.indices[3 * t + 2]
                if Int(max(a, max(b, c))) < vertexCount {
                    valid.indices.append(a); valid.indices.append(b); valid.indices.append(c)
                }
            }
            var inner = analyze(valid)
            inner.triangles = n
            inner.degenerateTriangles += invalid
            return inner
        }
        // Keys pack a vertex index in 31 bits and a half-edge in 32.
        if UInt64(vertexCount) >= 1 << 31 || UInt64(3 * n) >= 1 << 32 { return report }  // UInt64: Int is 32 bits on wasm32

        let measures = measure(mesh)
        report.area = measures.area
        report.volume = measures.volume
        report.degenerateTriangles = measures.degenerate

        mesh.indices.withUnsafeBufferPointer { idx in
            topology(idx, vertexCount: vertexCount, positions: mesh.positions, totalVolume: measures.volume, into: &report)
        }
        report.watertight = report.boundaryEdges == 0 && report.nonManifoldEdges == 0 && report.inconsistentEdges == 0
        return report
    }

    /// Area, signed volume and the number of zero-area triangles, summed in `Double`.
    static func measure(_ mesh: TriangleMesh) -> (area: Double, volume: Double, degenerate: Int) {
        var area = 0.0, volume = 0.0, degenerate = 0
        mesh.positions.withUnsafeBufferPointer { p in
            mesh.indices.withUnsafeBufferPointer { idx in
                var i = 0
                while i < idx.count {
                    let a = 3 * Int(idx[i]), b = 3 * Int(idx[i + 1]), c = 3 * Int(idx[i + 2])
                    let ax = Double(p[a]), ay = Double(p[a + 1]), az = Double(p[a + 2])
                    let bx = Double(p[b]), by = Double(p[b + 1]), bz = Double(p[b + 2])
                    let cx = Double(p[c]), cy = Double(p[c + 1]), cz = Double(p[c + 2])
                    let ux = bx - ax, uy = by - ay, uz = bz - az
                    let vx = cx - ax, vy = cy - ay, vz = cz - az
                    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx
                    let twice = (nx * nx + ny * ny + nz * nz).squareRoot()
                    area += twice
                    if twice == 0 { degenerate += 1 }
                    volume += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx)
                    i += 3
                }
            }
        }
        return (area * 0.5, volume / 6, degenerate)
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

    static func topology(
        _ idx: UnsafeBufferPointer<UInt32>, vertexCount: Int, positions: [Float], totalVolume: Double,
        into report: inout MeshReport
    ) {
        let n = idx.count / 3
        let table = EdgeTable(indices: idx, vertexCount: vertexCount)
        var sets = TriangleSets(count: n)
        // Triangles on boundary or inconsistent edges (few, in meshes worth checking).
        var openTriangles: [UInt32] = []
        var inconsistentTriangles: [UInt32] = []
        var boundary = 0, nonManifold = 0, inconsistent = 0, duplicates = 0
        // Uses of non-manifold edges as `triangle << 1 | reversed`, and each edge's run in it.
        var crowdedUses: [UInt64] = []
        var crowded: [(start: Int, count: Int)] = []
        var scratch: [UInt64] = []
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(table.largestGroup, 1))
        let thirds = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(table.largestGroup, 1))
        defer {
            keys.deallocate()
            thirds.deallocate()
        }

        table.halfEdges.withUnsafeBufferPointer { halfEdges in
            table.ends.withUnsafeBufferPointer { ends in
                sets.parent.withUnsafeMutableBufferPointer { parent in
                    do {
                        var start = 0
                        for v in 0..<vertexCount {
                            let end = Int(ends[v])
                            let lo = UInt32(truncatingIfNeeded: v)
                            EdgeTable.sortedGroup(lo: lo, UnsafeBufferPointer(rebasing: halfEdges[start..<end]), idx, keys, thirds)
                            let size = end - start
                            var i = 0
                            while i < size {
                                let hi = EdgeTable.higher(keys[i])
                                var j = i + 1
                                while j < size && EdgeTable.higher(keys[j]) == hi { j += 1 }
                                let count = j - i
                                if count == 2 {
                                    let k0 = keys[i], k1 = keys[i + 1]
                                    let h0 = EdgeTable.halfEdge(k0), h1 = EdgeTable.halfEdge(k1)
                                    let f0 = h0 / 3, f1 = h1 / 3
                                    TriangleSets.union(parent, UInt32(truncatingIfNeeded: f0), UInt32(truncatingIfNeeded: f1))
                                    let r0 = EdgeTable.reversed(k0), r1 = EdgeTable.reversed(k1)
                                    if r0 == r1 {
                                        inconsistent += 1
                                        inconsistentTriangles.append(UInt32(truncatingIfNeeded: f0))
                                        inconsistentTriangles.append(UInt32(truncatingIfNeeded: f1))
                                    }
                                    let third0 = thirds[i]
                                    if third0 == thirds[i + 1] && f0 != f1
                                        && isCanonical(lo: lo, hi: hi, third: third0, reversed: r0, corner: h0 - 3 * f0)
                                    {
                                        if isCanonical(lo: lo, hi: hi, third: third0, reversed: r1, corner: h1 - 3 * f1) {
                                            duplicates += 1
                                        }
                                    }
                                } else if count == 1 {
                                    boundary += 1
                                    openTriangles.append(UInt32(truncatingIfNeeded: EdgeTable.halfEdge(keys[i]) / 3))
                                } else {
                                    nonManifold += 1
                                    crowded.append((crowdedUses.count, count))
                                    for k in i..<j {
                                        crowdedUses.append(UInt64(EdgeTable.halfEdge(keys[k]) / 3) << 1 | UInt64(EdgeTable.reversed(keys[k])))
                                    }
                                    duplicates += duplicatesInRun(keys, thirds, i, j, lo: lo, hi: hi, &scratch)
                                }
                                i = j
                            }
                            start = end
                        }
                    }
                }
            }
        }
        report.boundaryEdges = boundary
        report.nonManifoldEdges = nonManifold
        report.inconsistentEdges = inconsistent
        report.duplicateTriangles = duplicates

        // Number the components in place of the union-find links, in order of their first
        // triangle: each root is its component's smallest triangle, so it is numbered before
        // its members, and a member's fully compressed link then names a numbered root.
        var components = 0
        sets.parent.withUnsafeMutableBufferPointer { parent in
            for f in 0..<n { parent[f] = TriangleSets.find(parent, UInt32(truncatingIfNeeded: f)) }
            for f in 0..<n {
                let root = Int(parent[f])
                if root == f {
                    parent[f] = UInt32(truncatingIfNeeded: components)
                    components += 1
                } else {
                    parent[f] = parent[root]
                }
            }
        }
        report.components = components
        let componentOf = sets.parent

        // A component is closed and consistently wound when none of its triangles touches a
        // boundary or inconsistent edge, and at each non-manifold edge its own triangles pair
        // up in opposite directions (two cubes sharing an edge are each closed).
        var componentFlags = [UInt8](repeating: 0, count: components)
        for f in openTriangles { componentFlags[Int(componentOf[Int(f)])] |= touchesBoundary }
        for f in inconsistentTriangles { componentFlags[Int(componentOf[Int(f)])] |= touchesInconsistent }
        for (start, count) in crowded {
            let end = start + count
            for i in start..<end {
                let ci = componentOf[Int(crowdedUses[i] >> 1)]
                var seenBefore = false
                for j in start..<i where componentOf[Int(crowdedUses[j] >> 1)] == ci {
                    seenBefore = true
                    break
                }
                if seenBefore { continue }
                var net = 0
                for j in i..<end where componentOf[Int(crowdedUses[j] >> 1)] == ci {
                    net += crowdedUses[j] & 1 == 0 ? 1 : -1
                }
                if net != 0 { componentFlags[Int(ci)] |= touchesBoundary }
            }
        }
        var insideOut = 0
        if components == 1 {
            if componentFlags[0] == 0 && totalVolume < 0 { insideOut = 1 }
        } else {
            var volumes = [Double](repeating: 0, count: components)
            positions.withUnsafeBufferPointer { p in
                for f in 0..<n where componentFlags[Int(componentOf[f])] == 0 {
                    volumes[Int(componentOf[f])] += volume6(p, Int(idx[3 * f]), Int(idx[3 * f + 1]), Int(idx[3 * f + 2]))
                }
            }
            for c in 0..<components where componentFlags[c] == 0 && volumes[c] < 0 { insideOut += 1 }
        }
        report.insideOutComponents = insideOut
    }

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
