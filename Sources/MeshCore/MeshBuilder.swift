/// Builds a `TriangleMesh` from triangle corners, welding positions that are exactly
/// equal (bit for bit, with -0 treated as +0) into one vertex as they arrive. Coordinates
/// closer to zero than 1e-12 count as zero: CAD exporters write round-off such as
/// -5.7e-17 where 0 was meant, and without this their closed parts come apart at seams.
///
/// Readers feed it corners in file order; it keeps the unwelded corner count so a report
/// can say how many vertices the file stored.
public struct MeshBuilder {
    @usableFromInline var positions: [Float] = []
    @usableFromInline var indices: [UInt32] = []
    /// Open-addressing table of `vertex index + 1`; 0 marks an empty slot.
    @usableFromInline var slots: [UInt32]
    @usableFromInline var mask: Int
    @usableFromInline var corners = 0
    /// When false, every corner becomes its own vertex (for formats that already index).
    public let welds: Bool

    /// Makes a builder sized for about `expectedTriangles` triangles.
    public init(expectedTriangles: Int = 0, welding: Bool = true) {
        welds = welding
        let expected = Swift.max(expectedTriangles, 16)
        positions.reserveCapacity(Swift.min(expected, 1 << 26) * 3 / 2)
        indices.reserveCapacity(Swift.min(expected, 1 << 26) * 3)
        var capacity = 64
        // Closed meshes have about half as many vertices as triangles; keep load under 1/2.
        while capacity < expected && capacity < (1 << 28) { capacity <<= 1 }
        slots = welding ? [UInt32](repeating: 0, count: capacity) : []
        mask = capacity - 1
    }

    /// Number of welded vertices so far.
    @inlinable public var vertexCount: Int { positions.count / 3 }
    /// Number of triangles so far.
    @inlinable public var triangleCount: Int { indices.count / 3 }

    /// Bit pattern of `Float(1e-12)`: magnitudes below it (compared as integers on the
    /// sign-cleared bits, which orders non-negative floats) snap to +0.
    /// (A literal, so other modules' hot loops inline it instead of calling a lazy global's
    /// accessor per coordinate; `MeshBuilderTests` checks it is `Float(1e-12).bitPattern`.)
    public static let zeroSnapBits: UInt32 = 0x2B8C_BCCC

    @inlinable
    static func hash(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> Int {
        var h = x &* 0x9E37_79B1
        h ^= (y &* 0x85EB_CA77) &+ (h << 6) &+ (h >> 2)
        h ^= (z &* 0xC2B2_AE3D) &+ (h << 6) &+ (h >> 2)
        h ^= h >> 15
        h = h &* 0x2C1B_3C6D
        h ^= h >> 12
        return Int(truncatingIfNeeded: h)
    }

    /// Returns the index of the vertex at (x, y, z), adding it when new. Coordinates must be finite.
    @inlinable
    public mutating func vertex(_ x: Float, _ y: Float, _ z: Float) -> UInt32 {
        corners &+= 1
        let x = x.bitPattern & 0x7FFF_FFFF < MeshBuilder.zeroSnapBits ? 0 : x
        let y = y.bitPattern & 0x7FFF_FFFF < MeshBuilder.zeroSnapBits ? 0 : y
        let z = z.bitPattern & 0x7FFF_FFFF < MeshBuilder.zeroSnapBits ? 0 : z
        if !welds {
            let index = UInt32(truncatingIfNeeded: positions.count / 3)
            positions.append(x); positions.append(y); positions.append(z)
            return index
        }
        let xb = x.bitPattern, yb = y.bitPattern, zb = z.bitPattern
        var slot = MeshBuilder.hash(xb, yb, zb) & mask
        while true {
            let s = slots[slot]
            if s == 0 { break }
            let base = Int(s &- 1) &* 3
            if positions[base].bitPattern == xb && positions[base &+ 1].bitPattern == yb
                && positions[base &+ 2].bitPattern == zb
            {
                return s &- 1
            }
            slot = (slot &+ 1) & mask
        }
        let index = UInt32(truncatingIfNeeded: positions.count / 3)
        positions.append(x); positions.append(y); positions.append(z)
        slots[slot] = index &+ 1
        if (Int(index) &+ 1) &* 2 > slots.count { grow() }
        return index
    }

    @usableFromInline
    mutating func grow() {
        let capacity = slots.count * 2
        slots = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
        let n = positions.count / 3
        for v in 0..<n {
            var slot = MeshBuilder.hash(
                positions[3 * v].bitPattern, positions[3 * v + 1].bitPattern, positions[3 * v + 2].bitPattern
            ) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(v + 1)
        }
    }

    /// Appends a triangle by vertex indices (counter-clockwise seen from outside).
    @inlinable
    public mutating func triangle(_ a: UInt32, _ b: UInt32, _ c: UInt32) {
        indices.append(a); indices.append(b); indices.append(c)
    }

    /// Appends a triangle by its corner positions.
    @inlinable
    public mutating func triangle(_ a: Vec3, _ b: Vec3, _ c: Vec3) {
        let ia = vertex(a.x, a.y, a.z)
        let ib = vertex(b.x, b.y, b.z)
        let ic = vertex(c.x, c.y, c.z)
        triangle(ia, ib, ic)
    }

    /// The finished mesh; `sourceVertexCount` is the number of corners fed in.
    public func build() -> TriangleMesh {
        TriangleMesh(positions: positions, indices: indices, sourceVertexCount: corners)
    }
}

extension TriangleMesh {
    /// This mesh with exactly coincident positions merged into one vertex and unused
    /// vertices dropped; triangles keep their order and winding.
    public func welded() -> TriangleMesh {
        var builder = MeshBuilder(expectedTriangles: triangleCount)
        var remap = [UInt32](repeating: UInt32.max, count: vertexCount)
        for t in 0..<triangleCount {
            var ids: (UInt32, UInt32, UInt32) = (0, 0, 0)
            for k in 0..<3 {
                let v = Int(indices[3 * t + k])
                var id = remap[v]
                if id == UInt32.max {
                    id = builder.vertex(positions[3 * v], positions[3 * v + 1], positions[3 * v + 2])
                    remap[v] = id
                }
                if k == 0 { ids.0 = id } else if k == 1 { ids.1 = id } else { ids.2 = id }
            }
            builder.triangle(ids.0, ids.1, ids.2)
        }
        var mesh = builder.build()
        mesh.sourceVertexCount = sourceVertexCount
        return mesh
    }
}
