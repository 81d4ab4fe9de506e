import ArgumentParser
import CaseGen
import Foundation
import VitrineKit

extension UpAxis: ExpressibleByArgument {}
extension InputUnits: ExpressibleByArgument {}
extension CaseLayout: ExpressibleByArgument {}
extension CaseStyle: ExpressibleByArgument {}

extension Vitrine {
    /// `vitrine case MINI… -o OUT.3mf|OUT.stl [--style clamshell|lid|tray] [options]`: a two-part
    /// case that fits the mini (or, with `--style tray`, several minis).
    struct Case: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "case",
            abstract: "Generate a printable two-part case whose cavity fits a miniature (or several, in a tray).",
            discussion: """
                The mini is split by a vertical parting plane; each half's cavity is the mini swept \
                along the extraction axis and grown by the clearance, so the mini slides out. \
                --style lid makes a base plate with a pocket for the mini's base and a lid that \
                seats on a rim of the base; --style tray packs several minis in one clamshell, \
                each in its own cavity. \
                .3mf output holds one object per part; .stl writes <stem>-<part>.stl per part.
                """
        )

        @Argument(help: "The miniature's mesh file (STL, OBJ, PLY or 3MF); several with --style tray.") var minis: [String]
        @Option(name: .shortAndLong, help: "Output: OUT.3mf, or OUT.stl for one STL per part.") var output: String
        @Option(help: "clamshell (two halves split vertically), lid (base and lid) or tray (several minis).") var style: CaseStyle = .clamshell
        @Option(help: "Gap between mini and case, mm (0–5).") var clearance: Float = 0.4
        @Option(help: "Thinnest wall between cavity and outside, mm (at least 0.8).") var wall: Float = 2.0
        @Option(help: "Grid cell size, mm (0.02–1; coarsened automatically for large minis).") var resolution: Float = 0.1
        @Option(help: "Which input axis points up: x, y, z, -x, -y or -z.") var up: UpAxis = .z
        @Option(help: "The input's unit: mm, cm, m, in, or auto (apply the unit guess).") var units: InputUnits = .mm
        @Option(help: "Parting plane: auto, or an offset in mm from the mini's front.") var parting = "auto"
        @Option(help: "Registration pins (0, 2 or 4; 3 mm diameter, 0.15 mm fit).") var pins = 4
        @Option(help: "plate (parts flat on the bed) or assembled (around the mini, input coordinates).") var layout: CaseLayout = .plate
        @Option(help: "Printer bed WxD in mm, e.g. 220x220: warn when a part does not fit.") var bed: String?
        @Flag(name: .customLong("no-notch"), help: "Leave out the finger notch.") var noNotch = false
        @Flag(help: "Print a JSON report.") var json = false

        func validate() throws {
            if minis.isEmpty { throw ValidationError("give the mini's mesh file") }
            if minis.count > 1 && style != .tray {
                throw ValidationError("--style \(style.rawValue) takes one mini, got \(minis.count) files; use --style tray to pack several minis in one case")
            }
            if !(clearance >= 0 && clearance <= 5) { throw ValidationError("--clearance must be between 0 and 5 mm, got \(clearance)") }
            if !(wall >= 0.8 && wall <= 20) { throw ValidationError("--wall must be between 0.8 and 20 mm, got \(wall)") }
            if !(resolution >= 0.02 && resolution <= 1) { throw ValidationError("--resolution must be between 0.02 and 1 mm, got \(resolution)") }
            if ![0, 2, 4].contains(pins) { throw ValidationError("--pins must be 0, 2 or 4, got \(pins)") }
            if parting != "auto" && (Float(parting).map { !($0.isFinite && $0 >= 0) } ?? true) {
                throw ValidationError("--parting must be auto or a non-negative offset in mm, got '\(parting)'")
            }
            if let bed, parseBed(bed) == nil { throw ValidationError("--bed must look like 220x220 (mm), got '\(bed)'") }
            let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
            if ext != "3mf" && ext != "stl" { throw ValidationError("--output must end in .3mf or .stl, got '\(output)'") }
        }

        func parseBed(_ text: String) -> (Float, Float)? {
            let parts = text.lowercased().split(separator: "x")
            guard parts.count == 2, let w = Float(parts[0]), let d = Float(parts[1]), w > 0, d > 0 else { return nil }
            return (w, d)
        }

        func run() throws {
            do throws(ModelFileError) {
                let start = Date()
                var models: [LoadedModel] = []
                for mini in minis { models.append(try ModelFile.load(path: mini)) }
                var request = CaseRequest()
                request.up = up
                request.units = units
                request.layout = layout
                request.style = style
                request.options.clearance = clearance
                request.options.wall = wall
                request.options.resolution = resolution
                request.options.pins = pins
                request.options.fingerNotch = !noNotch
                request.options.partingOffset = parting == "auto" ? nil : Float(parting)
                if let bed, let (w, d) = parseBed(bed) { request.bed = (w, d) }
                var result = try CaseJob.run(models, request: request, clock: { Date().timeIntervalSince1970 })
                let written = try write(result)
                result.milliseconds = Date().timeIntervalSince(start) * 1000
                if json {
                    printOut(CaseJob.report(result, options: request.options).serialized(pretty: true))
                } else {
                    for line in result.warnings { printError("warning: \(line)") }
                    for (path, part) in zip(written, result.parts) {
                        let s = part.mesh.bounds.size
                        printOut("\(path): \(part.name), \(Format.grouped(part.mesh.triangleCount)) triangles, \(Format.fixed(Double(s.x), 1)) x \(Format.fixed(Double(s.y), 1)) x \(Format.fixed(Double(s.z), 1)) mm")
                    }
                    printOut("case generated in \(Format.fixed(result.milliseconds, 0)) ms (resolution \(Format.fixed(Double(result.resolution), 3)) mm)")
                }
            } catch {
                printError("vitrine case: \(error.message)")
                throw ExitCode(1)
            }
        }

        /// Writes the parts; returns the path written for each part (3MF: the same file).
        func write(_ result: CaseOutput) throws(ModelFileError) -> [String] {
            let url = URL(fileURLWithPath: output)
            let objects = result.parts.map { (name: $0.name, mesh: $0.mesh) }
            if url.pathExtension.lowercased() == "3mf" {
                try ModelFile.save(objects, to: output)
                return objects.map { _ in output }
            }
            let stem = url.deletingPathExtension()
            var paths: [String] = []
            for object in objects {
                let path = stem.path + "-" + object.name + ".stl"
                try ModelFile.save([object], to: path)
                paths.append(path)
            }
            return paths
        }
    }
}
