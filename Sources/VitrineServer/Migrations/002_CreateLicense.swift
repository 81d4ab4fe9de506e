import Fluent
import SQLKit

/// Migration 002 (never edit once shipped). The partial unique index is what makes "one trial
/// per normalized email" hold even when two requests race.
struct CreateLicense: AsyncMigration {
    var name: String { "002_CreateLicense" }

    func prepare(on database: any Database) async throws {
        try await database.schema("licenses")
            .id()
            .field("user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("email", .string, .required)
            .field("normalized_email", .string, .required)
            .field("tier", .string, .required)
            .field("status", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("expires_at", .datetime)
            .field("generations_used", .int, .required)
            .field("generation_limit", .int)
            .field("revoked_at", .datetime)
            .field("key", .string, .required)
            .unique(on: "key", name: "licenses_key_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX licenses_normalized_email_idx ON licenses (normalized_email)").run()
        try await sql.raw("CREATE UNIQUE INDEX licenses_one_trial_per_email ON licenses (normalized_email) WHERE tier = 'trial'").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("licenses").delete()
    }
}
