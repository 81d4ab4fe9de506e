import ArgumentParser
import Foundation
import Logging
import VitrineKit

/// Options every server command shares: where the data lives (the database comes from DATABASE_URL if set).
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Directory for the SQLite file, the outbox and the signing key.")
    var dataDirectory = "./vitrine-data"

    func settings(host: String = "127.0.0.1", port: Int = 8080) throws -> Settings {
        do {
            return try Settings.load(environment: ProcessInfo.processInfo.environment, dataDirectory: dataDirectory, host: host, port: port)
        } catch {
            throw ValidationError("invalid setting \(error.description)")
        }
    }
}

/// Logs go to standard error; set once per process.
func bootstrapLogging(_ settings: Settings) {
    let level = Logger.Level(rawValue: settings.logLevel) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
