import Fluent
import SQLKit

/// Migration 013 (never edit once shipped): each processed webhook event, unique per provider, written
/// in the same transaction as its effects so a retry or a concurrent duplicate changes nothing.
/// `payload` (the raw envelope, for support replays) is cleared after 30 days; the row after 90.
struct CreateWebhookEvent: AsyncMigration {
    var name: String { "013_CreateWebhookEvent" }

    func prepare(on database: any Database) async throws {
        try await database.schema("webhook_events")
            .id()
            .field("provider", .string, .required)
            .field("event_id", .string, .required)
            .field("type", .string, .required)
            .field("payload_sha256", .string, .required)
            .field("payload", .string)
            .field("received_at", .datetime, .required)
            .unique(on: "provider", "event_id", name: "webhook_events_provider_event_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX webhook_events_received_idx ON webhook_events (received_at)").run()
        try await sql.raw("CREATE INDEX webhook_events_payload_idx ON webhook_events (provider, payload_sha256)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_events").delete()
    }
}
