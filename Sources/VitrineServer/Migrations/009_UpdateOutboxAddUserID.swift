import Fluent
import SQLKit

/// Migration 009 (never edit once shipped). Links account mails to their user, so the export
/// and the deletion of an account find every mail sent to it.
struct UpdateOutboxAddUserID: AsyncMigration {
    var name: String { "009_UpdateOutboxAddUserID" }

    func prepare(on database: any Database) async throws {
        try await database.schema("outbox")
            .field("user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .update()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX outbox_user_idx ON outbox (user_id)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX outbox_user_idx").run()
        try await database.schema("outbox").deleteField("user_id").update()
    }
}
