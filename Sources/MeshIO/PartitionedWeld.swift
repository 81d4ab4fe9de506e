import MeshCore

/// Binary STL welding split into independent jobs for a `JobRunner`, with the same result as
/// `WeldTable` fed the corners in file order (exactly equal positions share a vertex, -0 and
/// CAD round-off snap to +0, vertices numbered in order of first use), whatever the runner.
///
/// One big hash table over ~1M vertices is 32 MB of random access: every lookup misses the
/// caches and the TLB (~110 ns), so a single table cannot get much faster nor be shared by
/// threads. Instead the corners are radix-partitioned by hash into tables small enough for
/// the L2 cache, in four passes that each run as independent jobs:
/// 1. per chunk of facets: corners whose position was seen a few corners earlier (a small
///    direct-mapped cache; ~77% of corners in real files) point at that corner, the rest are
///    copied into that chunk's per-partition lists;
/// 2. per partition: weld its lists in chunk order, so its first occurrence of each position is
///    the first in the file, and number them within the partition;
/// 3. per chunk: rank its first occurrences in file order (a bitmap over its corners; earlier
///    chunks' counts are prefix-summed) to get final ids, and write their positions;
/// 4. per chunk: resolve every corner to its final id.
/// On ogre-2m (2M triangles) this takes ~70 ms of CPU against ~190 ms for `WeldTable`.
/// The partition and chunk counts depend only on the triangle count, and every pass writes only
/// memory of its own chunk or partition, so the result is the same for any runner width.
enum PartitionedWeld {
    static let facetsPerChunk = 32_768
    static let cacheSize = 512
    /// Marks a corner that went to a partition list (low bits: partition, later its
    /// partition-major id), and in a list entry's id word a position's first occurrence.
    static let flag: UInt32 = 0x8000_0000

    /// Whether `triangles` corners fit the 31-bit corner references this weld uses.
    static func handles(triangles: Int) -> Bool { triangles > 0 && triangles < 0x2AAA_AAAA }

