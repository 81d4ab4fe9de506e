import ArgumentParser
import VitrineServer

extension Vitrine {
    /// `vitrine serve [--data DIR] [--host 127.0.0.1] [--port 8080]`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the Vitrine server (SQLite in the data directory unless DATABASE_URL=postgres://… is set).",
            discussion: "Settings come from the environment: DATABASE_URL, VITRINE_PUBLIC_URL, VITRINE_MAIL_FROM, VITRINE_LICENSE_SIGNING_KEY, … (see README). Stops cleanly on SIGINT or SIGTERM."
        )

        @OptionGroup var data: DataOptions

        @Option(help: "Address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "TCP port to listen on.")
        var port = 8080

        func run() async throws {
            let settings = try data.settings(host: host, port: port)
            bootstrapLogging(settings)
            try await ServerRuntime.serve(settings: settings)
        }
    }

    /// `vitrine migrate [--data DIR]`.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the database schema up to date (SQLite in the data directory, or DATABASE_URL)."
        )

        @OptionGroup var data: DataOptions

        func run() async throws {
            let settings = try data.settings()
            bootstrapLogging(settings)
            try await ServerRuntime.migrate(settings: settings)
        }
    }
}
