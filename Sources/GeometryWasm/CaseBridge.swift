import CaseGen
import MeshCore

/// Outcome of a case generation, without `any Error`.
enum CaseOutcome {
    case success(CaseEntry)
    case failure(String)
}

/// Mirrors VitrineKit's `CaseJob` (which the CLI uses) for the browser: scale to mm, turn the
/// chosen axis to +z, run the engine, turn the parts back, and lay them out.
enum CaseBridge {
    /// Largest and smallest minis a case makes sense for, in millimetres (as the CLI).
    static let saneSize: ClosedRange<Float> = 5...300

    static func generate(_ mesh: TriangleMesh, options o: UnsafePointer<Double>) -> CaseOutcome {
        typealias L = CaseOptionsLayout
        guard o[L.style] == 0 else { return .failure("unknown case style code \(Int(o[L.style].isFinite ? o[L.style] : -1)): only 0 (clamshell) exists") }
        let scale = o[L.scale]
        guard scale.isFinite, scale > 0 else { return .failure("scale must be a positive number of millimetres per file unit") }
        guard let up = upTransform(o[L.upAxis]) else { return .failure("unknown up-axis code: use 0 +z, 1 +y, 2 +x, 3 -z, 4 -y, 5 -x") }
        var options = CaseOptions()
        options.clearance = Float(o[L.clearance])
        options.wall = Float(o[L.wall])
        options.resolution = Float(o[L.resolution])
        let pins = o[L.pins]
        options.pins = pins.isFinite && pins.magnitude < 1000 ? Int(pins) : -1
        options.partingOffset = o[L.partingOffset].isNaN ? nil : Float(o[L.partingOffset])
        options.fingerNotch = o[L.fingerNotch] != 0

        // (The engine checks finiteness; a NaN here fails the range test below as well.)
        let raw = mesh.bounds.size
        let largest = Float(Double(max(raw.x, max(raw.y, raw.z))) * scale)
        if !saneSize.contains(largest) {
            return .failure(
                "the mini is " + ASCII.decimal(Double(largest), fractionDigits: 2) + " mm across, outside the 5–300 mm a case is made for; is the scale right?")
        }
        let mini = mesh.transformed(by: up.composed(after: .scale(Float(scale))))
        let result: CaseResult
        do throws(CaseError) {
            result = try CaseGenerator.clamshell(mini, options: options, runner: .serial, progress: { vitrine_progress($0) })
        } catch {
            return .failure(error.message)
        }
        let back = inverseRotation(up)
        var parts: [(name: String, mesh: TriangleMesh, extraction: Vec3)] = []
        let plate = o[L.layout] == 1
        for part in result.parts {
            if plate {
                parts.append((part.name, layFlat(part.mesh, extraction: part.extraction), back.apply(part.extraction)))
            } else {
                parts.append((part.name, part.mesh.transformed(by: back), back.apply(part.extraction)))
            }
        }
        if plate {
            var x: Float = 0
            for i in parts.indices {
                let b = parts[i].mesh.bounds
                parts[i].mesh = parts[i].mesh.transformed(by: .translation(Vec3(x - b.min.x, 0, 0)))
                x += b.size.x + 5
            }
        }
        return .success(CaseEntry(parts: parts, warnings: result.warnings, resolution: result.resolution))
    }

    /// A proper rotation taking the coded axis to +z (as `UpAxis.toZUp` in VitrineKit).
    static func upTransform(_ code: Double) -> Transform? {
        switch code {
        case 0: return .identity
        case 1: return Transform(rows: (1, 0, 0, 0), (0, 0, -1, 0), (0, 1, 0, 0))
        case 2: return Transform(rows: (0, 0, -1, 0), (0, 1, 0, 0), (1, 0, 0, 0))
        case 3: return Transform(rows: (1, 0, 0, 0), (0, -1, 0, 0), (0, 0, -1, 0))
        case 4: return Transform(rows: (1, 0, 0, 0), (0, 0, 1, 0), (0, -1, 0, 0))
        case 5: return Transform(rows: (0, 0, 1, 0), (0, 1, 0, 0), (-1, 0, 0, 0))
        default: return nil
        }
    }

    static func inverseRotation(_ t: Transform) -> Transform {
        let m = t.m
        return Transform(rows: (m.0, m.4, m.8, 0), (m.1, m.5, m.9, 0), (m.2, m.6, m.10, 0))
    }

    /// Parting face up, on the bed at z = 0 (as `CaseJob.layFlat`).
    static func layFlat(_ mesh: TriangleMesh, extraction: Vec3) -> TriangleMesh {
        let turn = extraction.y > 0
            ? Transform(rows: (1, 0, 0, 0), (0, 0, -1, 0), (0, 1, 0, 0))
            : Transform(rows: (1, 0, 0, 0), (0, 0, 1, 0), (0, -1, 0, 0))
        let turned = mesh.transformed(by: turn)
        let b = turned.bounds
        return turned.transformed(by: .translation(Vec3(-b.min.x, -b.min.y, -b.min.z)))
    }
}
