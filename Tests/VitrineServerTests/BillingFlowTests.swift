import Foundation
import SQLKit
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// Webhooks through the production app on both databases: every lifecycle transition persisted,
/// duplicates (sequential and concurrent), out-of-order deliveries, refunds, trial upgrades,
/// payment records, replay.
@Suite struct BillingFlowTests {
    typealias F = BillingFixtures
    static let day = BillingFixtures.day

    static func configured(_ s: inout Settings) { F.configure(&s) }

    @Test(arguments: TestDatabase.all)
    func stripeSubscriptionThroughEveryTransition(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let t = env.clock.now
            let e1 = t + 30 * Self.day, e2 = t + 61 * Self.day
            let email = "buyer@example.com"
            // Paid at checkout: the license is issued with a provisional expiry, the key mailed.
            var res = try await env.stripeWebhook(F.stripe("evt_1", "checkout.session.completed", created: t, F.stripeSessionSubscription(sub: "sub_1", email: email)))
            #expect(res.status == .ok, "\(res.text)")
            #expect(res.json["duplicate"] as? Bool == false)
            let license = try #require(try await env.licenses(email).first)
            #expect(license.tier == "monthly" && license.status == "active")
            let welcome = try await env.outbox(kind: "license_key")
            #expect(welcome.count == 1 && welcome[0].textBody.contains(license.key))
            // Created: the expiry becomes the period end.
            _ = try await env.stripeWebhook(F.stripe("evt_2", "customer.subscription.created", created: t + 1, F.stripeSubscription("sub_1", status: "active", periodEnd: e1)))
            var check = try await env.validate(license.key)
            #expect(check["valid"] as? Bool == true && check["tier"] as? String == "monthly" && check["expires_at"] as? String == e1.iso8601)
            // First invoice: a payment record and a receipt.
            _ = try await env.stripeWebhook(F.stripe("evt_3", "invoice.paid", created: t + 2, F.stripeInvoice("in_1", sub: "sub_1", email: email, periodEnd: e1)))
            // Renewal (newer API shape): expiry moves, a second receipt.
            env.clock.advance(by: 30 * Self.day)
            _ = try await env.stripeWebhook(F.stripe("evt_4", "invoice.paid", created: t + 30 * Self.day, F.stripeInvoice("in_2", sub: "sub_1", email: email, periodEnd: e2, newer: true)))
            check = try await env.validate(license.key)
            #expect(check["expires_at"] as? String == e2.iso8601 && check["status"] as? String == "active")
            let payments = try await env.payments()
            #expect(payments.map(\.providerPaymentID) == ["pi_in_1", "in_2"])
            #expect(payments.allSatisfy { $0.licenseID == license.id && $0.currency == "EUR" && $0.amount == 500 && $0.kind == "charge" })
            #expect(payments.first?.country == "NL")
            #expect(try await env.outbox(kind: "billing_receipt").count == 2)
            // Past due: Pro stays until the period end, the buyer is told once.
            _ = try await env.stripeWebhook(F.stripe("evt_5", "invoice.payment_failed", created: t + 50 * Self.day, ["id": "in_3", "subscription": "sub_1", "customer_email": email]))
            _ = try await env.stripeWebhook(F.stripe("evt_6", "customer.subscription.updated", created: t + 50 * Self.day + 1, F.stripeSubscription("sub_1", status: "past_due", periodEnd: e2)))
            check = try await env.validate(license.key)
            #expect(check["valid"] as? Bool == true && check["expires_at"] as? String == e2.iso8601)
            #expect(try await env.outbox(kind: "billing_past_due").count == 1)
            // Recovered, then cancelled at period end: Pro until e2, mailed.
            _ = try await env.stripeWebhook(F.stripe("evt_7", "customer.subscription.updated", created: t + 51 * Self.day, F.stripeSubscription("sub_1", status: "active", periodEnd: e2)))
            _ = try await env.stripeWebhook(F.stripe("evt_8", "customer.subscription.updated", created: t + 52 * Self.day, F.stripeSubscription("sub_1", status: "active", periodEnd: e2, cancelAtPeriodEnd: true)))
            let cancelling = try await env.outbox(kind: "billing_cancelling")
            #expect(cancelling.count == 1 && cancelling[0].textBody.contains(e2.iso8601))
            #expect(try await env.validate(license.key)["valid"] as? Bool == true)
            // Uncancelled: active again, nothing mailed.
            _ = try await env.stripeWebhook(F.stripe("evt_9", "customer.subscription.updated", created: t + 53 * Self.day, F.stripeSubscription("sub_1", status: "active", periodEnd: e2)))
            let link = try #require(try await BillingLink.query(on: env.app.db).first())
            #expect(link.status == "active" && link.licenseID == license.id)
            // Deleted: ends now, mailed; terminal.
            _ = try await env.stripeWebhook(F.stripe("evt_10", "customer.subscription.deleted", created: t + 54 * Self.day, F.stripeSubscription("sub_1", status: "canceled", periodEnd: e2)))
            check = try await env.validate(license.key)
            #expect(check["valid"] as? Bool == false && check["status"] as? String == "revoked")
            #expect(try await env.outbox(kind: "billing_ended").count == 1)
            res = try await env.stripeWebhook(F.stripe("evt_11", "customer.subscription.updated", created: t + 55 * Self.day, F.stripeSubscription("sub_1", status: "active", periodEnd: e2 + 30 * Self.day)))
            #expect(res.status == .ok)
            #expect(try await env.validate(license.key)["status"] as? String == "revoked")
            #expect(try await env.licenses(email).count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func polarLifetimeOrderThenRefund(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let t = env.clock.now
            let res = try await env.polarWebhook(F.polar("order.paid", at: t, F.polarOrder("ord_1", email: "life@example.com")), id: "msg_1")
            #expect(res.status == .ok, "\(res.text)")
            let license = try #require(try await env.licenses("life@example.com").first)
            var check = try await env.validate(license.key)
            #expect(check["tier"] as? String == "lifetime" && check["valid"] as? Bool == true && check["expires_at"] is NSNull)
            let receipt = try #require(try await env.outbox(kind: "billing_receipt").first)
            #expect(receipt.textBody.contains("99.00 EUR") && receipt.textBody.contains("lifetime"))
            _ = try await env.polarWebhook(F.polar("order.refunded", at: t + 3600, F.polarOrder("ord_1", email: "life@example.com", status: "refunded", refunded: 9900)), id: "msg_2")
            check = try await env.validate(license.key)
            #expect(check["status"] as? String == "revoked")
            let payments = try await env.payments()
            #expect(payments.map(\.kind) == ["charge", "refund"])
            #expect(payments.allSatisfy { $0.licenseID == license.id && $0.country == "SE" })
        }
    }

    @Test(arguments: TestDatabase.all)
    func polarSubscriptionOutOfOrderAndRefundAfterCancellation(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let t = env.clock.now
            let e1 = t + 30 * Self.day, e2 = t + 60 * Self.day
            let email = "sub@example.com"
            // The newer state arrives first; the older one changes nothing.
            _ = try await env.polarWebhook(F.polar("subscription.updated", at: t + 200, F.polarSubscription("psub_1", email: email, status: "active", periodEnd: e2)), id: "m1")
            let license = try #require(try await env.licenses(email).first)
            #expect(license.tier == "monthly" && license.expiresAt == e2)
            _ = try await env.polarWebhook(F.polar("subscription.created", at: t + 100, F.polarSubscription("psub_1", email: email, status: "active", periodEnd: e1)), id: "m2")
            _ = try await env.polarWebhook(F.polar("subscription.canceled", at: t + 150, F.polarSubscription("psub_1", email: email, status: "active", periodEnd: e1, cancelAtPeriodEnd: true)), id: "m3")
            var check = try await env.validate(license.key)
            #expect(check["expires_at"] as? String == e2.iso8601 && check["valid"] as? Bool == true)
            #expect(try await env.outbox(kind: "billing_cancelling").isEmpty)
            // Renewal order (with its subscription's period end) records money and keeps the license.
            _ = try await env.polarWebhook(F.polar("order.paid", at: t + 300, F.polarOrder("ord_s1", email: email, product: "prod_monthly", subscription: "psub_1", amount: 500, periodEnd: e2)), id: "m4")
            #expect(try await env.licenses(email).count == 1)
            // Cancelled (newer), then refunded: ends now.
            _ = try await env.polarWebhook(F.polar("subscription.canceled", at: t + 400, F.polarSubscription("psub_1", email: email, status: "active", periodEnd: e2, cancelAtPeriodEnd: true)), id: "m5")
            #expect(try await env.outbox(kind: "billing_cancelling").count == 1)
            #expect(try await env.validate(license.key)["valid"] as? Bool == true)
            _ = try await env.polarWebhook(F.polar("order.refunded", at: t + 500, F.polarOrder("ord_s1", email: email, product: "prod_monthly", subscription: "psub_1", status: "refunded", amount: 500, refunded: 500)), id: "m6")
            check = try await env.validate(license.key)
            #expect(check["status"] as? String == "revoked")
            #expect(try await env.outbox(kind: "billing_ended").count == 1)
            // An uncancel or revoke afterwards changes nothing.
            _ = try await env.polarWebhook(F.polar("subscription.uncanceled", at: t + 600, F.polarSubscription("psub_1", email: email, status: "active", periodEnd: e2)), id: "m7")
            _ = try await env.polarWebhook(F.polar("subscription.revoked", at: t + 700, F.polarSubscription("psub_1", email: email, status: "canceled", periodEnd: e2)), id: "m8")
            #expect(try await env.validate(license.key)["status"] as? String == "revoked")
            #expect(try await env.outbox(kind: "billing_ended").count == 1)
            #expect(try await env.payments().map(\.kind) == ["charge", "refund"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func polarPastDueAndRevoke(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let t = env.clock.now
            let e1 = t + 365 * Self.day
            let email = "annual@example.com"
            _ = try await env.polarWebhook(F.polar("subscription.active", at: t, F.polarSubscription("psub_2", email: email, status: "active", periodEnd: e1, product: "prod_annual")), id: "a1")
            let license = try #require(try await env.licenses(email).first)
            #expect(license.tier == "annual")
            _ = try await env.polarWebhook(F.polar("subscription.past_due", at: t + 10, F.polarSubscription("psub_2", email: email, status: "past_due", periodEnd: e1, product: "prod_annual")), id: "a2")
            #expect(try await env.validate(license.key)["valid"] as? Bool == true)
            let notice = try #require(try await env.outbox(kind: "billing_past_due").first)
            #expect(notice.recipient == email && notice.textBody.contains(e1.iso8601))
            _ = try await env.polarWebhook(F.polar("subscription.revoked", at: t + 20, F.polarSubscription("psub_2", email: email, status: "canceled", periodEnd: e1, product: "prod_annual")), id: "a3")
            #expect(try await env.validate(license.key)["status"] as? String == "revoked")
        }
    }

    @Test(arguments: TestDatabase.all)
    func stripeEventsBeforeTheCheckoutAndARefundOfALifetimeOrder(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let t = env.clock.now
            let e1 = t + 30 * Self.day
            // The subscription event comes first and carries no address: state only.
            _ = try await env.stripeWebhook(F.stripe("evt_a", "customer.subscription.created", created: t + 5, F.stripeSubscription("sub_9", status: "active", periodEnd: e1)))
            #expect(try await env.count("licenses") == 0)
            // The checkout event (older) still issues the license, with the known period end.
            _ = try await env.stripeWebhook(F.stripe("evt_b", "checkout.session.completed", created: t, F.stripeSessionSubscription(sub: "sub_9", email: "early@example.com")))
            let sub = try #require(try await env.licenses("early@example.com").first)
            #expect(sub.expiresAt == e1)
            // Lifetime in payment mode, refunded via charge.refunded naming the payment intent.
            _ = try await env.stripeWebhook(F.stripe("evt_c", "checkout.session.completed", created: t, F.stripeSessionPayment(pi: "pi_77", email: "once@example.com")))
            let life = try #require(try await env.licenses("once@example.com").first)
            #expect(life.tier == "lifetime" && life.expiresAt == nil)
            // A partial refund is recorded and keeps Pro; the full one ends it.
            _ = try await env.stripeWebhook(F.stripe("evt_d", "charge.refunded", created: t + 10, ["id": "ch_1", "payment_intent": "pi_77", "amount_refunded": 1000, "refunded": false, "currency": "eur", "refunds": ["data": [["id": "re_1"]]]]))
            #expect(try await env.validate(life.key)["valid"] as? Bool == true)
            _ = try await env.stripeWebhook(F.stripe("evt_e", "charge.refunded", created: t + 20, ["id": "ch_1", "payment_intent": "pi_77", "amount_refunded": 9900, "refunded": true, "currency": "eur", "refunds": ["data": [["id": "re_2"]]]]))
            #expect(try await env.validate(life.key)["status"] as? String == "revoked")
            #expect(try await env.validate(sub.key)["valid"] as? Bool == true)
            let refunds = try await env.payments().filter { $0.kind == "refund" }
            #expect(refunds.map(\.providerPaymentID) == ["re_1", "re_2"] && refunds.allSatisfy { $0.licenseID == life.id })
        }
    }

    @Test(arguments: TestDatabase.all)
    func stripeRefundOfASubscriptionInvoiceAfterCancellation(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let t = env.clock.now, e1 = t + 30 * Self.day
            let email = "refund@example.com"
            _ = try await env.stripeWebhook(F.stripe("evt_r1", "checkout.session.completed", created: t, F.stripeSessionSubscription(sub: "sub_r", email: email)))
            _ = try await env.stripeWebhook(F.stripe("evt_r2", "invoice.paid", created: t + 1, F.stripeInvoice("in_r", sub: "sub_r", email: email, periodEnd: e1)))
            _ = try await env.stripeWebhook(F.stripe("evt_r3", "customer.subscription.updated", created: t + 2, F.stripeSubscription("sub_r", status: "active", periodEnd: e1, cancelAtPeriodEnd: true)))
            let license = try #require(try await env.licenses(email).first)
            #expect(try await env.validate(license.key)["valid"] as? Bool == true)
            // The refund names the invoice's charge: found through the payment record's license.
            _ = try await env.stripeWebhook(F.stripe("evt_r4", "charge.refunded", created: t + 3, ["id": "ch_r", "payment_intent": "pi_in_r", "invoice": "in_r", "amount_refunded": 500, "refunded": true, "currency": "eur"]))
            #expect(try await env.validate(license.key)["status"] as? String == "revoked")
            let refund = try #require(try await env.payments().first { $0.kind == "refund" })
            #expect(refund.licenseID == license.id && refund.amount == 500 && refund.providerPaymentID == "ch_r/refund/500")
            #expect(try await env.outbox(kind: "billing_cancelling").count == 1)
            #expect(try await env.outbox(kind: "billing_ended").count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func duplicatesChangeNothing(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let body = F.polar("order.paid", at: env.clock.now, F.polarOrder("ord_d", email: "dup@example.com"))
            let first = try await env.polarWebhook(body, id: "msg_dup")
            #expect(first.json["duplicate"] as? Bool == false)
            let counts = try await env.billingCounts()
            #expect(counts == [1, 1, 1, 1, 2])  // event, link, license, payment, welcome + receipt
            let again = try await env.polarWebhook(body, id: "msg_dup")
            #expect(again.status == .ok && again.json["duplicate"] as? Bool == true)
            #expect(try await env.billingCounts() == counts)
            // The same event under a new delivery id (a provider re-send) applies idempotently too.
            let resent = try await env.polarWebhook(body, id: "msg_dup_2")
            #expect(resent.json["duplicate"] as? Bool == false)
            #expect(try await env.billingCounts() == [2, 1, 1, 1, 2])
            let stripe = F.stripe("evt_dup", "checkout.session.completed", created: env.clock.now, F.stripeSessionPayment(pi: "pi_dup", email: "dup2@example.com"))
            _ = try await env.stripeWebhook(stripe)
            let before = try await env.billingCounts()
            #expect(try await env.stripeWebhook(stripe).json["duplicate"] as? Bool == true)
            #expect(try await env.billingCounts() == before)
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentDuplicatesApplyOnce(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let polar = F.polar("order.paid", at: env.clock.now, F.polarOrder("ord_c", email: "race@example.com"))
            let stripe = F.stripe("evt_race", "checkout.session.completed", created: env.clock.now, F.stripeSessionPayment(pi: "pi_race", email: "race2@example.com"))
            let replies = try await withThrowingTaskGroup(of: (HTTPStatus, Bool?).self) { group in
                for i in 0..<16 {
                    group.addTask {
                        let res = i % 2 == 0 ? try await env.polarWebhook(polar, id: "msg_race") : try await env.stripeWebhook(stripe)
                        return (res.status, res.json["duplicate"] as? Bool)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.0 == .ok }, "\(replies)")
            #expect(replies.filter { $0.1 == false }.count == 2)
            #expect(try await env.billingCounts() == [2, 2, 2, 2, 4])
        }
    }

    @Test(arguments: TestDatabase.all)
    func badSignaturesAndUnknownTypesWriteNothing(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let body = F.polar("order.paid", at: env.clock.now, F.polarOrder("ord_x", email: "x@example.com"))
            var res = try await env.polarWebhook(body, id: "m", secret: "polar_whs_wrong")
            #expect(res.status == .unauthorized && res.json["error"] as? String == "bad_signature")
            res = try await env.polarWebhook(body, id: "m", at: env.clock.now - 301)
            #expect(res.status == .unauthorized && res.json["error"] as? String == "stale_timestamp")
            res = try await env.app.testing().sendRequest(.POST, "api/v1/webhooks/polar", headers: ["Content-Type": "application/json"], body: ByteBuffer(data: body))
            #expect(res.status == .badRequest)
            let stripe = F.stripe("evt_x", "checkout.session.completed", created: env.clock.now, F.stripeSessionPayment(pi: "pi_x", email: "x@example.com"))
            res = try await env.stripeWebhook(stripe, secret: "whsec_wrong")
            #expect(res.status == .unauthorized)
            res = try await env.stripeWebhook(stripe, at: env.clock.now + 301)
            #expect(res.status == .unauthorized)
            // Tampered: signed one body, sent another.
            let t = Int64(env.clock.now.timeIntervalSince1970)
            let header = WebhookSignature.signStripe(timestamp: t, body: stripe, secret: F.stripeSecret)
            var altered = stripe
            altered.append(contentsOf: Array(" ".utf8))
            res = try await env.app.testing().sendRequest(.POST, "api/v1/webhooks/stripe", headers: ["Stripe-Signature": header], body: ByteBuffer(data: altered))
            #expect(res.status == .unauthorized)
            #expect(try await env.billingCounts() == [0, 0, 0, 0, 0])
            // Unknown types: 200, recorded as seen, nothing else.
            res = try await env.stripeWebhook(F.stripe("evt_u", "customer.created", created: env.clock.now, ["id": "cus_1"]))
            #expect(res.status == .ok && res.json["handled"] as? Bool == false)
            res = try await env.polarWebhook(F.polar("benefit_grant.created", at: env.clock.now, ["id": "bg_1"]), id: "mu")
            #expect(res.status == .ok && res.json["handled"] as? Bool == false)
            #expect(try await env.billingCounts() == [2, 0, 0, 0, 0])
            // Not JSON (but signed): 400.
            res = try await env.stripeWebhook(Data("nope".utf8))
            #expect(res.status == .badRequest)
        }
    }

    @Test(arguments: TestDatabase.all)
    func webhooksTakeBodiesLargerThanTheAPILimit(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            var order = F.polarOrder("ord_big", email: "big@example.com")
            order["metadata"] = ["padding": String(repeating: "x", count: 100_000)]
            let res = try await env.polarWebhook(F.polar("order.paid", at: env.clock.now, order), id: "big")
            #expect(res.status == .ok, "\(res.text)")
            #expect(try await env.count("licenses") == 1)
            // Over the webhook cap: 413.
            let huge = Data(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
            let tooBig = try await env.polarWebhook(huge, id: "huge")
            #expect(tooBig.status == .payloadTooLarge)
            // The API's own limit is unchanged.
            let api = try await env.post("api/v1/trial", #"{"email": "\#(String(repeating: "a", count: 20_000))@example.com"}"#)
            #expect(api.status == .payloadTooLarge)
        }
    }

    @Test(arguments: TestDatabase.all)
    func upgradeFromTrialKeepsTheAddressAndAccount(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let userID = try await env.signUp("painter@example.com")
            _ = try await env.trialKey("painter@example.com")
            _ = try await env.polarWebhook(F.polar("order.paid", at: env.clock.now, F.polarOrder("ord_u", email: "Painter@Example.com")), id: "up")
            let licenses = try await env.licenses("painter@example.com")
            #expect(Set(licenses.map(\.tier)) == ["trial", "lifetime"])
            let pro = try #require(licenses.first { $0.tier == "lifetime" })
            #expect(pro.userID?.uuidString.lowercased() == userID)
            #expect(pro.normalizedEmail == licenses.first { $0.tier == "trial" }?.normalizedEmail)
            // The account's export shows the payment, with no address in it.
            let browser = try await env.logIn("painter@example.com")
            let export = try await env.send(.GET, "api/v1/me/export", headers: browser.headers)
            #expect(export.status == .ok)
            let payments = try #require(export.json["payments"] as? [[String: Any]])
            #expect(payments.count == 1 && payments[0]["amount"] as? Int == 9900 && payments[0]["currency"] as? String == "EUR")
            #expect(payments[0]["license_id"] as? String == pro.id!.uuidString.lowercased())
            // Deleting the account removes the licenses after the grace period; the payment record stays.
            #expect(try await env.send(.DELETE, "api/v1/me", headers: browser.headers).status == .ok)
            env.clock.advance(by: AccountDeletion.gracePeriod + Self.day)
            try await Retention.run(env.app)
            #expect(try await env.licenses("painter@example.com").isEmpty)
            let kept = try await env.payments()
            #expect(kept.count == 1 && kept[0].licenseID == pro.id && kept[0].amount == 9900)
        }
    }

    @Test(arguments: TestDatabase.all)
    func replayAppliesOnceThroughTheSamePath(db: TestDatabase) async throws {
        try await withApp(db, settings: Self.configured) { env in
            let body = F.polar("order.paid", at: env.clock.now, F.polarOrder("ord_r", email: "replay@example.com"))
            _ = try await env.polarWebhook(body, id: "msg_r")
            // The recorded delivery is found by its bytes.
            var result = try await BillingWebhook.replay(app: env.app, body: body, provider: .polar, eventID: nil)
            #expect(result.duplicate && result.text.contains("already applied, nothing changed"))
            // A Stripe event that never arrived (its delivery failed) is applied once.
            let stripe = F.stripe("evt_r", "checkout.session.completed", created: env.clock.now, F.stripeSessionPayment(pi: "pi_r", email: "replay2@example.com"))
            result = try await BillingWebhook.replay(app: env.app, body: stripe, provider: .stripe, eventID: nil)
            #expect(!result.duplicate && result.changes.contains { $0.contains("issued lifetime license") })
            let counts = try await env.billingCounts()
            result = try await BillingWebhook.replay(app: env.app, body: stripe, provider: .stripe, eventID: nil)
            #expect(result.duplicate)
            #expect(try await env.billingCounts() == counts)
            await #expect(throws: BillingWebhook.ReplayError.self) {
                try await BillingWebhook.replay(app: env.app, body: Data("{}".utf8), provider: .stripe, eventID: nil)
            }
        }
    }
}
