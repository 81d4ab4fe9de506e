import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// `POST /api/v1/checkout` against loopback fakes of Polar and Stripe, and end to end: checkout →
/// the provider's webhook → the key in the outbox → `validate` says Pro.
@Suite struct BillingCheckoutTests {
    typealias F = BillingFixtures
    static let day = BillingFixtures.day

    static func settings(_ provider: Settings.BillingProvider, fake: BillingProviderFake) -> (inout Settings) -> Void {
        { s in
            F.configure(&s, provider: provider)
            s.polarAPIURL = fake.baseURL
            s.stripeAPIURL = fake.baseURL
            s.publicURL = "https://vitrine.example.org"
        }
    }

    @Test(arguments: TestDatabase.all)
    func polarCheckoutToProKey(db: TestDatabase) async throws {
        try await BillingProviderFake.with { fake in
            try await withApp(db, settings: Self.settings(.polar, fake: fake)) { env in
                let res = try await env.post("api/v1/checkout", #"{"tier": "annual", "email": "Buyer@Example.com"}"#)
                #expect(res.status == .ok, "\(res.text)")
                let checkout = try #require(fake.checkouts.first)
                #expect(res.json["url"] as? String == checkout.url)
                #expect(checkout.fields["product"] == "prod_annual" && checkout.fields["customer_email"] == "Buyer@Example.com")
                #expect(checkout.fields["metadata[tier]"] == "annual" && checkout.fields["success_url"] == "https://vitrine.example.org/?checkout=success")
                // What Polar sends after payment: the subscription, then its first order.
                let t = env.clock.now, end = t + 365 * Self.day
                let metadata: [String: Any] = ["tier": "annual", "reference": checkout.fields["metadata[reference]"] ?? ""]
                var sub = F.polarSubscription("psub_e2e", email: checkout.fields["customer_email"]!, status: "active", periodEnd: end, product: checkout.fields["product"]!)
                sub["metadata"] = metadata
                _ = try await env.polarWebhook(F.polar("subscription.active", at: t, sub), id: "e2e_1")
                _ = try await env.polarWebhook(F.polar("order.paid", at: t, F.polarOrder("ord_e2e", email: "Buyer@Example.com", product: "prod_annual", subscription: "psub_e2e", amount: 4900, periodEnd: end)), id: "e2e_2")
                let mails = try await env.deliverMail()
                let key = try #require(mails.compactMap(extractKey).first)
                #expect(mails.count == 2)  // the key, the receipt
                let check = try await env.validate(key)
                #expect(check["valid"] as? Bool == true && check["tier"] as? String == "annual" && check["status"] as? String == "active")
                #expect(check["expires_at"] as? String == end.iso8601 && check["generations_left"] is NSNull)
                let generation = try await env.post("api/v1/license/generations", #"{"key": "\#(key)"}"#)
                #expect(generation.json["allowed"] as? Bool == true && generation.json["mark"] as? Bool == false)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func stripeCheckoutToProKey(db: TestDatabase) async throws {
        try await BillingProviderFake.with { fake in
            try await withApp(db, settings: Self.settings(.stripe, fake: fake)) { env in
                for tier in ["monthly", "lifetime"] {
                    let res = try await env.post("api/v1/checkout", #"{"tier": "\#(tier)", "email": "\#(tier)@example.com"}"#)
                    #expect(res.status == .ok, "\(res.text)")
                }
                let checkouts = fake.checkouts
                #expect(checkouts.map { $0.fields["mode"] } == ["subscription", "payment"])
                #expect(checkouts.map { $0.fields["line_items[0][price]"] } == ["price_monthly", "price_lifetime"])
                #expect(checkouts.allSatisfy { $0.fields["line_items[0][quantity]"] == "1" && $0.fields["cancel_url"] == "https://vitrine.example.org/?checkout=cancelled" })
                #expect(checkouts.allSatisfy { $0.fields["client_reference_id"] != nil && $0.fields["client_reference_id"] == $0.fields["metadata[reference]"] })
                let t = env.clock.now, end = t + 31 * Self.day
                // Monthly: session completed, subscription created, first invoice paid.
                let monthly = checkouts[0]
                var session = F.stripeSessionSubscription(sub: "sub_e2e", email: monthly.fields["customer_email"]!, tier: monthly.fields["metadata[tier]"]!)
                session["id"] = monthly.id
                _ = try await env.stripeWebhook(F.stripe("evt_e1", "checkout.session.completed", created: t, session))
                _ = try await env.stripeWebhook(F.stripe("evt_e2", "customer.subscription.created", created: t, F.stripeSubscription("sub_e2e", status: "active", periodEnd: end)))
                _ = try await env.stripeWebhook(F.stripe("evt_e3", "invoice.paid", created: t, F.stripeInvoice("in_e2e", sub: "sub_e2e", email: "monthly@example.com", periodEnd: end)))
                // Lifetime: one session in payment mode.
                let lifetime = checkouts[1]
                var payment = F.stripeSessionPayment(pi: "pi_e2e", email: lifetime.fields["customer_email"]!)
                payment["id"] = lifetime.id
                _ = try await env.stripeWebhook(F.stripe("evt_e4", "checkout.session.completed", created: t, payment))
                let mails = try await env.deliverMail()
                #expect(mails.count == 4)  // two keys, two receipts
                let keys = mails.compactMap(extractKey)
                #expect(keys.count == 2)
                var tiers: [String: [String: Any]] = [:]
                for key in keys {
                    let check = try await env.validate(key)
                    #expect(check["valid"] as? Bool == true && check["status"] as? String == "active")
                    tiers[check["tier"] as? String ?? "?"] = check
                }
                #expect(tiers["monthly"]?["expires_at"] as? String == end.iso8601)
                #expect(tiers["lifetime"]?["expires_at"] is NSNull)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func checkoutErrors(db: TestDatabase) async throws {
        // Not configured: 503 with a clear message.
        try await withApp(db) { env in
            let res = try await env.post("api/v1/checkout", #"{"tier": "monthly", "email": "a@example.com"}"#)
            #expect(res.status == .serviceUnavailable)
            #expect((res.json["reason"] as? String)?.contains("payments are not configured") == true)
            let hook = try await env.stripeWebhook(Data("{}".utf8))
            #expect(hook.status == .serviceUnavailable)
        }
        try await BillingProviderFake.with { fake in
            try await withApp(db, settings: { s in
                Self.settings(.stripe, fake: fake)(&s)
                s.stripeSecretKey = "sk_test_wrong_secret_value"
                s.rateLimitEnabled = true
                s.rateLimitPerEmail = 2
            }) { env in
                // The provider refuses: 502 with its message, never our secret.
                let res = try await env.post("api/v1/checkout", #"{"tier": "monthly", "email": "a@example.com"}"#)
                #expect(res.status == .badGateway)
                #expect((res.json["reason"] as? String)?.contains("Invalid API Key provided") == true)
                #expect(!res.text.contains("sk_test_wrong_secret_value") && !res.text.contains("sk_test_") && !res.text.contains("alue"))
                // Bad input.
                #expect(try await env.post("api/v1/checkout", #"{"tier": "trial", "email": "b@example.com"}"#).status == .badRequest)
                #expect(try await env.post("api/v1/checkout", #"{"tier": "monthly", "email": "nope"}"#).status == .badRequest)
                #expect(try await env.post("api/v1/checkout", #"{"tier": "monthly", "email": "c@example.com", "coupon": "x"}"#).status == .badRequest)
                // Rate-limited per email like trial start (third request in the window).
                _ = try await env.post("api/v1/checkout", #"{"tier": "monthly", "email": "a@example.com"}"#)
                let limited = try await env.post("api/v1/checkout", #"{"tier": "monthly", "email": "a@example.com"}"#)
                #expect(limited.status == .tooManyRequests)
            }
        }
        try await BillingProviderFake.with { fake in
            try await withApp(db, settings: { s in
                Self.settings(.polar, fake: fake)(&s)
                s.polarAccessToken = "polar_oat_wrong"
            }) { env in
                let res = try await env.post("api/v1/checkout", #"{"tier": "lifetime", "email": "a@example.com"}"#)
                #expect(res.status == .badGateway)
                #expect((res.json["reason"] as? String)?.contains("access token provided is expired") == true)
                #expect(!res.text.contains("polar_oat_wrong"))
            }
        }
    }
}
