import Fluent
import SQLKit

/// Migration 011 (never edit once shipped): one row per money movement, kept for the legal period
/// (`VITRINE_PAYMENT_RECORD_YEARS`) even after the license and account are gone, so `license_id`
/// is a plain column, not a foreign key. No email, name or address: provider id, amount, currency,
/// date, country.
struct CreatePayment: AsyncMigration {
    var name: String { "011_CreatePayment" }

    func prepare(on database: any Database) async throws {
        try await database.schema("payments")
            .id()
            .field("provider", .string, .required)
            .field("provider_payment_id", .string, .required)
            .field("kind", .string, .required)
            .field("amount", .int64, .required)
            .field("currency", .string, .required)
            .field("occurred_at", .datetime, .required)
            .field("country", .string)
            .field("license_id", .uuid)
            .unique(on: "provider", "provider_payment_id", name: "payments_provider_payment_id_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX payments_license_idx ON payments (license_id)").run()
        try await sql.raw("CREATE INDEX payments_occurred_idx ON payments (occurred_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("payments").delete()
    }
}
