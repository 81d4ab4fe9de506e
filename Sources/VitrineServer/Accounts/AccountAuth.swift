import Foundation
import Vapor

/// Who is calling, once `AccountAuthMiddleware` has looked at the request.
struct AccountIdentity: Sendable {
    enum Via: Sendable, Equatable {
        /// The `vitrine_session` cookie; state-changing requests must also carry the session's CSRF token.
        case session(id: UUID, csrfToken: String)
        /// `Authorization: Bearer vtr_…`; no CSRF token needed (a browser never adds it on its own).
        case apiToken(id: UUID)
    }

    var user: User
    var via: Via

    var sessionID: UUID? { if case .session(let id, _) = via { id } else { nil } }
    var csrfToken: String? { if case .session(_, let token) = via { token } else { nil } }
}

/// Resolves the bearer token or session cookie into an `AccountIdentity`. A bad bearer token is a
/// 401 at once; a stale cookie is simply no identity. Handlers ask with `requireIdentity()`.
struct AccountAuthMiddleware: AsyncMiddleware {
    static let cookieName = "vitrine_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let context = request.vitrine
        let now = context.now()
        if let authorization = request.headers.first(name: .authorization) {
            guard authorization.lowercased().hasPrefix("bearer "),
                  case let secret = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces),
                  secret.hasPrefix(Secrets.apiTokenPrefix),
                  let token = try await APIToken.live(tokenHash: Secrets.hash(secret), on: request.db),
                  let user = try await User.active(id: token.userID, on: request.db)
            else {
                throw APIError(.unauthorized, "invalid_token", "the API token is unknown or revoked")
            }
            try await APIToken.touch(id: token.id!, now: now, on: request.db)
            request.storage[IdentityKey.self] = AccountIdentity(user: user, via: .apiToken(id: token.id!))
        } else if let secret = request.cookies[Self.cookieName]?.string, !secret.isEmpty,
                  let session = try await Session.live(tokenHash: Secrets.hash(secret), now: now, on: request.db),
                  let user = try await User.active(id: session.userID, on: request.db) {
            request.storage[IdentityKey.self] = AccountIdentity(
                user: user, via: .session(id: session.id!, csrfToken: Secrets.csrfToken(sessionSecret: secret)))
        }
        return try await next.respond(to: request)
    }

    struct IdentityKey: StorageKey { typealias Value = AccountIdentity }
}

/// Refuses state-changing requests that a browser sent from another site (`Origin` not the
/// server's own): stops cross-site form posts even where no session is involved (login CSRF).
/// Clients that are not browsers send no `Origin` and pass.
struct SameOriginMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if !request.method.isSafe, let origin = request.headers.first(name: .origin) {
            let own = Self.origin(of: request.vitrine.settings.publicURL)
            if origin.lowercased() != own {
                throw APIError(.forbidden, "cross_site_request", "requests from \(origin) are not accepted; use \(own)")
            }
        }
        return try await next.respond(to: request)
    }

    /// `scheme://host[:port]` of a URL, lower case, default ports left out.
    static func origin(of url: String) -> String {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), let host = u.host?.lowercased() else { return url.lowercased() }
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = u.port, port != defaultPort { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }
}

extension HTTPMethod {
    var isSafe: Bool { self == .GET || self == .HEAD || self == .OPTIONS }
}

extension Request {
    /// The caller, or 401. For a state-changing request authenticated by the session cookie, the
    /// session's CSRF token must come as `X-CSRF-Token` or as the `csrf` form field, or it is 403.
    func requireIdentity() throws -> AccountIdentity {
        guard let identity = storage[AccountAuthMiddleware.IdentityKey.self] else {
            throw APIError(.unauthorized, "not_logged_in", "log in first (session cookie) or send Authorization: Bearer vtr_…")
        }
        if !method.isSafe, let expected = identity.csrfToken {
            var sent = headers.first(name: "X-CSRF-Token")
            if sent == nil, headers.contentType == .urlEncodedForm, let buffer = body.data {
                sent = AccountBody.formFields(String(buffer: buffer))?["csrf"]
            }
            guard let sent, Secrets.equal(sent, expected) else {
                throw APIError(.forbidden, "csrf_token_missing", "a request made with the session cookie needs the session's X-CSRF-Token header (or csrf form field); GET /api/v1/me returns it")
            }
        }
        return identity
    }
}
