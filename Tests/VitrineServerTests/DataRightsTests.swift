import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// Export, correction, deactivation and purge of an account's data.
@Suite struct DataRightsTests {
    /// Rows per table that name the user by id or address, counted straight from the database.
    func linkedRows(_ env: TestEnv, userID: String, email: String) async throws -> [String: Int] {
        let sql = env.app.db as! any SQLDatabase
        let id = try #require(UUID(uuidString: userID))
        func count(_ query: SQLQueryString) async throws -> Int {
            try await sql.raw("SELECT COUNT(*) AS n FROM \(query)").first()!.decode(column: "n", as: Int.self)
        }
        return [
            "users": try await count("users WHERE id = \(bind: id)"),
            "sessions": try await count("sessions WHERE user_id = \(bind: id)"),
            "api_tokens": try await count("api_tokens WHERE user_id = \(bind: id)"),
            "email_tokens": try await count("email_tokens WHERE user_id = \(bind: id)"),
            "licenses": try await count("licenses WHERE user_id = \(bind: id) OR normalized_email = \(bind: email)"),
            "mails": try await count("outbox WHERE user_id = \(bind: id) OR recipient = \(bind: email)"),
            "rate_limits": try await count("rate_limits WHERE subject = \(bind: "email:" + email)"),
        ]
    }

