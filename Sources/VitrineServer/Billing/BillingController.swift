import Foundation
import Vapor
import VitrineKit

/// `POST /api/v1/checkout` and the two webhook endpoints: parse, call one function, render.
enum BillingController {
    static func register(_ api: any RoutesBuilder, settings: Settings) {
        api.post("checkout", use: checkout)
        // Provider events can be larger than API requests: their own cap, collected before the handler.
        let cap = ByteCount(integerLiteral: settings.webhookMaxBodyBytes)
        api.on(.POST, "webhooks", "polar", body: .collect(maxSize: cap), use: polarWebhook)
        api.on(.POST, "webhooks", "stripe", body: .collect(maxSize: cap), use: stripeWebhook)
    }

    static let webhookPathPrefix = "/api/v1/webhooks/"

    struct CheckoutBody: Decodable { var tier: String; var email: String }

    static func notConfigured(_ what: String) -> APIError {
        APIError(.serviceUnavailable, "payments_not_configured", "payments are not configured on this server (\(what))")
    }

    static func checkout(_ req: Request) async throws -> Response {
        let body = try StrictJSON.decode(CheckoutBody.self, fields: ["tier", "email"], from: req)
        let settings = req.vitrine.settings
        guard let provider = settings.billingProvider else { throw notConfigured("VITRINE_BILLING_PROVIDER is not set") }
        guard let tier = LicenseTier(rawValue: body.tier), tier != .trial else {
            throw APIError.badRequest("invalid_tier", "tier must be monthly, annual or lifetime, not '\(body.tier.prefix(40))'")
        }
        let email: EmailAddress
        do { email = try EmailAddress(body.email) } catch { throw APIError.badRequest("invalid_email", error.description) }
        guard let product = settings.providerProduct(for: tier, provider: provider) else {
            throw notConfigured("no \(provider.rawValue) \(provider == .polar ? "product" : "price") for the \(tier.rawValue) tier")
        }
        let request = CheckoutClient.Request(
            provider: provider, tier: tier, productID: product, email: email.address,
            reference: req.vitrine.makeID().uuidString.lowercased(),
            successURL: settings.publicURL + "/?checkout=success", cancelURL: settings.publicURL + "/?checkout=cancelled"
        )
        let url: String
        do {
            url = try await req.application.checkoutClient.createCheckout(request)
        } catch let failure as CheckoutClient.Failure {
            req.logger.warning("checkout: \(failure.message)")
            throw APIError(.badGateway, "provider_error", failure.message)
        }
        return .json(.ok, .object([("url", .string(url))]))
    }

    static func polarWebhook(_ req: Request) async throws -> Response {
        guard let secret = req.vitrine.settings.polarWebhookSecret else { throw notConfigured("VITRINE_POLAR_WEBHOOK_SECRET is not set") }
        let body = rawBody(req)
        let id = req.headers.first(name: "webhook-id")
        do {
            try WebhookSignature.verifyStandard(
                id: id, timestamp: req.headers.first(name: "webhook-timestamp"), signature: req.headers.first(name: "webhook-signature"),
                body: body, secret: secret, now: req.vitrine.now()
            )
        } catch { throw apiError(error) }
        return try await process(req, provider: .polar, eventID: id!, body: body)
    }

    static func stripeWebhook(_ req: Request) async throws -> Response {
        guard let secret = req.vitrine.settings.stripeWebhookSecret else { throw notConfigured("VITRINE_STRIPE_WEBHOOK_SECRET is not set") }
        let body = rawBody(req)
        do {
            try WebhookSignature.verifyStripe(header: req.headers.first(name: "Stripe-Signature"), body: body, secret: secret, now: req.vitrine.now())
        } catch { throw apiError(error) }
        return try await process(req, provider: .stripe, eventID: nil, body: body)
    }

    private static func rawBody(_ req: Request) -> Data {
        req.body.data.map { Data(buffer: $0) } ?? Data()
    }

    /// Malformed headers are a 400; a stale timestamp or a signature that does not match, 401.
    private static func apiError(_ rejection: WebhookRejection) -> APIError {
        switch rejection.kind {
        case .malformed: APIError.badRequest("bad_signature_header", rejection.reason)
        case .stale: APIError(.unauthorized, "stale_timestamp", rejection.reason)
        case .mismatch: APIError(.unauthorized, "bad_signature", rejection.reason)
        }
    }

    private static func process(_ req: Request, provider: Settings.BillingProvider, eventID: String?, body: Data) async throws -> Response {
        let event: ParsedBillingEvent
        do { event = try BillingWebhook.parse(body, provider: provider, settings: req.vitrine.settings) } catch {
            throw APIError.badRequest("invalid_event", "\(error)")
        }
        guard let id = eventID ?? event.id else { throw APIError.badRequest("invalid_event", "the event has no id") }
        let outcome = try await BillingService(request: req).process(event, eventID: id, payload: body)
        if !outcome.changes.isEmpty { req.logger.notice("\(provider.rawValue) event \(id) \(event.type): \(outcome.changes.joined(separator: "; "))") }
        return .json(.ok, .object([
            ("received", .bool(true)),
            ("duplicate", .bool(outcome.duplicate)),
            ("handled", .bool(!event.updates.isEmpty)),
        ]))
    }
}

/// Parsing shared by the webhook routes and `vitrine billing replay`.
public enum BillingWebhook {
    static func parse(_ body: Data, provider: Settings.BillingProvider, settings: Settings) throws -> ParsedBillingEvent {
        switch provider {
        case .polar: try PolarEvents.parse(body, settings: settings)
        case .stripe: try StripeEvents.parse(body, settings: settings)
        }
    }

    public struct ReplayResult: Sendable {
        public var eventID: String
        public var duplicate: Bool
        public var changes: [String]

        public var text: String {
            if duplicate { return "event \(eventID): already applied, nothing changed" }
            if changes.isEmpty { return "event \(eventID): applied, nothing changed" }
            return (["event \(eventID): applied"] + changes.map { "  " + $0 }).joined(separator: "\n")
        }
    }

    public struct ReplayError: Error, CustomStringConvertible { public let description: String }

    /// `vitrine billing replay`: applies a stored envelope through the same code path as the webhook
    /// (no signature: the operator has the file). The event id is Stripe's `id`; for Polar (whose
    /// envelope has none) `eventID`, else the id a recorded delivery of the same bytes had, else
    /// `replay:<sha256>`.
    public static func replay(app: Application, body: Data, provider: Settings.BillingProvider, eventID: String?) async throws -> ReplayResult {
        let event: ParsedBillingEvent
        do { event = try parse(body, provider: provider, settings: app.vitrine.settings) } catch {
            throw ReplayError(description: "\(error)")
        }
        var id = eventID ?? event.id
        if id == nil { id = try await WebhookEventLog.eventID(provider: provider.rawValue, payload: body, on: app.db) }
        let eventID = id ?? "replay:" + WebhookEventLog.sha256Hex(body)
        let outcome = try await BillingService(app: app).process(event, eventID: eventID, payload: body)
        return ReplayResult(eventID: eventID, duplicate: outcome.duplicate, changes: outcome.changes)
    }
}
