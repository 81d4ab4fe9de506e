import MeshAnalysis

/// How `vitrine repair` reports its work: before/after topology plus the repair's own lines.
public enum RepairSummary {
    /// JSON with `before`, `after` and `actions`.
    public static func json(input: String, output: String, before: MeshReport, after: MeshReport, report: RepairReport) -> JSON {
        func state(_ r: MeshReport) -> JSON {
            .object([
                ("triangles", .int(r.triangles)), ("vertices", .int(r.vertices)),
                ("watertight", .bool(r.watertight)), ("boundary_edges", .int(r.boundaryEdges)),
                ("non_manifold_edges", .int(r.nonManifoldEdges)), ("inconsistent_edges", .int(r.inconsistentEdges)),
                ("components", .int(r.components)), ("degenerate_triangles", .int(r.degenerateTriangles)),
                ("duplicate_triangles", .int(r.duplicateTriangles)), ("inside_out_components", .int(r.insideOutComponents)),
                ("volume_mm3", .number(r.volume)),
            ])
        }
        return .object([
            ("input", .string(input)), ("output", .string(output)),
            ("before", state(before)), ("after", state(after)),
            ("welded_vertices", .int(report.weldedVertices)),
            ("removed_degenerate", .int(report.removedDegenerate)),
            ("removed_duplicate", .int(report.removedDuplicate)),
            ("flipped_triangles", .int(report.flippedTriangles)),
            ("flipped_components", .int(report.flippedComponents)),
            ("filled_holes", .int(report.filledHoles)),
            ("filled_triangles", .int(report.filledTriangles)),
            ("unfilled_holes", .int(report.unfilledHoles)),
            ("actions", .array(report.lines.map { .string($0) })),
            ("watertight", .bool(after.watertight)),
        ])
    }

    /// Lines for people: what was done, then the verdict.
    public static func text(input: String, output: String, before: MeshReport, after: MeshReport, report: RepairReport) -> String {
        var lines = ["\(input) -> \(output)"]
        if report.lines.isEmpty { lines.append("  nothing to repair") }
        for line in report.lines { lines.append("  " + line) }
        func verdict(_ r: MeshReport) -> String {
            r.watertight ? "watertight" : "not watertight (\(r.boundaryEdges) boundary, \(r.nonManifoldEdges) non-manifold, \(r.inconsistentEdges) inconsistent edges)"
        }
        lines.append("  before: \(Format.grouped(before.triangles)) triangles, \(verdict(before))")
        lines.append("  after:  \(Format.grouped(after.triangles)) triangles, \(verdict(after))")
        return lines.joined(separator: "\n")
    }
}
