import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// Secrets, product ids and event fixtures shaped like the providers' (providers.md §5, §6).
enum BillingFixtures {
    static let polarSecret = "polar_whs_test_0123456789"
    static let stripeSecret = "whsec_test_stripe_0123456789"
    static let day: TimeInterval = 86_400

    /// Payments configured for both providers' webhooks; checkout goes to `provider`.
    static func configure(_ s: inout Settings, provider: Settings.BillingProvider? = nil) {
        s.billingProvider = provider
        s.polarWebhookSecret = polarSecret
        s.stripeWebhookSecret = stripeSecret
        s.polarAccessToken = "polar_oat_test"
        s.stripeSecretKey = "sk_test_123"
        s.polarProducts = [.monthly: "prod_monthly", .annual: "prod_annual", .lifetime: "prod_lifetime"]
        s.stripePrices = [.monthly: "price_monthly", .annual: "price_annual", .lifetime: "price_lifetime"]
    }

    static func json(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    static func unix(_ d: Date) -> Int { Int(d.timeIntervalSince1970) }
    static func iso(_ d: Date) -> String { d.iso8601 }

    // Stripe.
    static func stripe(_ id: String, _ type: String, created: Date, _ object: [String: Any]) -> Data {
        json(["id": id, "object": "event", "type": type, "created": unix(created), "livemode": false, "api_version": "2024-06-20", "data": ["object": object]])
    }

    static func stripeSessionSubscription(sub: String, email: String, tier: String = "monthly") -> [String: Any] {
        ["id": "cs_\(sub)", "object": "checkout.session", "mode": "subscription", "payment_status": "paid", "subscription": sub,
         "customer": "cus_1", "client_reference_id": "ref", "metadata": ["tier": tier], "customer_details": ["email": email, "address": ["country": "de"]]]
    }

    static func stripeSessionPayment(pi: String, email: String, amount: Int = 9900) -> [String: Any] {
        ["id": "cs_\(pi)", "object": "checkout.session", "mode": "payment", "payment_status": "paid", "payment_intent": pi, "amount_total": amount,
         "currency": "eur", "metadata": ["tier": "lifetime"], "customer_details": ["email": email, "address": ["country": "FR"]]]
    }

    static func stripeSubscription(_ sub: String, status: String, periodEnd: Date, cancelAtPeriodEnd: Bool = false, price: String = "price_monthly") -> [String: Any] {
        ["id": sub, "object": "subscription", "customer": "cus_1", "status": status, "cancel_at_period_end": cancelAtPeriodEnd,
         "items": ["data": [["price": ["id": price], "current_period_end": unix(periodEnd)]]]]
    }

    /// An invoice of the newer API shape (subscription under parent, price under pricing) or the older one.
    static func stripeInvoice(_ id: String, sub: String, email: String, periodEnd: Date, amount: Int = 500, newer: Bool = false) -> [String: Any] {
        var invoice: [String: Any] = ["id": id, "object": "invoice", "customer_email": email, "amount_paid": amount, "currency": "eur",
                                      "customer_address": ["country": "NL"]]
        let period: [String: Any] = ["start": unix(periodEnd) - 30 * 86_400, "end": unix(periodEnd)]
        if newer {
            invoice["parent"] = ["subscription_details": ["subscription": sub]]
            invoice["lines"] = ["data": [["period": period, "pricing": ["price_details": ["price": "price_monthly"]]]]]
        } else {
            invoice["subscription"] = sub
            invoice["payment_intent"] = "pi_\(id)"
            invoice["lines"] = ["data": [["period": period, "price": ["id": "price_monthly"]]]]
        }
        return invoice
    }

    // Polar.
    static func polar(_ type: String, at timestamp: Date, _ data: [String: Any]) -> Data {
        json(["type": type, "timestamp": iso(timestamp), "data": data])
    }

    static func polarOrder(_ id: String, email: String, product: String = "prod_lifetime", subscription: String? = nil, status: String = "paid",
                           amount: Int = 9900, refunded: Int = 0, periodEnd: Date? = nil) -> [String: Any] {
        var order: [String: Any] = ["id": id, "status": status, "billing_reason": subscription == nil ? "purchase" : "subscription_cycle",
                                    "product_id": product, "total_amount": amount, "refunded_amount": refunded, "currency": "eur",
                                    "customer": ["id": "cust_1", "email": email], "billing_address": ["country": "SE"], "metadata": [:] as [String: Any],
                                    "created_at": "2026-01-01T00:00:00.123456Z"]
        if let subscription {
            order["subscription_id"] = subscription
            if let periodEnd { order["subscription"] = ["id": subscription, "current_period_end": iso(periodEnd)] }
        }
        return order
    }

    static func polarSubscription(_ id: String, email: String, status: String, periodEnd: Date, cancelAtPeriodEnd: Bool = false, product: String = "prod_monthly") -> [String: Any] {
        ["id": id, "status": status, "current_period_end": iso(periodEnd), "cancel_at_period_end": cancelAtPeriodEnd,
         "product_id": product, "customer": ["id": "cust_1", "email": email]]
    }
}

extension TestEnv {
    /// Posts a Stripe event signed with `secret` at the test clock's time.
    func stripeWebhook(_ body: Data, secret: String = BillingFixtures.stripeSecret, at time: Date? = nil) async throws -> TestingHTTPResponse {
        let t = Int64((time ?? clock.now).timeIntervalSince1970)
        let headers: HTTPHeaders = ["Content-Type": "application/json", "Stripe-Signature": WebhookSignature.signStripe(timestamp: t, body: body, secret: secret)]
        return try await app.testing().sendRequest(.POST, "api/v1/webhooks/stripe", headers: headers, body: ByteBuffer(data: body))
    }

    /// Posts a Polar event with Standard Webhooks headers.
    func polarWebhook(_ body: Data, id: String, secret: String = BillingFixtures.polarSecret, at time: Date? = nil) async throws -> TestingHTTPResponse {
        let t = Int64((time ?? clock.now).timeIntervalSince1970)
        let headers: HTTPHeaders = [
            "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(t),
            "webhook-signature": WebhookSignature.signStandard(id: id, timestamp: t, body: body, secret: secret),
        ]
        return try await app.testing().sendRequest(.POST, "api/v1/webhooks/polar", headers: headers, body: ByteBuffer(data: body))
    }

    func licenses(_ email: String) async throws -> [License] {
        try await License.all(normalizedEmail: try EmailAddress(email).normalized, on: app.db)
    }

    func validate(_ key: String) async throws -> [String: Any] {
        let res = try await post("api/v1/license/validate", #"{"key": "\#(key)"}"#)
        #expect(res.status == .ok, "\(res.text)")
        return res.json
    }

    func outbox(kind: String? = nil) async throws -> [OutboxMessage] {
        var q = OutboxMessage.query(on: app.db).sort(\.$createdAt)
        if let kind { q = q.filter(\.$kind == kind) }
        return try await q.all()
    }

    func payments() async throws -> [Payment] {
        try await Payment.query(on: app.db).sort(\.$occurredAt).all()
    }

    /// Row counts of every table payments write to, to show "nothing changed".
    func billingCounts() async throws -> [Int] {
        [try await count("webhook_events"), try await count("billing_links"), try await count("licenses"), try await count("payments"), try await count("outbox")]
    }
}
