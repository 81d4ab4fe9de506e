import Crypto
import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// The licensing API against the production configure, on every test database.
@Suite struct LicenseAPITests {
    @Test(arguments: TestDatabase.all)
    func healthzAnswersAndUnknownRoutesAreJSON(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let ok = try await env.get("healthz")
            #expect(ok.status == .ok)
            #expect(ok.json["status"] as? String == "ok")
            let missing = try await env.get("api/v1/nothing")
            #expect(missing.status == .notFound)
            #expect(Set(missing.json.keys) == ["error", "reason"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func trialMailsAKeyThatValidates(db: TestDatabase) async throws {
        try await withApp(db) { env in
            // act
            let key = try await env.trialKey()
            let res = try await env.post("api/v1/license/validate", #"{"key": "\#(key)"}"#)
            // assert
            #expect(res.status == .ok)
            #expect(res.text == #"{"valid":true,"tier":"trial","status":"active","expires_at":null,"generations_used":0,"generations_left":3}"#)
        }
    }

    @Test(arguments: TestDatabase.all)
    func repeatTrialsAnswerIdenticallyAndMailNothing(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let first = try await env.post("api/v1/trial", #"{"email": "A.Lice+minis@gmail.com"}"#)
            #expect(try await env.deliverMail().count == 1)
            for alias in ["alice@gmail.com", " ALICE@googlemail.com", "a.l.i.c.e+x@gmail.com"] {
                let again = try await env.post("api/v1/trial", #"{"email": "\#(alias)"}"#)
                #expect(again.status == first.status)
                #expect(again.text == first.text)
                #expect(again.headers.contentType == first.headers.contentType)
            }
            let other = try await env.post("api/v1/trial", #"{"email": "bob@example.com"}"#)
            #expect(other.text == first.text)
            #expect(try await env.deliverMail().count == 2)
            #expect(try await env.count("licenses") == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentDoubleSubmitsMakeOneTrial(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let replies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await env.post("api/v1/trial", #"{"email": "twice@example.com"}"#).text }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(replies.count == 1)
            #expect(try await env.count("licenses") == 1)
            #expect(try await env.count("outbox") == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func trialAllowsThreeMarkedGenerations(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let key = try await env.trialKey()
            var replies: [String] = []
            for _ in 0..<4 { replies.append(try await env.post("api/v1/license/generations", #"{"key": "\#(key)"}"#).text) }
            #expect(replies == [
                #"{"allowed":true,"mark":true,"generations_left":2}"#,
                #"{"allowed":true,"mark":true,"generations_left":1}"#,
                #"{"allowed":true,"mark":true,"generations_left":0}"#,
                #"{"allowed":false,"mark":true,"generations_left":0,"reason":"exhausted"}"#,
            ])
        }
    }

    @Test(arguments: TestDatabase.all)
    func twoHundredConcurrentGenerationsAllowExactlyThree(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let key = try await env.trialKey()
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let res = try await env.post("api/v1/license/generations", #"{"key": "\#(key)"}"#)
                        #expect(res.status == .ok)
                        return res.json["allowed"] as? Bool == true
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 3)
            let check = try await env.post("api/v1/license/validate", #"{"key": "\#(key)"}"#)
            #expect(check.json["generations_used"] as? Int == 3)
        }
    }

    @Test(arguments: TestDatabase.all)
    func proTiersAreUnlimitedUnmarkedUntilExpiry(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let license = try await LicenseAdmin.issue(app: env.app, email: "pro@example.com", tier: .monthly, sendMail: true)
            for _ in 0..<10 {
                let res = try await env.post("api/v1/license/generations", #"{"key": "\#(license.key)"}"#)
                #expect(res.text == #"{"allowed":true,"mark":false,"generations_left":null}"#)
            }
            let valid = try await env.post("api/v1/license/validate", #"{"key": "\#(license.key)"}"#)
            #expect(valid.json["valid"] as? Bool == true)
            #expect(valid.json["expires_at"] as? String == "2026-02-01T00:00:00Z")
            env.clock.advance(by: 31 * 86_400)
            let expired = try await env.post("api/v1/license/validate", #"{"key": "\#(license.key)"}"#)
            #expect(expired.json["valid"] as? Bool == false)
            #expect(expired.json["status"] as? String == "expired")
            let refused = try await env.post("api/v1/license/generations", #"{"key": "\#(license.key)"}"#)
            #expect(refused.text == #"{"allowed":false,"mark":false,"generations_left":null,"reason":"expired"}"#)
        }
    }

    @Test(arguments: TestDatabase.all)
    func revokedKeysStopAtOnce(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let key = try await env.trialKey()
            #expect(try await LicenseAdmin.revoke(app: env.app, key: key))
            #expect(try await LicenseAdmin.revoke(app: env.app, key: key) == false)
            let valid = try await env.post("api/v1/license/validate", #"{"key": "\#(key.lowercased())"}"#)
            #expect(valid.json["valid"] as? Bool == false)
            #expect(valid.json["status"] as? String == "revoked")
            let gen = try await env.post("api/v1/license/generations", #"{"key": "\#(key)"}"#)
            #expect(gen.json["allowed"] as? Bool == false)
            #expect(gen.json["reason"] as? String == "revoked")
        }
    }

    @Test(arguments: TestDatabase.all)
    func forgedTruncatedAndForeignKeysAreRefusedWithReasons(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let key = try await env.trialKey()
            var altered = Array(key)
            altered[100] = altered[100] == "A" ? "B" : "A"   // in the signature
            var alteredKeyID = Array(key)
            alteredKeyID[10] = alteredKeyID[10] == "A" ? "B" : "A"   // in the signing key id
            let other = LicenseSigner(privateKey: Curve25519.Signing.PrivateKey())
            let foreign = try LicenseKey.make(
                LicensePayload(keyID: other.verifier.keyID, licenseID: UUID(), tier: .lifetime, issuedAt: env.clock.now, expiresAt: nil),
                signer: other)
            let unknown = try LicenseKey.make(
                LicensePayload(keyID: env.app.vitrine.signer.verifier.keyID, licenseID: UUID(), tier: .lifetime, issuedAt: env.clock.now, expiresAt: nil),
                signer: env.app.vitrine.signer)
            let cases: [(String, HTTPStatus, String)] = [
                (String(altered), .unprocessableEntity, "signature"),
                (String(alteredKeyID), .unprocessableEntity, "mistyped"),
                (String(key.dropLast(6)), .unprocessableEntity, "truncated"),
                (foreign, .unprocessableEntity, "another server"),
                ("VTR-'; DROP TABLE licenses; --", .unprocessableEntity, "not part of a license key"),
                ("hello", .unprocessableEntity, "VTR-"),
                (unknown, .notFound, "no record"),
            ]
            for path in ["api/v1/license/validate", "api/v1/license/generations"] {
                for (input, status, words) in cases {
                    let body = String(data: try JSONSerialization.data(withJSONObject: ["key": input]), encoding: .utf8)!
                    let res = try await env.post(path, body)
                    #expect(res.status == status, "\(path) \(input)")
                    #expect(Set(res.json.keys) == ["error", "reason"])
                    #expect((res.json["reason"] as? String ?? "").contains(words), "\(res.text)")
                }
            }
            #expect(try await env.count("licenses") == 1)
            let valid = try await env.post("api/v1/license/validate", #"{"key": "\#(key)"}"#)
            #expect(valid.json["generations_used"] as? Int == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func badBodiesGetNamedFourHundreds(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let cases: [(String, String, HTTPStatus, String, String)] = [
                ("api/v1/trial", #"{"email": "a@example.com""#, .badRequest, "malformed_json", "not valid JSON"),
                ("api/v1/trial", #"{"email": "a@example.com", "admin": true}"#, .badRequest, "unknown_field", "'admin'"),
                ("api/v1/trial", #"{}"#, .badRequest, "missing_field", "'email'"),
                ("api/v1/trial", #"{"email": 42}"#, .badRequest, "invalid_field", "'email'"),
                ("api/v1/trial", #"{"email": null}"#, .badRequest, "invalid_field", "'email'"),
                ("api/v1/trial", #"["a@example.com"]"#, .badRequest, "malformed_json", "JSON object"),
                ("api/v1/trial", "", .badRequest, "missing_body", "email"),
                ("api/v1/trial", #"{"email": "not an address"}"#, .badRequest, "invalid_email", "spaces"),
                ("api/v1/trial", #"{"email": "x@y.com\r\nBcc: all@example.com"}"#, .badRequest, "invalid_email", "control"),
                ("api/v1/license/validate", #"{"key": ["VTR-1"]}"#, .badRequest, "invalid_field", "'key'"),
                ("api/v1/license/generations", #"{"key": "VTR-1", "count": 100}"#, .badRequest, "unknown_field", "'count'"),
            ]
            for (path, body, status, code, words) in cases {
                let res = try await env.post(path, body)
                #expect(res.status == status, "\(body)")
                #expect(res.json["error"] as? String == code, "\(body) -> \(res.text)")
                #expect((res.json["reason"] as? String ?? "").contains(words), "\(body) -> \(res.text)")
                #expect(Set(res.json.keys) == ["error", "reason"])
            }
            let big = #"{"email": ""# + String(repeating: "a", count: 20_000) + #"@example.com"}"#
            let tooLarge = try await env.post("api/v1/trial", big)
            #expect(tooLarge.status == .payloadTooLarge)
            #expect(tooLarge.json["error"] as? String == "payload_too_large")
            #expect(try await env.count("licenses") == 0)
            #expect(try await env.count("outbox") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func sqlLookingEmailIsStoredAsText(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let email = "robert'--drop.table.licenses@example.com"
            _ = try await env.trialKey(email)
            let shown = try await LicenseAdmin.show(app: env.app, keyOrEmail: email)
            #expect(shown.map(\.email) == [email])
            #expect(try await env.count("licenses") == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func servedPublicKeyVerifiesKeysOffline(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let key = try await env.trialKey()
            let res = try await env.get("api/v1/license/public-key")
            #expect(res.json["algorithm"] as? String == "Ed25519")
            let verifier = try LicenseVerifier(base64: try #require(res.json["public_key"] as? String))
            #expect(res.json["key_id"] as? String == verifier.keyIDHex)
            let payload = try LicenseKey.verify(key, with: verifier)
            #expect(payload.tier == .trial)
            #expect(payload.expiresAt == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func signingKeyFileIsPrivateAndReused(db: TestDatabase) async throws {
        var first = ""
        var dir = ""
        try await withApp(db) { env in
            first = env.app.vitrine.signer.verifier.keyIDHex
            dir = env.dataDirectory
            let path = (dir as NSString).appendingPathComponent("license-signing.key")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let again = try SigningKeyStore.load(settings: env.app.vitrine.settings)
            #expect(again.verifier.keyIDHex == first)
        }
        #expect(!first.isEmpty)
    }

    @Test(arguments: TestDatabase.all)
    func requestLogsKeepNoQueryAndTruncatedAddresses(db: TestDatabase) async throws {
        try await withApp(db) { env in
            _ = try await env.get("healthz?token=secret")
            _ = try await env.post("api/v1/trial", #"{"email": "log@example.com"}"#)
            await RequestLogBuffer.flush(env.app)
            let logs = try await RequestLog.query(on: env.app.db).all()
            #expect(logs.map(\.path).sorted() == ["/api/v1/trial", "/healthz"])
            #expect(logs.allSatisfy { !$0.path.contains("secret") })
            #expect(Set(logs.map(\.status)) == [200, 202])
        }
        #expect(truncatedIP("203.0.113.77") == "203.0.113.0")
        #expect(truncatedIP("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::")
        #expect(truncatedIP("2001:db8::1") == "2001:db8:0::")
        #expect(truncatedIP("::ffff:198.51.100.9") == "198.51.100.0")
    }
}
