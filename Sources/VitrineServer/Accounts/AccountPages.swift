import Foundation
import Vapor

/// The pages the mailed links open: plain HTML, no scripts, no outside resources. Verification
/// links confirm on opening; reset and login links show a form, so a mail scanner that opens
/// links cannot use them up. The forms post to the JSON API as HTML forms from the same origin.
enum AccountPages {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("account", "verify", use: verify)
        routes.get("account", "email", use: confirmEmail)
        routes.get("account", "reset", use: reset)
        routes.get("account", "magic", use: magic)
    }

    static func verify(_ req: Request) async throws -> Response {
        do {
            try await AccountService(request: req).verifyEmail(token: try req.query.get(String.self, at: "token"))
            return page(.ok, "Address confirmed", "<p>Thank you: the address of your Vitrine account is confirmed.</p>")
        } catch {
            return page(.badRequest, "Link not valid", "<p>This link is unknown, already used or expired.</p>")
        }
    }

    static func confirmEmail(_ req: Request) async throws -> Response {
        do {
            try await AccountService(request: req).confirmEmailChange(token: try req.query.get(String.self, at: "token"))
            return page(.ok, "Address changed", "<p>This is now the address of your Vitrine account.</p>")
        } catch let error as APIError where error.code == "email_taken" {
            return page(.conflict, "Address taken", "<p>\(LicenseMail.escape(error.reason))</p>")
        } catch {
            return page(.badRequest, "Link not valid", "<p>This link is unknown, already used or expired.</p>")
        }
    }

    static func reset(_ req: Request) async throws -> Response {
        let token = LicenseMail.escape((try? req.query.get(String.self, at: "token")) ?? "")
        return page(.ok, "Choose a new password", """
            <form method="post" action="/api/v1/password-reset/confirm">
            <input type="hidden" name="token" value="\(token)">
            <p><label>New password (10 to 128 characters)<br><input type="password" name="password" minlength="10" maxlength="128" required autocomplete="new-password"></label></p>
            <p><button type="submit">Set the new password</button></p>
            </form>
            """)
    }

    static func magic(_ req: Request) async throws -> Response {
        let token = LicenseMail.escape((try? req.query.get(String.self, at: "token")) ?? "")
        return page(.ok, "Log in to Vitrine", """
            <form method="post" action="/api/v1/session/magic">
            <input type="hidden" name="token" value="\(token)">
            <p><button type="submit">Log in</button></p>
            </form>
            """)
    }

    static func page(_ status: HTTPResponseStatus, _ title: String, _ body: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.add(name: .cacheControl, value: "no-store")
        headers.add(name: "Referrer-Policy", value: "no-referrer")
        headers.add(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        return Response(status: status, headers: headers, body: .init(string: """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>\(LicenseMail.escape(title))</title></head>
            <body style="font-family: sans-serif; line-height: 1.5; max-width: 40em; margin: 2em auto">
            <h1>\(LicenseMail.escape(title))</h1>
            \(body)
            </body></html>
            """))
    }
}

/// The accounts feature's one hook in `configure`: state, rate limits, routes.
enum Accounts {
    static func configure(_ app: Application) {
        app.accountsState = AccountsState()
        app.middleware.use(RateLimitMiddleware())
        let api = app.routes.grouped("api", "v1").grouped(SameOriginMiddleware(), AccountAuthMiddleware())
        AccountController.register(api)
        AccountPages.register(app.routes.grouped(SameOriginMiddleware()))
        // The retention job (Retention.swift) removes deactivated accounts after their grace
        // period, and rate-limit counters once their window is long over.
        app.retentionPurges.append(RetentionPurge(name: "deactivated accounts") { now, db in
            try await AccountDeletion.purge(before: now.addingTimeInterval(-AccountDeletion.gracePeriod), on: db)
        })
        app.retentionPurges.append(RetentionPurge(name: "rate-limit windows older than a day") { now, db in
            try await RateLimit.deleteWindows(before: now.addingTimeInterval(-86_400), on: db)
            return 0
        })
    }
}
