import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// A browser-like client: the session cookie and CSRF token it got at login.
struct Browser {
    var cookie: String
    var csrf: String
    var headers: HTTPHeaders { ["Cookie": "vitrine_session=\(cookie)", "X-CSRF-Token": csrf] }
}

extension TestEnv {
    func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers = extra
        if body != nil, headers.contentType == nil { headers.contentType = .json }
        return try await app.testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// Delivers due mail and returns the mails to `recipient` (exact address), oldest first.
    func mails(to recipient: String) async throws -> [String] {
        try await deliverMail().filter { $0.contains("\r\nTo: \(recipient)\r\n") }
    }

    /// The token of the link in the newest mail to `recipient` whose link path is `path`.
    func linkToken(to recipient: String, path: String) async throws -> String {
        let mails = try await mails(to: recipient).filter { $0.contains(path + "?token=") }
        let mail = try #require(mails.last, "no mail to \(recipient) with a \(path) link")
        return try #require(tokenIn(mail, path: path))
    }

    /// Signs up and verifies; returns the user id.
    @discardableResult
    func signUp(_ email: String, password: String = "correct horse battery", name: String = "Painter", verify: Bool = true) async throws -> String {
        let res = try await send(.POST, "api/v1/account", #"{"email": "\#(email)", "password": "\#(password)", "display_name": "\#(name)"}"#)
        #expect(res.status == .accepted, "\(res.text)")
        if verify {
            let token = try await linkToken(to: email, path: "/account/verify")
            let ok = try await send(.POST, "api/v1/account/verify", #"{"token": "\#(token)"}"#)
            #expect(ok.status == .ok, "\(ok.text)")
        }
        let user = try #require(try await User.find(normalizedEmail: try EmailAddress(email).normalized, on: app.db))
        return user.id!.uuidString.lowercased()
    }

    func logIn(_ email: String, password: String = "correct horse battery") async throws -> Browser {
        let res = try await send(.POST, "api/v1/session", #"{"email": "\#(email)", "password": "\#(password)"}"#)
        #expect(res.status == .ok, "\(res.text)")
        let cookie = try #require(res.headers.setCookie?["vitrine_session"]?.string)
        let csrf = try #require(res.json["csrf_token"] as? String)
        return Browser(cookie: cookie, csrf: csrf)
    }

    /// A new API token for the logged-in browser.
    func makeToken(_ browser: Browser, name: String = "laptop") async throws -> (id: String, token: String) {
        let res = try await send(.POST, "api/v1/tokens", #"{"name": "\#(name)"}"#, headers: browser.headers)
        #expect(res.status == .created, "\(res.text)")
        return (try #require(res.json["id"] as? String), try #require(res.json["token"] as? String))
    }
}

func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

/// The token in a mail's link to `path` (the text part comes first).
func tokenIn(_ mail: String, path: String) -> String? {
    guard let range = mail.range(of: path + #"\?token=[A-Za-z0-9_\-]+"#, options: .regularExpression) else { return nil }
    return String(mail[range].split(separator: "=").last!)
}
