import MeshCore

/// Outcome of a parse, without `any Error` (not available in Embedded Swift).
enum ParseOutcome {
    case success(mesh: TriangleMesh, format: Int32)
    case failure(String)
}

/// The one place that calls MeshIO and MeshAnalysis, so the exports stay independent of
/// their details.
enum WasmBridge {
    /// TEMPORARY until MeshIO lands: binary STL only.
    static func read(_ bytes: UnsafeRawBufferPointer, fileExtension: String?) -> ParseOutcome {
        guard bytes.count >= 84 else {
            return .failure("file is \(bytes.count) bytes, shorter than a binary STL header (84)")
        }
        // Int is 32 bits on wasm32: compare the claim as UInt32 before converting it.
        let claimed = bytes.loadUnaligned(fromByteOffset: 80, as: UInt32.self)
        let available = (bytes.count - 84) / 50
        guard UInt64(claimed) <= UInt64(available) else {
            return .failure("STL header claims \(claimed) triangles but the file holds \(ASCII.grouped(available))")
        }
        let count = Int(claimed)
        var builder = MeshBuilder(expectedTriangles: count)
        var offset = 84
        for _ in 0..<count {
            var ids: (UInt32, UInt32, UInt32) = (0, 0, 0)
            for k in 0..<3 {
                let o = offset + 12 + 12 * k
                let x = bytes.loadUnaligned(fromByteOffset: o, as: Float.self)
                let y = bytes.loadUnaligned(fromByteOffset: o + 4, as: Float.self)
                let z = bytes.loadUnaligned(fromByteOffset: o + 8, as: Float.self)
                let v = builder.vertex(x, y, z)
                if k == 0 { ids.0 = v } else if k == 1 { ids.1 = v } else { ids.2 = v }
            }
            builder.triangle(ids.0, ids.1, ids.2)
            offset += 50
        }
        return .success(mesh: builder.build(), format: 1)
    }

    /// TEMPORARY until MeshAnalysis lands: bounds, area and volume only.
    static func analyze(_ mesh: TriangleMesh, into out: UnsafeMutablePointer<Double>) -> String {
        let b = mesh.bounds
        let s = b.size
        out[AnalysisLayout.minX] = Double(b.min.x); out[AnalysisLayout.minY] = Double(b.min.y)
        out[AnalysisLayout.minZ] = Double(b.min.z)
        out[AnalysisLayout.maxX] = Double(b.max.x); out[AnalysisLayout.maxY] = Double(b.max.y)
        out[AnalysisLayout.maxZ] = Double(b.max.z)
        out[AnalysisLayout.sizeX] = Double(s.x); out[AnalysisLayout.sizeY] = Double(s.y)
        out[AnalysisLayout.sizeZ] = Double(s.z)
        var area = 0.0, volume = 0.0
        for t in 0..<mesh.triangleCount {
            let (a, b, c) = mesh.corners(t)
            let ax = Double(a.x), ay = Double(a.y), az = Double(a.z)
            let bx = Double(b.x), by = Double(b.y), bz = Double(b.z)
            let cx = Double(c.x), cy = Double(c.y), cz = Double(c.z)
            let ux = bx - ax, uy = by - ay, uz = bz - az
            let vx = cx - ax, vy = cy - ay, vz = cz - az
            let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx
            area += 0.5 * (nx * nx + ny * ny + nz * nz).squareRoot()
            volume += (ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx)) / 6
        }
        out[AnalysisLayout.area] = area
        out[AnalysisLayout.volume] = volume
        out[AnalysisLayout.triangles] = Double(mesh.triangleCount)
        out[AnalysisLayout.vertices] = Double(mesh.vertexCount)
        out[AnalysisLayout.sourceVertices] = Double(mesh.sourceVertexCount)
        out[AnalysisLayout.unit] = 1
        return "not analysed yet"
    }
}
