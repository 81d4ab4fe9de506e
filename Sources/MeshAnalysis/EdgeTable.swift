/// Every half-edge of a mesh, bucketed by its lower vertex index (a CSR layout) so that
/// all uses of one undirected edge sit in the same small group.
///
/// Built in O(n) with a counting sort instead of a hash table: two sequential passes over
/// the indices and one scattered write per half-edge. Only the half-edge number is stored
/// (4 bytes each): first-touching fresh memory costs more than re-reading the indices, so
/// `sortedGroup` rebuilds each group's sort keys in a small scratch buffer when it is used.
struct EdgeTable {
    /// `ends[v]` is one past the last entry of vertex `v`'s group; the group starts at
    /// `ends[v - 1]` (0 for `v == 0`).
    var ends: [UInt32]
    /// Half-edges `3 * triangle + corner` (the edge from that corner to the next).
    var halfEdges: [UInt32]
    /// The size of the largest group, for sizing scratch buffers.
    var largestGroup: Int

    /// The higher vertex of a group key's edge.
    @inline(__always) static func higher(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key >> 33) }
    /// The half-edge (`3 * triangle + corner`) of a group key.
    @inline(__always) static func halfEdge(_ key: UInt64) -> Int { Int(UInt32(truncatingIfNeeded: key)) }
    /// 1 when the key's half-edge runs from the higher vertex to the lower, else 0.
    @inline(__always) static func reversed(_ key: UInt64) -> Int { Int((key >> 32) & 1) }
    /// The next half-edge around the same triangle.
    @inline(__always) static func next(_ h: Int) -> Int { h % 3 == 2 ? h - 2 : h + 1 }

    /// Builds the table. Every index must be below `vertexCount`, `vertexCount` below 2³¹
    /// and the half-edge count below 2³².
    init(indices: UnsafeBufferPointer<UInt32>, vertexCount: Int) {
        let count = indices.count
        var ends = [UInt32](repeating: 0, count: vertexCount + 1)
        var largest: UInt32 = 0
        ends.withUnsafeMutableBufferPointer { ends in
            // Count each vertex's group in ends[v + 1], then prefix-sum so ends[v] is where the
            // group starts; filling advances ends[v] to the group's end, as the layout wants.
            var t = 0
            while t < count {
                let a = indices[t], b = indices[t + 1], c = indices[t + 2]
                ends[Int(min(a, b)) + 1] &+= 1
                ends[Int(min(b, c)) + 1] &+= 1
                ends[Int(min(c, a)) + 1] &+= 1
                t += 3
            }
            var sum: UInt32 = 0
            for v in 0..<ends.count {
                largest = max(largest, ends[v])
                sum &+= ends[v]
                ends[v] = sum
            }
        }
        let halfEdges = [UInt32](unsafeUninitializedCapacity: count) { out, filled in
            ends.withUnsafeMutableBufferPointer { ends in
                var t = 0
                while t < count {
                    let a = indices[t], b = indices[t + 1], c = indices[t + 2]
                    let la = Int(min(a, b)), lb = Int(min(b, c)), lc = Int(min(c, a))
                    let sa = Int(ends[la]); ends[la] = UInt32(truncatingIfNeeded: sa + 1)
                    out[sa] = UInt32(truncatingIfNeeded: t)
                    let sb = Int(ends[lb]); ends[lb] = UInt32(truncatingIfNeeded: sb + 1)
                    out[sb] = UInt32(truncatingIfNeeded: t + 1)
                    let sc = Int(ends[lc]); ends[lc] = UInt32(truncatingIfNeeded: sc + 1)
                    out[sc] = UInt32(truncatingIfNeeded: t + 2)
                    t += 3
                }
            }
            filled = count
        }
        self.ends = ends
        self.halfEdges = halfEdges
        self.largestGroup = Int(largest)
    }

    /// Writes the sort keys `higher << 33 | reversed << 32 | halfEdge` of the half-edges in
    /// `group` (all with lower vertex `lo`) to `keys`, sorted, so equal edges are adjacent
    /// and each edge's uses appear in triangle order; `thirds[i]` gets the remaining vertex of
    /// `keys[i]`'s triangle. Both buffers must hold `group.count` values.
    @inline(__always)
    static func sortedGroup(
        lo: UInt32, _ group: UnsafeBufferPointer<UInt32>, _ indices: UnsafeBufferPointer<UInt32>,
        _ keys: UnsafeMutableBufferPointer<UInt64>, _ thirds: UnsafeMutableBufferPointer<UInt32>
    ) {
        let n = group.count
        for i in 0..<n {
            let h = Int(group[i])
            let corner = h % 3, base = h - corner
            // One triangle's three indices share a cache line (usually), so the third is free.
            let from = indices[h]
            let to = indices[corner == 2 ? base : h + 1]
            let third = indices[corner == 0 ? base + 2 : h - 1]
            let key = from == lo ? UInt64(to) << 33 | UInt64(h) : UInt64(from) << 33 | 1 << 32 | UInt64(h)
            // Groups are tiny (about six keys) except at fan centres: insertion sort wins for
            // them, and a library sort takes the rare big ones.
            var j = i
            if n <= 32 {
                while j > 0 && keys[j - 1] > key {
                    keys[j] = keys[j - 1]
                    thirds[j] = thirds[j - 1]
                    j -= 1
                }
            }
            keys[j] = key
            thirds[j] = third
        }
        if n > 32 {
            // Sort (key, third) pairs together through a temporary index order.
            var order = [Int](0..<n)
            order.sort { keys[$0] < keys[$1] }
            var sortedKeys = [UInt64](repeating: 0, count: n)
            var sortedThirds = [UInt32](repeating: 0, count: n)
            for i in 0..<n {
                sortedKeys[i] = keys[order[i]]
                sortedThirds[i] = thirds[order[i]]
            }
            for i in 0..<n {
                keys[i] = sortedKeys[i]
                thirds[i] = sortedThirds[i]
            }
        }
    }
}

/// Union-find over triangles with path halving; joining links the larger root under the
/// smaller so a component's root is its first triangle.
struct TriangleSets {
    var parent: [UInt32]

    init(count: Int) {
        parent = [UInt32](unsafeUninitializedCapacity: count) { p, n in
            for i in 0..<count { p[i] = UInt32(truncatingIfNeeded: i) }
            n = count
        }
    }

    @inline(__always)
    static func find(_ p: UnsafeMutableBufferPointer<UInt32>, _ x: UInt32) -> UInt32 {
        var x = x
        while true {
            let up = p[Int(x)]
            if up == x { return x }
            let grand = p[Int(up)]
            p[Int(x)] = grand
            x = grand
        }
    }

    @inline(__always)
    static func union(_ p: UnsafeMutableBufferPointer<UInt32>, _ a: UInt32, _ b: UInt32) {
        let ra = find(p, a), rb = find(p, b)
        if ra < rb { p[Int(rb)] = ra } else if rb < ra { p[Int(ra)] = rb }
    }
}
