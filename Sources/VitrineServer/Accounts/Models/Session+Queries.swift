import Fluent
import Foundation
import SQLKit

extension Session {
    /// The live session whose cookie secret hashes to `tokenHash`.
    static func live(tokenHash: String, now: Date, on database: any Database) async throws -> Session? {
        try await Session.query(on: database)
            .filter(\.$tokenHash == tokenHash)
            .filter(\.$revokedAt == nil)
            .filter(\.$expiresAt > now)
            .first()
    }

    static func revoke(id: UUID, now: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("UPDATE sessions SET revoked_at = \(bind: now) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
    }

    static func revokeAll(userID: UUID, now: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("UPDATE sessions SET revoked_at = \(bind: now) WHERE user_id = \(bind: userID) AND revoked_at IS NULL").run()
    }

    static func all(userID: UUID, on database: any Database) async throws -> [Session] {
        try await Session.query(on: database).filter(\.$userID == userID).sort(\.$createdAt).all()
    }
}
