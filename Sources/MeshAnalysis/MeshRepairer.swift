import MeshCore

/// Fixes the defects `MeshAnalyzer` finds that can be fixed without guessing shape:
/// duplicate vertices, zero-area and duplicate triangles, inconsistent and inside-out
/// winding, and small simple holes.
public enum MeshRepairer {
    /// Repairs `mesh` and says what it did. Steps, in order:
    /// 1. weld exactly coincident vertices;
    /// 2. drop zero-area triangles and duplicates (back-to-back pairs cancel);
    /// 3. orient each component consistently, flipping the fewest triangles, across edges
    ///    with exactly two triangles;
    /// 4. fill each hole whose rim is a simple loop of at most `options.maxHoleEdges` edges,
    ///    by ear clipping in the rim's best-fit plane (a fan around the rim's centroid when
    ///    no valid ear exists), wound to match the triangles around it;
    /// 5. turn each closed component with negative volume outward (open ones stay: their
    ///    volume has no fixed sign, and an open piece may rightly face inward).
    ///
    /// Never fails: a mesh it cannot improve comes back with the same triangles.
    public static func repair(_ mesh: TriangleMesh, options: RepairOptions = .init()) -> (mesh: TriangleMesh, report: RepairReport) {
        var report = RepairReport()
        report.before = MeshAnalyzer.analyze(mesh)

        // Triangles pointing past the vertices cannot be kept; count them as degenerate.
        var source = mesh
        var invalid = 0
        if source.indices.contains(where: { Int($0) >= mesh.vertexCount }) {
            var kept: [UInt32] = []
            for t in 0..<mesh.triangleCount {
                let a = mesh.indices[3 * t], b = mesh.indices[3 * t + 1], c = mesh.indices[3 * t + 2]
                if Int(max(a, max(b, c))) < mesh.vertexCount {
                    kept.append(a); kept.append(b); kept.append(c)
                } else {
                    invalid += 1
                }
            }
            source.indices = kept
        }
        var welded = source.welded()
        report.weldedVertices = source.vertexCount - welded.vertexCount
        // Nothing merged and nothing unused: keep the caller's vertex order.
        if welded.vertexCount == source.vertexCount { welded = source }
        var positions = welded.positions
        var indices = welded.indices

        let cleaned = removeDegenerateAndDuplicates(positions, indices)
        indices = cleaned.indices
        report.removedDegenerate = cleaned.degenerate + invalid
        report.removedDuplicate = cleaned.duplicate

        report.flippedTriangles = orient(&indices, vertexCount: positions.count / 3)

        if options.fillHoles {
            let holes = fillHoles(&positions, &indices, maxEdges: options.maxHoleEdges)
            report.filledHoles = holes.filled
            report.filledTriangles = holes.triangles
            report.unfilledHoles = holes.tooLong + holes.notSimple + holes.sheets
            report.lines.append(contentsOf: holeLines(holes, maxEdges: options.maxHoleEdges))
        } else {
            report.unfilledHoles = boundaryLoops(positions, indices).count
        }

        report.flippedComponents = turnOutward(positions, &indices)

        var repaired = TriangleMesh(positions: positions, indices: indices, sourceVertexCount: mesh.sourceVertexCount)
        repaired = droppingUnusedVertices(repaired)
        report.after = MeshAnalyzer.analyze(repaired)
        report.lines = summary(report) + report.lines + [verdict(report.after)]
        return (repaired, report)
    }

    // MARK: - Report text

    static func plural(_ n: Int, _ word: String, _ words: String? = nil) -> String {
        "\(ASCII.grouped(n)) " + (n == 1 ? word : (words ?? word + "s"))
    }

    static func summary(_ r: RepairReport) -> [String] {
        var lines: [String] = []
        if r.weldedVertices > 0 { lines.append("merged \(plural(r.weldedVertices, "duplicate or unused vertex", "duplicate or unused vertices"))") }
        if r.removedDegenerate > 0 { lines.append("removed \(plural(r.removedDegenerate, "degenerate (zero-area) triangle"))") }
        if r.removedDuplicate > 0 { lines.append("removed \(plural(r.removedDuplicate, "duplicate triangle"))") }
        if r.flippedTriangles > 0 { lines.append("flipped \(plural(r.flippedTriangles, "triangle")) to make the winding consistent") }
        if r.flippedComponents > 0 { lines.append("turned \(plural(r.flippedComponents, "inside-out component")) outward") }
        return lines
    }

