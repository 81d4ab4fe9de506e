import Foundation
import Testing
import VitrineKit
@testable import VitrineServer

/// Webhook signature checks on raw bytes (providers.md §5, §6), with an injected clock.
@Suite struct BillingSignatureTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)
    static let t = Int64(1_767_225_600)
    static let body = Data(#"{"type":"order.paid","timestamp":"2026-01-01T00:00:00Z","data":{"id":"ord_1"}}"#.utf8)
    static let whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let polarRaw = "polar_whs_abcDEF123"
    static let stripeSecret = "whsec_test_stripe_secret"

    func standard(_ sig: String?, id: String? = "msg_1", t: Int64 = t, body: Data = body, secret: String = whsec, now: Date = now) -> WebhookRejection? {
        do { try WebhookSignature.verifyStandard(id: id, timestamp: String(t), signature: sig, body: body, secret: secret, now: now); return nil } catch { return error }
    }

    @Test(arguments: [whsec, polarRaw])
    func standardWebhooksGoodSignatureVerifies(secret: String) {
        let sig = WebhookSignature.signStandard(id: "msg_1", timestamp: Self.t, body: Self.body, secret: secret)
        #expect(standard(sig, secret: secret) == nil)
        // Any matching v1 among several (a secret roll), other versions ignored.
        #expect(standard("v1,AAAA v2,zzz " + sig, secret: secret) == nil)
    }

    @Test func whsecKeyIsTheDecodedBytesAndARawSecretItsUTF8() {
        #expect(WebhookSignature.standardWebhooksKey(Self.whsec) == Array(Data(base64Encoded: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!))
        #expect(WebhookSignature.standardWebhooksKey(Self.polarRaw) == Array(Self.polarRaw.utf8))
        // The two forms are different keys: a signature made with one fails with the other.
        let sig = WebhookSignature.signStandard(id: "msg_1", timestamp: Self.t, body: Self.body, secret: Self.polarRaw)
        let encoded = "whsec_" + Data(Self.polarRaw.utf8).base64EncodedString()
        #expect(standard(sig, secret: encoded) == nil)  // Polar's SDK form: base64 of the raw secret
        #expect(standard(sig, secret: Self.whsec)?.kind == .mismatch)
    }

    @Test func standardWebhooksRejections() {
        let sig = WebhookSignature.signStandard(id: "msg_1", timestamp: Self.t, body: Self.body, secret: Self.whsec)
        var tampered = Self.body
        tampered[tampered.count - 3] = UInt8(ascii: "2")
        #expect(standard(sig, body: tampered)?.kind == .mismatch)
        #expect(standard(sig, id: "msg_2")?.kind == .mismatch)
        #expect(standard(sig, secret: "whsec_" + Data("other".utf8).base64EncodedString())?.kind == .mismatch)
        #expect(standard(sig, now: Self.now.addingTimeInterval(301))?.kind == .stale)
        #expect(standard(sig, now: Self.now.addingTimeInterval(-301))?.kind == .stale)
        #expect(standard(sig, now: Self.now.addingTimeInterval(300)) == nil)
        #expect(standard(sig, id: nil)?.kind == .malformed)
        #expect(standard(nil)?.kind == .malformed)
        #expect(standard("v0,abc")?.kind == .malformed)
    }

    func stripe(_ header: String?, body: Data = body, secret: String = stripeSecret, now: Date = now) -> WebhookRejection? {
        do { try WebhookSignature.verifyStripe(header: header, body: body, secret: secret, now: now); return nil } catch { return error }
    }

    @Test func stripeSignatures() {
        let header = WebhookSignature.signStripe(timestamp: Self.t, body: Self.body, secret: Self.stripeSecret)
        #expect(stripe(header) == nil)
        let v1 = header.split(separator: ",")[1]
        // A second v1 (secret roll) and a v0 are fine; the matching one may come second.
        #expect(stripe("t=\(Self.t),v1=\(String(repeating: "0", count: 64)),\(v1),v0=abcd") == nil)
        var tampered = Self.body
        tampered[5] = UInt8(ascii: "X")
        #expect(stripe(header, body: tampered)?.kind == .mismatch)
        #expect(stripe(header, secret: "whsec_other")?.kind == .mismatch)
        #expect(stripe(header, now: Self.now.addingTimeInterval(301))?.kind == .stale)
        #expect(stripe(header, now: Self.now.addingTimeInterval(-301))?.kind == .stale)
        #expect(stripe("t=\(Self.t),v0=\(v1.dropFirst(3))")?.kind == .malformed)
        #expect(stripe(nil)?.kind == .malformed)
        #expect(stripe("v1=\(v1.dropFirst(3))")?.kind == .malformed)
        // The timestamp is part of what is signed.
        #expect(stripe("t=\(Self.t + 1),\(v1)")?.kind == .mismatch)
    }

    @Test func billingSettingsDefaultsAndErrorsNameTheVariable() throws {
        let s = try Settings.load(environment: [:])
        #expect(s.billingProvider == nil && s.paymentRecordYears == 10 && s.webhookMaxBodyBytes == 1 << 20)
        #expect(s.polarAPIURL == "https://api.polar.sh" && s.stripeAPIURL == "https://api.stripe.com")
        let polar = try Settings.load(environment: [
            "VITRINE_BILLING_PROVIDER": "polar", "VITRINE_POLAR_ACCESS_TOKEN": "t", "VITRINE_POLAR_PRODUCT_ANNUAL": "prod_a",
            "VITRINE_POLAR_API_URL": "http://127.0.0.1:9/", "VITRINE_PAYMENT_RECORD_YEARS": "7",
        ])
        #expect(polar.billingProvider == .polar && polar.polarProducts == [.annual: "prod_a"] && polar.polarAPIURL == "http://127.0.0.1:9")
        #expect(polar.tier(forProviderProduct: "prod_a", provider: .polar) == .annual && polar.paymentRecordYears == 7)
        func problem(_ env: [String: String]) -> String? {
            do { _ = try Settings.load(environment: env); return nil } catch { return error.variable }
        }
        #expect(problem(["VITRINE_BILLING_PROVIDER": "paypal"]) == "VITRINE_BILLING_PROVIDER")
        #expect(problem(["VITRINE_BILLING_PROVIDER": "stripe", "VITRINE_STRIPE_PRICE_MONTHLY": "p"]) == "VITRINE_STRIPE_SECRET_KEY")
        #expect(problem(["VITRINE_BILLING_PROVIDER": "stripe", "VITRINE_STRIPE_SECRET_KEY": "sk"]) == "VITRINE_STRIPE_PRICE_MONTHLY")
        #expect(problem(["VITRINE_POLAR_WEBHOOK_SECRET": "whsec_***"]) == "VITRINE_POLAR_WEBHOOK_SECRET")
        #expect(problem(["VITRINE_STRIPE_API_URL": "ftp://x"]) == "VITRINE_STRIPE_API_URL")
        #expect(problem(["VITRINE_PAYMENT_RECORD_YEARS": "0"]) == "VITRINE_PAYMENT_RECORD_YEARS")
    }
}
