import ArgumentParser
import MeshCore
import VitrineKit

/// Source units for `--from-units`.
enum SourceUnit: String, ExpressibleByArgument, CaseIterable {
    case mm, cm, m, `in`

    var lengthUnit: LengthUnit {
        switch self {
        case .mm: return .millimetre
        case .cm: return .centimetre
        case .m: return .metre
        case .in: return .inch
        }
    }
}

extension Vitrine {
    /// `vitrine convert IN OUT [--scale F | --from-units m|cm|in]`.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a mesh between STL, OBJ, PLY and 3MF, optionally rescaling to millimetres.",
            discussion: "The output format follows OUT's extension (.stl is binary unless --ascii)."
        )

        @Argument(help: "Input mesh file.") var input: String
        @Argument(help: "Output file: .stl, .obj, .ply or .3mf.") var output: String
        @Option(help: "Multiply every coordinate by this factor.") var scale: Double?
        @Option(name: .customLong("from-units"), help: "The input's unit, converted to millimetres: mm, cm, m or in.")
        var fromUnits: SourceUnit?
        @Flag(help: "Write ASCII STL instead of binary.") var ascii = false

        func validate() throws {
            if scale != nil && fromUnits != nil {
                throw ValidationError("use either --scale or --from-units, not both")
            }
            if let scale, !(scale.isFinite && scale > 0) {
                throw ValidationError("--scale must be a positive number, got \(scale)")
            }
        }

        func run() throws {
            do throws(ModelFileError) {
                let model = try ModelFile.load(path: input)
                let factor = Float(scale ?? fromUnits?.lengthUnit.millimetres ?? 1)
                let objects = model.objects.map { (name: $0.name, mesh: factor == 1 ? $0.mesh : $0.mesh.scaled(by: factor)) }
                try ModelFile.save(objects, to: output, asciiSTL: ascii)
                let triangles = objects.reduce(0) { $0 + $1.mesh.triangleCount }
                printError("wrote \(output): \(Format.grouped(triangles)) triangles\(factor == 1 ? "" : ", scaled by \(factor)")")
            } catch {
                printError("vitrine convert: \(error.message)")
                throw ExitCode(1)
            }
        }
    }
}