    static func holeLines(_ h: HoleResult, maxEdges: Int) -> [String] {
        var lines: [String] = []
        if h.filled > 0 { lines.append("filled \(plural(h.filled, "hole")) with \(plural(h.triangles, "triangle"))") }
        if h.tooLong > 0 {
            lines.append("left \(plural(h.tooLong, "hole")) open: rim longer than \(maxEdges) edges (longest \(ASCII.grouped(h.longest)))")
        }
        if h.sheets > 0 {
            lines.append("left \(plural(h.sheets, "open rim")) unfilled: each is the outline of a flat loose sheet, not a hole")
        }
        if h.notSimple > 0 {
            lines.append("left \(plural(h.notSimple, "hole")) open: rim is not a simple loop (it touches itself or a non-manifold edge)")
        }
        return lines
    }

    static func verdict(_ r: MeshReport) -> String {
        if r.watertight && r.inconsistentEdges == 0 {
            return "result is watertight and consistently wound: \(plural(r.triangles, "triangle")), volume "
                + ASCII.decimal(r.volume, fractionDigits: 3)
        }
        var problems: [String] = []
        if r.boundaryEdges > 0 { problems.append(plural(r.boundaryEdges, "boundary edge")) }
        if r.nonManifoldEdges > 0 { problems.append(plural(r.nonManifoldEdges, "non-manifold edge")) }
        if r.inconsistentEdges > 0 { problems.append(plural(r.inconsistentEdges, "inconsistently wound edge")) }
        if r.triangles == 0 { problems.append("no triangles") }
        var text = "result is still not watertight: "
        for (i, p) in problems.enumerated() { text += (i == 0 ? "" : ", ") + p }
        return text
    }

    // MARK: - Degenerate and duplicate triangles

