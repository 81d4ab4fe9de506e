import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Vapor
import VitrineKit

/// Where and how to reach Resend's HTTP API (shared/specs/providers.md §7).
public struct ResendConfiguration: Sendable {
    public var apiKey: String
    /// `https://api.resend.com`, or a loopback fake in tests; no trailing slash.
    public var baseURL: String
    public var userAgent: String
    public var timeout: TimeAmount

    public init(apiKey: String, baseURL: String = "https://api.resend.com", userAgent: String = "vitrine-server/1", timeout: TimeAmount = .seconds(30)) {
        self.apiKey = apiKey
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.userAgent = userAgent
        self.timeout = timeout
    }
}

/// Resend's request body for `POST /emails`.
struct ResendEmail: Codable, Equatable, Sendable {
    var from: String
    var to: [String]
    var subject: String
    var text: String
    var html: String
    var headers: [String: String]?
}

/// Resend's error envelope: `{"statusCode":422,"message":"…","name":"validation_error"}`.
struct ResendErrorEnvelope: Codable, Sendable {
    var statusCode: Int?
    var message: String?
    var name: String?
}

extension MailDeliverer {
    /// Sends each mail with `POST {baseURL}/emails` (`VITRINE_MAILER=resend`). The outbox row's
    /// idempotency key (`license-email/<license id>`) goes in `Idempotency-Key`, so a retry after a
    /// lost reply never sends twice. Errors are told apart by the envelope's `name`: rate limits,
    /// quota, concurrent requests and server errors (429, 5xx) are retried; the rest fail for good.
    public static func resend(_ configuration: ResendConfiguration, client: HTTPClient, logger: Logger) -> MailDeliverer {
        MailDeliverer(name: "resend") { mail in
            var request = HTTPClientRequest(url: configuration.baseURL + "/emails")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: configuration.userAgent)
            request.headers.add(name: "Idempotency-Key", value: String(mail.idempotencyKey.prefix(256)))
            let email = ResendEmail(
                from: mail.message.from, to: [mail.message.to], subject: mail.message.subject,
                text: mail.message.text, html: mail.message.html,
                headers: ["Message-ID": "<\(mail.message.messageID)>"]
            )
            // Sorted keys: a retry must send the very same bytes, or Resend answers 409 for the key.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            request.body = .bytes(ByteBuffer(bytes: try encoder.encode(email)))

            let response: HTTPClientResponse
            let body: ByteBuffer
            do {
                response = try await client.execute(request, timeout: configuration.timeout)
                body = try await response.body.collect(upTo: 1 << 20)
            } catch {
                throw MailDeliveryError.transient("Resend: request failed: \(error)")
            }
            let data = Data(body.readableBytesView)
            if response.status == .ok {
                struct Sent: Decodable { var id: String }
                let id = (try? JSONDecoder().decode(Sent.self, from: data))?.id ?? "?"
                logger.notice("mail \(mail.id.uuidString.lowercased()) sent via Resend as \(id)")
                return
            }
            throw resendFailure(status: response.status, body: data)
        }
    }

    /// Permanent or transient, from the envelope's `name` first and the HTTP status after.
    static func resendFailure(status: HTTPResponseStatus, body: Data) -> MailDeliveryError {
        let envelope = try? JSONDecoder().decode(ResendErrorEnvelope.self, from: body)
        let name = envelope?.name ?? ""
        let message = envelope?.message ?? String(decoding: body.prefix(200), as: UTF8.self)
        let transientNames: Set = [
            "rate_limit_exceeded", "daily_quota_exceeded", "concurrent_idempotent_requests", "internal_server_error", "application_error",
        ]
        let transient = transientNames.contains(name) || status == .tooManyRequests || status.code >= 500
        return MailDeliveryError(permanent: !transient, "Resend \(status.code) \(name.isEmpty ? "(no error name)" : name): \(message)")
    }
}
