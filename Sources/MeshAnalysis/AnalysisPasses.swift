import MeshCore

/// The analysis split into passes that a `JobRunner` can spread over cores.
///
/// Every figure is independent of the number of jobs: area and volume are summed in
/// triangle order by one job (the same order as a plain loop, so the sums are bit-identical
/// whatever the runner), half-edge groups list their triangles in triangle order whatever the
/// split, and components are numbered by their smallest triangle.
extension MeshAnalyzer {
    /// Below this many triangles one job does everything: starting threads costs more.
    static let parallelThreshold = 1 << 15
    /// Most jobs used, which also bounds the per-job vertex counters (4 bytes × vertices each).
    static let maxJobs = 8

    /// Part `j` of `0..<count` cut into `parts` nearly equal contiguous ranges.
    @inline(__always)
    static func part(_ count: Int, _ parts: Int, _ j: Int) -> Range<Int> {
        (count * j / parts)..<(count * (j + 1) / parts)
    }

    /// Area (twice), 6 × signed volume and zero-area count, summed in triangle order.
    /// Triangles with an out-of-range index are skipped (the caller then starts over).
    static func measure(
        _ p: UnsafeBufferPointer<Float>, _ idx: UnsafeBufferPointer<UInt32>, vertexCount: Int
    ) -> (twiceArea: Double, volume6: Double, degenerate: Int) {
        var area = 0.0, volume = 0.0, degenerate = 0
        let limit = UInt32(truncatingIfNeeded: vertexCount)
        var i = 0
        while i + 2 < idx.count {
            let a = idx[i], b = idx[i + 1], c = idx[i + 2]
            i += 3
            if Swift.max(a, Swift.max(b, c)) >= limit { continue }
            let twice = twiceArea(p, Int(a), Int(b), Int(c))
            area += twice
            if twice == 0 { degenerate += 1 }
            volume += volume6(p, Int(a), Int(b), Int(c))
        }
        return (area, volume, degenerate)
    }

    /// What one matching job found in its range of lower vertices.
    struct MatchResult {
        var boundary = 0, nonManifold = 0, inconsistent = 0, duplicates = 0
        var openTriangles: [UInt32] = []
        var inconsistentTriangles: [UInt32] = []
        /// Uses of non-manifold edges as `triangle << 1 | reversed`, and each edge's run in it.
        var crowdedUses: [UInt64] = []
        var crowded: [(start: Int, count: Int)] = []
        /// Triangle pairs across two-face edges that the job could not join itself because
        /// one triangle belongs to an earlier job (`first << 32 | second`).
        var crossPairs: [UInt64] = []
    }

