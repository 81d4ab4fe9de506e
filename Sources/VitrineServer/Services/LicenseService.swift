import Fluent
import Foundation
import SQLKit
import Vapor
import VitrineKit

/// Issuing, checking and counting licenses. Every write that must not be half-done runs in a transaction.
struct LicenseService {
    let database: any Database
    let context: ServerContext

    init(database: any Database, context: ServerContext) {
        self.database = database
        self.context = context
    }

    init(request: Request) {
        self.init(database: request.db, context: request.vitrine)
    }

    init(app: Application) {
        self.init(database: app.db, context: app.vitrine)
    }

    /// Starts a trial for `email` unless its normalized form already has one. A repeat request
    /// sends nothing (the first mail holds the key): the caller answers the same either way.
    /// Returns whether a trial was created.
    @discardableResult
    func startTrial(email: EmailAddress) async throws -> Bool {
        if try await License.trial(normalizedEmail: email.normalized, on: database) != nil { return false }
        do {
            _ = try await issue(email: email, tier: .trial, sendMail: true)
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false  // a concurrent request for the same person won the race
        }
    }

    /// Creates a license, signs its key and (when `sendMail`) queues the mail carrying it, all in one transaction.
    func issue(email: EmailAddress, tier: LicenseTier, sendMail: Bool) async throws -> License {
        let id = context.makeID()
        let now = context.now()
        let payload = LicensePayload(
            keyID: context.signer.verifier.keyID, licenseID: id, tier: tier,
            issuedAt: now, expiresAt: tier.expiry(issued: now)
        )
        let key = try LicenseKey.make(payload, signer: context.signer)
        let license = License(id: id, email: email, payload: payload, key: key)
        let mail = sendMail ? LicenseMail.make(key: key, tier: tier, expiresAt: payload.expiresAt, publicURL: context.settings.publicURL) : nil
        let outbox = mail.map { content in
            let row = OutboxMessage()
            row.id = context.makeID()
            row.kind = "license_key"
            row.recipient = email.address
            row.subject = content.subject
            row.textBody = content.text
            row.htmlBody = content.html
            row.idempotencyKey = "license-email/\(id.uuidString.lowercased())"
            row.licenseID = id
            row.status = OutboxMessage.Status.queued.rawValue
            row.attempts = 0
            row.nextAttemptAt = now
            row.createdAt = now
            return row
        }
        try await database.transaction { db in
            try await license.create(on: db)
            if let outbox { try await outbox.create(on: db) }
        }
        return license
    }

    /// The license a key names, after checking its signature; errors say what is wrong with the key.
    func license(forKey key: String) async throws -> License {
        let payload = try verifiedPayload(key)
        guard let license = try await License.find(payload.licenseID, on: database) else {
            throw Self.unknownLicense
        }
        return license
    }

    /// What `validate` reports for a key: one indexed read of the fields it shows, no model.
    func state(forKey key: String) async throws -> License.State {
        let payload = try verifiedPayload(key)
        guard let state = try await License.state(id: payload.licenseID, on: database) else { throw Self.unknownLicense }
        return state
    }

    static let unknownLicense = APIError(.notFound, "unknown_license", "the key is genuine but this server has no record of its license")

    private func verifiedPayload(_ key: String) throws -> LicensePayload {
        do {
            return try context.verifiedKeys.payload(for: key, verifier: context.signer.verifier)
        } catch {
            throw APIError(.unprocessableEntity, "invalid_key", error.description)
        }
    }

    /// Counts one generation if the license allows it.
    func countGeneration(key: String) async throws -> GenerationOutcome {
        let license = try await license(forKey: key)
        let now = context.now()
        let tier = license.licenseTier ?? .trial
        if let used = try await License.countGeneration(id: license.id!, now: now, on: database) {
            return GenerationOutcome(allowed: true, mark: tier.marksOutput, generationsLeft: license.generationLimit.map { max(0, $0 - used) }, reason: nil)
        }
        // Refused: read the row again to say why.
        guard let current = try await License.find(license.id, on: database) else {
            throw APIError(.notFound, "unknown_license", "the license was deleted")
        }
        let status = current.effectiveStatus(at: now)
        let reason = status == "active" ? "exhausted" : status
        return GenerationOutcome(allowed: false, mark: tier.marksOutput, generationsLeft: current.generationsLeft, reason: reason)
    }

    func revoke(key: String) async throws -> Bool {
        let license = try await license(forKey: key)
        return try await License.revoke(id: license.id!, now: context.now(), on: database)
    }
}

struct GenerationOutcome: Equatable {
    var allowed: Bool
    var mark: Bool
    var generationsLeft: Int?
    /// revoked, expired or exhausted when refused.
    var reason: String?
}
