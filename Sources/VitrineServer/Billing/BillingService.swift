import Fluent
import Foundation
import SQLKit
import Vapor
import VitrineKit

/// Applies verified provider events: records the event id, moves each subscription's or order's
/// `BillingLifecycle` state, issues, extends or ends its one Pro license, records payments and
/// queues mail — all in one transaction, so a retry, a replay or a concurrent duplicate of an
/// event changes nothing.
struct BillingService {
    let database: any Database
    let context: ServerContext

    init(database: any Database, context: ServerContext) {
        self.database = database
        self.context = context
    }

    init(request: Request) { self.init(database: request.db, context: request.vitrine) }
    init(app: Application) { self.init(database: app.db, context: app.vitrine) }

    struct Outcome: Sendable, Equatable {
        /// The event id was already recorded: nothing was done.
        var duplicate: Bool
        /// What changed, one line each (for logs and `vitrine billing replay`).
        var changes: [String]
    }

    /// Processes one event whose signature was checked (or that an operator replays from a file).
    func process(_ event: ParsedBillingEvent, eventID: String, payload: Data) async throws -> Outcome {
        let now = context.now()
        return try await database.transaction { tx in
            // First statement: takes SQLite's write lock at once, and on PostgreSQL waits for a
            // concurrent duplicate's transaction and then finds its row.
            guard try await WebhookEventLog.record(
                provider: event.provider.rawValue, eventID: eventID, type: event.type, payload: payload, id: context.makeID(), now: now, on: tx
            ) else { return Outcome(duplicate: true, changes: []) }
            var changes: [String] = []
            for update in event.updates {
                changes += try await apply(update, of: event, now: now, on: tx)
            }
            return Outcome(duplicate: false, changes: changes)
        }
    }