    /// Welds the `triangles` facets of a binary STL whose size was checked against its claim.
    /// Returns the mesh, or the index of the first facet with a NaN or infinite coordinate.
    static func weld(
        _ bytes: UnsafeRawBufferPointer, triangles n: Int, runner: JobRunner
    ) -> (mesh: TriangleMesh?, badTriangle: Int) {
        let chunkCount = (n + facetsPerChunk - 1) / facetsPerChunk
        // About 8-16K distinct positions per partition: a 256-512 KB table (most files have
        // about half as many vertices as triangles).
        var partitionBits = 0
        while partitionBits < 10 && n >> (partitionBits + 14) > 0 { partitionBits += 1 }
        let partitions = 1 << partitionBits
        let stride = partitions + 1
        // starts[c * stride + p]: where partition p's list begins in chunk c's entries.
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: chunkCount * stride)
        // Each entry is x, y, z bits and a word: the hash (pass 1), then the partition-local id
        // with `flag` set on first occurrences (pass 2).
        let entries = UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>.allocate(capacity: chunkCount)
        entries.initialize(repeating: nil, count: chunkCount)
        let bad = UnsafeMutablePointer<Int>.allocate(capacity: chunkCount)
        // firstsBefore[c * stride + p]: partition p's first occurrences in chunks before c.
        let firstsBefore = UnsafeMutablePointer<Int>.allocate(capacity: (chunkCount + 1) * stride)
        let partitionBase = UnsafeMutablePointer<Int>.allocate(capacity: partitions + 1)
        defer {
            for c in 0..<chunkCount { entries[c]?.deallocate() }
            entries.deallocate()
            starts.deallocate()
            bad.deallocate()
            firstsBefore.deallocate()
            partitionBase.deallocate()
        }
        var badTriangle = -1
        var positions: [Float] = []
        let indices = [UInt32](unsafeUninitializedCapacity: 3 * n) { out, initialized in
            // Holds corner references until the last pass turns them into vertex ids.
            let ref = out.baseAddress!
            runner.run(chunkCount) { c in
                bad[c] = scatter(bytes, chunk: c, triangles: n, partitionBits: partitionBits,
                                 ref: ref, starts: starts + c * stride, entries: entries + c)
            }
            for c in 0..<chunkCount where bad[c] >= 0 {
                badTriangle = bad[c]
                initialized = 0
                return
            }
            runner.run(partitions) { p in
                partitionBase[p] = weldPartition(p, chunks: chunkCount, stride: stride, starts: starts,
                                                 firstsBefore: firstsBefore, entries: entries)
            }
            // firstsBefore[c * stride + partitions] = first occurrences in chunks before c.
            for c in 0...chunkCount {
                var sum = 0
                if c < chunkCount {
                    for p in 0..<partitions { sum += firstsBefore[c * stride + p] }
                } else {
                    for p in 0..<partitions { sum += partitionBase[p] }
                }
                firstsBefore[c * stride + partitions] = sum
            }
            var total = 0
            for p in 0..<partitions {
                let count = partitionBase[p]
                partitionBase[p] = total
                total += count
            }
            let vertices = total
            positions = [Float](unsafeUninitializedCapacity: 3 * vertices) { pos, filled in
                let newID = UnsafeMutablePointer<UInt32>.allocate(capacity: Swift.max(vertices, 1))
                defer { newID.deallocate() }
                let posBase = pos.baseAddress!
                runner.run(chunkCount) { c in
                    numberFirsts(chunk: c, triangles: n, partitions: partitions, ref: ref,
                                 starts: starts + c * stride, firstsBefore: firstsBefore + c * stride,
                                 entries: entries[c]!, partitionBase: partitionBase, newID: newID, positions: posBase)
                }
                runner.run(chunkCount) { c in
                    let first = 3 * c * facetsPerChunk
                    let end = 3 * Swift.min(n, (c + 1) * facetsPerChunk)
                    for i in first..<end {
                        let r = ref[i]
                        // A cache hit names an earlier corner of this chunk, already resolved.
                        ref[i] = r >= flag ? newID[Int(r & ~flag)] : ref[Int(r)]
                    }
                }
                filled = 3 * vertices
            }
            initialized = 3 * n
        }
        if badTriangle >= 0 { return (nil, badTriangle) }
        return (TriangleMesh(positions: positions, indices: indices, sourceVertexCount: 3 * n), -1)
    }

    /// Pass 1 for chunk `c`: checks its facets for NaN/infinity (returning the first bad one, or
    /// -1), points cache hits at the earlier corner, and copies the other corners (key and
    /// corner index) into the chunk's partition lists.
    static func scatter(
        _ bytes: UnsafeRawBufferPointer, chunk c: Int, triangles n: Int, partitionBits: Int,
        ref: UnsafeMutablePointer<UInt32>, starts: UnsafeMutablePointer<Int>,
        entries: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    ) -> Int {
        let partitions = 1 << partitionBits
        let firstFacet = c * facetsPerChunk
        let endFacet = Swift.min(n, firstFacet + facetsPerChunk)
        let counts = starts  // counted first, then turned into starts
        counts.initialize(repeating: 0, count: partitions + 1)
        // x, y, z bits and corner index + 1 (0: empty).
        let cache = UnsafeMutablePointer<UInt32>.allocate(capacity: 4 * cacheSize)
        cache.initialize(repeating: 0, count: 4 * cacheSize)
        // The missed corners in file order, as list entries, before sorting them by partition.
        let missed = UnsafeMutablePointer<UInt32>.allocate(capacity: 12 * (endFacet - firstFacet) + 4)
        defer {
            cache.deallocate()
            missed.deallocate()
        }
        let e: UInt32 = 0x7F80_0000  // all-ones exponent: NaN or infinity
        var offset = 84 + 12 + 50 * firstFacet
        var i = 3 * firstFacet
        var m = 0
        for t in firstFacet..<endFacet {
            var any: UInt32 = 0
            for k in 0..<9 {
                let b = bytes.loadUnaligned(fromByteOffset: offset &+ 4 &* k, as: UInt32.self)
                any |= (b & e == e) ? 1 : 0
            }
            if any != 0 { return t }
            for k in 0..<3 {
                let o = offset &+ 12 &* k
                let x = snap(bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self))
                let y = snap(bytes.loadUnaligned(fromByteOffset: o &+ 4, as: UInt32.self))
                let z = snap(bytes.loadUnaligned(fromByteOffset: o &+ 8, as: UInt32.self))
                let h = WeldTable.hash(x, y, z)
                let slot = cache + 4 &* (Int(truncatingIfNeeded: h >> 44) & (cacheSize - 1))
                let corner = UInt32(truncatingIfNeeded: i)
                if slot[0] == x && slot[1] == y && slot[2] == z && slot[3] != 0 {
                    ref[i] = slot[3] &- 1
                } else {
                    // (A branch-free version that always writes the entry measured slower.)
                    counts[partition(h, bits: partitionBits)] &+= 1
                    ref[i] = flag
                    let entry = missed + 4 &* m
                    entry[0] = x; entry[1] = y; entry[2] = z; entry[3] = corner
                    m &+= 1
                    slot[0] = x; slot[1] = y; slot[2] = z; slot[3] = corner &+ 1
                }
                i &+= 1
            }
            offset &+= 50
        }
        var total = 0
        for p in 0..<partitions {
            let count = counts[p]
            starts[p] = total
            total &+= count
        }
        starts[partitions] = total
        let list = UnsafeMutablePointer<UInt32>.allocate(capacity: Swift.max(4 * total, 4))
        entries.pointee = list
        let cursor = UnsafeMutablePointer<Int>.allocate(capacity: partitions)
        defer { cursor.deallocate() }
        cursor.update(from: starts, count: partitions)
        for q in 0..<m {
            let from = missed + 4 &* q
            let p = partition(WeldTable.hash(from[0], from[1], from[2]), bits: partitionBits)
            (list + 4 &* cursor[p]).update(from: from, count: 4)
            cursor[p] &+= 1
        }
        return -1
    }

    /// Pass 2 for partition `p`: welds its lists in chunk order and returns its distinct count.
    /// A first occurrence keeps its entry; a repeat gets the partition-local id in word 0 and
    /// `flag` on its corner index. `firstsBefore[c * stride + p]` gets the first occurrences
    /// this partition has in chunks before `c`.
    static func weldPartition(
        _ p: Int, chunks: Int, stride: Int, starts: UnsafeMutablePointer<Int>,
        firstsBefore: UnsafeMutablePointer<Int>, entries: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    ) -> Int {
        var size = 0
        for c in 0..<chunks { size += starts[c * stride + p + 1] - starts[c * stride + p] }
        // At most two thirds full even if every entry were distinct (no growing); repeats
        // usually leave it under half full. (Twice the size made 4 MB of tables for a
        // 124k-triangle file, zeroed and faulted in for 62k vertices.)
        var capacity = 16
        while capacity < size + size / 2 { capacity <<= 1 }
        let mask = capacity - 1
        let slots = UnsafeMutablePointer<UInt32>.allocate(capacity: 4 * capacity)
        slots.initialize(repeating: 0, count: 4 * capacity)
        defer { slots.deallocate() }
        var local: UInt32 = 0
        for c in 0..<chunks {
            firstsBefore[c * stride + p] = Int(local)
            let list = entries[c]!
            for q in starts[c * stride + p]..<starts[c * stride + p + 1] {
                let entry = list + 4 &* q
                let x = entry[0], y = entry[1], z = entry[2]
                var slot = Int(truncatingIfNeeded: WeldTable.hash(x, y, z)) & mask
                while true {
                    let s = slots + 4 &* slot
                    let stored = s[3]
                    if stored == 0 {
                        s[0] = x; s[1] = y; s[2] = z
                        local &+= 1
                        s[3] = local
                        break
                    }
                    if s[0] == x && s[1] == y && s[2] == z {
                        entry[0] = stored &- 1
                        entry[3] |= flag
                        break
                    }
                    slot = (slot &+ 1) & mask
                }
            }
        }
        return Int(local)
    }

    /// Pass 3 for chunk `c`: numbers its first occurrences in file order (after the
    /// `firstsBefore[partitions]` of earlier chunks), writes their positions and `newID`, and
    /// points each listed corner at its partition-major id.
    static func numberFirsts(
        chunk c: Int, triangles n: Int, partitions: Int, ref: UnsafeMutablePointer<UInt32>,
        starts: UnsafeMutablePointer<Int>, firstsBefore: UnsafeMutablePointer<Int>,
        entries list: UnsafeMutablePointer<UInt32>, partitionBase: UnsafeMutablePointer<Int>,
        newID: UnsafeMutablePointer<UInt32>, positions: UnsafeMutablePointer<Float>
    ) {
        let first = 3 * c * facetsPerChunk
        let cornerCount = 3 * Swift.min(n, (c + 1) * facetsPerChunk) - first
        let total = starts[partitions]
        // Which corners of the chunk are first occurrences; a first occurrence's rank among
        // them is its id relative to the chunk's first new id.
        let words = (cornerCount + 63) / 64
        let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        bits.initialize(repeating: 0, count: words)
        let rank = UnsafeMutablePointer<Int>.allocate(capacity: words)
        defer {
            bits.deallocate()
            rank.deallocate()
        }
        for q in 0..<total {
            let w = list[4 &* q &+ 3]
            if w < flag {
                let k = Int(w) &- first
                bits[k >> 6] |= 1 << UInt64(k & 63)
            }
        }
        var sum = firstsBefore[partitions]
        for k in 0..<words {
            rank[k] = sum
            sum &+= bits[k].nonzeroBitCount
        }
        for p in 0..<partitions {
            var g = partitionBase[p] &+ firstsBefore[p]
            for q in starts[p]..<starts[p + 1] {
                let entry = list + 4 &* q
                let w = entry[3]
                if w < flag {
                    let k = Int(w) &- first
                    let below = bits[k >> 6] & ((1 << UInt64(k & 63)) &- 1)
                    let id = rank[k >> 6] &+ below.nonzeroBitCount
                    newID[g] = UInt32(truncatingIfNeeded: id)
                    let dst = positions + 3 &* id
                    dst[0] = Float(bitPattern: entry[0])
                    dst[1] = Float(bitPattern: entry[1])
                    dst[2] = Float(bitPattern: entry[2])
                    ref[Int(w)] = flag | UInt32(truncatingIfNeeded: g)
                    g &+= 1
                } else {
                    ref[Int(w & ~flag)] = flag | UInt32(truncatingIfNeeded: partitionBase[p] &+ Int(entry[0]))
                }
            }
        }
    }

    @inline(__always)
    static func partition(_ h: UInt64, bits: Int) -> Int {
        // Bits 32-41: independent of the table slot (low bits) and the cache index (44-52).
        Int(truncatingIfNeeded: h >> 32) & ((1 << bits) - 1)
    }

    /// -0 and magnitudes below `MeshBuilder.zeroSnapBits` become +0, as in `WeldTable`.
    @inline(__always)
    static func snap(_ bits: UInt32) -> UInt32 {
        bits & 0x7FFF_FFFF < MeshBuilder.zeroSnapBits ? 0 : bits
    }
}
