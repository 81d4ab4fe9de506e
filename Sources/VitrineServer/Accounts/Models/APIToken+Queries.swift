import Fluent
import Foundation
import SQLKit

extension APIToken {
    /// The unrevoked token whose secret hashes to `tokenHash`.
    static func live(tokenHash: String, on database: any Database) async throws -> APIToken? {
        try await APIToken.query(on: database)
            .filter(\.$tokenHash == tokenHash)
            .filter(\.$revokedAt == nil)
            .first()
    }

    /// Notes a use, at most once a minute per token (a write per request would cost more than the request).
    static func touch(id: UUID, now: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            UPDATE api_tokens SET last_used_at = \(bind: now)
            WHERE id = \(bind: id) AND (last_used_at IS NULL OR last_used_at < \(bind: now.addingTimeInterval(-60)))
            """).run()
    }

    /// Revokes one of `userID`'s tokens; false when it is not theirs, unknown or already revoked.
    static func revoke(id: UUID, userID: UUID, now: Date, on database: any Database) async throws -> Bool {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            UPDATE api_tokens SET revoked_at = \(bind: now)
            WHERE id = \(bind: id) AND user_id = \(bind: userID) AND revoked_at IS NULL RETURNING id
            """).first()
        return row != nil
    }

    static func revokeAll(userID: UUID, now: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("UPDATE api_tokens SET revoked_at = \(bind: now) WHERE user_id = \(bind: userID) AND revoked_at IS NULL").run()
    }

    static func all(userID: UUID, on database: any Database) async throws -> [APIToken] {
        try await APIToken.query(on: database).filter(\.$userID == userID).sort(\.$createdAt).all()
    }
}
