import Foundation
import VitrineKit

/// Polar webhook envelopes `{type, timestamp, data}` (providers.md §6) mapped to `BillingUpdate`s.
/// Lifetime = `order.paid` for a purchase; subscriptions take their state and period end from
/// `subscription.*` and their money from `order.paid` (renewals); `order.refunded` ends Pro.
enum PolarEvents {
    static func parse(_ data: Data, settings: Settings) throws -> ParsedBillingEvent {
        let envelope = try JSONObject(data: data)
        guard let type = envelope.string("type"), let object = envelope["data"] else {
            throw BillingEventError(description: "not a Polar event: type and data are required")
        }
        let occurredAt = envelope.isoDate("timestamp") ?? object.isoDate("modified_at") ?? object.isoDate("created_at")
        guard let occurredAt else { throw BillingEventError(description: "the Polar event has no timestamp") }
        var event = ParsedBillingEvent(provider: .polar, id: nil, type: type, occurredAt: occurredAt, updates: [])
        let email = object["customer"]?.string("email")
        let country = (object["billing_address"]?.string("country") ?? object["customer"]?["billing_address"]?.string("country"))?.uppercased()
        let tier = settings.tier(forProviderProduct: object.string("product_id") ?? object["product"]?.string("id"), provider: .polar)
            ?? object["metadata"]?.string("tier").flatMap(LicenseTier.init(rawValue:))
        switch type {
        case "order.paid":
            guard let orderID = object.string("id"), object.string("status") != "pending" else { break }
            let payment = BillingUpdate.Payment(
                providerPaymentID: orderID, kind: .charge, amount: object.int("total_amount") ?? object.int("amount") ?? 0,
                currency: (object.string("currency") ?? "").uppercased(), occurredAt: object.isoDate("created_at") ?? occurredAt, country: country
            )
            if let sub = object.string("subscription_id") {
                let periodEnd = object["subscription"]?.isoDate("current_period_end")
                event.updates.append(BillingUpdate(target: .subscription(sub), tier: tier, event: .active(periodEnd: periodEnd), email: email, payment: payment))
            } else {
                event.updates.append(BillingUpdate(target: .order(orderID), tier: tier ?? .lifetime, event: .orderPaid, email: email, payment: payment))
            }
        case "order.refunded":
            guard let orderID = object.string("id") else { break }
            let refunded = object.int("refunded_amount") ?? object.int("total_amount") ?? 0
            let payment = BillingUpdate.Payment(
                providerPaymentID: "\(orderID)/refund/\(refunded)", kind: .refund, amount: refunded,
                currency: (object.string("currency") ?? "").uppercased(), occurredAt: occurredAt, country: country
            )
            let target: BillingUpdate.Target = object.string("subscription_id").map { .subscription($0) } ?? .order(orderID)
            // A partial refund is recorded; only a full refund ends Pro.
            event.updates.append(BillingUpdate(target: target, tier: tier, event: object.string("status") == "refunded" ? .refunded : nil, payment: payment))
        case "subscription.created", "subscription.active", "subscription.updated", "subscription.canceled",
             "subscription.uncanceled", "subscription.revoked", "subscription.past_due":
            guard let sub = object.string("id") else { break }
            let periodEnd = object.isoDate("current_period_end")
            let lifecycle: BillingLifecycle.Event?
            switch (type, object.string("status")) {
            case ("subscription.revoked", _), (_, "canceled"), (_, "incomplete_expired"): lifecycle = .revoked
            case ("subscription.past_due", _), (_, "past_due"), (_, "unpaid"): lifecycle = .pastDue(periodEnd: periodEnd)
            case (_, "active"), (_, "trialing"):
                lifecycle = object.bool("cancel_at_period_end") == true ? .cancelAtPeriodEnd(periodEnd: periodEnd) : .active(periodEnd: periodEnd)
            default: lifecycle = nil  // incomplete: nothing paid yet
            }
            if let lifecycle { event.updates.append(BillingUpdate(target: .subscription(sub), tier: tier, event: lifecycle, email: email)) }
        default:
            break
        }
        return event
    }
}