    private func apply(_ update: BillingUpdate, of event: ParsedBillingEvent, now: Date, on db: any Database) async throws -> [String] {
        let provider = event.provider.rawValue
        var changes: [String] = []
        let link: BillingLink?
        switch update.target {
        case .subscription(let ref):
            link = try await BillingLink.lockOrCreate(provider: provider, kind: "subscription", ref: ref, id: context.makeID(), now: now, on: db)
        case .order(let ref):
            link = try await BillingLink.lockOrCreate(provider: provider, kind: "order", ref: ref, id: context.makeID(), now: now, on: db)
        case .payment(let ids):
            link = try await BillingLink.forPayment(provider: provider, ids: ids, on: db)
        }
        guard let link else {
            // A refund of a payment we never saw: keep the record, nothing else to do.
            if let payment = update.payment, try await Payment.record(payment, provider: provider, licenseID: nil, id: context.makeID(), on: db) {
                changes.append("recorded \(payment.kind.rawValue) \(payment.providerPaymentID) (\(BillingMail.formatted(amount: payment.amount, currency: payment.currency))) for nothing known")
            }
            return changes
        }
        let name = "\(provider) \(link.kind) \(link.providerRef)"
        if link.tier == nil, let tier = update.tier, tier != .trial {
            link.tier = tier.rawValue
        }
        let tier = link.tier.flatMap(LicenseTier.init(rawValue:))

        // 1. The state, unless this event is older than the last applied one (or the link is terminal).
        var notice: BillingLifecycle.Notice?
        var stateApplied = false
        if let lifecycle = update.event {
            let old = link.state
            let transition = BillingLifecycle.apply(lifecycle, at: event.occurredAt, to: old)
            if transition.applied {
                stateApplied = true
                link.state = transition.state
                notice = transition.notice
                if transition.state != old {
                    let until = transition.state.periodEnd.map { " until \($0.iso8601)" } ?? ""
                    changes.append("\(name): \(old.status.rawValue) → \(transition.state.status.rawValue)\(until)")
                }
            } else {
                changes.append("\(name): \(event.type) at \(event.occurredAt.iso8601) is older than the state applied (\(old.lastEventAt?.iso8601 ?? "terminal")), not applied")
            }
        }

        // 2. The license follows the state.
        var license: License?
        if let id = link.licenseID { license = try await License.find(id, on: db) }
        let state = link.state
        if state.entitled, let tier {
            // Whole seconds, as the signed key holds it.
            let expiry = tier == .lifetime ? nil : (state.periodEnd ?? tier.expiry(issued: now)).map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
            if license == nil, let raw = update.email, let email = try? EmailAddress(raw) {
                let issued = try await issue(email: email, tier: tier, expiresAt: expiry, now: now, on: db)
                license = issued
                link.licenseID = issued.id
                changes.append("\(name): issued \(tier.rawValue) license \(issued.id!.uuidString.lowercased()) (key mailed)")
            } else if let current = license, stateApplied, current.status == License.Status.active.rawValue, current.expiresAt != expiry {
                current.expiresAt = expiry
                try await current.save(on: db)
                changes.append("\(name): license \(current.id!.uuidString.lowercased()) now expires \(expiry?.iso8601 ?? "never")")
            }
        } else if state.entitled, license == nil {
            changes.append("\(name): paid, but its product/price id maps to no tier (VITRINE_POLAR_PRODUCT_* / VITRINE_STRIPE_PRICE_*): no license issued")
        } else if state.status == .ended, let current = license, try await License.revoke(id: current.id!, now: now, on: db) {
            changes.append("\(name): license \(current.id!.uuidString.lowercased()) revoked")
        }
        try await link.save(on: db)

        // 3. The money.
        if let payment = update.payment,
           try await Payment.record(payment, provider: provider, licenseID: license?.id, id: context.makeID(), on: db) {
            changes.append("\(name): recorded \(payment.kind.rawValue) \(payment.providerPaymentID) (\(BillingMail.formatted(amount: payment.amount, currency: payment.currency)))")
            if payment.kind == .charge, let license {
                let mail = BillingMail.receipt(
                    amount: payment.amount, currency: payment.currency, date: payment.occurredAt, tier: tier,
                    provider: provider, paymentID: payment.providerPaymentID, publicURL: context.settings.publicURL
                )
                if try await queue(mail, kind: "billing_receipt", to: license, key: "billing-receipt/\(provider)/\(payment.providerPaymentID)", now: now, on: db) {
                    changes.append("\(name): receipt mailed")
                }
            }
        }

        // 4. Notices.
        if let notice, let license {
            let mail = BillingMail.notice(notice, tier: tier, until: state.periodEnd, publicURL: context.settings.publicURL)
            let period = state.periodEnd.map { String(Int64($0.timeIntervalSince1970)) } ?? "none"
            if try await queue(mail, kind: "billing_\(notice.rawValue)", to: license, key: "billing-notice/\(link.id!.uuidString.lowercased())/\(notice.rawValue)/\(period)", now: now, on: db) {
                changes.append("\(name): \(notice.rawValue) notice mailed")
            }
        }
        return changes
    }

    /// `LicenseService.issue` for a paid tier inside the caller's transaction: the expiry is the paid
    /// period's end (the signed key carries it; `validate` answers the server's current expiry as
    /// renewals move it), the account of the same normalized address (if any) owns it, and the Pro
    /// welcome mail with the key is queued under the same idempotency key as every license mail.
    private func issue(email: EmailAddress, tier: LicenseTier, expiresAt: Date?, now: Date, on db: any Database) async throws -> License {
        let id = context.makeID()
        let payload = LicensePayload(keyID: context.signer.verifier.keyID, licenseID: id, tier: tier, issuedAt: now, expiresAt: expiresAt)
        let key = try LicenseKey.make(payload, signer: context.signer)
        let license = License(id: id, email: email, payload: payload, key: key)
        license.userID = try await User.query(on: db)
            .filter(\.$normalizedEmail == email.normalized).filter(\.$deactivatedAt == nil).first()?.id
        try await license.create(on: db)
        let mail = LicenseMail.make(key: key, tier: tier, expiresAt: expiresAt, publicURL: context.settings.publicURL)
        _ = try await queue(mail, kind: "license_key", to: license, key: "license-email/\(id.uuidString.lowercased())", now: now, on: db)
        return license
    }

    private func queue(_ mail: LicenseMail.Content, kind: String, to license: License, key: String, now: Date, on db: any Database) async throws -> Bool {
        try await OutboxMessage.enqueue(
            id: context.makeID(), kind: kind, recipient: license.email, subject: mail.subject, text: mail.text, html: mail.html,
            idempotencyKey: key, licenseID: license.id, now: now, on: db
        )
    }
}
