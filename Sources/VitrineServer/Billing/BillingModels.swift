import Crypto
import Fluent
import Foundation
import SQLKit
import VitrineKit

/// One money movement (migration 011): provider id, amount, currency, date, country, and the
/// license it paid for. Nothing about the person.
final class Payment: Model, @unchecked Sendable {
    static let schema = "payments"

    @ID(key: .id) var id: UUID?
    @Field(key: "provider") var provider: String
    @Field(key: "provider_payment_id") var providerPaymentID: String
    @Field(key: "kind") var kind: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "occurred_at") var occurredAt: Date
    @OptionalField(key: "country") var country: String?
    @OptionalField(key: "license_id") var licenseID: UUID?

    init() {}
}

/// A paid subscription or one-time order and the Pro license it owns (migration 012).
final class BillingLink: Model, @unchecked Sendable {
    static let schema = "billing_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "provider") var provider: String
    /// `subscription` or `order`.
    @Field(key: "kind") var kind: String
    @Field(key: "provider_ref") var providerRef: String
    @OptionalField(key: "tier") var tier: String?
    @OptionalField(key: "license_id") var licenseID: UUID?
    @Field(key: "status") var status: String
    @OptionalField(key: "period_end") var periodEnd: Date?
    @OptionalField(key: "last_event_at") var lastEventAt: Date?
    @Field(key: "terminal") var terminal: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var state: BillingLifecycle.State {
        get {
            BillingLifecycle.State(status: BillingLifecycle.Status(rawValue: status) ?? .pending, periodEnd: periodEnd, lastEventAt: lastEventAt, terminal: terminal)
        }
        set {
            status = newValue.status.rawValue
            periodEnd = newValue.periodEnd
            lastEventAt = newValue.lastEventAt
            terminal = newValue.terminal
        }
    }
}

extension Payment {
    /// Inserts the record unless the provider's payment id is already there; true when inserted.
    static func record(_ p: BillingUpdate.Payment, provider: String, licenseID: UUID?, id: UUID, on database: any Database) async throws -> Bool {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            INSERT INTO payments (id, provider, provider_payment_id, kind, amount, currency, occurred_at, country, license_id)
            VALUES (\(bind: id), \(bind: provider), \(bind: p.providerPaymentID), \(bind: p.kind.rawValue), \(bind: Int64(p.amount)),
                    \(bind: p.currency), \(bind: p.occurredAt), \(bind: p.country), \(bind: licenseID))
            ON CONFLICT (provider, provider_payment_id) DO NOTHING
            RETURNING id
            """).first()
        return row != nil
    }

    /// Payments of these licenses, oldest first (for /me/export).
    static func all(licenseIDs: [UUID], on database: any Database) async throws -> [Payment] {
        guard !licenseIDs.isEmpty else { return [] }
        return try await Payment.query(on: database).filter(\.$licenseID ~~ licenseIDs).sort(\.$occurredAt).all()
    }

    /// Deletes records older than `cutoff` (the legal period is over); returns how many.
    static func deleteOlder(than cutoff: Date, limit: Int, on database: any Database) async throws -> Int {
        let sql = database as! any SQLDatabase
        var total = 0
        while true {
            let rows = try await sql.raw("""
                DELETE FROM payments WHERE id IN (SELECT id FROM payments WHERE occurred_at < \(bind: cutoff) LIMIT \(literal: limit))
                RETURNING id
                """).all()
            total += rows.count
            if rows.count < limit { return total }
        }
    }
}

extension BillingLink {
    /// The link for a provider's subscription or order, created (pending) if new, and locked for
    /// this transaction on PostgreSQL so concurrent events for one subscription apply one at a time.
    static func lockOrCreate(provider: String, kind: String, ref: String, id: UUID, now: Date, on database: any Database) async throws -> BillingLink {
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO billing_links (id, provider, kind, provider_ref, status, terminal, created_at)
            VALUES (\(bind: id), \(bind: provider), \(bind: kind), \(bind: ref), 'pending', \(bind: false), \(bind: now))
            ON CONFLICT (provider, kind, provider_ref) DO NOTHING
            """).run()
        return try await lock(provider: provider, kind: kind, ref: ref, on: database)!
    }

    static func lock(provider: String, kind: String, ref: String, on database: any Database) async throws -> BillingLink? {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT id FROM billing_links WHERE provider = \(bind: provider) AND kind = \(bind: kind) AND provider_ref = \(bind: ref) FOR UPDATE").run()
        }
        return try await BillingLink.query(on: database)
            .filter(\.$provider == provider).filter(\.$kind == kind).filter(\.$providerRef == ref)
            .first()
    }

    /// The link that owns the license a payment with one of these ids paid for (refunds name the charge).
    static func forPayment(provider: String, ids: [String], on database: any Database) async throws -> BillingLink? {
        guard !ids.isEmpty else { return nil }
        if let order = try await BillingLink.query(on: database)
            .filter(\.$provider == provider).filter(\.$kind == "order").filter(\.$providerRef ~~ ids).first() {
            return try await lock(provider: provider, kind: order.kind, ref: order.providerRef, on: database)
        }
        let paid = try await Payment.query(on: database)
            .filter(\.$provider == provider).filter(\.$providerPaymentID ~~ ids).filter(\.$kind == "charge").all()
        guard let licenseID = paid.compactMap(\.licenseID).first,
              let link = try await BillingLink.query(on: database).filter(\.$licenseID == licenseID).first() else { return nil }
        return try await lock(provider: provider, kind: link.kind, ref: link.providerRef, on: database)
    }
}