    @Test(arguments: TestDatabase.all)
    func exportHoldsEveryLinkedRowAndNoSecret(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.rateLimitEnabled = true }) { env in
            // setup: a trial before the account, a paid license after, sessions, tokens, mails, counters
            let trial = try await env.trialKey("owner@example.com")
            let id = try await env.signUp("owner@example.com")
            let pro = try await LicenseAdmin.issue(app: env.app, email: "owner@example.com", tier: .annual, sendMail: true)
            let browser = try await env.logIn("owner@example.com")
            _ = try await env.logIn("owner@example.com")
            let token = try await env.makeToken(browser)
            _ = try await env.send(.POST, "api/v1/password-reset", #"{"email": "owner@example.com"}"#)
            _ = try await env.send(.POST, "api/v1/session", #"{"email": "owner@example.com", "password": "a wrong password"}"#)
            _ = try await env.deliverMail()
            _ = try await env.trialKey("someone.else@example.com")
            // act
            let res = try await env.send(.GET, "api/v1/me/export", headers: bearer(token.token))
            // assert
            #expect(res.status == .ok)
            let json = res.json
            let rows = try await linkedRows(env, userID: id, email: "owner@example.com")
            #expect((json["user"] as? [String: Any])?["id"] as? String == id)
            #expect((json["sessions"] as? [Any])?.count == rows["sessions"])
            #expect((json["api_tokens"] as? [Any])?.count == rows["api_tokens"])
            #expect((json["email_tokens"] as? [Any])?.count == rows["email_tokens"])
            #expect((json["licenses"] as? [Any])?.count == rows["licenses"])
            #expect((json["mails"] as? [Any])?.count == rows["mails"])
            #expect((json["rate_limits"] as? [Any])?.count == rows["rate_limits"])
            #expect(rows["licenses"] == 2 && rows["sessions"] == 2 && rows["mails"]! >= 4 && rows["rate_limits"]! >= 2)
            #expect(res.text.contains(trial) && res.text.contains(pro.key))
            #expect(!res.text.contains("someone.else"))
            let hash = try #require(try await User.find(normalizedEmail: "owner@example.com", on: env.app.db)?.passwordHash)
            let resetSecret = try await env.linkToken(to: "owner@example.com", path: "/account/reset")
            for secret in [hash, token.token, Secrets.hash(token.token), browser.cookie, Secrets.hash(browser.cookie), resetSecret, "$2b$"] {
                #expect(!res.text.contains(secret), "export holds a secret: \(secret.prefix(12))…")
            }
            #expect(res.text.contains("token=[redacted]"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func displayNameAndEmailCanBeCorrected(db: TestDatabase) async throws {
        try await withApp(db) { env in
            try await env.signUp("fix@example.com", name: "Typo")
            let browser = try await env.logIn("fix@example.com")
            let res = try await env.send(.PATCH, "api/v1/me", #"{"display_name": "  Fixed Name "}"#, headers: browser.headers)
            #expect(res.status == .ok)
            #expect(res.json["display_name"] as? String == "Fixed Name")
            #expect(res.json["pending_email"] == nil)
            #expect(try await env.send(.PATCH, "api/v1/me", #"{}"#, headers: browser.headers).json["error"] as? String == "missing_field")
            #expect(try await env.send(.PATCH, "api/v1/me", #"{"display_name": ""}"#, headers: browser.headers).status == .badRequest)
            #expect(try await env.send(.PATCH, "api/v1/me", #"{"email": "nope"}"#, headers: browser.headers).json["error"] as? String == "invalid_email")
            #expect(try await env.send(.GET, "api/v1/me", headers: browser.headers).json["display_name"] as? String == "Fixed Name")
        }
    }

    @Test(arguments: TestDatabase.all)
    func deletionDeactivatesAtOnceAndVoidsLicenses(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let key = try await env.trialKey("leaving@example.com")
            try await env.signUp("leaving@example.com")
            let browser = try await env.logIn("leaving@example.com")
            let other = try await env.logIn("leaving@example.com")
            let token = try await env.makeToken(browser)
            // act
            let res = try await env.send(.DELETE, "api/v1/me", headers: browser.headers)
            // assert
            #expect(res.status == .ok)
            #expect(res.json["status"] as? String == "deactivated")
            #expect(res.headers.first(name: .setCookie)?.contains("Max-Age=0") == true)
            #expect(try await env.send(.GET, "api/v1/me", headers: other.headers).status == .unauthorized)
            #expect(try await env.send(.GET, "api/v1/me", headers: bearer(token.token)).status == .unauthorized)
            let login = try await env.send(.POST, "api/v1/session", #"{"email": "leaving@example.com", "password": "correct horse battery"}"#)
            #expect(login.status == .unauthorized)
            let valid = try await env.post("api/v1/license/validate", #"{"key": "\#(key)"}"#)
            #expect(valid.json["status"] as? String == "revoked")
            let reset = try await env.send(.POST, "api/v1/password-reset", #"{"email": "leaving@example.com"}"#)
            #expect(reset.status == .accepted)
            #expect(try await env.mails(to: "leaving@example.com").allSatisfy { !$0.contains("/account/reset") })
        }
    }

    @Test(arguments: TestDatabase.all)
    func theRetentionJobPurgesDeactivatedAccounts(db: TestDatabase) async throws {
        try await withApp(db) { env in
            // setup: an account deleted by its owner
            let id = try await env.signUp("leaving@example.com")
            let session = try await env.logIn("leaving@example.com")
            #expect(try await env.send(.DELETE, "api/v1/me", headers: session.headers).status == .ok)
            // act: the daily job, before and after the grace period
            env.clock.advance(by: 29 * 86_400)
            _ = try await Retention.run(env.app)
            #expect(try await linkedRows(env, userID: id, email: "leaving@example.com")["users"] == 1)
            env.clock.advance(by: 2 * 86_400)
            _ = try await Retention.run(env.app)
            // assert
            #expect(try await linkedRows(env, userID: id, email: "leaving@example.com").values.allSatisfy { $0 == 0 })
        }
    }

    @Test(arguments: TestDatabase.all)
    func purgeRemovesPersonalDataAfterTheGracePeriodOnly(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.rateLimitEnabled = true }) { env in
            // setup
            _ = try await env.trialKey("gone@example.com")
            let goneID = try await env.signUp("gone@example.com")
            let gone = try await env.logIn("gone@example.com")
            _ = try await env.makeToken(gone)
            _ = try await env.send(.PATCH, "api/v1/me", #"{"email": "gone-new@example.com"}"#, headers: gone.headers)
            let stayID = try await env.signUp("stay@example.com")
            _ = try await env.trialKey("stay@example.com")
            let stay = try await env.logIn("stay@example.com")
            _ = try await env.deliverMail()
            let stayBefore = try await linkedRows(env, userID: stayID, email: "stay@example.com")
            #expect(try await env.send(.DELETE, "api/v1/me", headers: gone.headers).status == .ok)
            // act + assert: nothing goes before 30 days
            env.clock.advance(by: 29 * 86_400)
            #expect(try await AccountDeletion.purge(before: env.clock.now.addingTimeInterval(-AccountDeletion.gracePeriod), on: env.app.db) == 0)
            #expect(try await linkedRows(env, userID: goneID, email: "gone@example.com")["users"] == 1)
            env.clock.advance(by: 2 * 86_400)
            #expect(try await AccountDeletion.purge(before: env.clock.now.addingTimeInterval(-AccountDeletion.gracePeriod), on: env.app.db) == 1)
            let after = try await linkedRows(env, userID: goneID, email: "gone@example.com")
            #expect(after.values.allSatisfy { $0 == 0 }, "\(after)")
            #expect(try await linkedRows(env, userID: goneID, email: "gone-new@example.com").values.allSatisfy { $0 == 0 })
            let sql = env.app.db as! any SQLDatabase
            for table in ["users", "licenses", "outbox", "sessions", "api_tokens", "email_tokens", "rate_limits"] {
                let rows = try await sql.raw("SELECT * FROM \(unsafeRaw: table)").all()
                for row in rows {
                    for column in row.allColumns {
                        if let value = try? row.decode(column: column, as: String.self) {
                            #expect(!value.contains("gone"), "\(table).\(column) still holds \(value)")
                        }
                    }
                }
            }
            #expect(try await linkedRows(env, userID: stayID, email: "stay@example.com") == stayBefore)
            #expect(try await env.send(.GET, "api/v1/me", headers: stay.headers).status == .unauthorized)  // 31 days: session expired
            _ = try await env.logIn("stay@example.com")
            // The address is free again.
            _ = try await env.signUp("gone@example.com")
        }
    }
}
