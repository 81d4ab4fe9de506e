import Fluent
import Foundation

/// A single-use token sent by mail, stored as SHA-256.
final class EmailToken: Model, @unchecked Sendable {
    static let schema = "email_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "purpose") var purpose: String
    @Field(key: "token_hash") var tokenHash: String
    /// For `change_email`: the address that becomes the account's once confirmed.
    @OptionalField(key: "new_email") var newEmail: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    enum Purpose: String, Sendable, CaseIterable {
        case verifyEmail = "verify_email"
        case resetPassword = "reset_password"
        case magicLink = "magic_link"
        case changeEmail = "change_email"

        /// Verification links live 24 hours; links that log in or set a password, one hour.
        var lifetime: TimeInterval {
            switch self {
            case .verifyEmail, .changeEmail: 24 * 3600
            case .resetPassword, .magicLink: 3600
            }
        }
    }
}
