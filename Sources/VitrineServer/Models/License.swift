import Fluent
import Foundation
import VitrineKit

/// One license: its tier, status and generation counter, and the signed key that names it.
/// `status` is `active` or `revoked`; expiry is a date, not a status, so it never needs a job.
final class License: Model, @unchecked Sendable {
    static let schema = "licenses"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "email") var email: String
    @Field(key: "normalized_email") var normalizedEmail: String
    @Field(key: "tier") var tier: String
    @Field(key: "status") var status: String
    @Field(key: "issued_at") var issuedAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @Field(key: "generations_used") var generationsUsed: Int
    @OptionalField(key: "generation_limit") var generationLimit: Int?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Field(key: "key") var key: String

    init() {}

    init(id: UUID, email: EmailAddress, payload: LicensePayload, key: String) {
        self.id = id
        self.email = email.address
        self.normalizedEmail = email.normalized
        self.tier = payload.tier.rawValue
        self.status = Status.active.rawValue
        self.issuedAt = payload.issuedAt
        self.expiresAt = payload.expiresAt
        self.generationsUsed = 0
        self.generationLimit = payload.tier.generationLimit
        self.key = key
    }

    enum Status: String { case active, revoked }

    /// What the license's state is at `now`: active, revoked or expired.
    func effectiveStatus(at now: Date) -> String {
        Self.effectiveStatus(status: status, expiresAt: expiresAt, at: now)
    }

    static func effectiveStatus(status: String, expiresAt: Date?, at now: Date) -> String {
        if status == Status.revoked.rawValue { return "revoked" }
        if let expiresAt, expiresAt <= now { return "expired" }
        return "active"
    }

    var generationsLeft: Int? { generationLimit.map { max(0, $0 - generationsUsed) } }

    /// The fields `validate` answers with, read without building a model.
    struct State: Sendable {
        var tier: String
        var status: String
        var expiresAt: Date?
        var generationsUsed: Int
        var generationLimit: Int?

        func effectiveStatus(at now: Date) -> String { License.effectiveStatus(status: status, expiresAt: expiresAt, at: now) }
        var generationsLeft: Int? { generationLimit.map { max(0, $0 - generationsUsed) } }
    }
    var licenseTier: LicenseTier? { LicenseTier(rawValue: tier) }
}
