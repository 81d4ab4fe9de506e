import Fluent
import Foundation

/// A person's account. Licenses may exist before an account (trials need only an email).
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "normalized_email") var normalizedEmail: String
    @OptionalField(key: "display_name") var displayName: String?
    @OptionalField(key: "password_hash") var passwordHash: String?
    @OptionalField(key: "email_verified_at") var emailVerifiedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "deactivated_at") var deactivatedAt: Date?

    init() {}
}
