import CaseGen
import Foundation
import MeshAnalysis
import MeshCore

/// Which input axis points up; the case generator works with +z up.
public enum UpAxis: String, CaseIterable, Sendable {
    case x, y, z
    case negX = "-x", negY = "-y", negZ = "-z"

    /// A proper rotation taking this axis to +z (determinant +1, so winding is kept).
    public var toZUp: Transform {
        switch self {
        case .z: return .identity
        case .y: return Transform(rows: (1, 0, 0, 0), (0, 0, -1, 0), (0, 1, 0, 0))
        case .x: return Transform(rows: (0, 0, -1, 0), (0, 1, 0, 0), (1, 0, 0, 0))
        case .negZ: return Transform(rows: (1, 0, 0, 0), (0, -1, 0, 0), (0, 0, -1, 0))
        case .negY: return Transform(rows: (1, 0, 0, 0), (0, 0, 1, 0), (0, -1, 0, 0))
        case .negX: return Transform(rows: (0, 0, 1, 0), (0, 1, 0, 0), (-1, 0, 0, 0))
        }
    }
}

/// The unit the input is in, or `auto` to apply the unit guess.
public enum InputUnits: String, CaseIterable, Sendable {
    case mm, cm, m, `in`, auto
}

/// How parts are placed in the output.
public enum CaseLayout: String, CaseIterable, Sendable {
    /// Each part flat on the bed (z = 0), parting face up, side by side along x.
    case plate
    /// Every part in the input mesh's own coordinates (times the unit scale), around the mini.
    case assembled
}

/// Which kind of case to make.
public enum CaseStyle: String, CaseIterable, Sendable {
    /// Two halves split by a vertical plane (`CaseGenerator.clamshell`).
    case clamshell
    /// A base plate holding the mini's base and a lid over it (`CaseGenerator.lid`).
    case lid
    /// Several minis in one clamshell, each in its own cavity (`CaseGenerator.tray`).
    case tray
}

/// Everything `vitrine case` needs besides the engine's own options.
public struct CaseRequest: Sendable {
    public var up: UpAxis = .z
    public var units: InputUnits = .mm
    public var layout: CaseLayout = .plate
    public var options = CaseOptions()
    public var bed: (width: Float, depth: Float)? = nil
    public var style: CaseStyle = .clamshell
    public init() {}
}

/// A generated case, ready to write: parts placed per the layout, plus the report.
public struct CaseOutput: Sendable {
    public var parts: [(name: String, mesh: TriangleMesh, extraction: Vec3)]
    public var scale: Double
    public var resolution: Float
    public var warnings: [String]
    public var milliseconds: Double
}

/// Runs the case generator on a loaded model: units, orientation, engine, layout, report.
public enum CaseJob {
    /// Largest and smallest minis a case makes sense for, in millimetres.
    public static let saneSize: ClosedRange<Float> = 5...300

    /// Generates a case in `request.style` for `model` (coordinates as the file has them).
    public static func run(_ model: LoadedModel, request: CaseRequest, clock: () -> Double) throws(ModelFileError) -> CaseOutput {
        try run([model], request: request, clock: clock)
    }

    /// Generates a case for one model, or for several with the `tray` style (each scaled by its
    /// own unit; the parts lie around the first model, the others packed beside it).
    public static func run(_ models: [LoadedModel], request: CaseRequest, clock: () -> Double) throws(ModelFileError) -> CaseOutput {
        let start = clock()
        if models.isEmpty { throw ModelFileError("no mini given") }
        if models.count > 1 && request.style != .tray {
            throw ModelFileError("the \(request.style.rawValue) style takes one mini, got \(models.count); use --style tray to pack several minis in one case")
        }
        var warnings: [String] = []
        var minis: [TriangleMesh] = []
        var scale: Double = 1
        for (index, model) in models.enumerated() {
            var notes: [String] = []
            let mini: TriangleMesh, modelScale: Double
            do throws(ModelFileError) {
                (mini, modelScale) = try prepare(model, request: request, warnings: &notes)
            } catch {
                throw models.count > 1 ? ModelFileError("mini \(index + 1): " + error.message) : error
            }
            if index == 0 { scale = modelScale }
            warnings += models.count > 1 ? notes.map { "mini \(index + 1): " + $0 } : notes
            minis.append(mini)
        }
        let rotation = request.up.toZUp
        let result: CaseResult
        do throws(CaseError) {
            switch request.style {
            case .clamshell: result = try CaseGenerator.clamshell(minis[0], options: request.options, runner: .cores)
            case .lid: result = try CaseGenerator.lid(minis[0], options: request.options, runner: .cores)
            case .tray: result = try CaseGenerator.tray(minis, options: request.options, runner: .cores)
            }
        } catch {
            throw ModelFileError(error.message)
        }
        return finish(result, request: request, rotation: rotation, scale: scale, warnings: warnings, start: start, clock: clock)
    }