extension OutboxMessage {
    /// Queues a mail unless one with this idempotency key exists (a replayed event sends nothing twice);
    /// true when queued. One statement, safe inside a PostgreSQL transaction.
    static func enqueue(id: UUID, kind: String, recipient: String, subject: String, text: String, html: String,
                        idempotencyKey: String, licenseID: UUID?, now: Date, on database: any Database) async throws -> Bool {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            INSERT INTO outbox (id, kind, recipient, subject, text_body, html_body, idempotency_key, license_id, status, attempts, next_attempt_at, created_at)
            VALUES (\(bind: id), \(bind: kind), \(bind: recipient), \(bind: subject), \(bind: text), \(bind: html), \(bind: idempotencyKey),
                    \(bind: licenseID), 'queued', 0, \(bind: now), \(bind: now))
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """).first()
        return row != nil
    }
}

/// Processed webhook events (migration 013).
enum WebhookEventLog {
    /// Records the event id; false when this provider's event id is already recorded (a retry or a
    /// concurrent duplicate, which then waits for the first and finds it).
    static func record(provider: String, eventID: String, type: String, payload: Data, id: UUID, now: Date, on database: any Database) async throws -> Bool {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            INSERT INTO webhook_events (id, provider, event_id, type, payload_sha256, payload, received_at)
            VALUES (\(bind: id), \(bind: provider), \(bind: eventID), \(bind: type), \(bind: sha256Hex(payload)),
                    \(bind: String(decoding: payload, as: UTF8.self)), \(bind: now))
            ON CONFLICT (provider, event_id) DO NOTHING
            RETURNING id
            """).first()
        return row != nil
    }

    static func isRecorded(provider: String, eventID: String, on database: any Database) async throws -> Bool {
        let sql = database as! any SQLDatabase
        return try await sql.raw("SELECT id FROM webhook_events WHERE provider = \(bind: provider) AND event_id = \(bind: eventID)").first() != nil
    }

    /// The id a recorded event with exactly this body was delivered under (Polar envelopes carry no id).
    static func eventID(provider: String, payload: Data, on database: any Database) async throws -> String? {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            SELECT event_id FROM webhook_events WHERE provider = \(bind: provider) AND payload_sha256 = \(bind: sha256Hex(payload)) LIMIT 1
            """).first()
        return try row?.decode(column: "event_id", as: String.self)
    }

    /// Retention: payloads (they hold the buyer's address) go after `payloadCutoff`, rows after `rowCutoff`.
    static func purge(payloadsBefore payloadCutoff: Date, rowsBefore rowCutoff: Date, on database: any Database) async throws -> Int {
        let sql = database as! any SQLDatabase
        try await sql.raw("UPDATE webhook_events SET payload = NULL WHERE payload IS NOT NULL AND received_at < \(bind: payloadCutoff)").run()
        return try await sql.raw("DELETE FROM webhook_events WHERE received_at < \(bind: rowCutoff) RETURNING id").all().count
    }

    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
