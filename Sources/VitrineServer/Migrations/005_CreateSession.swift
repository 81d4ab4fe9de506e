import Fluent
import SQLKit

/// Migration 005 (never edit once shipped). A login session: only the SHA-256 of the cookie value
/// is stored, so a copy of the database cannot be used to log in.
struct CreateSession: AsyncMigration {
    var name: String { "005_CreateSession" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sessions")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash", name: "sessions_token_hash_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX sessions_user_idx ON sessions (user_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sessions").delete()
    }
}
