import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// API tokens, CSRF, cross-site requests, and one user against another.
@Suite struct AuthTests {
    @Test(arguments: TestDatabase.all)
    func apiTokensAreShownOnceStoredHashedAndRevocable(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("cli@example.com")
            let browser = try await env.logIn("cli@example.com")
            // act
            let made = try await env.makeToken(browser, name: "laptop")
            // assert
            #expect(made.token.hasPrefix("vtr_"))
            #expect(made.token.count > 40)
            let me = try await env.send(.GET, "api/v1/me", headers: bearer(made.token))
            #expect(me.json["email"] as? String == "cli@example.com")
            #expect(me.json["csrf_token"] == nil)
            // Bearer requests need no CSRF token.
            let second = try await env.send(.POST, "api/v1/tokens", #"{"name": "ci"}"#, headers: bearer(made.token))
            #expect(second.status == .created)
            let list = try await env.send(.GET, "api/v1/tokens", headers: bearer(made.token))
            #expect(!list.text.contains(made.token))
            #expect((list.json["tokens"] as? [[String: Any]])?.map { $0["name"] as? String } == ["laptop", "ci"])
            let stored = try await APIToken.query(on: env.app.db).all()
            #expect(!stored.contains { $0.tokenHash == made.token })
            #expect(stored.contains { $0.tokenHash == Secrets.hash(made.token) })
            #expect(try await env.send(.DELETE, "api/v1/tokens/\(made.id)", headers: browser.headers).status == .ok)
            #expect(try await env.send(.DELETE, "api/v1/tokens/\(made.id)", headers: browser.headers).status == .notFound)
            let revoked = try await env.send(.GET, "api/v1/me", headers: bearer(made.token))
            #expect(revoked.status == .unauthorized)
            #expect(revoked.json["error"] as? String == "invalid_token")
            for forged in ["vtr_" + String(made.token.dropFirst(4).reversed()), "vtr_", "abc", "vtr_' OR '1'='1"] {
                #expect(try await env.send(.GET, "api/v1/me", headers: bearer(forged)).status == .unauthorized)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func cookieRequestsThatChangeStateNeedTheCSRFToken(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("csrf@example.com")
            let browser = try await env.logIn("csrf@example.com")
            let cookieOnly: HTTPHeaders = ["Cookie": "vitrine_session=\(browser.cookie)"]
            var wrong = browser.headers
            wrong.replaceOrAdd(name: "X-CSRF-Token", value: String(browser.csrf.reversed()))
            var form = cookieOnly
            form.contentType = .urlEncodedForm
            var crossSite = form
            crossSite.add(name: .origin, value: "https://evil.example")
            // act
            let missing = try await env.send(.POST, "api/v1/tokens", #"{"name": "x"}"#, headers: cookieOnly)
            let bad = try await env.send(.POST, "api/v1/tokens", #"{"name": "x"}"#, headers: wrong)
            let crossSiteForm = try await env.send(.POST, "api/v1/tokens", "name=evil", headers: crossSite)
            let crossSiteWithToken = try await env.send(.POST, "api/v1/tokens", "name=evil&csrf=\(browser.csrf)", headers: crossSite)
            let formWithoutToken = try await env.send(.POST, "api/v1/tokens", "name=evil", headers: form)
            let deleteMe = try await env.send(.DELETE, "api/v1/me", headers: cookieOnly)
            let logout = try await env.send(.DELETE, "api/v1/session", headers: cookieOnly)
            let patch = try await env.send(.PATCH, "api/v1/me", #"{"display_name": "Mallory"}"#, headers: cookieOnly)
            let crossSiteLogin = try await env.send(.POST, "api/v1/session", "email=csrf%40example.com&password=correct+horse+battery",
                                                    headers: ["Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"])
            // assert
            for res in [missing, bad, formWithoutToken, deleteMe, logout, patch] {
                #expect(res.status == .forbidden, "\(res.text)")
                #expect(res.json["error"] as? String == "csrf_token_missing")
            }
            #expect(crossSiteForm.status == .forbidden)
            #expect(crossSiteWithToken.status == .forbidden)
            #expect(crossSiteForm.json["error"] as? String == "cross_site_request")
            #expect(crossSiteLogin.status == .forbidden)
            #expect(try await env.count("api_tokens") == 0)
            #expect(try await env.send(.GET, "api/v1/me", headers: cookieOnly).json["display_name"] as? String == "Painter")
            // The same requests with the token (header, or form field from our own page) pass.
            #expect(try await env.send(.POST, "api/v1/tokens", #"{"name": "ok"}"#, headers: browser.headers).status == .created)
            var sameSite = form
            sameSite.add(name: .origin, value: env.app.vitrine.settings.publicURL)
            let formPost = try await env.send(.POST, "api/v1/tokens", "name=from+a+form&csrf=\(browser.csrf)", headers: sameSite)
            #expect(formPost.status == .created, "\(formPost.text)")
            #expect(try await env.count("api_tokens") == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func oneUserCannotReachAnothersData(db: TestDatabase) async throws {
        try await withApp(db) { env in
            // setup: A has a trial and a token; B signs up later
            let aKey = try await env.trialKey("alice@example.com")
            let aID = try await env.signUp("alice@example.com")
            let a = try await env.logIn("alice@example.com")
            let aToken = try await env.makeToken(a)
            let bID = try await env.signUp("bob@example.com", password: "bobs long password")
            let b = try await env.logIn("bob@example.com", password: "bobs long password")
            let bToken = try await env.makeToken(b)
            // act: B tries A's token id, a token made from A's session id, A's id in paths
            let revokeA = try await env.send(.DELETE, "api/v1/tokens/\(aToken.id)", headers: b.headers)
            let revokeAByBearer = try await env.send(.DELETE, "api/v1/tokens/\(aToken.id)", headers: bearer(bToken.token))
            let revokeAUnknownID = try await env.send(.DELETE, "api/v1/tokens/\(UUID().uuidString)", headers: b.headers)
            let byID = try await env.send(.GET, "api/v1/users/\(aID)", headers: b.headers)
            let exportWithID = try await env.send(.GET, "api/v1/me/export?user_id=\(aID)", headers: b.headers)
            let patchOther = try await env.send(.PATCH, "api/v1/me", #"{"display_name": "B", "id": "\#(aID)"}"#, headers: b.headers)
            let mixed = try await env.send(.GET, "api/v1/me", headers: ["Cookie": "vitrine_session=\(a.cookie)", "X-CSRF-Token": b.csrf])
            // assert
            #expect(revokeA.status == .notFound)
            #expect(revokeAByBearer.status == .notFound)
            #expect(revokeA.text == revokeAUnknownID.text)
            #expect(byID.status == .notFound)
            #expect(patchOther.status == .badRequest)
            #expect(mixed.json["id"] as? String == aID)
            #expect(try await env.send(.GET, "api/v1/me", headers: bearer(aToken.token)).json["id"] as? String == aID)
            let text = exportWithID.text
            #expect(text.contains(bID))
            for secretOfA in [aID, "alice@example.com", aKey, aToken.id, aToken.token, a.cookie] {
                #expect(!text.contains(secretOfA), "B's export holds \(secretOfA)")
            }
            let list = try await env.send(.GET, "api/v1/tokens", headers: b.headers)
            #expect(!list.text.contains(aToken.id))
            // A still has everything.
            let aExport = try await env.send(.GET, "api/v1/me/export", headers: bearer(aToken.token))
            #expect(aExport.text.contains(aKey))
            #expect(aExport.text.contains(aToken.id))
        }
    }

    @Test(arguments: TestDatabase.all)
    func unverifiedSquatterGetsNoLicensesOfTheAddress(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let key = try await env.trialKey("victim@example.com")
            try await env.signUp("victim@example.com", password: "squatters password", verify: false)
            let squatter = try await env.logIn("victim@example.com", password: "squatters password")
            let export = try await env.send(.GET, "api/v1/me/export", headers: squatter.headers)
            #expect(!export.text.contains(key))
            #expect((export.json["licenses"] as? [Any])?.isEmpty == true)
            // The real owner resets the password from their mailbox: the squatter is out.
            _ = try await env.send(.POST, "api/v1/password-reset", #"{"email": "victim@example.com"}"#)
            let secret = try await env.linkToken(to: "victim@example.com", path: "/account/reset")
            _ = try await env.send(.POST, "api/v1/password-reset/confirm", #"{"token": "\#(secret)", "password": "owners new password"}"#)
            #expect(try await env.send(.GET, "api/v1/me", headers: squatter.headers).status == .unauthorized)
            let owner = try await env.logIn("victim@example.com", password: "owners new password")
            let mine = try await env.send(.GET, "api/v1/me/export", headers: owner.headers)
            #expect(mine.text.contains(key))
        }
    }

    @Test(arguments: TestDatabase.all)
    func cliLoginKeepsATokenOnlyTheUserCanRead(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("cli@example.com")
            try await env.app.asyncBoot()
            try await env.app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(env.app.http.server.shared.localAddress?.port)
            let path = env.dataDirectory + "/config/vitrine/credentials.json"
            // act (the server is always stopped before the app, even when a step fails)
            let outcome: Result<(CLILogin.Credentials, CLILogin.Failure?), any Error>
            do {
                let credentials = try await CLILogin.logIn(server: "http://127.0.0.1:\(port)/", email: "cli@example.com",
                                                           password: "correct horse battery", tokenName: "test machine")
                var refusal: CLILogin.Failure?
                do {
                    _ = try await CLILogin.logIn(server: "http://127.0.0.1:\(port)", email: "cli@example.com", password: "wrong password", tokenName: "x")
                } catch let failure as CLILogin.Failure { refusal = failure }
                outcome = .success((credentials, refusal))
            } catch {
                outcome = .failure(error)
            }
            await env.app.server.shutdown()
            let (credentials, wrong) = try outcome.get()
            try CLILogin.save(credentials, to: path)
            // assert
            #expect(wrong?.description.contains("wrong") == true)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let dirMode = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)[.posixPermissions] as? Int
            #expect(dirMode == 0o700)
            #expect(try CLILogin.load(from: path) == [credentials])
            #expect(credentials.server == "http://127.0.0.1:\(port)")
            let me = try await env.send(.GET, "api/v1/me", headers: bearer(credentials.token))
            #expect(me.json["email"] as? String == "cli@example.com")
            let sessions = try await Session.query(on: env.app.db).all()
            #expect(sessions.count == 1)
            #expect(sessions.allSatisfy { $0.revokedAt != nil })   // the CLI's session was logged out
            #expect(CLILogin.credentialsPath(environment: ["HOME": "/home/p"]) == "/home/p/.config/vitrine/credentials.json")
            #expect(CLILogin.credentialsPath(environment: ["HOME": "/home/p", "VITRINE_CREDENTIALS": "/tmp/c.json"]) == "/tmp/c.json")
        }
    }
}
