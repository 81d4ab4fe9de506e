import Fluent
import Foundation
import SQLKit

extension EmailToken {
    /// Uses the token once: marks it used if it has this purpose, is unused and unexpired, in one
    /// statement (two concurrent clicks cannot both succeed). Returns the row, nil otherwise.
    static func consume(tokenHash: String, purpose: Purpose, now: Date, on database: any Database) async throws -> (userID: UUID, newEmail: String?)? {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            UPDATE email_tokens SET used_at = \(bind: now)
            WHERE token_hash = \(bind: tokenHash) AND purpose = \(bind: purpose.rawValue)
              AND used_at IS NULL AND expires_at > \(bind: now)
            RETURNING user_id, new_email
            """).first()
        guard let row else { return nil }
        return (try row.decode(column: "user_id", as: UUID.self), try row.decode(column: "new_email", as: String?.self))
    }

    /// Ends every unused token of a user (e.g. after a password reset, or deactivation).
    static func expireAll(userID: UUID, purposes: [Purpose] = Purpose.allCases, now: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            UPDATE email_tokens SET used_at = \(bind: now)
            WHERE user_id = \(bind: userID) AND used_at IS NULL AND purpose IN (\(binds: purposes.map(\.rawValue)))
            """).run()
    }

    static func all(userID: UUID, on database: any Database) async throws -> [EmailToken] {
        try await EmailToken.query(on: database).filter(\.$userID == userID).sort(\.$createdAt).all()
    }
}
