import Fluent
import Foundation
import SQLKit
import Vapor
import VitrineKit

/// Payments (issue 6): checkout, provider webhooks, the lifecycle of paid licenses, payment records.
enum Billing {
    static func configure(_ app: Application, _ settings: Settings) {
        app.checkoutClient = .live(settings: settings, client: app.http.client.shared)
        BillingController.register(app.routes.grouped("api", "v1"), settings: settings)
        let day: TimeInterval = 86_400
        // Payment records: the legal period, then gone. They never go with licenses or accounts.
        app.retentionPurges.append(RetentionPurge(name: "payment records") { now, db in
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let cutoff = calendar.date(byAdding: .year, value: -settings.paymentRecordYears, to: now)!
            return try await Payment.deleteOlder(than: cutoff, limit: Retention.batchSize, on: db)
        })
        // Webhook events: ids for dedupe 90 days; raw payloads (the buyer's address) 30 days.
        app.retentionPurges.append(RetentionPurge(name: "webhook events") { now, db in
            try await WebhookEventLog.purge(payloadsBefore: now - 30 * day, rowsBefore: now - 90 * day, on: db)
        })
        // Links of subscriptions and orders whose license is gone and that are over (or never paid).
        app.retentionPurges.append(RetentionPurge(name: "billing links") { now, db in
            try await BillingLink.deleteStale(before: now - 90 * day, on: db)
        })
    }
}

extension BillingLink {
    /// Deletes links whose last event is before `cutoff` and whose license no longer exists (or never
    /// did); returns how many.
    static func deleteStale(before cutoff: Date, on database: any Database) async throws -> Int {
        let sql = database as! any SQLDatabase
        return try await sql.raw("""
            DELETE FROM billing_links
            WHERE COALESCE(last_event_at, created_at) < \(bind: cutoff)
              AND (license_id IS NULL OR license_id NOT IN (SELECT id FROM licenses))
            RETURNING id
            """).all().count
    }
}
