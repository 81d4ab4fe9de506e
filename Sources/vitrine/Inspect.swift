import ArgumentParser
import VitrineKit

extension Vitrine {
    /// `vitrine inspect FILE… [--json]`: reads meshes and reports size, units and topology.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report triangle counts, size in mm, unit guess, area, volume and defects of mesh files.",
            discussion: "Reads STL (binary or ASCII), OBJ, PLY and 3MF. Exit status 1 when any file could not be read."
        )

        @Argument(help: "Mesh files to inspect.")
        var files: [String]

        @Flag(help: "Print JSON: one object for one file, an array for several.")
        var json = false

        func run() throws {
            var reports: [JSON] = []
            var failed = false
            for file in files {
                do throws(ModelFileError) {
                    let model = try ModelFile.load(path: file)
                    let report = InspectReport(file: file, model: model)
                    if json { reports.append(report.json) } else { printOut(report.text) }
                } catch {
                    failed = true
                    printError("vitrine inspect: \(file): \(error.message)")
                }
            }
            if json {
                if files.count == 1 {
                    if let only = reports.first { printOut(only.serialized(pretty: true)) }
                } else {
                    printOut(JSON.array(reports).serialized(pretty: true))
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
