import Fluent
import SQLKit

/// Migration 012 (never edit once shipped): the state of each paid subscription or one-time order
/// (`BillingLifecycle.State`) and the one Pro license it owns. `license_id` is not a foreign key:
/// retention may delete the license while the provider still knows the subscription.
struct CreateBillingLink: AsyncMigration {
    var name: String { "012_CreateBillingLink" }

    func prepare(on database: any Database) async throws {
        try await database.schema("billing_links")
            .id()
            .field("provider", .string, .required)
            .field("kind", .string, .required)
            .field("provider_ref", .string, .required)
            .field("tier", .string)
            .field("license_id", .uuid)
            .field("status", .string, .required)
            .field("period_end", .datetime)
            .field("last_event_at", .datetime)
            .field("terminal", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "provider", "kind", "provider_ref", name: "billing_links_provider_ref_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX billing_links_license_idx ON billing_links (license_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("billing_links").delete()
    }
}
