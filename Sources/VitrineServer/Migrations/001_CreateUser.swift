import Fluent

/// Migration 001 (never edit once shipped; add a new numbered migration instead).
struct CreateUser: AsyncMigration {
    var name: String { "001_CreateUser" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("normalized_email", .string, .required)
            .field("display_name", .string)
            .field("password_hash", .string)
            .field("email_verified_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("deactivated_at", .datetime)
            .unique(on: "normalized_email", name: "users_normalized_email_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
