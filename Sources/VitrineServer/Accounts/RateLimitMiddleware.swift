import Foundation
import Vapor
import VitrineKit

/// Limits the endpoints that send mail or check passwords, per client address and per normalized
/// email named in the body: each request counts one hit in the current fixed window of both
/// counters; past either limit the answer is 429 with `Retry-After`. One table says which routes.
struct RateLimitMiddleware: Middleware {
    static let rules: [String: RateLimit.Action] = [
        "POST /api/v1/session": .login,
        "POST /api/v1/account": .signup,
        "POST /api/v1/password-reset": .emailLink,
        "POST /api/v1/magic-link": .emailLink,
        "PATCH /api/v1/me": .emailLink,
        "POST /api/v1/trial": .trial,
        "POST /api/v1/checkout": .checkout,
    ]

    /// Future-based so that the routes it does not limit (most requests) pay for no task.
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.method == .POST || request.method == .PATCH,  // every rule's method
              request.vitrine.settings.rateLimitEnabled,
              let action = Self.rules["\(request.method.rawValue) \(Self.trimmedPath(request.url.path))"]
        else { return next.respond(to: request) }
        let promise = request.eventLoop.makePromise(of: Response.self)
        promise.completeWithTask { try await limit(request, action: action, next: next) }
        return promise.futureResult
    }

    private func limit(_ request: Request, action: RateLimit.Action, next: any Responder) async throws -> Response {
        let settings = request.vitrine.settings

        let context = request.vitrine
        let now = context.now().timeIntervalSince1970
        let window = Int64(settings.rateLimitWindowSeconds)
        let windowStart = Int64(now.rounded(.down)) / window * window
        var limited = false
        let ip = clientAddress(request).map(Self.limitingPrefix) ?? "unknown"
        let ipHits = try await RateLimit.hit(action: action, subject: "ip:" + ip, windowStart: windowStart, id: context.makeID(), on: request.db)
        if ipHits > settings.rateLimitPerIP { limited = true }
        if let email = try await Self.emailInBody(request) {
            let emailHits = try await RateLimit.hit(
                action: action, subject: RateLimit.emailSubject(email), windowStart: windowStart, id: context.makeID(), on: request.db)
            if emailHits > settings.rateLimitPerEmail { limited = true }
        }
        guard limited else { return try await next.respond(to: request).get() }
        let retryAfter = max(1, Int((Double(windowStart + window) - now).rounded(.up)))
        let response = Response.json(.tooManyRequests, .object([
            ("error", .string("rate_limited")),
            ("reason", .string("too many attempts; try again in \(retryAfter) seconds")),
        ]))
        response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter))
        return response
    }

    static func trimmedPath(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The normalized `email` field of a JSON or form body, if it holds a valid address.
    static func emailInBody(_ request: Request) async throws -> String? {
        guard let buffer = try await request.body.collect(max: request.vitrine.settings.maxBodyBytes).get(),
              buffer.readableBytes > 0 else { return nil }
        let raw: String?
        if request.headers.contentType == .urlEncodedForm {
            raw = AccountBody.formFields(String(buffer: buffer))?["email"]
        } else {
            raw = (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))).flatMap { ($0 as? [String: Any])?["email"] as? String }
        }
        return raw.flatMap { try? EmailAddress($0).normalized }
    }

    /// IPv4 as is; IPv6 cut to its /64 (one subscriber usually holds a whole /64).
    static func limitingPrefix(_ ip: String) -> String {
        guard ip.contains(":") else { return ip }
        if ip.hasPrefix("::ffff:"), ip.contains(".") { return String(ip.dropFirst(7)) }
        let halves = ip.components(separatedBy: "::")
        let head = halves[0].split(separator: ":").map(String.init)
        let tail = halves.count > 1 ? halves[1].split(separator: ":").map(String.init) : []
        let groups = head + Array(repeating: "0", count: max(0, 8 - head.count - tail.count)) + tail
        return groups.prefix(4).map { String(Int($0, radix: 16) ?? 0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}

/// The client's address: the socket peer, or the last `X-Forwarded-For` entry when
/// `Settings.trustsProxy` says a reverse proxy of ours sets it.
func clientAddress(_ request: Request) -> String? {
    if request.vitrine.settings.trustsProxy,
       let forwarded = request.headers.first(name: "X-Forwarded-For")?.split(separator: ",").last {
        let ip = forwarded.trimmingCharacters(in: .whitespaces)
        if !ip.isEmpty { return ip }
    }
    return request.remoteAddress?.ipAddress
}
