import Foundation
import Vapor
import VitrineKit

/// An error the API reports as `{"error": code, "reason": text}` with an HTTP status.
public struct APIError: Error, Sendable {
    public var status: HTTPResponseStatus
    public var code: String
    public var reason: String

    public init(_ status: HTTPResponseStatus, _ code: String, _ reason: String) {
        self.status = status
        self.code = code
        self.reason = reason
    }

    static func badRequest(_ code: String, _ reason: String) -> APIError { APIError(.badRequest, code, reason) }
}

/// Turns every error into the JSON error shape; unexpected ones become a 500 without details
/// (the details go to the log). A future-based middleware, not an `AsyncMiddleware`: Vapor
/// starts a new task for every async middleware of every request, which cost more than the
/// request itself on the license endpoints.
struct APIErrorMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in Self.response(for: error, request: request) }
    }

    static func response(for error: any Error, request: Request) -> Response {
        switch error {
        case let error as APIError:
            return .json(error.status, .object([("error", .string(error.code)), ("reason", .string(error.reason))]))
        case let error as any AbortError:
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            let reason: String
            switch error.status {
            case .payloadTooLarge: reason = "the request body is larger than \(BodyLimitMiddleware(maxBytes: request.vitrine.settings.maxBodyBytes).limit(for: request)) bytes"
            case .notFound: reason = "no such endpoint: \(request.method) \(request.url.path)"
            default: reason = error.reason
            }
            return .json(error.status, .object([("error", .string(code)), ("reason", .string(reason))]))
        default:
            request.logger.error("unexpected error: \(String(reflecting: error))")
            return .json(.internalServerError, .object([("error", .string("internal_error")), ("reason", .string("the server failed to answer; the error is in its log"))]))
        }
    }
}

extension Response {
    /// A JSON response whose keys keep their order and whose nulls are written out.
    static func json(_ status: HTTPResponseStatus, _ body: JSON) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string: body.serialized()))
    }
}

extension Date {
    /// ISO 8601 in UTC with whole seconds, as every date in the API.
    var iso8601: String {
        // The format style, not ISO8601DateFormatter: building a formatter per call cost ~50 µs.
        formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}

/// Refuses a declared Content-Length over the limit before reading the body (413). Bodies without
/// one are checked as they are collected and again when decoded.
struct BodyLimitMiddleware: Middleware {
    let maxBytes: Int

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let maxBytes = limit(for: request)
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > maxBytes {
            return request.eventLoop.makeFailedFuture(Abort(.payloadTooLarge))
        }
        if let data = request.body.data, data.readableBytes > maxBytes {
            return request.eventLoop.makeFailedFuture(Abort(.payloadTooLarge))
        }
        return next.respond(to: request)
    }

    /// Payment providers' webhooks have their own, larger cap (`VITRINE_WEBHOOK_MAX_BODY_BYTES`).
    /// (The raw request target, not `url.path`, which is recomputed on every access; an encoded
    /// variant of the webhook path only gets the smaller cap.)
    func limit(for request: Request) -> Int {
        request.url.string.hasPrefix(BillingController.webhookPathPrefix) ? request.vitrine.settings.webhookMaxBodyBytes : maxBytes
    }
}
