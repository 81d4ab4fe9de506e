import Foundation
import VitrineKit

/// Stripe event envelopes (providers.md §5) mapped to `BillingUpdate`s. Pin the endpoint's
/// `api_version`; both shapes that moved between versions are decoded (the subscription id of an
/// invoice, the period end of a subscription).
enum StripeEvents {
    static func parse(_ data: Data, settings: Settings) throws -> ParsedBillingEvent {
        let envelope = try JSONObject(data: data)
        guard let id = envelope.string("id"), let type = envelope.string("type"), let created = envelope.unixDate("created") else {
            throw BillingEventError(description: "not a Stripe event: id, type and created are required")
        }
        guard let object = envelope["data"]?["object"] else {
            throw BillingEventError(description: "the Stripe event has no data.object")
        }
        var event = ParsedBillingEvent(provider: .stripe, id: id, type: type, occurredAt: created, updates: [])
        switch type {
        case "checkout.session.completed", "checkout.session.async_payment_succeeded":
            guard object.string("payment_status") == "paid" || object.string("payment_status") == "no_payment_required" else { break }
            let email = object["customer_details"]?.string("email") ?? object.string("customer_email")
            let tier = object["metadata"]?.string("tier").flatMap(LicenseTier.init(rawValue:))
            if object.string("mode") == "subscription", let sub = object.id("subscription") {
                // The first invoice (invoice.paid) records the money; this event only says who paid.
                event.updates.append(BillingUpdate(target: .subscription(sub), tier: tier, event: .active(periodEnd: nil), email: email))
            } else if object.string("mode") == "payment" {
                let paymentID = object.id("payment_intent") ?? object.string("id") ?? id
                let payment = BillingUpdate.Payment(
                    providerPaymentID: paymentID, kind: .charge, amount: object.int("amount_total") ?? 0,
                    currency: (object.string("currency") ?? "").uppercased(), occurredAt: created,
                    country: object["customer_details"]?["address"]?.string("country")?.uppercased()
                )
                event.updates.append(BillingUpdate(target: .order(paymentID), tier: tier ?? .lifetime, event: .orderPaid, email: email, payment: payment))
            }
        case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
             "customer.subscription.paused", "customer.subscription.resumed":
            guard let sub = object.string("id") else { break }
            let item = object["items"]?.array("data").first
            let tier = settings.tier(forProviderProduct: item?["price"]?.string("id"), provider: .stripe)
            let periodEnd = object.unixDate("current_period_end") ?? item?.unixDate("current_period_end")
            let lifecycle: BillingLifecycle.Event?
            if type == "customer.subscription.deleted" {
                lifecycle = .revoked
            } else {
                switch object.string("status") {
                case "active", "trialing":
                    lifecycle = object.bool("cancel_at_period_end") == true || object.unixDate("cancel_at") != nil
                        ? .cancelAtPeriodEnd(periodEnd: periodEnd) : .active(periodEnd: periodEnd)
                case "past_due", "unpaid", "paused": lifecycle = .pastDue(periodEnd: periodEnd)
                case "canceled", "incomplete_expired": lifecycle = .revoked
                default: lifecycle = nil  // incomplete: nothing paid yet
                }
            }
            if let lifecycle { event.updates.append(BillingUpdate(target: .subscription(sub), tier: tier, event: lifecycle)) }
        case "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed":
            guard let sub = object.id("subscription") ?? object["parent"]?["subscription_details"]?.id("subscription") else { break }
            let line = object["lines"]?.array("data").first
            let priceID = line?["price"]?.string("id") ?? line?["pricing"]?["price_details"]?.string("price")
            let periodEnd = line?["period"]?.unixDate("end")
            let email = object.string("customer_email")
            if type == "invoice.payment_failed" {
                event.updates.append(BillingUpdate(target: .subscription(sub), tier: settings.tier(forProviderProduct: priceID, provider: .stripe), event: .pastDue(periodEnd: nil), email: email))
            } else {
                let payment = BillingUpdate.Payment(
                    providerPaymentID: object.id("payment_intent") ?? object.string("id") ?? id, kind: .charge,
                    amount: object.int("amount_paid") ?? 0, currency: (object.string("currency") ?? "").uppercased(),
                    occurredAt: object["status_transitions"]?.unixDate("paid_at") ?? created,
                    country: object["customer_address"]?.string("country")?.uppercased()
                )
                event.updates.append(BillingUpdate(
                    target: .subscription(sub), tier: settings.tier(forProviderProduct: priceID, provider: .stripe),
                    event: .active(periodEnd: periodEnd), email: email, payment: payment.amount > 0 ? payment : nil
                ))
            }
        case "charge.refunded":
            guard let chargeID = object.string("id") else { break }
            let refunded = object.int("amount_refunded") ?? 0
            let refundID = object["refunds"]?.array("data").first?.string("id") ?? "\(chargeID)/refund/\(refunded)"
            let payment = BillingUpdate.Payment(
                providerPaymentID: refundID, kind: .refund, amount: refunded,
                currency: (object.string("currency") ?? "").uppercased(), occurredAt: created,
                country: object["billing_details"]?["address"]?.string("country")?.uppercased()
            )
            let candidates = [object.id("payment_intent"), object.id("invoice"), chargeID].compactMap { $0 }
            // A partial refund is recorded; only a full refund ends Pro.
            event.updates.append(BillingUpdate(target: .payment(candidates), event: object.bool("refunded") == true ? .refunded : nil, payment: payment))
        default:
            break
        }
        return event
    }
}
