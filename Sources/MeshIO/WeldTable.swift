import MeshCore

/// Position welding for the hot binary STL path: the same result as `MeshBuilder` (exactly
/// equal positions share a vertex, -0 equals +0, vertices numbered in order of first use), but
/// each table slot holds the key bits next to the vertex id, so a lookup touches one cache
/// line instead of two (the slot, then the position array). On a 2M-triangle file this is the
/// difference between ~0.6 s and ~0.2 s. A small direct-mapped cache of recently used
/// positions sits in front of it: neighbouring facets in a file share corners, so most lookups
/// never reach the big table (~0.2 s → ~0.1 s).
struct WeldTable {
    static let cacheSize = 512
    /// 4 words per slot: x, y, z bit patterns and `id + 1` (0 marks an empty slot).
    private var slots: UnsafeMutablePointer<UInt32>
    private var mask: Int
    /// Recently used positions, same layout as `slots`, indexed by other hash bits.
    private var cache: UnsafeMutablePointer<UInt32>
    private(set) var positions: [Float] = []

    /// A table sized for about `expectedVertices` distinct positions (it grows past that).
    init(expectedVertices: Int) {
        var capacity = 1024
        while capacity < 2 * expectedVertices && capacity < (1 << 30) { capacity <<= 1 }
        slots = .allocate(capacity: 4 * capacity)
        slots.initialize(repeating: 0, count: 4 * capacity)
        mask = capacity - 1
        cache = .allocate(capacity: 4 * WeldTable.cacheSize)
        cache.initialize(repeating: 0, count: 4 * WeldTable.cacheSize)
        positions.reserveCapacity(3 * Swift.min(expectedVertices, 1 << 28))
    }

    /// Frees the table; `positions` stays usable.
    func deallocate() {
        slots.deallocate()
        cache.deallocate()
    }

    /// Number of distinct positions so far.
    var vertexCount: Int { positions.count / 3 }

    @inline(__always)
    static func hash(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt64 {
        var h = (UInt64(x) | UInt64(y) << 32) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(z) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    /// The vertex id for these coordinate bit patterns (finite floats), adding it when new.
    @inline(__always)
    mutating func id(_ xBits: UInt32, _ yBits: UInt32, _ zBits: UInt32) -> UInt32 {
        // -0 and +0 are the same point.
        let x = xBits == 0x8000_0000 ? 0 : xBits
        let y = yBits == 0x8000_0000 ? 0 : yBits
        let z = zBits == 0x8000_0000 ? 0 : zBits
        let h = WeldTable.hash(x, y, z)
        let c = cache + 4 &* (Int(truncatingIfNeeded: h >> 40) & (WeldTable.cacheSize - 1))
        if c[0] == x && c[1] == y && c[2] == z && c[3] != 0 { return c[3] &- 1 }
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let p = slots + 4 &* slot
            let stored = p[3]
            if stored == 0 {
                let id = UInt32(truncatingIfNeeded: positions.count / 3)
                p[0] = x; p[1] = y; p[2] = z; p[3] = id &+ 1
                positions.append(Float(bitPattern: x))
                positions.append(Float(bitPattern: y))
                positions.append(Float(bitPattern: z))
                c[0] = x; c[1] = y; c[2] = z; c[3] = id &+ 1
                if (Int(id) &+ 1) &* 2 > mask { grow() }
                return id
            }
            if p[0] == x && p[1] == y && p[2] == z {
                c[0] = x; c[1] = y; c[2] = z; c[3] = stored
                return stored &- 1
            }
            slot = (slot &+ 1) & mask
        }
    }

    private mutating func grow() {
        let oldSlots = slots
        let oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        slots = .allocate(capacity: 4 * capacity)
        slots.initialize(repeating: 0, count: 4 * capacity)
        mask = capacity - 1
        for s in 0..<oldCapacity {
            let p = oldSlots + 4 * s
            if p[3] == 0 { continue }
            var slot = Int(truncatingIfNeeded: WeldTable.hash(p[0], p[1], p[2])) & mask
            while slots[4 * slot + 3] != 0 { slot = (slot + 1) & mask }
            (slots + 4 * slot).update(from: p, count: 4)
        }
        oldSlots.deallocate()
    }
}
