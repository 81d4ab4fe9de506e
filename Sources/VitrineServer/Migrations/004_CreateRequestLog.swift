import Fluent
import SQLKit

/// Migration 004 (never edit once shipped).
struct CreateRequestLog: AsyncMigration {
    var name: String { "004_CreateRequestLog" }

    func prepare(on database: any Database) async throws {
        try await database.schema("request_logs")
            .id()
            .field("time", .datetime, .required)
            .field("method", .string, .required)
            .field("path", .string, .required)
            .field("status", .int, .required)
            .field("ip", .string)
            .field("duration_ms", .double, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX request_logs_time_idx ON request_logs (time)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("request_logs").delete()
    }
}
