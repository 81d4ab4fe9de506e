import MeshCore
import MeshIO

/// Outcome of a parse, without `any Error` (not available in Embedded Swift).
enum ParseOutcome {
    case success(mesh: TriangleMesh, format: Int32)
    case failure(String)
}

/// The one place that calls MeshIO and MeshAnalysis, so the exports stay independent of
/// their details.
enum WasmBridge {
    /// Reads a mesh file with MeshIO (format detected by content, the extension is a hint).
    static func read(_ bytes: UnsafeRawBufferPointer, fileExtension: String?) -> ParseOutcome {
        do throws(MeshIOError) {
            let (mesh, format) = try MeshReader.read(bytes, fileExtension: fileExtension)
            return .success(mesh: mesh, format: formatCode(format))
        } catch {
            return .failure(error.message)
        }
    }

    /// The `vitrine_mesh_format` code of a format (Web/vitrine.js `FORMATS`).
    static func formatCode(_ format: MeshFormat) -> Int32 {
        switch format {
        case .stlBinary: return 1
        case .stlASCII: return 2
        case .obj: return 3
        case .ply: return 4
        }
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
