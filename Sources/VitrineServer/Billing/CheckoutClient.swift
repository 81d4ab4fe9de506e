import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Vapor
import VitrineKit

/// Creates a hosted checkout with the payment provider and returns its URL. A struct of one
/// closure: `live` talks to Polar or Stripe over AsyncHTTPClient; `unimplemented` (tests) fails
/// loudly if anything calls it.
struct CheckoutClient: Sendable {
    struct Request: Sendable, Equatable {
        var provider: Settings.BillingProvider
        var tier: LicenseTier
        /// The provider's product (Polar) or price (Stripe) id for the tier.
        var productID: String
        var email: String
        /// Ours, non-personal: ties the provider's session to this request in their dashboard.
        var reference: String
        var successURL: String
        var cancelURL: String
    }

    /// The provider refused or could not be reached; `message` is the provider's own (never the secret).
    struct Failure: Error, Equatable {
        var message: String
    }

    var createCheckout: @Sendable (Request) async throws -> String

    static let unimplemented = CheckoutClient { request in
        throw Failure(message: "CheckoutClient.unimplemented: createCheckout called unexpectedly (\(request.provider) \(request.tier))")
    }

    static func live(settings: Settings, client: HTTPClient) -> CheckoutClient {
        CheckoutClient { request in
            var http: HTTPClientRequest
            switch request.provider {
            case .polar:
                http = HTTPClientRequest(url: settings.polarAPIURL + "/v1/checkouts/")
                http.headers.add(name: "Authorization", value: "Bearer \(settings.polarAccessToken ?? "")")
                http.headers.add(name: "Content-Type", value: "application/json")
                let body: [String: Any] = [
                    "products": [request.productID],
                    "customer_email": request.email,
                    "success_url": request.successURL,
                    "metadata": ["tier": request.tier.rawValue, "reference": request.reference],
                ]
                http.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
            case .stripe:
                http = HTTPClientRequest(url: settings.stripeAPIURL + "/v1/checkout/sessions")
                http.headers.add(name: "Authorization", value: "Bearer \(settings.stripeSecretKey ?? "")")
                http.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                let fields: [(String, String)] = [
                    ("mode", request.tier == .lifetime ? "payment" : "subscription"),
                    ("line_items[0][price]", request.productID),
                    ("line_items[0][quantity]", "1"),
                    ("customer_email", request.email),
                    ("success_url", request.successURL),
                    ("cancel_url", request.cancelURL),
                    ("client_reference_id", request.reference),
                    ("metadata[tier]", request.tier.rawValue),
                    ("metadata[reference]", request.reference),
                ]
                http.body = .bytes(ByteBuffer(string: formEncode(fields)))
            }
            http.method = .POST
            http.headers.add(name: "User-Agent", value: "vitrine-server/1")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(http, timeout: .seconds(30))
            } catch {
                throw Failure(message: "\(request.provider.rawValue) could not be reached: \(error)")
            }
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            guard (200..<300).contains(response.status.code) else {
                let secrets = [settings.polarAccessToken, settings.stripeSecretKey].compactMap { $0 }
                let message = redacted(providerMessage(object) ?? "no message", secrets: secrets)
                throw Failure(message: "\(request.provider.rawValue) answered \(response.status.code): \(message)")
            }
            guard let url = object["url"] as? String, !url.isEmpty else {
                throw Failure(message: "\(request.provider.rawValue) answered without a checkout url")
            }
            return url
        }
    }

    /// The provider's error text: Stripe `{error: {message}}`, Polar `{detail}` (a string, or
    /// validation errors `[{msg}]`) or `{error, error_description}`.
    static func providerMessage(_ object: [String: Any]) -> String? {
        if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
        if let detail = object["detail"] as? String { return detail }
        if let details = object["detail"] as? [[String: Any]] {
            return details.compactMap { $0["msg"] as? String }.joined(separator: "; ")
        }
        if let description = object["error_description"] as? String { return description }
        return object["error"] as? String
    }

    /// The provider's message without our credentials: the secrets themselves, and key-shaped
    /// words (Stripe echoes a masked key with its last characters: `Invalid API Key provided: sk_test_***1234`).
    static func redacted(_ message: String, secrets: [String]) -> String {
        var out = message
        for secret in secrets where secret.count >= 4 { out = out.replacingOccurrences(of: secret, with: "[redacted]") }
        return out.replacingOccurrences(of: #"\b(sk|rk|pk|whsec|polar_[a-z]+)_[A-Za-z0-9_*]+"#, with: "[redacted]", options: .regularExpression)
    }

    static func formEncode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

extension Application {
    private struct CheckoutClientKey: StorageKey { typealias Value = CheckoutClient }

    /// The checkout client `configure` installed (tests may replace it).
    var checkoutClient: CheckoutClient {
        get { storage[CheckoutClientKey.self] ?? .unimplemented }
        set { storage[CheckoutClientKey.self] = newValue }
    }
}
