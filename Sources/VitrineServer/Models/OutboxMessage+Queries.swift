import Fluent
import Foundation
import SQLKit

extension OutboxMessage {
    /// A claimed row: everything needed to send it.
    struct Claim: Sendable {
        var id: UUID
        var recipient: String
        var subject: String
        var textBody: String
        var htmlBody: String
        var idempotencyKey: String
        var attempts: Int
        var createdAt: Date
    }

    /// Takes the next due mail (queued and due, or `sending` with an expired lease — its worker
    /// died) and marks it `sending` until `leaseUntil`, in one statement, so two workers never
    /// take the same row. PostgreSQL skips rows another transaction holds; SQLite serializes writers.
    static func claimNext(now: Date, leaseUntil: Date, on database: any Database) async throws -> Claim? {
        let sql = database as! any SQLDatabase
        let lock: SQLQueryString = sql.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let due: SQLQueryString = """
            ((status = 'queued' AND next_attempt_at <= \(bind: now)) OR (status = 'sending' AND lease_until <= \(bind: now)))
            """
        let row = try await sql.raw("""
            UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = \(bind: leaseUntil)
            WHERE id = (SELECT id FROM outbox WHERE \(due) ORDER BY next_attempt_at LIMIT 1 \(lock))
              AND \(due)
            RETURNING id, recipient, subject, text_body, html_body, idempotency_key, attempts, created_at
            """).first()
        guard let row else { return nil }
        return Claim(
            id: try row.decode(column: "id", as: UUID.self),
            recipient: try row.decode(column: "recipient", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            textBody: try row.decode(column: "text_body", as: String.self),
            htmlBody: try row.decode(column: "html_body", as: String.self),
            idempotencyKey: try row.decode(column: "idempotency_key", as: String.self),
            attempts: try row.decode(column: "attempts", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: Date.self)
        )
    }

    /// Marks a claimed mail sent (only while this worker still holds it in `sending`: `attempt` is
    /// the claim's attempt number, so a worker that outlived its lease cannot touch a later claim).
    static func markSent(id: UUID, attempt: Int, now: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            UPDATE outbox SET status = 'sent', sent_at = \(bind: now), lease_until = NULL, last_error = NULL
            WHERE id = \(bind: id) AND status = 'sending' AND attempts = \(bind: attempt)
            """).run()
    }

    /// Puts a claimed mail back in the queue for `retryAt`, or marks it failed when `retryAt` is nil
    /// (again only for the claim with this `attempt` number).
    static func markFailed(id: UUID, attempt: Int, error: String, retryAt: Date?, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let message = String(error.prefix(500))
        if let retryAt {
            try await sql.raw("""
                UPDATE outbox SET status = 'queued', next_attempt_at = \(bind: retryAt), lease_until = NULL, last_error = \(bind: message)
                WHERE id = \(bind: id) AND status = 'sending' AND attempts = \(bind: attempt)
                """).run()
        } else {
            try await sql.raw("""
                UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = \(bind: message)
                WHERE id = \(bind: id) AND status = 'sending' AND attempts = \(bind: attempt)
                """).run()
        }
    }
}
