/// An indexed triangle mesh: flat `Float` positions (x, y, z per vertex) and `UInt32`
/// indices (three per triangle, counter-clockwise seen from outside).
///
/// Units are the file's until a caller scales them; Vitrine's own meshes are millimetres.
public struct TriangleMesh: Equatable, Sendable {
    /// Vertex positions, 3 floats per vertex.
    public var positions: [Float]
    /// Triangle corners, 3 vertex indices per triangle.
    public var indices: [UInt32]
    /// How many vertex corners the source file stored before welding (STL: 3 per facet).
    /// Equals `vertexCount` for meshes built without welding.
    public var sourceVertexCount: Int

    /// Makes a mesh; `indices` must be a multiple of 3 and within `positions`.
    public init(positions: [Float], indices: [UInt32], sourceVertexCount: Int? = nil) {
        self.positions = positions
        self.indices = indices
        self.sourceVertexCount = sourceVertexCount ?? positions.count / 3
    }

    /// An empty mesh.
    public init() { self.init(positions: [], indices: []) }

    /// Number of vertices.
    @inlinable public var vertexCount: Int { positions.count / 3 }
    /// Number of triangles.
    @inlinable public var triangleCount: Int { indices.count / 3 }
    /// True when there is no triangle.
    @inlinable public var isEmpty: Bool { indices.isEmpty }

    /// The position of vertex `i`.
    @inlinable public func position(_ i: Int) -> Vec3 {
        Vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2])
    }

    /// Vertex indices of triangle `t`.
    @inlinable public func triangle(_ t: Int) -> (Int, Int, Int) {
        (Int(indices[3 * t]), Int(indices[3 * t + 1]), Int(indices[3 * t + 2]))
    }

    /// The three corner positions of triangle `t`.
    @inlinable public func corners(_ t: Int) -> (Vec3, Vec3, Vec3) {
        let (a, b, c) = triangle(t)
        return (position(a), position(b), position(c))
    }

    /// Bounding box of the vertices that triangles use (empty for an empty mesh).
    public var bounds: Bounds {
        var lo = Vec3(.infinity, .infinity, .infinity)
        var hi = Vec3(-.infinity, -.infinity, -.infinity)
        positions.withUnsafeBufferPointer { p in
            var i = 0
            while i + 2 < p.count {
                let x = p[i], y = p[i + 1], z = p[i + 2]
                if x < lo.x { lo.x = x }
                if x > hi.x { hi.x = x }
                if y < lo.y { lo.y = y }
                if y > hi.y { hi.y = y }
                if z < lo.z { lo.z = z }
                if z > hi.z { hi.z = z }
                i += 3
            }
        }
        return Bounds(min: lo, max: hi)
    }

    /// This mesh with every vertex moved by `transform`; winding is reversed when the
    /// transform mirrors, so triangles stay counter-clockwise seen from outside.
    public func transformed(by transform: Transform) -> TriangleMesh {
        // The identity (e.g. a mini already in millimetres and Z up) costs no copy.
        if transform == .identity { return self }
        var out = self
        let count = positions.count - positions.count % 3
        positions.withUnsafeBufferPointer { src in
            out.positions.withUnsafeMutableBufferPointer { dst in
                var i = 0
                while i < count {
                    let p = transform.apply(Vec3(src[i], src[i &+ 1], src[i &+ 2]))
                    dst[i] = p.x
                    dst[i &+ 1] = p.y
                    dst[i &+ 2] = p.z
                    i &+= 3
                }
            }
        }
        if transform.determinant < 0 { out.reverseWinding() }
        return out
    }

    /// This mesh scaled uniformly about the origin (e.g. from inches to millimetres).
    public func scaled(by factor: Float) -> TriangleMesh {
        var out = self
        for i in out.positions.indices { out.positions[i] *= factor }
        return out
    }

    /// Flips every triangle's orientation.
    public mutating func reverseWinding() {
        var t = 0
        while t + 2 < indices.count {
            indices.swapAt(t + 1, t + 2)
            t += 3
        }
    }

    /// Appends `other`'s triangles (its vertices are appended too, not welded).
    public mutating func append(_ other: TriangleMesh) {
        let base = UInt32(vertexCount)
        positions.append(contentsOf: other.positions)
        indices.reserveCapacity(indices.count + other.indices.count)
        for i in other.indices { indices.append(i + base) }
        sourceVertexCount += other.sourceVertexCount
    }
}
