import ArgumentParser
import Foundation

/// The `vitrine` command: one executable for the server, the library and the geometry tools.
@main
struct Vitrine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitrine",
        abstract: "Cases, library and tools for 3D-printed miniatures.",
        subcommands: [Inspect.self, Convert.self, Repair.self, Render.self, Case.self]
    )
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Writes to standard output without buffering surprises when piped.
func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
