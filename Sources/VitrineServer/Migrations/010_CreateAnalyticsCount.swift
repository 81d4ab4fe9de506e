import Fluent
import SQLKit

/// Migration 010 (never edit once shipped): daily counts of consented usage events.
struct CreateAnalyticsCount: AsyncMigration {
    var name: String { "010_CreateAnalyticsCount" }

    func prepare(on database: any Database) async throws {
        try await database.schema("analytics_counts")
            .field("day", .string, .required)
            .field("event", .string, .required)
            .field("detail", .string, .required)
            .field("count", .int, .required)
            .create()
        let sql = database as! any SQLDatabase
        // The upsert's conflict target.
        try await sql.raw("CREATE UNIQUE INDEX analytics_counts_key ON analytics_counts (day, event, detail)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("analytics_counts").delete()
    }
}
