import ArgumentParser
import VitrineServer

extension Vitrine {
    /// `vitrine retention run [--data DIR]`: the retention job once, e.g. from cron when the
    /// in-process job is off (`VITRINE_RETENTION_INTERVAL_SECONDS=0`).
    struct RetentionCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retention",
            abstract: "Delete data past its retention window (request logs, ended licenses, sent mail).",
            subcommands: [Run.self]
        )

        struct Run: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Run the retention job once and print what it deleted.",
                discussion: "Windows come from VITRINE_RETENTION_REQUEST_LOG_DAYS (30), VITRINE_RETENTION_LICENSE_DAYS (90) and VITRINE_RETENTION_OUTBOX_DAYS (30)."
            )
            @OptionGroup var data: DataOptions

            func run() async throws {
                let settings = try data.settings()
                bootstrapLogging(settings)
                let report = try await ServerRuntime.withApplication(settings: settings) { app in
                    try await Retention.run(app)
                }
                printOut(report.text)
            }
        }
    }
}
