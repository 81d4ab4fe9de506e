import MeshCore

/// Where finished parts go for printing, shared by the CLI (VitrineKit's `CaseJob`) and the
/// browser (GeometryWasm's `CaseBridge`) so both lay out a case identically.
public enum PartPlacement {
    /// Rotates a part so its parting face (whose outward normal is the extraction direction, in
    /// the engine frame) faces up, then sets it on the bed at z = 0 (millimetres).
    /// ±y extraction (clamshell, tray) turns about x: +y after (x, y, z) → (x, −z, y), −y after
    /// (x, z, −y); the lid style's +z needs no turn, its −z turns over about x.
    public static func layFlat(_ mesh: TriangleMesh, extraction: Vec3) -> TriangleMesh {
        let turn = extraction.z > 0.5
            ? Transform.identity
            : extraction.z < -0.5
            ? Transform(rows: (1, 0, 0, 0), (0, -1, 0, 0), (0, 0, -1, 0))
            : extraction.y > 0
            ? Transform(rows: (1, 0, 0, 0), (0, 0, -1, 0), (0, 1, 0, 0))
            : Transform(rows: (1, 0, 0, 0), (0, 0, 1, 0), (0, -1, 0, 0))
        let turned = mesh.transformed(by: turn)
        let b = turned.bounds
        return turned.transformed(by: .translation(Vec3(-b.min.x, -b.min.y, -b.min.z)))
    }

    /// Places parts side by side along +x with `gap` millimetres between them.
    public static func spreadAlongX(_ parts: inout [(name: String, mesh: TriangleMesh, extraction: Vec3)], gap: Float) {
        var x: Float = 0
        for i in parts.indices {
            let b = parts[i].mesh.bounds
            parts[i].mesh = parts[i].mesh.transformed(by: .translation(Vec3(x - b.min.x, 0, 0)))
            x += b.size.x + gap
        }
    }

    /// The inverse of a rotation (its transpose); translation is ignored.
    public static func inverseRotation(_ t: Transform) -> Transform {
        let m = t.m
        return Transform(rows: (m.0, m.4, m.8, 0), (m.1, m.5, m.9, 0), (m.2, m.6, m.10, 0))
    }
}
