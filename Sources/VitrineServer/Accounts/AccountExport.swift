import Fluent
import Foundation
import SQLKit
import VitrineKit

/// `GET /api/v1/me/export`: every row the database holds that is linked to the account, as JSON.
/// Secrets are left out (password hash, session and token hashes); mail bodies are included with
/// the one-time tokens in their links replaced by `[redacted]`.
enum AccountExport {
    static func make(user: User, currentSessionID: UUID?, now: Date, on database: any Database) async throws -> JSON {
        let id = user.id!
        let sessions = try await Session.all(userID: id, on: database)
        let tokens = try await APIToken.all(userID: id, on: database)
        let emailTokens = try await EmailToken.all(userID: id, on: database)
        let licenses = try await License.linked(to: user, on: database)
        let payments = try await Payment.all(licenseIDs: licenses.compactMap(\.id), on: database)
        let mailIDs = try await OutboxMessage.ids(user: user, on: database)
        let mails = mailIDs.isEmpty ? [] : try await OutboxMessage.query(on: database).filter(\.$id ~~ mailIDs).sort(\.$createdAt).all()
        var limits: [(address: String, row: RateLimit.Row)] = []
        for address in try await User.addresses(of: user, on: database) {
            limits += try await RateLimit.rows(subject: RateLimit.emailSubject(address), on: database).map { (address, $0) }
        }

        func date(_ d: Date?) -> JSON { d.map { .string($0.iso8601) } ?? .null }
        func uuid(_ u: UUID?) -> JSON { u.map { .string($0.uuidString.lowercased()) } ?? .null }

        let userJSON: JSON = .object([
            ("id", uuid(id)),
            ("email", .string(user.email)),
            ("normalized_email", .string(user.normalizedEmail)),
            ("display_name", user.displayName.map { .string($0) } ?? .null),
            ("email_verified_at", date(user.emailVerifiedAt)),
            ("created_at", date(user.createdAt)),
            ("deactivated_at", date(user.deactivatedAt)),
            ("has_password", .bool(user.passwordHash != nil)),
        ])
        let sessionsJSON: [JSON] = sessions.map { s in
            .object([
                ("id", uuid(s.id)), ("created_at", date(s.createdAt)), ("expires_at", date(s.expiresAt)),
                ("revoked_at", date(s.revokedAt)), ("current", .bool(s.id == currentSessionID)),
            ])
        }
        let tokensJSON: [JSON] = tokens.map { t in
            .object([
                ("id", uuid(t.id)), ("name", .string(t.name)), ("prefix", .string(t.prefix)), ("created_at", date(t.createdAt)),
                ("last_used_at", date(t.lastUsedAt)), ("revoked_at", date(t.revokedAt)),
            ])
        }
        let emailTokensJSON: [JSON] = emailTokens.map { t in
            .object([
                ("id", uuid(t.id)), ("purpose", .string(t.purpose)), ("new_email", t.newEmail.map { .string($0) } ?? .null),
                ("created_at", date(t.createdAt)), ("expires_at", date(t.expiresAt)), ("used_at", date(t.usedAt)),
            ])
        }
        let licensesJSON: [JSON] = licenses.map { l in
            let limit: JSON = l.generationLimit.map { .int($0) } ?? .null
            return .object([
                ("id", uuid(l.id)), ("email", .string(l.email)), ("tier", .string(l.tier)), ("status", .string(l.effectiveStatus(at: now))),
                ("issued_at", date(l.issuedAt)), ("expires_at", date(l.expiresAt)), ("generations_used", .int(l.generationsUsed)),
                ("generation_limit", limit), ("revoked_at", date(l.revokedAt)), ("key", .string(l.key)),
            ])
        }
        let paymentsJSON: [JSON] = payments.map { p in
            let country: JSON = p.country.map { .string($0) } ?? .null
            let fields: [(String, JSON)] = [
                ("id", uuid(p.id)), ("provider", .string(p.provider)), ("provider_payment_id", .string(p.providerPaymentID)),
                ("kind", .string(p.kind)), ("amount", .int(Int(p.amount))), ("currency", .string(p.currency)),
                ("occurred_at", date(p.occurredAt)), ("country", country), ("license_id", uuid(p.licenseID)),
            ]
            return .object(fields)
        }
        let mailsJSON: [JSON] = mails.map { m in
            let lastError: JSON = m.lastError.map { .string($0) } ?? .null
            return .object([
                ("id", uuid(m.id)), ("kind", .string(m.kind)), ("recipient", .string(m.recipient)), ("subject", .string(m.subject)),
                ("status", .string(m.status)), ("attempts", .int(m.attempts)), ("created_at", date(m.createdAt)), ("sent_at", date(m.sentAt)),
                ("last_error", lastError), ("text_body", .string(redacted(m.textBody))),
            ])
        }
        let limitsJSON: [JSON] = limits.map { entry in
            .object([
                ("email", .string(entry.address)),
                ("action", .string(entry.row.action)),
                ("window_start", .string(Date(timeIntervalSince1970: TimeInterval(entry.row.windowStart)).iso8601)),
                ("hits", .int(entry.row.hits)),
            ])
        }
        return .object([
            ("exported_at", .string(now.iso8601)),
            ("user", userJSON),
            ("sessions", .array(sessionsJSON)),
            ("api_tokens", .array(tokensJSON)),
            ("email_tokens", .array(emailTokensJSON)),
            ("licenses", .array(licensesJSON)),
            ("payments", .array(paymentsJSON)),
            ("mails", .array(mailsJSON)),
            ("rate_limits", .array(limitsJSON)),
            ("not_linked", .string("request logs hold no account or address (only a truncated IP, method, path, status and time), so none can be attributed to this account")),
        ])
    }

    /// Mail text with the secret of every `token=` link replaced.
    static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #"token=[A-Za-z0-9_\-]+"#, with: "token=[redacted]", options: .regularExpression)
    }
}
