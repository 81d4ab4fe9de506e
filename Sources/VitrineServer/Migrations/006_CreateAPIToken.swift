import Fluent
import SQLKit

/// Migration 006 (never edit once shipped). API tokens (`vtr_…`) for the CLI: stored as SHA-256,
/// with a short prefix kept so a person can tell their tokens apart.
struct CreateAPIToken: AsyncMigration {
    var name: String { "006_CreateAPIToken" }

    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash", name: "api_tokens_token_hash_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_tokens").delete()
    }
}
