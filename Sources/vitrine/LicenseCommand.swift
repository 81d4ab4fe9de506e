import ArgumentParser
import VitrineKit
import VitrineServer

extension LicenseTier: ExpressibleByArgument {}

extension Vitrine {
    /// `vitrine license issue|show|revoke`: administration on the server's database.
    struct LicenseCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "license",
            abstract: "Issue, show and revoke licenses in the server's database.",
            subcommands: [Issue.self, Show.self, Revoke.self]
        )

        struct Issue: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue a license and queue the mail with its key (the running server sends it).",
                discussion: "Prints the license and its key."
            )
            @OptionGroup var data: DataOptions
            @Option(help: "The licensee's email address.") var email: String
            @Option(help: "trial, monthly, annual or lifetime.") var tier: LicenseTier
            @Flag(help: "Do not mail the key.") var noMail = false

            func run() async throws {
                let settings = try data.settings()
                bootstrapLogging(settings)
                let summary = try await ServerRuntime.withApplication(settings: settings) { app in
                    try await LicenseAdmin.issue(app: app, email: email, tier: tier, sendMail: !noMail)
                }
                printOut(summary.text)
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show the license a key names, or every license of an email address.")
            @OptionGroup var data: DataOptions
            @Argument(help: "A license key (VTR-…) or an email address.") var keyOrEmail: String

            func run() async throws {
                let settings = try data.settings()
                bootstrapLogging(settings)
                let summaries = try await ServerRuntime.withApplication(settings: settings) { app in
                    try await LicenseAdmin.show(app: app, keyOrEmail: keyOrEmail)
                }
                if summaries.isEmpty {
                    printError("vitrine license show: no license for \(keyOrEmail)")
                    throw ExitCode(1)
                }
                printOut(summaries.map(\.text).joined(separator: "\n"))
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke the license a key names; it stops validating and counting at once.")
            @OptionGroup var data: DataOptions
            @Argument(help: "The license key (VTR-…).") var key: String

            func run() async throws {
                let settings = try data.settings()
                bootstrapLogging(settings)
                let revoked = try await ServerRuntime.withApplication(settings: settings) { app in
                    try await LicenseAdmin.revoke(app: app, key: key)
                }
                printOut(revoked ? "revoked" : "already revoked")
            }
        }
    }
}
