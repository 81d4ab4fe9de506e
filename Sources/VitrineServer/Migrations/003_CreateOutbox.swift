import Fluent
import SQLKit

/// Migration 003 (never edit once shipped).
struct CreateOutbox: AsyncMigration {
    var name: String { "003_CreateOutbox" }

    func prepare(on database: any Database) async throws {
        try await database.schema("outbox")
            .id()
            .field("kind", .string, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("text_body", .string, .required)
            .field("html_body", .string, .required)
            .field("idempotency_key", .string, .required)
            .field("license_id", .uuid, .references("licenses", "id", onDelete: .setNull))
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("lease_until", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .unique(on: "idempotency_key", name: "outbox_idempotency_key_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox").delete()
    }
}
