import Fluent
import Foundation
import SQLKit

extension License {
    /// Counts one generation in a single statement, or nothing when the license is revoked,
    /// expired or out of generations; returns the new count, nil when refused. Two servers on
    /// one database can never count past the limit, since the check and the increment are one row update.
    static func countGeneration(id: UUID, now: Date, on database: any Database) async throws -> Int? {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            UPDATE licenses SET generations_used = generations_used + 1
            WHERE id = \(bind: id) AND status = 'active'
              AND (generation_limit IS NULL OR generations_used < generation_limit)
              AND (expires_at IS NULL OR expires_at > \(bind: now))
            RETURNING generations_used
            """).first()
        return try row?.decode(column: "generations_used", as: Int.self)
    }

    /// The license's validation fields in one raw read (validate is the hottest endpoint; a
    /// Fluent model fetch spent most of its time in reflection).
    static func state(id: UUID, on database: any Database) async throws -> State? {
        let sql = database as! any SQLDatabase
        guard let row = try await sql.raw("""
            SELECT tier, status, expires_at, generations_used, generation_limit FROM licenses WHERE id = \(bind: id)
            """).first() else { return nil }
        return State(
            tier: try row.decode(column: "tier", as: String.self),
            status: try row.decode(column: "status", as: String.self),
            expiresAt: try row.decode(column: "expires_at", as: Date?.self),
            generationsUsed: try row.decode(column: "generations_used", as: Int.self),
            generationLimit: try row.decode(column: "generation_limit", as: Int?.self)
        )
    }

    static func find(key id: UUID, on database: any Database) async throws -> License? {
        try await License.find(id, on: database)
    }

    /// The trial this person already has, if any (one per normalized email).
    static func trial(normalizedEmail: String, on database: any Database) async throws -> License? {
        try await License.query(on: database)
            .filter(\.$normalizedEmail == normalizedEmail)
            .filter(\.$tier == "trial")
            .first()
    }

    /// Every license of a normalized email, newest first.
    static func all(normalizedEmail: String, on database: any Database) async throws -> [License] {
        try await License.query(on: database)
            .filter(\.$normalizedEmail == normalizedEmail)
            .sort(\.$issuedAt, .descending)
            .all()
    }

    /// Marks the license revoked; false if it was not active.
    static func revoke(id: UUID, now: Date, on database: any Database) async throws -> Bool {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            UPDATE licenses SET status = 'revoked', revoked_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'active'
            RETURNING id
            """).first()
        return row != nil
    }
}
