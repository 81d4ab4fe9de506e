import MeshCore
import MeshIO
import MeshAnalysis

/// Outcome of a parse, without `any Error` (not available in Embedded Swift).
enum ParseOutcome {
    case success(mesh: TriangleMesh, format: Int32)
    case failure(String)
}

/// The one place that calls MeshIO and MeshAnalysis, so the exports stay independent of
/// their details.
enum WasmBridge {
    /// Reads a mesh file with MeshIO (format detected by content, the extension is a hint).
    static func read(_ bytes: UnsafeRawBufferPointer, fileExtension: String?, welding: Bool = true) -> ParseOutcome {
        do throws(MeshIOError) {
            let (mesh, format) = try MeshReader.read(bytes, fileExtension: fileExtension, welding: welding)
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

    /// Analyzes `mesh` with MeshAnalysis, writes the `AnalysisLayout` record to `out`,
    /// and returns the unit guess's reason.
    static func analyze(_ mesh: TriangleMesh, into out: UnsafeMutablePointer<Double>) -> String {
        let r = MeshAnalyzer.analyze(mesh)
        out[AnalysisLayout.minX] = Double(r.bounds.min.x)
        out[AnalysisLayout.minY] = Double(r.bounds.min.y)
        out[AnalysisLayout.minZ] = Double(r.bounds.min.z)
        out[AnalysisLayout.maxX] = Double(r.bounds.max.x)
        out[AnalysisLayout.maxY] = Double(r.bounds.max.y)
        out[AnalysisLayout.maxZ] = Double(r.bounds.max.z)
        out[AnalysisLayout.sizeX] = Double(r.size.x)
        out[AnalysisLayout.sizeY] = Double(r.size.y)
        out[AnalysisLayout.sizeZ] = Double(r.size.z)
        out[AnalysisLayout.area] = r.area
        out[AnalysisLayout.volume] = r.volume
        out[AnalysisLayout.watertight] = r.watertight ? 1 : 0
        out[AnalysisLayout.boundaryEdges] = Double(r.boundaryEdges)
        out[AnalysisLayout.nonManifoldEdges] = Double(r.nonManifoldEdges)
        out[AnalysisLayout.inconsistentEdges] = Double(r.inconsistentEdges)
        out[AnalysisLayout.components] = Double(r.components)
        out[AnalysisLayout.degenerateTriangles] = Double(r.degenerateTriangles)
        out[AnalysisLayout.duplicateTriangles] = Double(r.duplicateTriangles)
        out[AnalysisLayout.insideOutComponents] = Double(r.insideOutComponents)
        out[AnalysisLayout.triangles] = Double(r.triangles)
        out[AnalysisLayout.vertices] = Double(r.vertices)
        out[AnalysisLayout.sourceVertices] = Double(r.sourceVertices)
        let guess = UnitGuesser.guess(size: r.size)
        out[AnalysisLayout.unit] = Double(unitCode(guess.unit))
        return guess.reason
    }

    /// The `AnalysisLayout.unit` code of a unit (Web/vitrine.js `UNITS`).
    static func unitCode(_ unit: LengthUnit) -> Int {
        switch unit {
        case .micron: return 0
        case .millimetre: return 1
        case .centimetre: return 2
        case .metre: return 3
        case .inch: return 4
        case .foot: return 5
        }
    }
}
