import Fluent
import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// Sign-up, verification, login and logout, reset and magic links, email change.
@Suite struct AccountTests {
    @Test(arguments: TestDatabase.all)
    func signUpVerifyLogInAndOut(db: TestDatabase) async throws {
        try await withApp(db) { env in
            // setup
            try await env.signUp("painter@example.com", verify: false)
            let unverified = try await env.logIn("painter@example.com")
            #expect(try await env.send(.GET, "api/v1/me", headers: unverified.headers).json["email_verified"] as? Bool == false)
            let token = try await env.linkToken(to: "painter@example.com", path: "/account/verify")
            // act
            let page = try await env.get("account/verify?token=\(token)")
            let again = try await env.send(.POST, "api/v1/account/verify", #"{"token": "\#(token)"}"#)
            let res = try await env.send(.POST, "api/v1/session", #"{"email": "Painter@Example.com", "password": "correct horse battery"}"#)
            // assert
            #expect(page.status == .ok)
            #expect(page.text.contains("confirmed"))
            #expect(again.status == .badRequest)
            #expect(again.json["error"] as? String == "invalid_token")
            #expect(res.status == .ok)
            let setCookie = try #require(res.headers.first(name: .setCookie))
            #expect(setCookie.hasPrefix("vitrine_session="))
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Lax"))
            #expect(setCookie.contains("Path=/"))
            #expect(!setCookie.contains("Secure"))
            let browser = Browser(cookie: try #require(res.headers.setCookie?["vitrine_session"]?.string), csrf: try #require(res.json["csrf_token"] as? String))
            let me = try await env.send(.GET, "api/v1/me", headers: browser.headers)
            #expect(me.json["email"] as? String == "painter@example.com")
            #expect(me.json["display_name"] as? String == "Painter")
            #expect(me.json["email_verified"] as? Bool == true)
            #expect(me.json["csrf_token"] as? String == browser.csrf)
            #expect(me.json["password_hash"] == nil)
            let out = try await env.send(.DELETE, "api/v1/session", headers: browser.headers)
            #expect(out.status == .ok)
            #expect(try await env.send(.GET, "api/v1/me", headers: browser.headers).status == .unauthorized)
            #expect(try await env.send(.GET, "api/v1/me", headers: unverified.headers).status == .ok)
            // Only hashes are stored.
            let stored = try await Session.query(on: env.app.db).all().map(\.tokenHash)
            #expect(!stored.contains(browser.cookie))
            #expect(stored.contains(Secrets.hash(browser.cookie)))
        }
    }

    @Test(arguments: TestDatabase.all)
    func signUpRepliesIdenticallyForATakenAddress(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let body = { (email: String) in #"{"email": "\#(email)", "password": "another long password", "display_name": "X"}"# }
            let first = try await env.send(.POST, "api/v1/account", body("a.lice@gmail.com"))
            _ = try await env.deliverMail()
            let repeatReply = try await env.send(.POST, "api/v1/account", body("alice+again@googlemail.com"))
            let fresh = try await env.send(.POST, "api/v1/account", body("bob@example.com"))
            #expect(first.status == .accepted)
            #expect(repeatReply.status == first.status)
            #expect(repeatReply.text == first.text)
            #expect(fresh.text == first.text)
            #expect(try await env.count("users") == 2)
            let owner = try await env.mails(to: "a.lice@gmail.com")
            #expect(owner.count == 2)
            #expect(owner.last!.contains("Someone tried to sign up"))
            #expect(tokenIn(owner.last!, path: "/account/verify") == nil)
            // Rules are checked before the address is looked at: same 400 either way.
            let weakTaken = try await env.send(.POST, "api/v1/account", #"{"email": "a.lice@gmail.com", "password": "short", "display_name": "X"}"#)
            let weakFree = try await env.send(.POST, "api/v1/account", #"{"email": "carol@example.com", "password": "short", "display_name": "X"}"#)
            #expect(weakTaken.status == .badRequest)
            #expect(weakTaken.text == weakFree.text)
            let long = String(repeating: "p", count: 129)
            let tooLong = try await env.send(.POST, "api/v1/account", #"{"email": "dan@example.com", "password": "\#(long)", "display_name": "X"}"#)
            #expect(tooLong.json["error"] as? String == "invalid_password")
            #expect(try await env.count("users") == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func loginFailuresAreIndistinguishable(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("known@example.com")
            let wrong = try await env.send(.POST, "api/v1/session", #"{"email": "known@example.com", "password": "not the password"}"#)
            let unknown = try await env.send(.POST, "api/v1/session", #"{"email": "nobody@example.com", "password": "not the password"}"#)
            let junk = try await env.send(.POST, "api/v1/session", #"{"email": "' OR 1=1 --", "password": "x"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == wrong.status)
            #expect(unknown.text == wrong.text)
            #expect(junk.text == wrong.text)
            #expect(wrong.headers.first(name: .setCookie) == nil)
            #expect(try await env.count("sessions") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func passwordResetRevokesEverySessionAndToken(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("reset@example.com", verify: false)
            let browser = try await env.logIn("reset@example.com")
            let token = try await env.makeToken(browser)
            let unknown = try await env.send(.POST, "api/v1/password-reset", #"{"email": "ghost@example.com"}"#)
            let known = try await env.send(.POST, "api/v1/password-reset", #"{"email": "reset@example.com"}"#)
            #expect(known.status == .accepted)
            #expect(known.text == unknown.text)
            let secret = try await env.linkToken(to: "reset@example.com", path: "/account/reset")
            #expect(try await env.mails(to: "ghost@example.com").isEmpty)
            // The page shows a form and does not use the token up.
            let page = try await env.get("account/reset?token=\(secret)")
            #expect(page.text.contains(#"action="/api/v1/password-reset/confirm""#))
            let weak = try await env.send(.POST, "api/v1/password-reset/confirm", #"{"token": "\#(secret)", "password": "short"}"#)
            #expect(weak.json["error"] as? String == "weak_password")
            // act: the form post of that page
            let done = try await env.send(.POST, "api/v1/password-reset/confirm", "token=\(secret)&password=a+brand+new+password",
                                          headers: ["Content-Type": "application/x-www-form-urlencoded"])
            // assert
            #expect(done.status == .ok, "\(done.text)")
            #expect(try await env.send(.GET, "api/v1/me", headers: browser.headers).status == .unauthorized)
            #expect(try await env.send(.GET, "api/v1/me", headers: bearer(token.token)).status == .unauthorized)
            let reused = try await env.send(.POST, "api/v1/password-reset/confirm", #"{"token": "\#(secret)", "password": "yet another password"}"#)
            #expect(reused.json["error"] as? String == "invalid_token")
            let old = try await env.send(.POST, "api/v1/session", #"{"email": "reset@example.com", "password": "correct horse battery"}"#)
            #expect(old.status == .unauthorized)
            let me = try await env.send(.GET, "api/v1/me", headers: try await env.logIn("reset@example.com", password: "a brand new password").headers)
            #expect(me.json["email_verified"] as? Bool == true)
            // A link older than an hour is refused.
            _ = try await env.send(.POST, "api/v1/password-reset", #"{"email": "reset@example.com"}"#)
            let late = try await env.linkToken(to: "reset@example.com", path: "/account/reset")
            env.clock.advance(by: 3601)
            let expired = try await env.send(.POST, "api/v1/password-reset/confirm", #"{"token": "\#(late)", "password": "too late password"}"#)
            #expect(expired.json["error"] as? String == "invalid_token")
        }
    }

    @Test(arguments: TestDatabase.all)
    func magicLinkLogsInOnce(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("magic@example.com", verify: false)
            let unknown = try await env.send(.POST, "api/v1/magic-link", #"{"email": "nobody@example.com"}"#)
            let known = try await env.send(.POST, "api/v1/magic-link", #"{"email": "MAGIC@example.com"}"#)
            #expect(known.status == .accepted)
            #expect(known.text == unknown.text)
            let secret = try await env.linkToken(to: "magic@example.com", path: "/account/magic")
            #expect(try await env.get("account/magic?token=\(secret)").text.contains("<form"))
            let login = try await env.send(.POST, "api/v1/session/magic", #"{"token": "\#(secret)"}"#)
            #expect(login.status == .ok)
            #expect(login.json["email_verified"] as? Bool == true)
            let cookie = try #require(login.headers.setCookie?["vitrine_session"]?.string)
            #expect(try await env.send(.GET, "api/v1/me", headers: ["Cookie": "vitrine_session=\(cookie)"]).status == .ok)
            let twice = try await env.send(.POST, "api/v1/session/magic", #"{"token": "\#(secret)"}"#)
            #expect(twice.status == .badRequest)
            let forged = try await env.send(.POST, "api/v1/session/magic", #"{"token": "'; DELETE FROM sessions; --"}"#)
            #expect(forged.json["error"] as? String == "invalid_token")
            #expect(try await env.count("sessions") == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func emailChangeWaitsForTheNewAddress(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("old@example.com")
            try await env.signUp("taken@example.com")
            let browser = try await env.logIn("old@example.com")
            // act
            let change = try await env.send(.PATCH, "api/v1/me", #"{"email": "new@example.com"}"#, headers: browser.headers)
            let taken = try await env.send(.PATCH, "api/v1/me", #"{"email": "taken@example.com"}"#, headers: browser.headers)
            // assert
            #expect(change.status == .ok)
            #expect(change.json["email"] as? String == "old@example.com")
            #expect(change.json["pending_email"] as? String == "new@example.com")
            #expect(taken.json["pending_email"] as? String == "taken@example.com")
            #expect(taken.status == change.status)
            let notice = try await env.mails(to: "old@example.com").filter { $0.contains("is being changed") }
            #expect(notice.count == 1)
            #expect(notice[0].contains("new@example.com"))
            #expect(try await env.mails(to: "taken@example.com").last!.contains("Someone tried"))
            let secret = try await env.linkToken(to: "new@example.com", path: "/account/email")
            let page = try await env.get("account/email?token=\(secret)")
            #expect(page.status == .ok)
            let me = try await env.send(.GET, "api/v1/me", headers: browser.headers)
            #expect(me.json["email"] as? String == "new@example.com")
            #expect(me.json["email_verified"] as? Bool == true)
            #expect(try await env.send(.POST, "api/v1/session", #"{"email": "old@example.com", "password": "correct horse battery"}"#).status == .unauthorized)
            _ = try await env.logIn("new@example.com")
        }
    }

    @Test(arguments: TestDatabase.all)
    func secureCookieBehindHTTPS(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.publicURL = "https://vitrine.example.com" }) { env in
            try await env.signUp("tls@example.com")
            let res = try await env.send(.POST, "api/v1/session", #"{"email": "tls@example.com", "password": "correct horse battery"}"#)
            #expect(res.headers.first(name: .setCookie)?.contains("Secure") == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func accountMailsCarryNoImagesTrackersOrForeignLinks(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("mail@example.com")
            let browser = try await env.logIn("mail@example.com")
            _ = try await env.send(.POST, "api/v1/account", #"{"email": "mail@example.com", "password": "whatever password", "display_name": "X"}"#)
            _ = try await env.send(.POST, "api/v1/password-reset", #"{"email": "mail@example.com"}"#)
            _ = try await env.send(.POST, "api/v1/magic-link", #"{"email": "mail@example.com"}"#)
            _ = try await env.send(.PATCH, "api/v1/me", #"{"email": "other@example.com"}"#, headers: browser.headers)
            let mails = try await env.deliverMail()
            #expect(mails.count == 6)
            let own = env.app.vitrine.settings.publicURL
            for mail in mails {
                #expect(!mail.lowercased().contains("<img"))
                #expect(mail.contains("multipart/alternative"))
                #expect(mail.contains("text/plain") && mail.contains("text/html"))
                let hrefs = mail.matches(of: /href="([^"]*)"/).map { String($0.1) }
                for href in hrefs { #expect(href.hasPrefix(own + "/"), "\(href)") }
                let urls = mail.matches(of: /https?:\/\/[^\s"<]+/).map { String($0.0) }
                for url in urls { #expect(url.hasPrefix(own), "\(url)") }
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func badAccountBodiesAreNamedAndWriteNothing(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let cases: [(String, String, String)] = [
                (#"{"email": "a@example.com", "password": "long enough pw""#, "malformed_json", "not valid JSON"),
                (#"{"email": "a@example.com", "password": "long enough pw", "display_name": "A", "is_admin": true}"#, "unknown_field", "'is_admin'"),
                (#"{"email": "a@example.com", "password": "long enough pw"}"#, "missing_field", "'display_name'"),
                (#"{"email": "a@example.com", "password": 1234567890, "display_name": "A"}"#, "invalid_field", "'password'"),
                (#"{"email": "a@example.com", "password": "long enough pw", "display_name": "A\nBcc: x@y.z"}"#, "invalid_display_name", "control"),
                (#"{"email": "a@example.com\r\nBcc: x@y.z", "password": "long enough pw", "display_name": "A"}"#, "invalid_email", "control"),
            ]
            for (body, code, words) in cases {
                let res = try await env.send(.POST, "api/v1/account", body)
                #expect(res.status == .badRequest, "\(body)")
                #expect(res.json["error"] as? String == code, "\(body) -> \(res.text)")
                #expect((res.json["reason"] as? String ?? "").contains(words), "\(res.text)")
            }
            let big = #"{"email": "a@example.com", "password": "\#(String(repeating: "x", count: 20_000))", "display_name": "A"}"#
            #expect(try await env.send(.POST, "api/v1/account", big).status == .payloadTooLarge)
            #expect(try await env.count("users") == 0)
            #expect(try await env.count("outbox") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentSignUpsMakeOneAccount(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let replies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await env.send(.POST, "api/v1/account", #"{"email": "race@example.com", "password": "racing password", "display_name": "R"}"#).text
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(replies.count == 1)
            #expect(try await env.count("users") == 1)
            #expect(try await env.count("email_tokens") == 1)
        }
    }
}
