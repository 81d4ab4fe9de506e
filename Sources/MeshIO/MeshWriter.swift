import MeshCore

/// Writes meshes as binary STL, ASCII STL, OBJ or binary little-endian PLY.
public enum MeshWriter {
    /// The bytes of `mesh` in `format`. STL facet normals are computed from the winding
    /// (counter-clockwise seen from outside); `.ply` is written as binary little endian.
    public static func write(_ mesh: TriangleMesh, as format: MeshFormat) -> [UInt8] {
        switch format {
        case .stlBinary: return binarySTL(mesh)
        case .stlASCII: return asciiSTL(mesh)
        case .obj: return obj(mesh)
        case .ply: return ply(mesh)
        }
    }

    static func normal(_ mesh: TriangleMesh, _ t: Int) -> Vec3 {
        let (a, b, c) = mesh.corners(t)
        return (b - a).cross(c - a).normalized
    }

    static func binarySTL(_ mesh: TriangleMesh) -> [UInt8] {
        let count = mesh.triangleCount
        var out = [UInt8](repeating: 0, count: 84 + 50 * count)
        out.withUnsafeMutableBytes { raw in
            // "Vitrine", zero padded: must not start with "solid", or naive readers take it for ASCII.
            let name: [UInt8] = [86, 105, 116, 114, 105, 110, 101]
            for (i, b) in name.enumerated() { raw[i] = b }
            raw.storeBytes(of: UInt32(truncatingIfNeeded: count).littleEndian, toByteOffset: 80, as: UInt32.self)
            var o = 84
            for t in 0..<count {
                let (a, b, c) = mesh.corners(t)
                store(normal(mesh, t), raw, o)
                store(a, raw, o + 12)
                store(b, raw, o + 24)
                store(c, raw, o + 36)
                o += 50  // the last 2 bytes, the attribute byte count, stay 0
            }
        }
        return out
    }

    @inline(__always)
    static func store(_ v: Vec3, _ raw: UnsafeMutableRawBufferPointer, _ o: Int) {
        raw.storeBytes(of: v.x.bitPattern.littleEndian, toByteOffset: o, as: UInt32.self)
        raw.storeBytes(of: v.y.bitPattern.littleEndian, toByteOffset: o + 4, as: UInt32.self)
        raw.storeBytes(of: v.z.bitPattern.littleEndian, toByteOffset: o + 8, as: UInt32.self)
    }

    static func append(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    static func appendXYZ(_ v: Vec3, to out: inout [UInt8]) {
        DecimalNumber.append(v.x, to: &out); out.append(32)
        DecimalNumber.append(v.y, to: &out); out.append(32)
        DecimalNumber.append(v.z, to: &out); out.append(10)
    }

    static func asciiSTL(_ mesh: TriangleMesh) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + mesh.triangleCount * 200)
        append("solid vitrine\n", to: &out)
        for t in 0..<mesh.triangleCount {
            append("  facet normal ", to: &out)
            appendXYZ(normal(mesh, t), to: &out)
            append("    outer loop\n", to: &out)
            let (a, b, c) = mesh.corners(t)
            append("      vertex ", to: &out)
            appendXYZ(a, to: &out)
            append("      vertex ", to: &out)
            appendXYZ(b, to: &out)
            append("      vertex ", to: &out)
            appendXYZ(c, to: &out)
            append("    endloop\n  endfacet\n", to: &out)
        }
        append("endsolid vitrine\n", to: &out)
        return out
    }

    static func obj(_ mesh: TriangleMesh) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + mesh.vertexCount * 30 + mesh.triangleCount * 24)
        append("# Vitrine\n", to: &out)
        for v in 0..<mesh.vertexCount {
            append("v ", to: &out)
            appendXYZ(mesh.position(v), to: &out)
        }
        for t in 0..<mesh.triangleCount {
            let (a, b, c) = mesh.triangle(t)
            append("f ", to: &out)
            DecimalNumber.appendInteger(a + 1, to: &out); out.append(32)
            DecimalNumber.appendInteger(b + 1, to: &out); out.append(32)
            DecimalNumber.appendInteger(c + 1, to: &out); out.append(10)
        }
        return out
    }

    static func ply(_ mesh: TriangleMesh) -> [UInt8] {
        var out: [UInt8] = []
        append("ply\nformat binary_little_endian 1.0\ncomment Vitrine\nelement vertex ", to: &out)
        DecimalNumber.appendInteger(mesh.vertexCount, to: &out)
        append("\nproperty float x\nproperty float y\nproperty float z\nelement face ", to: &out)
        DecimalNumber.appendInteger(mesh.triangleCount, to: &out)
        append("\nproperty list uchar int vertex_indices\nend_header\n", to: &out)
        let headerSize = out.count
        out.append(contentsOf: repeatElement(0, count: mesh.vertexCount * 12 + mesh.triangleCount * 13))
        out.withUnsafeMutableBytes { raw in
            var o = headerSize
            for p in mesh.positions {
                raw.storeBytes(of: p.bitPattern.littleEndian, toByteOffset: o, as: UInt32.self)
                o += 4
            }
            var i = 0
            while i + 2 < mesh.indices.count {
                raw[o] = 3
                raw.storeBytes(of: mesh.indices[i].littleEndian, toByteOffset: o + 1, as: UInt32.self)
                raw.storeBytes(of: mesh.indices[i + 1].littleEndian, toByteOffset: o + 5, as: UInt32.self)
                raw.storeBytes(of: mesh.indices[i + 2].littleEndian, toByteOffset: o + 9, as: UInt32.self)
                o += 13
                i += 3
            }
        }
        return out
    }
}
