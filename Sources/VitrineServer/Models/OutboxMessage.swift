import Fluent
import Foundation

/// One mail to send. The table is the source of truth: a row is `queued`, then `sending` while a
/// worker holds its lease, then `sent` or (after the last attempt) `failed`.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "text_body") var textBody: String
    @Field(key: "html_body") var htmlBody: String
    /// Sent to providers that de-duplicate (Resend's Idempotency-Key), e.g. `license-email/<license id>`.
    @Field(key: "idempotency_key") var idempotencyKey: String
    @OptionalField(key: "license_id") var licenseID: UUID?
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "lease_until") var leaseUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?

    init() {}

    enum Status: String { case queued, sending, sent, failed }
}
