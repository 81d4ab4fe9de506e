import ArgumentParser
import CaseGen
import Foundation
import MeshRender
import ModelFormats
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
        @Option(help: "Magnet pockets DxH in mm, e.g. 6x2: flush in both parting faces, 0.15 mm fit.") var magnets: String?
        @Option(help: "Text engraved 0.6 mm deep across the back, sized to fit (printable ASCII).") var label: String?
        @Option(help: "PNG picture engraved on the back (dark or opaque pixels are cut), sized to fit.") var logo: String?
        @Option(help: "Small text (3 mm tall) engraved in a corner of the back.") var mark: String?
        @Flag(help: "Print a JSON report.") var json = false

        /// Out-of-range options are bad input like any other: one line on stderr and exit status 1.
        static func invalid(_ message: String) -> ExitCode {
            printError("vitrine case: \(message)")
            return ExitCode(1)
        }

        func validate() throws {
            if minis.isEmpty { throw Self.invalid("give the mini's mesh file") }
            if minis.count > 1 && style != .tray {
                throw Self.invalid("--style \(style.rawValue) takes one mini, got \(minis.count) files; use --style tray to pack several minis in one case")
            }
            if !(clearance >= 0 && clearance <= 5) { throw Self.invalid("--clearance must be between 0 and 5 mm, got \(clearance)") }
            if !(wall >= 0.8 && wall <= 20) { throw Self.invalid("--wall must be between 0.8 and 20 mm, got \(wall)") }
            if !(resolution >= 0.02 && resolution <= 1) { throw Self.invalid("--resolution must be between 0.02 and 1 mm, got \(resolution)") }
            if ![0, 2, 4].contains(pins) { throw Self.invalid("--pins must be 0, 2 or 4, got \(pins)") }
            if parting != "auto" && (Float(parting).map { !($0.isFinite && $0 >= 0) } ?? true) {
                throw Self.invalid("--parting must be auto or a non-negative offset in mm, got '\(parting)'")
            }
            if let bed, parseBed(bed) == nil { throw Self.invalid("--bed must look like 220x220 (mm), got '\(bed)'") }
            if let magnets, parseBed(magnets) == nil { throw Self.invalid("--magnets must look like 6x2 (diameter x height, mm), got '\(magnets)'") }
            for (name, text) in [("--label", label), ("--mark", mark)] {
                if let text, text.isEmpty || !text.utf8.allSatisfy({ $0 >= 32 && $0 <= 126 }) {
                    throw Self.invalid("\(name) must be non-empty printable ASCII, got '\(text)'")
                }
            }
            let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
            if ext != "3mf" && ext != "stl" { throw Self.invalid("--output must end in .3mf or .stl, got '\(output)'") }
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
                if let magnets, let (d, h) = parseBed(magnets) { request.options.magnets = MagnetSize(diameter: d, height: h) }
                request.options.label = label
                request.options.mark = mark
                if let logo { request.options.logo = try Self.logoMask(path: logo) }
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

        /// The `--logo` PNG as an engraving mask. With any transparency, opaque pixels (alpha ≥ 128)
        /// are cut; otherwise dark ones (luminance < 128), so both a black-on-white drawing and a
        /// shape on a transparent background engrave as expected.
        static func logoMask(path: String) throws(ModelFileError) -> EngravingMask {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ModelFileError("cannot read the logo \(path)")
            }
            let image: RGBAImage
            do throws(PNGError) {
                image = try PNG.decode([UInt8](data))
            } catch {
                throw ModelFileError("the logo \(path) is not a readable PNG: \(error.message)")
            }
            let n = image.width * image.height
            var transparent = false
            for p in 0..<n where image.pixels[4 * p + 3] < 128 { transparent = true; break }
            var mask = [UInt8](repeating: 0, count: n)
            for p in 0..<n {
                let r = Int(image.pixels[4 * p]), g = Int(image.pixels[4 * p + 1]), b = Int(image.pixels[4 * p + 2])
                let opaque = image.pixels[4 * p + 3] >= 128
                let dark = (299 * r + 587 * g + 114 * b) / 1000 < 128
                mask[p] = (transparent ? opaque : dark) ? 1 : 0
            }
            return EngravingMask(width: image.width, height: image.height, pixels: mask)
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
