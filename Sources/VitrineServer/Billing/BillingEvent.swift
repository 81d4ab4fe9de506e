import Foundation
import VitrineKit

/// What one provider event means for us, in provider-neutral terms: which subscription or order
/// it is about, the lifecycle event (if any), the buyer's address (when the event carries it) and
/// the money that moved (if any). `StripeEvents` and `PolarEvents` build these from the envelopes.
struct BillingUpdate: Sendable, Equatable {
    enum Target: Sendable, Equatable {
        case subscription(String)
        case order(String)
        /// Whatever the payment with one of these provider ids paid for (Stripe refunds name the charge).
        case payment([String])
    }

    struct Payment: Sendable, Equatable {
        enum Kind: String, Sendable { case charge, refund }
        var providerPaymentID: String
        var kind: Kind
        /// Minor units (cents).
        var amount: Int
        /// ISO 4217, upper case.
        var currency: String
        var occurredAt: Date
        /// ISO 3166 alpha-2, upper case, or nil.
        var country: String?
    }

    var target: Target
    var tier: LicenseTier?
    var event: BillingLifecycle.Event?
    var email: String?
    var payment: Payment?
}

/// A provider envelope reduced to what processing needs.
struct ParsedBillingEvent: Sendable, Equatable {
    var provider: Settings.BillingProvider
    /// The provider's event id (Stripe `evt_…`); Polar's is the `webhook-id` header, set by the caller.
    var id: String?
    var type: String
    /// The provider's time for this state (Stripe `created`, Polar `timestamp`).
    var occurredAt: Date
    /// Empty for event types we do not act on.
    var updates: [BillingUpdate]
}

struct BillingEventError: Error, CustomStringConvertible {
    var description: String
}

/// Small typed reads from `JSONSerialization` output.
struct JSONObject {
    let raw: [String: Any]

    init(_ raw: [String: Any]) { self.raw = raw }

    init(data: Data) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw BillingEventError(description: "the body is not a JSON object")
        }
        raw = object
    }

    subscript(_ key: String) -> JSONObject? { (raw[key] as? [String: Any]).map(JSONObject.init) }
    func string(_ key: String) -> String? { (raw[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
    func int(_ key: String) -> Int? {
        if let n = raw[key] as? NSNumber, !(raw[key] is Bool) { return n.intValue }
        return nil
    }
    func bool(_ key: String) -> Bool? { raw[key] as? Bool }
    func array(_ key: String) -> [JSONObject] { ((raw[key] as? [Any]) ?? []).compactMap { ($0 as? [String: Any]).map(JSONObject.init) } }
    /// An `id` string, whether the field holds the id or an expanded object with one.
    func id(_ key: String) -> String? { string(key) ?? self[key]?.string("id") }
    func unixDate(_ key: String) -> Date? { int(key).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
    func isoDate(_ key: String) -> Date? { string(key).flatMap(JSONObject.parseISO) }

    static func parseISO(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}

extension Settings {
    /// The tier a provider product (Polar) or price (Stripe) id stands for.
    func tier(forProviderProduct id: String?, provider: BillingProvider) -> LicenseTier? {
        guard let id else { return nil }
        let table = provider == .polar ? polarProducts : stripePrices
        return table.first { $0.value == id }?.key
    }

    func providerProduct(for tier: LicenseTier, provider: BillingProvider) -> String? {
        provider == .polar ? polarProducts[tier] : stripePrices[tier]
    }
}
