import ArgumentParser
import Foundation

/// The `vitrine` command: one executable for the server, the library and the geometry tools.
@main
struct Vitrine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitrine",
        abstract: "Cases, library and tools for 3D-printed miniatures.",
        subcommands: [Inspect.self, Convert.self, Repair.self, Render.self, Case.self, Serve.self, Migrate.self, LicenseCommand.self, BillingCommand.self, RetentionCommand.self, Login.self]
    )

    /// `vitrine render IN -o OUT` in its plain forms skips ArgumentParser, whose reflective
    /// parsing takes a few milliseconds — a sizeable part of a whole thumbnail run.
    /// Everything else (help, errors, other commands) goes through it as usual.
    static func main() async {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "render", let a = Render.fastArguments(Array(args.dropFirst())) {
            Foundation.exit(Render.perform(input: a.input, output: a.output, size: a.size, view: a.view, orthographic: a.orthographic, exitWhenDone: true))
        }
        await main(nil)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Writes to standard output without buffering surprises when piped.
func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
