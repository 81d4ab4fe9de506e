import Foundation
import Vapor
import VitrineKit

/// `/api/v1` account endpoints: parse, call `AccountService`, render.
enum AccountController {
    static func register(_ api: any RoutesBuilder) {
        api.post("account", use: signUp)
        api.post("account", "verify", use: verifyEmail)
        api.post("account", "email", "confirm", use: confirmEmailChange)
        api.post("session", use: logIn)
        api.post("session", "magic", use: logInWithLink)
        api.delete("session", use: logOut)
        api.post("password-reset", use: requestPasswordReset)
        api.post("password-reset", "confirm", use: resetPassword)
        api.post("magic-link", use: requestMagicLink)
        api.get("me", use: me)
        api.patch("me", use: patchMe)
        api.delete("me", use: deleteMe)
        api.get("me", "export", use: export)
        api.post("tokens", use: createToken)
        api.get("tokens", use: listTokens)
        api.delete("tokens", ":id", use: revokeToken)
    }

    struct SignUpBody: Decodable { var email: String; var password: String; var display_name: String }
    struct LoginBody: Decodable { var email: String; var password: String }
    struct EmailBody: Decodable { var email: String }
    struct TokenBody: Decodable { var token: String }
    struct ResetBody: Decodable { var token: String; var password: String }
    struct PatchMeBody: Decodable { var email: String?; var display_name: String? }
    struct NameBody: Decodable { var name: String }

    static func accepted(_ message: String) -> Response {
        .json(.accepted, .object([("status", .string("accepted")), ("message", .string(message))]))
    }

    /// The same 202 whether or not the address has an account.
    static func signUp(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(SignUpBody.self, fields: ["email", "password", "display_name"], from: req)
        try await AccountService(request: req).signUp(email: try email(body.email), password: body.password, displayName: body.display_name)
        return accepted("If this address can be used, a link to confirm it is on its way by email.")
    }

    static func verifyEmail(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(TokenBody.self, fields: ["token"], from: req)
        try await AccountService(request: req).verifyEmail(token: body.token)
        return .json(.ok, .object([("status", .string("verified"))]))
    }

    static func confirmEmailChange(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(TokenBody.self, fields: ["token"], from: req)
        try await AccountService(request: req).confirmEmailChange(token: body.token)
        return .json(.ok, .object([("status", .string("email_changed"))]))
    }

    static func logIn(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(LoginBody.self, fields: ["email", "password"], from: req)
        let session = try await AccountService(request: req).logIn(email: body.email, password: body.password)
        return sessionResponse(session, req)
    }

    static func logInWithLink(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(TokenBody.self, fields: ["token"], from: req)
        let session = try await AccountService(request: req).logInWithLink(token: body.token)
        return sessionResponse(session, req)
    }

    static func logOut(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        guard let sessionID = identity.sessionID else {
            throw APIError.badRequest("not_a_session", "this request uses an API token; revoke it with DELETE /api/v1/tokens/ID")
        }
        try await AccountService(request: req).logOut(sessionID: sessionID)
        let response = Response.json(.ok, .object([("status", .string("logged_out"))]))
        response.cookies[AccountAuthMiddleware.cookieName] = sessionCookie("", maxAge: 0, req)
        return response
    }

    static func requestPasswordReset(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(EmailBody.self, fields: ["email"], from: req)
        try await AccountService(request: req).requestLink(.resetPassword, email: try email(body.email))
        return accepted("If this address has an account, a link to reset its password is on its way by email.")
    }

    static func resetPassword(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(ResetBody.self, fields: ["token", "password"], from: req)
        try await AccountService(request: req).resetPassword(token: body.token, password: body.password)
        return .json(.ok, .object([("status", .string("password_changed")), ("message", .string("log in with the new password"))]))
    }

    static func requestMagicLink(_ req: Request) async throws -> Response {
        let body = try AccountBody.decode(EmailBody.self, fields: ["email"], from: req)
        try await AccountService(request: req).requestLink(.magicLink, email: try email(body.email))
        return accepted("If this address has an account, a login link is on its way by email.")
    }

    static func me(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        return .json(.ok, userJSON(identity.user, csrfToken: identity.csrfToken))
    }

