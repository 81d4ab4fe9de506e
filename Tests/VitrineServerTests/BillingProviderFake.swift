import Foundation
import Vapor

/// A loopback fake of the two providers' checkout creation: Polar's `POST /v1/checkouts/` (JSON,
/// Bearer organization token) and Stripe's `POST /v1/checkout/sessions` (form-encoded, Bearer secret
/// key). Each checks auth and required fields the way the provider does, answers with that
/// provider's error envelope, and records accepted checkouts so a test can send the webhook the
/// provider would send after payment.
final class BillingProviderFake: @unchecked Sendable {
    struct Checkout {
        var provider: String
        var id: String
        var fields: [String: String]
        var url: String
    }

    static let polarToken = "polar_oat_test"
    static let stripeKey = "sk_test_123"

    private let lock = NSLock()
    private var accepted: [Checkout] = []
    private var nextID = 1
    let app: Application
    private(set) var baseURL = ""

    var checkouts: [Checkout] { lock.withLock { accepted } }

    private init(app: Application) { self.app = app }

    static func with<T>(_ body: (BillingProviderFake) async throws -> T) async throws -> T {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let fake = BillingProviderFake(app: app)
        app.post("v1", "checkouts") { req async throws -> Response in fake.polar(req) }
        app.post("v1", "checkout", "sessions") { req async throws -> Response in fake.stripe(req) }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        fake.baseURL = "http://127.0.0.1:\(app.http.server.shared.localAddress?.port ?? 0)"
        do {
            let result = try await body(fake)
            await app.server.shutdown()
            try await app.asyncShutdown()
            return result
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw error
        }
    }

    private func polar(_ req: Request) -> Response {
        guard req.headers.first(name: .authorization) == "Bearer \(Self.polarToken)" else {
            return Self.json(.unauthorized, ["error": "invalid_token", "error_description": "The access token provided is expired, revoked, malformed, or invalid for other reasons."])
        }
        let data = req.body.data.map { Data(buffer: $0) } ?? Data()
        guard req.headers.contentType == .json, let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return Self.json(.unprocessableEntity, ["detail": [["type": "json_invalid", "loc": ["body"], "msg": "JSON decode error"]]])
        }
        guard let products = body["products"] as? [String], !products.isEmpty else {
            return Self.json(.unprocessableEntity, ["detail": [["type": "missing", "loc": ["body", "products"], "msg": "Field required"]]])
        }
        guard products.allSatisfy({ $0.hasPrefix("prod_") }) else {
            return Self.json(.unprocessableEntity, ["detail": [["type": "value_error", "loc": ["body", "products", 0], "msg": "Product does not exist."]]])
        }
        var fields: [String: String] = ["product": products[0]]
        fields["customer_email"] = body["customer_email"] as? String
        fields["success_url"] = body["success_url"] as? String
        for (k, v) in (body["metadata"] as? [String: Any]) ?? [:] { fields["metadata[\(k)]"] = "\(v)" }
        return record(provider: "polar", fields: fields, url: "https://sandbox.polar.sh/checkout/polar_c_")
    }

    private func stripe(_ req: Request) -> Response {
        guard let auth = req.headers.first(name: .authorization), auth.hasPrefix("Bearer ") else {
            return Self.stripeError(.unauthorized, "You did not provide an API key.")
        }
        guard auth == "Bearer \(Self.stripeKey)" else {
            // Stripe echoes the key masked but for its last four characters.
            let key = auth.dropFirst("Bearer ".count)
            return Self.stripeError(.unauthorized, "Invalid API Key provided: \(key.prefix(8))\(String(repeating: "*", count: max(0, key.count - 12)))\(key.suffix(4))")
        }
        guard req.headers.contentType == .urlEncodedForm, let text = req.body.string else {
            return Self.stripeError(.badRequest, "Invalid request (check that your POST content type is application/x-www-form-urlencoded).")
        }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            fields[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        for required in ["mode", "line_items[0][price]", "success_url"] where fields[required] == nil {
            return Self.stripeError(.badRequest, "Missing required param: \(required).")
        }
        guard fields["mode"] == "payment" || fields["mode"] == "subscription" else {
            return Self.stripeError(.badRequest, "Invalid mode: must be one of payment, setup, or subscription")
        }
        guard fields["line_items[0][price]"]!.hasPrefix("price_") else {
            return Self.stripeError(.badRequest, "No such price: '\(fields["line_items[0][price]"]!)'")
        }
        return record(provider: "stripe", fields: fields, url: "https://checkout.stripe.com/c/pay/cs_test_")
    }

    private func record(provider: String, fields: [String: String], url: String) -> Response {
        lock.withLock {
            let id = "\(provider == "stripe" ? "cs_test" : "polar_c")_\(nextID)"
            nextID += 1
            accepted.append(Checkout(provider: provider, id: id, fields: fields, url: url + id))
            return Self.json(provider == "stripe" ? .ok : .created, ["id": id, "url": url + id, "object": "checkout.session"])
        }
    }

    private static func stripeError(_ status: HTTPResponseStatus, _ message: String) -> Response {
        json(status, ["error": ["type": "invalid_request_error", "message": message]])
    }

    private static func json(_ status: HTTPResponseStatus, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }
}
