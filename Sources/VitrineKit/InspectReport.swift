import MeshAnalysis
import MeshCore

/// What `vitrine inspect` says about one file: the analysis plus where it came from.
public struct InspectReport: Sendable {
    public var file: String
    public var model: LoadedModel
    public var analysis: MeshReport
    public var unitGuess: UnitGuess

    /// Analyzes a loaded model. Coordinates are taken as millimetres (3MF already is);
    /// `unitGuess` says when they probably are not.
    public init(file: String, model: LoadedModel) {
        self.file = file
        self.model = model
        self.analysis = MeshAnalyzer.analyze(model.mesh, runner: .cores)
        self.unitGuess = model.declaredUnit.map { UnitGuess(unit: $0, reason: "the file declares its unit") }
            ?? UnitGuesser.guess(size: analysis.size)
    }

    /// The report as a JSON object with the documented keys, in a fixed order.
    public var json: JSON {
        let r = analysis
        func vec(_ v: Vec3) -> JSON { .array([.float(v.x), .float(v.y), .float(v.z)]) }
        let bounds: JSON = r.triangles == 0 ? .null : .object([("min", vec(r.bounds.min)), ("max", vec(r.bounds.max))])
        return .object([
            ("file", .string(file)),
            ("format", .string(model.format)),
            ("triangles", .int(r.triangles)),
            ("vertices", .int(r.vertices)),
            ("source_vertices", .int(r.sourceVertices)),
            ("bounds", bounds),
            ("size_mm", vec(r.size)),
            ("unit_guess", .string(unitGuess.unit.symbol)),
            ("unit_guess_reason", .string(unitGuess.reason)),
            ("area_mm2", .number(r.area)),
            ("volume_mm3", .number(r.volume)),
            ("watertight", .bool(r.watertight)),
            ("boundary_edges", .int(r.boundaryEdges)),
            ("non_manifold_edges", .int(r.nonManifoldEdges)),
            ("inconsistent_edges", .int(r.inconsistentEdges)),
            ("components", .int(r.components)),
            ("degenerate_triangles", .int(r.degenerateTriangles)),
            ("duplicate_triangles", .int(r.duplicateTriangles)),
            ("inside_out_components", .int(r.insideOutComponents)),
            ("objects", .int(model.objects.count)),
        ])
    }

    /// A few aligned lines for people.
    public var text: String {
        let r = analysis
        func mm(_ v: Float) -> String { Format.fixed(Double(v), 2) }
        var lines = [file]
        lines.append("  format        \(model.format)\(model.objects.count > 1 ? " (\(model.objects.count) objects)" : "")")
        lines.append("  triangles     \(Format.grouped(r.triangles))   vertices \(Format.grouped(r.vertices)) (file stored \(Format.grouped(r.sourceVertices)))")
        lines.append("  size          \(mm(r.size.x)) x \(mm(r.size.y)) x \(mm(r.size.z)) mm")
        lines.append("  unit guess    \(unitGuess.unit.symbol): \(unitGuess.reason)")
        lines.append("  area          \(Format.fixed(r.area, 2)) mm²   volume \(Format.fixed(r.volume, 2)) mm³")
        var topology = r.watertight ? "watertight" : "NOT watertight"
        var defects: [String] = []
        if r.boundaryEdges > 0 { defects.append("\(Format.grouped(r.boundaryEdges)) boundary edges") }
        if r.nonManifoldEdges > 0 { defects.append("\(Format.grouped(r.nonManifoldEdges)) non-manifold edges") }
        if r.inconsistentEdges > 0 { defects.append("\(Format.grouped(r.inconsistentEdges)) edges with inconsistent winding") }
        if !defects.isEmpty { topology += " (" + defects.joined(separator: ", ") + ")" }
        lines.append("  topology      \(topology); \(r.components) component\(r.components == 1 ? "" : "s")")
        var faces: [String] = []
        if r.degenerateTriangles > 0 { faces.append("\(r.degenerateTriangles) degenerate") }
        if r.duplicateTriangles > 0 { faces.append("\(r.duplicateTriangles) duplicate") }
        if r.insideOutComponents > 0 { faces.append("\(r.insideOutComponents) inside-out component\(r.insideOutComponents == 1 ? "" : "s")") }
        if !faces.isEmpty { lines.append("  problems      " + faces.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}

/// Number formatting for reports, independent of the user's locale.
public enum Format {
    /// `n` with comma thousands separators.
    public static func grouped(_ n: Int) -> String { ASCII.grouped(n) }
    /// `value` with exactly `digits` decimals.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        guard abs(value) < 1e12 else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int64(rounded / scale)
        let frac = Int64(rounded) - whole * Int64(scale)
        let sign = value < 0 && rounded != 0 ? "-" : ""
        if digits == 0 { return sign + String(whole) }
        let fracText = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fracText.count) + fracText
    }
}