    static func patchMe(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        let body = try AccountBody.decode(PatchMeBody.self, fields: ["email", "display_name"], from: req)
        let pending = try await AccountService(request: req).updateProfile(user: identity.user, displayName: body.display_name, email: body.email)
        var fields = userFields(identity.user, csrfToken: nil)
        if let pending { fields.append(("pending_email", .string(pending))) }
        return .json(.ok, .object(fields))
    }

    static func deleteMe(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        try await AccountService(request: req).deactivate(user: identity.user)
        let purgeAfter = req.vitrine.now().addingTimeInterval(AccountDeletion.gracePeriod)
        let response = Response.json(.ok, .object([
            ("status", .string("deactivated")),
            ("message", .string("sessions and API tokens are revoked and licenses voided; personal data is removed after \(purgeAfter.iso8601)")),
        ]))
        response.cookies[AccountAuthMiddleware.cookieName] = sessionCookie("", maxAge: 0, req)
        return response
    }

    static func export(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        let json = try await AccountExport.make(user: identity.user, currentSessionID: identity.sessionID, now: req.vitrine.now(), on: req.db)
        let response = Response.json(.ok, json)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"vitrine-export.json\"")
        return response
    }

    static func createToken(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        let body = try AccountBody.decode(NameBody.self, fields: ["name"], from: req)
        let (token, secret) = try await AccountService(request: req).createToken(user: identity.user, name: body.name)
        var fields = tokenFields(token)
        fields.insert(("token", .string(secret)), at: 2)
        return .json(.created, .object(fields))
    }

    static func listTokens(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        let tokens = try await APIToken.all(userID: identity.user.id!, on: req.db).filter { $0.revokedAt == nil }
        return .json(.ok, .object([("tokens", .array(tokens.map { .object(tokenFields($0)) }))]))
    }

    /// Another user's token answers exactly like an unknown one.
    static func revokeToken(_ req: Request) async throws -> Response {
        let identity = try req.requireIdentity()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              try await APIToken.revoke(id: id, userID: identity.user.id!, now: req.vitrine.now(), on: req.db)
        else { throw APIError(.notFound, "unknown_token", "you have no active API token with this id") }
        return .json(.ok, .object([("status", .string("revoked"))]))
    }

    // MARK: Rendering

    static func email(_ raw: String) throws -> EmailAddress {
        do { return try EmailAddress(raw) } catch { throw APIError.badRequest("invalid_email", error.description) }
    }

    static func sessionResponse(_ session: AccountService.NewSession, _ req: Request) -> Response {
        let response = Response.json(.ok, userJSON(session.user, csrfToken: session.csrfToken))
        let maxAge = Int(session.session.expiresAt.timeIntervalSince(req.vitrine.now()))
        response.cookies[AccountAuthMiddleware.cookieName] = sessionCookie(session.secret, maxAge: maxAge, req)
        return response
    }

    /// HttpOnly, SameSite=Lax, whole site; Secure when the server's public URL is https.
    static func sessionCookie(_ value: String, maxAge: Int, _ req: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: maxAge > 0 ? req.vitrine.now().addingTimeInterval(Double(maxAge)) : Date(timeIntervalSince1970: 0),
            maxAge: maxAge, path: "/", isSecure: req.vitrine.settings.publicURL.lowercased().hasPrefix("https://"),
            isHTTPOnly: true, sameSite: .lax)
    }

    static func userFields(_ user: User, csrfToken: String?) -> [(String, JSON)] {
        var fields: [(String, JSON)] = [
            ("id", .string(user.id!.uuidString.lowercased())),
            ("email", .string(user.email)),
            ("display_name", user.displayName.map { .string($0) } ?? .null),
            ("email_verified", .bool(user.emailVerifiedAt != nil)),
            ("created_at", .string(user.createdAt.iso8601)),
        ]
        if let csrfToken { fields.append(("csrf_token", .string(csrfToken))) }
        return fields
    }

    static func userJSON(_ user: User, csrfToken: String?) -> JSON { .object(userFields(user, csrfToken: csrfToken)) }

    static func tokenFields(_ t: APIToken) -> [(String, JSON)] {
        [
            ("id", .string(t.id!.uuidString.lowercased())),
            ("name", .string(t.name)),
            ("prefix", .string(t.prefix)),
            ("created_at", .string(t.createdAt.iso8601)),
            ("last_used_at", t.lastUsedAt.map { .string($0.iso8601) } ?? .null),
        ]
    }
}
