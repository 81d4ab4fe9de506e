import ArgumentParser
import MeshAnalysis
import MeshCore
import VitrineKit

extension Vitrine {
    /// `vitrine repair IN OUT [--json]`.
    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Weld, drop degenerate and duplicate faces, orient outward and fill simple holes.",
            discussion: "Prints what it did and whether the result is watertight."
        )

        @Argument(help: "Input mesh file.") var input: String
        @Argument(help: "Output file: .stl, .obj, .ply or .3mf.") var output: String
        @Option(name: .customLong("max-hole-edges"), help: "Largest hole (in boundary edges) to fill.") var maxHoleEdges = RepairOptions().maxHoleEdges
        @Flag(name: .customLong("no-fill"), help: "Do not fill holes.") var noFill = false
        @Flag(help: "Print a JSON report.") var json = false

        func validate() throws {
            if maxHoleEdges < 3 { throw ValidationError("--max-hole-edges must be at least 3") }
        }

        func run() throws {
            do throws(ModelFileError) {
                let model = try ModelFile.load(path: input)
                var options = RepairOptions()
                options.fillHoles = !noFill
                options.maxHoleEdges = maxHoleEdges
                let before = MeshAnalyzer.analyze(model.mesh)
                let (mesh, report) = MeshRepairer.repair(model.mesh, options: options)
                let after = MeshAnalyzer.analyze(mesh)
                try ModelFile.save([(name: model.objects.first?.name ?? "repaired", mesh: mesh)], to: output)
                if json {
                    printOut(RepairSummary.json(input: input, output: output, before: before, after: after, report: report).serialized(pretty: true))
                } else {
                    printOut(RepairSummary.text(input: input, output: output, before: before, after: after, report: report))
                }
            } catch {
                printError("vitrine repair: \(error.message)")
                throw ExitCode(1)
            }
        }
    }
}