    /// Scales (units) and rotates (up axis) one model into the engine's frame: mm, +z up.
    static func prepare(_ model: LoadedModel, request: CaseRequest, warnings: inout [String]) throws(ModelFileError) -> (TriangleMesh, Double) {
        let rawSize = model.mesh.bounds.size
        let scale: Double
        switch request.units {
        case .mm: scale = 1
        case .cm: scale = 10
        case .m: scale = 1000
        case .in: scale = 25.4
        case .auto:
            let guess = model.declaredUnit.map { UnitGuess(unit: $0, reason: "the file declares its unit") } ?? UnitGuesser.guess(size: rawSize)
            scale = model.declaredUnit == nil ? guess.unit.millimetres : 1
            warnings.append("units: \(guess.unit.symbol) (\(guess.reason))")
        }
        let largest = Float(Double(max(rawSize.x, max(rawSize.y, rawSize.z))) * scale)
        if request.units != .auto && !saneSize.contains(largest) {
            let guess = UnitGuesser.guess(size: rawSize)
            var hint = "is the file in another unit? it looks like \(guess.unit.symbol): \(guess.reason); try --units \(guess.unit.symbol == "mm" ? "auto" : guess.unit.symbol) or --units auto"
            if guess.unit == .millimetre { hint = "try --units auto, or scale it first with `vitrine convert --scale`" }
            throw ModelFileError("the mini is \(Format.fixed(Double(largest), 2)) mm across, outside the \(Int(saneSize.lowerBound))–\(Int(saneSize.upperBound)) mm a case is made for; \(hint)")
        }

        let rotation = request.up.toZUp
        let toEngine = rotation.composed(after: .scale(Float(scale)))
        return (model.mesh.transformed(by: toEngine), scale)
    }

    static func finish(
        _ result: CaseResult, request: CaseRequest, rotation: Transform, scale: Double, warnings: [String],
        start: Double, clock: () -> Double
    ) -> CaseOutput {
        var warnings = warnings
        warnings += result.warnings

        // Back from the engine's z-up frame to the input's axes (still in millimetres).
        let back = PartPlacement.inverseRotation(rotation)
        var parts: [(name: String, mesh: TriangleMesh, extraction: Vec3)] = []
        for part in result.parts {
            let extraction = back.apply(part.extraction)
            switch request.layout {
            case .assembled:
                parts.append((part.name, part.mesh.transformed(by: back), extraction))
            case .plate:
                parts.append((part.name, PartPlacement.layFlat(part.mesh, extraction: part.extraction), extraction))
            }
        }
        if request.layout == .plate { PartPlacement.spreadAlongX(&parts, gap: 5) }
        if let bed = request.bed {
            for part in parts {
                let s = part.mesh.bounds.size
                let (w, d) = request.layout == .plate ? (s.x, s.y) : (max(s.x, s.y), min(s.x, s.y))
                if !(w <= bed.width && d <= bed.depth) && !(d <= bed.width && w <= bed.depth) {
                    warnings.append("part \(part.name) (\(Format.fixed(Double(s.x), 1)) x \(Format.fixed(Double(s.y), 1)) mm) does not fit the \(Format.fixed(Double(bed.width), 0)) x \(Format.fixed(Double(bed.depth), 0)) mm bed")
                }
            }
        }
        return CaseOutput(parts: parts, scale: scale, resolution: result.resolution, warnings: warnings, milliseconds: (clock() - start) * 1000)
    }

    /// The `--json` report of a case.
    public static func report(_ output: CaseOutput, options: CaseOptions) -> JSON {
        let parts: [JSON] = output.parts.map { part in
            let r = MeshAnalyzer.analyze(part.mesh, runner: .cores)
            return .object([
                ("name", .string(part.name)),
                ("triangles", .int(r.triangles)),
                ("size_mm", .array([.float(r.size.x), .float(r.size.y), .float(r.size.z)])),
                ("volume_mm3", .number(r.volume)),
                ("watertight", .bool(r.watertight)),
                ("extraction", .array([.float(part.extraction.x), .float(part.extraction.y), .float(part.extraction.z)])),
            ])
        }
        return .object([
            ("parts", .array(parts)),
            ("scale", .number(output.scale)),
            ("clearance_mm", .float(options.clearance)),
            ("resolution_mm", .float(output.resolution)),
            ("wall_mm", .float(options.wall)),
            ("time_ms", .number((output.milliseconds * 10).rounded() / 10)),
            ("warnings", .array(output.warnings.map { .string($0) })),
        ])
    }
}
