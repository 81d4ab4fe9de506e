import Fluent
import SQLKit

/// Migration 008 (never edit once shipped). Fixed-window counters: one row per action, subject
/// (`ip:…` or `email:…`) and window start (epoch seconds). The unique key is what the atomic
/// upsert-increment relies on, so limits hold across several server processes.
struct CreateRateLimit: AsyncMigration {
    var name: String { "008_CreateRateLimit" }

    func prepare(on database: any Database) async throws {
        try await database.schema("rate_limits")
            .id()
            .field("action", .string, .required)
            .field("subject", .string, .required)
            .field("window_start", .int64, .required)
            .field("hits", .int, .required)
            .unique(on: "action", "subject", "window_start", name: "rate_limits_window_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX rate_limits_window_idx ON rate_limits (window_start)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("rate_limits").delete()
    }
}
