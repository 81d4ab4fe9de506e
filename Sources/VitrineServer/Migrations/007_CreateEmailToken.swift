import Fluent
import SQLKit

/// Migration 007 (never edit once shipped). Single-use tokens sent by mail: email verification,
/// password reset, magic-link login and email change (which carries the new address). Stored as SHA-256.
struct CreateEmailToken: AsyncMigration {
    var name: String { "007_CreateEmailToken" }

    func prepare(on database: any Database) async throws {
        try await database.schema("email_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("new_email", .string)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash", name: "email_tokens_token_hash_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX email_tokens_user_idx ON email_tokens (user_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("email_tokens").delete()
    }
}
