import Fluent
import Foundation
import SQLKit
import VitrineKit

/// Removes the personal data of deactivated accounts. `DELETE /api/v1/me` deactivates at once;
/// the retention job calls `purge(before: now − 30 days, on:)` daily.
public enum AccountDeletion {
    /// How long a deactivated account waits before its data is removed.
    public static let gracePeriod: TimeInterval = 30 * 86_400

    /// Deletes, for every account deactivated before `before`: its sessions, API tokens and mailed
    /// tokens, the mails sent to it, the rate-limit counters of its address, its licenses (voided at
    /// deactivation), and the user row itself. One transaction per account. Returns how many were purged.
    @discardableResult
    public static func purge(before: Date, on database: any Database) async throws -> Int {
        let due = try await User.query(on: database)
            .filter(\.$deactivatedAt != nil)
            .filter(\.$deactivatedAt < before)
            .all()
        for user in due {
            let id = user.id!
            try await database.transaction { db in
                let sql = db as! any SQLDatabase
                let licenseIDs = try await License.linked(to: user, on: db).compactMap(\.id)
                let mailIDs = try await OutboxMessage.ids(user: user, on: db)
                let addresses = try await User.addresses(of: user, on: db)
                if !mailIDs.isEmpty { try await sql.raw("DELETE FROM outbox WHERE id IN (\(binds: mailIDs))").run() }
                if !licenseIDs.isEmpty { try await sql.raw("DELETE FROM licenses WHERE id IN (\(binds: licenseIDs))").run() }
                try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: id)").run()
                try await sql.raw("DELETE FROM api_tokens WHERE user_id = \(bind: id)").run()
                try await sql.raw("DELETE FROM email_tokens WHERE user_id = \(bind: id)").run()
                for address in addresses { try await RateLimit.delete(subject: RateLimit.emailSubject(address), on: db) }
                try await sql.raw("DELETE FROM users WHERE id = \(bind: id) AND deactivated_at IS NOT NULL").run()
            }
        }
        return due.count
    }
}

extension License {
    /// The licenses of an account: those linked to it, and, once its address is verified, those
    /// issued to that address (the person has shown they read its mail).
    static func linked(to user: User, on database: any Database) async throws -> [License] {
        let verified = user.emailVerifiedAt != nil
        return try await License.query(on: database)
            .group(.or) { group in
                group.filter(\.$userID == user.id!)
                if verified { group.filter(\.$normalizedEmail == user.normalizedEmail) }
            }
            .sort(\.$issuedAt)
            .all()
    }
}

extension OutboxMessage {
    /// The mails sent to an account: its account mails and the mails of its licenses.
    static func ids(user: User, on database: any Database) async throws -> [UUID] {
        let sql = database as! any SQLDatabase
        let licenseIDs = try await License.linked(to: user, on: database).compactMap(\.id)
        let byLicense: SQLQueryString = licenseIDs.isEmpty ? "" : " OR license_id IN (\(binds: licenseIDs))"
        return try await sql.raw("SELECT id FROM outbox WHERE user_id = \(bind: user.id!)\(byLicense)")
            .all().map { try $0.decode(column: "id", as: UUID.self) }
    }
}

extension User {
    /// Every normalized address the account has used or asked for (its own, and pending changes).
    static func addresses(of user: User, on database: any Database) async throws -> [String] {
        let pending = try await EmailToken.all(userID: user.id!, on: database).compactMap(\.newEmail).compactMap { try? EmailAddress($0).normalized }
        var seen: [String] = []
        for address in [user.normalizedEmail] + pending where !seen.contains(address) { seen.append(address) }
        return seen
    }
}
