import Fluent
import Foundation
import SQLKit

extension User {
    static func find(normalizedEmail: String, on database: any Database) async throws -> User? {
        try await User.query(on: database).filter(\.$normalizedEmail == normalizedEmail).first()
    }

    /// An account that may log in: exists and is not deactivated.
    static func active(id: UUID, on database: any Database) async throws -> User? {
        try await User.query(on: database).filter(\.$id == id).filter(\.$deactivatedAt == nil).first()
    }

    /// Marks the address verified (first time only) and links the licenses issued to it before the
    /// account existed, now that the person has shown they read its mail.
    static func markVerified(id: UUID, normalizedEmail: String, now: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("UPDATE users SET email_verified_at = \(bind: now) WHERE id = \(bind: id) AND email_verified_at IS NULL").run()
        try await sql.raw("""
            UPDATE licenses SET user_id = \(bind: id) WHERE normalized_email = \(bind: normalizedEmail) AND user_id IS NULL
            """).run()
    }

    /// Deactivates the account: sessions and tokens revoked, licenses voided, in the caller's transaction.
    /// False when it was already deactivated.
    static func deactivate(_ user: User, now: Date, on database: any Database) async throws -> Bool {
        let id = user.id!
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            UPDATE users SET deactivated_at = \(bind: now) WHERE id = \(bind: id) AND deactivated_at IS NULL RETURNING id
            """).first()
        guard row != nil else { return false }
        try await Session.revokeAll(userID: id, now: now, on: database)
        try await APIToken.revokeAll(userID: id, now: now, on: database)
        try await EmailToken.expireAll(userID: id, now: now, on: database)
        let licenseIDs = try await License.linked(to: user, on: database).compactMap(\.id)
        if !licenseIDs.isEmpty {
            try await sql.raw("""
                UPDATE licenses SET status = 'revoked', revoked_at = \(bind: now) WHERE id IN (\(binds: licenseIDs)) AND status = 'active'
                """).run()
        }
        return true
    }
}