    /// Fills everything but counts, bounds and size into `report`; returns false (leaving
    /// `report` alone) when a vertex index is out of range. The index and vertex counts must
    /// fit the 31/32-bit keys.
    static func analyzeIndexed(
        _ mesh: TriangleMesh, runner: JobRunner, parallelFrom: Int, into report: inout MeshReport
    ) -> Bool {
        let n = mesh.triangleCount
        let vertexCount = mesh.vertexCount
        let jobs = n < parallelFrom ? 1 : Swift.max(1, Swift.min(runner.width, maxJobs))
        let rowLength = vertexCount + 1

        // Fresh memory is expensive to touch (page faults), so the per-job group counters
        // (`jobs` rows of how many half-edges of the job's triangles each vertex is the lower
        // end of, later the job's write cursors) and the union-find links share one buffer:
        // the links start once the counters are done.
        let shared = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: Swift.max(n, jobs * rowLength))
        let cursors = shared
        let parent = UnsafeMutableBufferPointer(rebasing: shared[0..<n])
        let ends = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: vertexCount)
        let halfEdges = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 3 * n)
        let jobInts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * jobs)
        jobInts.initialize(repeating: 0)
        let jobBounds = UnsafeMutableBufferPointer<Float>.allocate(capacity: 6 * jobs)
        defer { jobBounds.deallocate() }
        var area = 0.0, volume = 0.0, degenerate = 0
        defer {
            shared.deallocate()
            ends.deallocate()
            halfEdges.deallocate()
            jobInts.deallocate()
        }
        // jobInts: [0, jobs) bad-index flags, [jobs, 2 jobs) degenerate counts,
        // [2 jobs, 3 jobs) half-edge totals of vertex ranges, [3 jobs, 4 jobs) largest groups.

        let ok = mesh.positions.withUnsafeBufferPointer { p in
            mesh.indices.withUnsafeBufferPointer { idx in
                // Pass 1: one job sums the measures in triangle order (as a plain loop would,
                // so the sums are the same for every runner); the others count group sizes by
                // triangle ranges. The measuring job goes first so that it starts first.
                runner.run(jobs + 1) { job in
                    if job == 0 {
                        (area, volume, degenerate) = measure(p, idx, vertexCount: vertexCount)
                        return
                    }
                    let j = job - 1
                    let row = cursors.baseAddress! + j * rowLength
                    row.initialize(repeating: 0, count: rowLength)
                    let limit = UInt32(truncatingIfNeeded: vertexCount)
                    var t = 3 * part(n, jobs, j).lowerBound
                    let end = 3 * part(n, jobs, j).upperBound
                    while t < end {
                        let a = idx[t], b = idx[t + 1], c = idx[t + 2]
                        if Swift.max(a, Swift.max(b, c)) >= limit {
                            jobInts[j] = 1
                            return
                        }
                        row[Int(Swift.min(a, b))] &+= 1
                        row[Int(Swift.min(b, c))] &+= 1
                        row[Int(Swift.min(c, a))] &+= 1
                        t += 3
                    }
                }
                for j in 0..<jobs where jobInts[j] != 0 { return false }

                // Pass 2, by vertex ranges: turn counts into per-job write cursors and group ends.
                // The bounds ride along: merged in job order with the same strict comparisons,
                // they equal `mesh.bounds`.
                runner.run(jobs) { j in
                    var total = 0
                    var lo = Vec3(.infinity, .infinity, .infinity)
                    var hi = Vec3(-.infinity, -.infinity, -.infinity)
                    for v in part(vertexCount, jobs, j) {
                        for i in 0..<jobs { total += Int(cursors[i * rowLength + v]) }
                        let x = p[3 * v], y = p[3 * v + 1], z = p[3 * v + 2]
                        if x < lo.x { lo.x = x }
                        if x > hi.x { hi.x = x }
                        if y < lo.y { lo.y = y }
                        if y > hi.y { hi.y = y }
                        if z < lo.z { lo.z = z }
                        if z > hi.z { hi.z = z }
                    }
                    jobInts[2 * jobs + j] = total
                    jobBounds[6 * j] = lo.x; jobBounds[6 * j + 1] = lo.y; jobBounds[6 * j + 2] = lo.z
                    jobBounds[6 * j + 3] = hi.x; jobBounds[6 * j + 4] = hi.y; jobBounds[6 * j + 5] = hi.z
                }
                var lo = Vec3(.infinity, .infinity, .infinity)
                var hi = Vec3(-.infinity, -.infinity, -.infinity)
                for j in 0..<jobs {
                    if jobBounds[6 * j] < lo.x { lo.x = jobBounds[6 * j] }
                    if jobBounds[6 * j + 1] < lo.y { lo.y = jobBounds[6 * j + 1] }
                    if jobBounds[6 * j + 2] < lo.z { lo.z = jobBounds[6 * j + 2] }
                    if jobBounds[6 * j + 3] > hi.x { hi.x = jobBounds[6 * j + 3] }
                    if jobBounds[6 * j + 4] > hi.y { hi.y = jobBounds[6 * j + 4] }
                    if jobBounds[6 * j + 5] > hi.z { hi.z = jobBounds[6 * j + 5] }
                }
                report.bounds = Bounds(min: lo, max: hi)
                report.size = report.bounds.size
                runner.run(jobs) { j in
                    var start = 0
                    for i in 0..<j { start += jobInts[2 * jobs + i] }
                    var largest = 0
                    for v in part(vertexCount, jobs, j) {
                        var s = start
                        for i in 0..<jobs {
                            let c = Int(cursors[i * rowLength + v])
                            cursors[i * rowLength + v] = UInt32(truncatingIfNeeded: s)
                            s += c
                        }
                        ends[v] = UInt32(truncatingIfNeeded: s)
                        largest = Swift.max(largest, s - start)
                        start = s
                    }
                    jobInts[3 * jobs + j] = largest
                }

                // Pass 3, by the triangle ranges of pass 1: scatter half-edges into groups, in
                // triangle order within each group.
                runner.run(jobs) { j in
                    let row = cursors.baseAddress! + j * rowLength
                    for t in part(n, jobs, j) {
                        let a = idx[3 * t], b = idx[3 * t + 1], c = idx[3 * t + 2]
                        let h = UInt32(truncatingIfNeeded: 3 * t)
                        let la = Int(Swift.min(a, b)), lb = Int(Swift.min(b, c)), lc = Int(Swift.min(c, a))
                        halfEdges[Int(row[la])] = h
                        row[la] &+= 1
                        halfEdges[Int(row[lb])] = h + 1
                        row[lb] &+= 1
                        halfEdges[Int(row[lc])] = h + 2
                        row[lc] &+= 1
                    }
                }
                report.area = area * 0.5
                report.volume = volume / 6
                report.degenerateTriangles = degenerate
                runner.run(jobs) { j in
                    for t in part(n, jobs, j) { parent[t] = UInt32(truncatingIfNeeded: t) }
                }

                // Pass 4, by vertex ranges holding similar numbers of half-edges: match edges.
                var largest = 0
                for j in 0..<jobs { largest = Swift.max(largest, jobInts[3 * jobs + j]) }
                var splits = [Int](repeating: vertexCount, count: jobs + 1)
                splits[0] = 0
                for j in 1..<jobs {
                    // First vertex whose group ends past j/jobs of all half-edges.
                    let target = UInt32(truncatingIfNeeded: 3 * n * j / jobs)
                    var lo = splits[j - 1], hi = vertexCount
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if ends[mid] <= target { lo = mid + 1 } else { hi = mid }
                    }
                    splits[j] = lo
                }
                let results = UnsafeMutableBufferPointer<MatchResult>.allocate(capacity: jobs)
                results.initialize(repeating: MatchResult())
                defer {
                    _ = results.deinitialize()
                    results.deallocate()
                }
                runner.run(jobs) { j in
                    match(
                        vertices: splits[j]..<splits[j + 1], idx, UnsafeBufferPointer(ends), UnsafeBufferPointer(halfEdges),
                        parent, largest: largest, into: &results[j]
                    )
                }

                var boundary = 0, nonManifold = 0, inconsistent = 0, duplicates = 0
                for j in 0..<jobs {
                    boundary += results[j].boundary
                    nonManifold += results[j].nonManifold
                    inconsistent += results[j].inconsistent
                    duplicates += results[j].duplicates
                    for pair in results[j].crossPairs {
                        TriangleSets.union(parent, UInt32(truncatingIfNeeded: pair >> 32), UInt32(truncatingIfNeeded: pair))
                    }
                }
                report.boundaryEdges = boundary
                report.nonManifoldEdges = nonManifold
                report.inconsistentEdges = inconsistent
                report.duplicateTriangles = duplicates
                classify(UnsafeBufferPointer(results), parent, p, idx, totalVolume: report.volume, into: &report)
                return true
            }
        }
        return ok
    }

    /// Matches the half-edges of the groups of `vertices`, joining the triangles across each
    /// two-face edge. Only triangles whose smallest vertex lies in `vertices` are joined here
    /// (so jobs write disjoint parts of `parent` and every tree stays within one job); the
    /// other pairs go to `crossPairs`. (Gathering several groups before sorting them, to
    /// overlap their cache misses, measured slower than this plain loop.)
    static func match(
        vertices: Range<Int>, _ idx: UnsafeBufferPointer<UInt32>, _ ends: UnsafeBufferPointer<UInt32>,
        _ halfEdges: UnsafeBufferPointer<UInt32>, _ parent: UnsafeMutableBufferPointer<UInt32>, largest: Int,
        into result: inout MatchResult
    ) {
        if vertices.isEmpty { return }
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: Swift.max(largest, 1))
        let thirds = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: Swift.max(largest, 1))
        defer {
            keys.deallocate()
            thirds.deallocate()
        }
        var scratch: [UInt64] = []
        let first = UInt32(truncatingIfNeeded: vertices.lowerBound)
        var boundary = 0, nonManifold = 0, inconsistent = 0, duplicates = 0
        var start = vertices.lowerBound == 0 ? 0 : Int(ends[vertices.lowerBound - 1])
        for v in vertices {
            let end = Int(ends[v])
            let lo = UInt32(truncatingIfNeeded: v)
            let size = end - start
            EdgeTable.sortedGroup(lo: lo, UnsafeBufferPointer(rebasing: halfEdges[start..<end]), idx, keys, thirds)
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
                    let third0 = thirds[i], third1 = thirds[i + 1]
                    if third0 >= first && third1 >= first {
                        TriangleSets.union(parent, UInt32(truncatingIfNeeded: f0), UInt32(truncatingIfNeeded: f1))
                    } else {
                        result.crossPairs.append(UInt64(f0) << 32 | UInt64(f1))
                    }
                    let r0 = EdgeTable.reversed(k0), r1 = EdgeTable.reversed(k1)
                    if r0 == r1 {
                        inconsistent += 1
                        result.inconsistentTriangles.append(UInt32(truncatingIfNeeded: f0))
                        result.inconsistentTriangles.append(UInt32(truncatingIfNeeded: f1))
                    }
                    if third0 == third1 && f0 != f1
                        && isCanonical(lo: lo, hi: hi, third: third0, reversed: r0, corner: h0 - 3 * f0)
                        && isCanonical(lo: lo, hi: hi, third: third0, reversed: r1, corner: h1 - 3 * f1)
                    {
                        duplicates += 1
                    }
                } else if count == 1 {
                    boundary += 1
                    result.openTriangles.append(UInt32(truncatingIfNeeded: EdgeTable.halfEdge(keys[i]) / 3))
                } else {
                    nonManifold += 1
                    result.crowded.append((result.crowdedUses.count, count))
                    for k in i..<j {
                        result.crowdedUses.append(UInt64(EdgeTable.halfEdge(keys[k]) / 3) << 1 | UInt64(EdgeTable.reversed(keys[k])))
                    }
                    duplicates += duplicatesInRun(keys, thirds, i, j, lo: lo, hi: hi, &scratch)
                }
                i = j
            }
            start = end
        }
        result.boundary = boundary
        result.nonManifold = nonManifold
        result.inconsistent = inconsistent
        result.duplicates = duplicates
    }

    /// Numbers the components and counts the inside-out ones, from the finished union-find
    /// links (each link points to a smaller triangle of the same component).
    static func classify(
        _ results: UnsafeBufferPointer<MatchResult>, _ parent: UnsafeMutableBufferPointer<UInt32>,
        _ p: UnsafeBufferPointer<Float>, _ idx: UnsafeBufferPointer<UInt32>, totalVolume: Double,
        into report: inout MeshReport
    ) {
        let n = parent.count
        // Links only ever point to smaller triangles, so walking forward, a triangle's link
        // already holds its component's number: one pass, no finds.
        var components = 0
        for f in 0..<n {
            let up = Int(parent[f])
            if up == f {
                parent[f] = UInt32(truncatingIfNeeded: components)
                components += 1
            } else {
                parent[f] = parent[up]
            }
        }
        report.components = components
        let componentOf = parent

        // A component is closed and consistently wound when none of its triangles touches a
        // boundary or inconsistent edge, and at each non-manifold edge its own triangles pair
        // up in opposite directions (two cubes sharing an edge are each closed).
        var componentFlags = [UInt8](repeating: 0, count: components)
        for result in results {
            for f in result.openTriangles { componentFlags[Int(componentOf[Int(f)])] |= touchesBoundary }
            for f in result.inconsistentTriangles { componentFlags[Int(componentOf[Int(f)])] |= touchesInconsistent }
            let uses = result.crowdedUses
            for (start, count) in result.crowded {
                let end = start + count
                for i in start..<end {
                    let ci = componentOf[Int(uses[i] >> 1)]
                    var seenBefore = false
                    for j in start..<i where componentOf[Int(uses[j] >> 1)] == ci {
                        seenBefore = true
                        break
                    }
                    if seenBefore { continue }
                    var net = 0
                    for j in i..<end where componentOf[Int(uses[j] >> 1)] == ci {
                        net += uses[j] & 1 == 0 ? 1 : -1
                    }
                    if net != 0 { componentFlags[Int(ci)] |= touchesBoundary }
                }
            }
        }
        var insideOut = 0
        if components == 1 {
            if componentFlags[0] == 0 && totalVolume < 0 { insideOut = 1 }
        } else {
            var volumes = [Double](repeating: 0, count: components)
            for f in 0..<n where componentFlags[Int(componentOf[f])] == 0 {
                volumes[Int(componentOf[f])] += volume6(p, Int(idx[3 * f]), Int(idx[3 * f + 1]), Int(idx[3 * f + 2]))
            }
            for c in 0..<components where componentFlags[c] == 0 && volumes[c] < 0 { insideOut += 1 }
        }
        report.insideOutComponents = insideOut
    }
}