    /// Removes zero-area triangles and duplicates. Triangles with the same three vertices
    /// are grouped; each winding counts +1 or -1, a group whose windings cancel is removed
    /// entirely (an internal wall or a zero-thickness double-sided sheet), otherwise one
    /// triangle with the winding of the majority is kept.
    static func removeDegenerateAndDuplicates(_ positions: [Float], _ indices: [UInt32]) -> (indices: [UInt32], degenerate: Int, duplicate: Int) {
        let n = indices.count / 3
        var degenerate = 0
        var first = [UInt32](repeating: UInt32.max, count: n)  // group representative
        var net = [Int32](repeating: 0, count: n)  // at representatives: sum of windings
        var capacity = 16
        while capacity < 2 * n { capacity <<= 1 }
        var slots = [UInt32](repeating: 0, count: capacity)
        let mask = capacity - 1
        positions.withUnsafeBufferPointer { p in
            indices.withUnsafeBufferPointer { idx in
                for t in 0..<n {
                    let a = idx[3 * t], b = idx[3 * t + 1], c = idx[3 * t + 2]
                    if a == b || b == c || a == c || MeshAnalyzer.twiceArea(p, Int(a), Int(b), Int(c)) == 0 {
                        degenerate += 1
                        continue
                    }
                    let (x, y, z) = sorted(a, b, c)
                    // Even permutations of the sorted triple keep its winding.
                    let even = (a < b ? 1 : 0) + (b < c ? 1 : 0) + (c < a ? 1 : 0) == 2
                    var slot = Int(truncatingIfNeeded: hash(x, y, z)) & mask
                    while true {
                        let s = slots[slot]
                        if s == 0 {
                            slots[slot] = UInt32(truncatingIfNeeded: t + 1)
                            first[t] = UInt32(truncatingIfNeeded: t)
                            net[t] = even ? 1 : -1
                            break
                        }
                        let r = Int(s - 1)
                        if sorted(idx[3 * r], idx[3 * r + 1], idx[3 * r + 2]) == (x, y, z) {
                            first[t] = UInt32(truncatingIfNeeded: r)
                            net[r] += even ? 1 : -1
                            break
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        var kept: [UInt32] = []
        kept.reserveCapacity(indices.count)
        var keptGroup = [Bool](repeating: false, count: n)
        var duplicate = 0
        for t in 0..<n where first[t] != UInt32.max {
            let r = Int(first[t])
            let a = indices[3 * t], b = indices[3 * t + 1], c = indices[3 * t + 2]
            let sign: Int32 = (a < b ? 1 : 0) + (b < c ? 1 : 0) + (c < a ? 1 : 0) == 2 ? 1 : -1
            if keptGroup[r] || net[r] == 0 || (net[r] > 0) != (sign > 0) {
                duplicate += 1
                continue
            }
            keptGroup[r] = true
            kept.append(a); kept.append(b); kept.append(c)
        }
        return (kept, degenerate, duplicate)
    }

    @inline(__always)
    static func sorted(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> (UInt32, UInt32, UInt32) {
        let lo = min(a, min(b, c)), hi = max(a, max(b, c))
        return (lo, a ^ b ^ c ^ lo ^ hi, hi)
    }

    @inline(__always)
    static func hash(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 {
        var h = x &* 0x9E37_79B1
        h = (h ^ (h >> 15) ^ y) &* 0x85EB_CA77
        h = (h ^ (h >> 13) ^ z) &* 0xC2B2_AE3D
        return h ^ (h >> 16)
    }

    // MARK: - Adjacency

    /// For each half-edge, the other half-edge of its edge when the edge has exactly two
    /// triangles (`UInt32.max` otherwise), plus the half-edges of edges with one triangle.
    static func adjacency(_ indices: [UInt32], vertexCount: Int) -> (twin: [UInt32], boundary: [UInt32], table: EdgeTable) {
        var twin = [UInt32](repeating: UInt32.max, count: indices.count)
        var boundary: [UInt32] = []
        let table = indices.withUnsafeBufferPointer { EdgeTable(indices: $0, vertexCount: vertexCount) }
        indices.withUnsafeBufferPointer { idx in
            let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(table.largestGroup, 1))
            let thirds = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(table.largestGroup, 1))
            defer {
                keys.deallocate()
                thirds.deallocate()
            }
            table.halfEdges.withUnsafeBufferPointer { halfEdges in
                var start = 0
                for v in 0..<vertexCount {
                    let end = Int(table.ends[v])
                    EdgeTable.sortedGroup(lo: UInt32(truncatingIfNeeded: v), UnsafeBufferPointer(rebasing: halfEdges[start..<end]), idx, keys, thirds)
                    let size = end - start
                    var i = 0
                    while i < size {
                        let hi = EdgeTable.higher(keys[i])
                        var j = i + 1
                        while j < size && EdgeTable.higher(keys[j]) == hi { j += 1 }
                        if j - i == 2 {
                            let h0 = EdgeTable.halfEdge(keys[i]), h1 = EdgeTable.halfEdge(keys[i + 1])
                            twin[h0] = UInt32(truncatingIfNeeded: h1)
                            twin[h1] = UInt32(truncatingIfNeeded: h0)
                        } else if j - i == 1 {
                            boundary.append(UInt32(truncatingIfNeeded: EdgeTable.halfEdge(keys[i])))
                        }
                        i = j
                    }
                    start = end
                }
            }
        }
        return (twin, boundary, table)
    }

    /// True when the table (built on `indices`) holds an edge between `a` and `b`.
    static func hasEdge(_ table: EdgeTable, _ indices: [UInt32], _ a: UInt32, _ b: UInt32) -> Bool {
        let lo = min(a, b), hi = max(a, b)
        if Int(lo) >= table.ends.count - 1 { return false }
        let start = lo == 0 ? 0 : Int(table.ends[Int(lo) - 1])
        for i in start..<Int(table.ends[Int(lo)]) {
            let h = Int(table.halfEdges[i])
            let from = indices[h], to = indices[EdgeTable.next(h)]
            if (from == lo ? to : from) == hi { return true }
        }
        return false
    }

    // MARK: - Orientation

    /// Makes winding consistent within each component by breadth-first search across
    /// edges with two triangles; in each component the smaller set of triangles is flipped.
    /// Returns how many triangles were flipped.
    static func orient(_ indices: inout [UInt32], vertexCount: Int) -> Int {
        let n = indices.count / 3
        if n == 0 { return 0 }
        let twin = adjacency(indices, vertexCount: vertexCount).twin
        var visited = [Bool](repeating: false, count: n)
        var flip = [Bool](repeating: false, count: n)
        var queue: [UInt32] = []
        queue.reserveCapacity(n)
        var flipped = 0
        for seed in 0..<n where !visited[seed] {
            let start = queue.count
            visited[seed] = true
            queue.append(UInt32(truncatingIfNeeded: seed))
            var head = start
            var flips = 0
            while head < queue.count {
                let f = Int(queue[head])
                head += 1
                for k in 0..<3 {
                    let h = 3 * f + k
                    let t = twin[h]
                    if t == UInt32.max { continue }
                    let g = Int(t) / 3
                    if visited[g] { continue }  // a conflict here means a non-orientable surface
                    let same = indices[h] == indices[Int(t)]
                    flip[g] = flip[f] != same
                    if flip[g] { flips += 1 }
                    visited[g] = true
                    queue.append(t / 3)
                }
            }
            let size = queue.count - start
            let invert = 2 * flips > size
            for q in start..<queue.count {
                let f = Int(queue[q])
                if flip[f] != invert {
                    indices.swapAt(3 * f + 1, 3 * f + 2)
                    flipped += 1
                }
            }
        }
        return flipped
    }

    // MARK: - Holes

    struct HoleResult {
        var filled = 0, triangles = 0, tooLong = 0, notSimple = 0, sheets = 0, longest = 0
    }

    struct Loop {
        var vertices: [UInt32]
        var simple: Bool
        /// A triangle on the rim.
        var triangle: Int
    }

    /// The rims of holes: boundary half-edges chained head to tail. A loop is simple when
    /// each of its vertices starts exactly one boundary half-edge and the chain closes.
    static func boundaryLoops(_ positions: [Float], _ indices: [UInt32]) -> [Loop] {
        let boundary = adjacency(indices, vertexCount: positions.count / 3).boundary
        return loops(boundary, indices)
    }

    static func loops(_ boundary: [UInt32], _ indices: [UInt32]) -> [Loop] {
        // Boundary half-edges sorted by their start vertex, for lookup by binary search.
        var byStart = boundary.map { UInt64(indices[Int($0)]) << 32 | UInt64($0) }
        byStart.sort()
        func outgoing(_ v: UInt32) -> Range<Int> {
            var lo = 0, hi = byStart.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if UInt32(truncatingIfNeeded: byStart[mid] >> 32) < v { lo = mid + 1 } else { hi = mid }
            }
            var end = lo
            while end < byStart.count && UInt32(truncatingIfNeeded: byStart[end] >> 32) == v { end += 1 }
            return lo..<end
        }
        var used = [Bool](repeating: false, count: byStart.count)
        var result: [Loop] = []
        for first in 0..<byStart.count where !used[first] {
            var loop = Loop(vertices: [], simple: true, triangle: Int(UInt32(truncatingIfNeeded: byStart[first])) / 3)
            var current = first
            while true {
                used[current] = true
                let h = Int(UInt32(truncatingIfNeeded: byStart[current]))
                loop.vertices.append(indices[h])
                let to = indices[EdgeTable.next(h)]
                let candidates = outgoing(to)
                if candidates.count != 1 { loop.simple = false }
                if candidates.contains(first) { break }
                guard let next = candidates.first(where: { !used[$0] }) else {
                    loop.simple = false  // the chain runs into a non-manifold edge
                    break
                }
                current = next
            }
            result.append(loop)
        }
        return result
    }

    static func fillHoles(_ positions: inout [Float], _ indices: inout [UInt32], maxEdges: Int) -> HoleResult {
        var result = HoleResult()
        let adjacent = adjacency(indices, vertexCount: positions.count / 3)
        let rims = loops(adjacent.boundary, indices)
        if rims.isEmpty { return result }
        let original = indices
        let areas = componentAreas(positions, indices, twin: adjacent.twin)
        var rimsOf = [Int](repeating: 0, count: areas.area.count)
        for rim in rims { rimsOf[Int(areas.componentOf[rim.triangle])] += 1 }
        for rim in rims {
            result.longest = max(result.longest, rim.vertices.count)
            if !rim.simple || rim.vertices.count < 3 {
                result.notSimple += 1
                continue
            }
            if rim.vertices.count > maxEdges {
                result.tooLong += 1
                continue
            }
            // The rim runs along its triangles' edges, so the patch runs the other way.
            let polygon = Array(rim.vertices.reversed())
            let before = indices.count
            let pointsBefore = positions.count
            if !clipEars(polygon, &positions, &indices, existing: adjacent.table, original) {
                fan(polygon, &positions, &indices)
            }
            // The only rim of a flat loose sheet (a lone triangle, a flat disc) is no hole:
            // closing it would make a double-sided pillow that encloses nothing.
            var patchArea = 0.0, patchVolume6 = 0.0
            positions.withUnsafeBufferPointer { p in
                var i = before
                while i < indices.count {
                    let a = Int(indices[i]), b = Int(indices[i + 1]), c = Int(indices[i + 2])
                    patchArea += MeshAnalyzer.twiceArea(p, a, b, c) / 2
                    patchVolume6 += MeshAnalyzer.volume6(p, a, b, c)
                    i += 3
                }
            }
            let component = Int(areas.componentOf[rim.triangle])
            let area = areas.area[component] + patchArea
            let enclosed = abs(areas.volume6[component] + patchVolume6) / 6
            if rimsOf[component] == 1 && enclosed <= 1e-5 * area * area.squareRoot() {
                indices.removeSubrange(before..<indices.count)
                positions.removeSubrange(pointsBefore..<positions.count)
                result.sheets += 1
                continue
            }
            result.filled += 1
            result.triangles += (indices.count - before) / 3
        }
        return result
    }

    /// A point of `positions` in double precision.
    @inline(__always)
    static func point(_ positions: [Float], _ v: UInt32) -> (Double, Double, Double) {
        let i = 3 * Int(v)
        return (Double(positions[i]), Double(positions[i + 1]), Double(positions[i + 2]))
    }

    /// Triangulates `polygon` by ear clipping in the plane of its Newell normal, choosing
    /// the best-shaped ear each time and never adding an edge the mesh already has (which
    /// would make it non-manifold). Returns false, adding nothing, when it gets stuck.
    static func clipEars(_ polygon: [UInt32], _ positions: inout [Float], _ indices: inout [UInt32], existing: EdgeTable, _ original: [UInt32]) -> Bool {
        let m = polygon.count
        if m == 3 {
            indices.append(polygon[0]); indices.append(polygon[1]); indices.append(polygon[2])
            return true
        }
        var nx = 0.0, ny = 0.0, nz = 0.0
        let pts = polygon.map { point(positions, $0) }
        for i in 0..<m {
            let a = pts[i], b = pts[(i + 1) % m]
            nx += (a.1 - b.1) * (a.2 + b.2)
            ny += (a.2 - b.2) * (a.0 + b.0)
            nz += (a.0 - b.0) * (a.1 + b.1)
        }
        let nl = (nx * nx + ny * ny + nz * nz).squareRoot()
        if !(nl > 0) { return false }
        nx /= nl; ny /= nl; nz /= nl
        // u: any unit vector perpendicular to n; w = n × u.
        var ux = 0.0, uy = 0.0, uz = 0.0
        if abs(nx) < 0.9 { ux = 0; uy = nz; uz = -ny } else { ux = -nz; uy = 0; uz = nx }
        let ul = (ux * ux + uy * uy + uz * uz).squareRoot()
        ux /= ul; uy /= ul; uz /= ul
        let wx = ny * uz - nz * uy, wy = nz * ux - nx * uz, wz = nx * uy - ny * ux
        let flat = pts.map { p in (p.0 * ux + p.1 * uy + p.2 * uz, p.0 * wx + p.1 * wy + p.2 * wz) }

        var ring = Array(0..<m)
        var added: [(UInt32, UInt32)] = []
        var triangles: [UInt32] = []
        func cross(_ a: (Double, Double), _ b: (Double, Double), _ c: (Double, Double)) -> Double {
            (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
        }
        while ring.count > 3 {
            let r = ring.count
            var best = -1
            var bestScore = -Double.infinity
            for i in 0..<r {
                let ip = ring[(i + r - 1) % r], ic = ring[i], inx = ring[(i + 1) % r]
                let a = flat[ip], b = flat[ic], c = flat[inx]
                let area = cross(a, b, c)
                if !(area > 0) { continue }
                var blocked = false
                for other in ring where other != ip && other != ic && other != inx {
                    let p = flat[other]
                    if cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0 {
                        blocked = true
                        break
                    }
                }
                if blocked { continue }
                let va = polygon[ip], vc = polygon[inx]
                if va == vc || hasEdge(existing, original, va, vc)
                    || added.contains(where: { ($0.0 == va && $0.1 == vc) || ($0.0 == vc && $0.1 == va) })
                {
                    continue
                }
                // Shape: area over the sum of squared sides (largest for equilateral).
                let s = (b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1) + (c.0 - b.0) * (c.0 - b.0)
                    + (c.1 - b.1) * (c.1 - b.1) + (a.0 - c.0) * (a.0 - c.0) + (a.1 - c.1) * (a.1 - c.1)
                let score = area / s
                if score > bestScore {
                    bestScore = score
                    best = i
                }
            }
            if best < 0 { return false }
            let ip = ring[(best + r - 1) % r], ic = ring[best], inx = ring[(best + 1) % r]
            triangles.append(polygon[ip]); triangles.append(polygon[ic]); triangles.append(polygon[inx])
            added.append((polygon[ip], polygon[inx]))
            ring.remove(at: best)
        }
        let last = (polygon[ring[0]], polygon[ring[1]], polygon[ring[2]])
        if last.0 == last.2 || last.0 == last.1 || last.1 == last.2 { return false }
        triangles.append(last.0); triangles.append(last.1); triangles.append(last.2)
        indices.append(contentsOf: triangles)
        return true
    }

    /// Closes `polygon` with a fan around a new vertex at its centroid: always possible,
    /// and adds no edge between existing vertices.
    static func fan(_ polygon: [UInt32], _ positions: inout [Float], _ indices: inout [UInt32]) {
        var x = 0.0, y = 0.0, z = 0.0
        for v in polygon {
            let p = point(positions, v)
            x += p.0; y += p.1; z += p.2
        }
        let m = Double(polygon.count)
        let centre = UInt32(truncatingIfNeeded: positions.count / 3)
        positions.append(Float(x / m)); positions.append(Float(y / m)); positions.append(Float(z / m))
        for i in 0..<polygon.count {
            indices.append(polygon[i]); indices.append(polygon[(i + 1) % polygon.count]); indices.append(centre)
        }
    }

    // MARK: - Outward

    /// Components (across edges with two triangles) and each one's surface area and
    /// signed volume (times 6, about the origin).
    static func componentAreas(_ positions: [Float], _ indices: [UInt32], twin: [UInt32]) -> (componentOf: [UInt32], area: [Double], volume6: [Double]) {
        let n = indices.count / 3
        var componentOf = [UInt32](repeating: UInt32.max, count: n)
        var area: [Double] = []
        var volume6: [Double] = []
        var stack: [Int] = []
        positions.withUnsafeBufferPointer { p in
            for seed in 0..<n where componentOf[seed] == UInt32.max {
                let id = UInt32(truncatingIfNeeded: area.count)
                var sum = 0.0, volume = 0.0
                componentOf[seed] = id
                stack.append(seed)
                while let f = stack.popLast() {
                    sum += MeshAnalyzer.twiceArea(p, Int(indices[3 * f]), Int(indices[3 * f + 1]), Int(indices[3 * f + 2])) / 2
                    volume += MeshAnalyzer.volume6(p, Int(indices[3 * f]), Int(indices[3 * f + 1]), Int(indices[3 * f + 2]))
                    for k in 0..<3 {
                        let t = twin[3 * f + k]
                        if t == UInt32.max { continue }
                        let g = Int(t) / 3
                        if componentOf[g] == UInt32.max {
                            componentOf[g] = id
                            stack.append(g)
                        }
                    }
                }
                area.append(sum)
                volume6.append(volume)
            }
        }
        return (componentOf, area, volume6)
    }

    /// Flips every closed component whose volume is negative. Open components are left
    /// as they are: their volume depends on where they are measured from, and an open
    /// piece may rightly face inward (the wall of a bore split off by a gap).
    static func turnOutward(_ positions: [Float], _ indices: inout [UInt32]) -> Int {
        let n = indices.count / 3
        if n == 0 { return 0 }
        let twin = adjacency(indices, vertexCount: positions.count / 3).twin
        var visited = [Bool](repeating: false, count: n)
        var queue: [UInt32] = []
        queue.reserveCapacity(n)
        var turned = 0
        for seed in 0..<n where !visited[seed] {
            let start = queue.count
            visited[seed] = true
            queue.append(UInt32(truncatingIfNeeded: seed))
            var head = start
            var closed = true
            while head < queue.count {
                let f = Int(queue[head])
                head += 1
                for k in 0..<3 {
                    let t = twin[3 * f + k]
                    if t == UInt32.max {
                        closed = false
                        continue
                    }
                    let g = Int(t) / 3
                    if !visited[g] {
                        visited[g] = true
                        queue.append(UInt32(truncatingIfNeeded: g))
                    }
                }
            }
            if !closed { continue }
            // Measured from the component's first vertex to keep the sums small.
            let o = point(positions, indices[3 * Int(queue[start])])
            var volume6 = 0.0
            for q in start..<queue.count {
                let f = Int(queue[q])
                let a = point(positions, indices[3 * f]), b = point(positions, indices[3 * f + 1]), d = point(positions, indices[3 * f + 2])
                let ax = a.0 - o.0, ay = a.1 - o.1, az = a.2 - o.2
                let bx = b.0 - o.0, by = b.1 - o.1, bz = b.2 - o.2
                let dx = d.0 - o.0, dy = d.1 - o.1, dz = d.2 - o.2
                volume6 += ax * (by * dz - bz * dy) + ay * (bz * dx - bx * dz) + az * (bx * dy - by * dx)
            }
            if volume6 < 0 {
                turned += 1
                for q in start..<queue.count {
                    let f = Int(queue[q])
                    indices.swapAt(3 * f + 1, 3 * f + 2)
                }
            }
        }
        return turned
    }

    /// The mesh without vertices that no triangle uses (left behind by removed triangles).
    static func droppingUnusedVertices(_ mesh: TriangleMesh) -> TriangleMesh {
        var used = [Bool](repeating: false, count: mesh.vertexCount)
        for i in mesh.indices { used[Int(i)] = true }
        if !used.contains(false) { return mesh }
        var remap = [UInt32](repeating: UInt32.max, count: mesh.vertexCount)
        var positions: [Float] = []
        positions.reserveCapacity(mesh.positions.count)
        var indices = mesh.indices
        for i in 0..<indices.count {
            let v = Int(indices[i])
            if remap[v] == UInt32.max {
                remap[v] = UInt32(truncatingIfNeeded: positions.count / 3)
                positions.append(mesh.positions[3 * v]); positions.append(mesh.positions[3 * v + 1]); positions.append(mesh.positions[3 * v + 2])
            }
            indices[i] = remap[v]
        }
        return TriangleMesh(positions: positions, indices: indices, sourceVertexCount: mesh.sourceVertexCount)
    }
}
