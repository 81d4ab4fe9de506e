import Crypto
import Foundation
import Testing
import VitrineKit

/// The key codec on its own: round trips, and every way a key can be wrong.
@Suite struct LicenseKeyTests {
    let signer = LicenseSigner(privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 7, count: 32)))
    let id = UUID(uuidString: "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")!
    var payload: LicensePayload {
        LicensePayload(keyID: signer.verifier.keyID, licenseID: id, tier: .annual,
                       issuedAt: Date(timeIntervalSince1970: 1_750_000_000.7), expiresAt: Date(timeIntervalSince1970: 1_781_536_000))
    }

    @Test func roundTripKeepsEveryField() throws {
        let key = try LicenseKey.make(payload, signer: signer)
        #expect(key.hasPrefix("VTR-"))
        #expect(key.count == 4 + LicenseKey.symbolCount + (LicenseKey.symbolCount - 1) / 5)
        let back = try LicenseKey.verify(key, with: signer.verifier)
        #expect(back == payload)
        #expect(back.issuedAt == Date(timeIntervalSince1970: 1_750_000_000))
    }

    @Test(arguments: LicenseTier.allCases)
    func everyTierRoundTrips(tier: LicenseTier) throws {
        var p = payload
        p.tier = tier
        p.expiresAt = nil
        #expect(try LicenseKey.verify(LicenseKey.make(p, signer: signer), with: signer.verifier) == p)
    }

    @Test func inputIgnoresCaseDashesSpacesAndReadsLookalikes() throws {
        let key = try LicenseKey.make(payload, signer: signer)
        let typed = " " + key.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "1", with: "l").replacingOccurrences(of: "0", with: "o") + "\n"
        #expect(try LicenseKey.verify(typed, with: signer.verifier) == payload)
        #expect(LicenseKey.canonical(typed) == key)
    }

    @Test func truncatedKeySaysSo() throws {
        let key = try LicenseKey.make(payload, signer: signer)
        #expect(throws: LicenseKeyError.wrongLength(symbols: LicenseKey.symbolCount - 6, expected: LicenseKey.symbolCount)) {
            try LicenseKey.verify(String(key.dropLast(7)), with: signer.verifier)
        }
    }

    @Test func everySingleSymbolChangeIsRejected() throws {
        let key = try LicenseKey.make(payload, signer: signer)
        let chars = Array(key)
        var checked = 0
        for i in chars.indices where i >= 4 && chars[i] != "-" {
            var altered = chars
            altered[i] = chars[i] == "Z" ? "Y" : "Z"
            #expect(throws: LicenseKeyError.self) { try LicenseKey.verify(String(altered), with: signer.verifier) }
            checked += 1
        }
        #expect(checked == LicenseKey.symbolCount)
    }

    @Test func forgedPayloadWithOldSignatureFails() throws {
        // Same signature, payload changed to lifetime: the signature no longer matches.
        var forged = payload
        forged.tier = .lifetime
        let genuine = try LicenseKey.make(payload, signer: signer)
        let other = try LicenseKey.make(forged, signer: signer)
        let spliced = String(other.prefix(4 + 48 + 9)) + String(genuine.dropFirst(4 + 48 + 9))
        #expect(throws: LicenseKeyError.badSignature) { try LicenseKey.verify(spliced, with: signer.verifier) }
    }

    @Test func keyFromAnotherServerNamesTheReason() throws {
        let other = LicenseSigner(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 9, count: 32)))
        var p = payload
        p.keyID = other.verifier.keyID
        let key = try LicenseKey.make(p, signer: other)
        do {
            _ = try LicenseKey.verify(key, with: signer.verifier)
            Issue.record("a key from another server verified")
        } catch {
            guard case .otherServer = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("another server"))
        }
    }

    @Test func keySignedByAnotherServerClaimingOurKeyIDFails() throws {
        let other = LicenseSigner(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 9, count: 32)))
        let key = try LicenseKey.make(payload, signer: other)  // payload carries our key id
        #expect(throws: LicenseKeyError.badSignature) { try LicenseKey.verify(key, with: signer.verifier) }
    }

    @Test(arguments: ["", "VTR", "hello", "VTR-", "VTR-!!!!!", "ABC-DEFGH", "VTR-U0000"])
    func garbageIsRejectedWithAReason(input: String) {
        #expect(throws: LicenseKeyError.self) { try LicenseKey.verify(input, with: signer.verifier) }
    }

    @Test func sqlLookingInputIsJustAnInvalidKey() {
        #expect(throws: LicenseKeyError.invalidCharacter("'", position: 5)) {
            try LicenseKey.verify("VTR-'; DROP TABLE licenses; --", with: signer.verifier)
        }
    }

    @Test func verifierFromServedPublicKeyWorksOffline() throws {
        let key = try LicenseKey.make(payload, signer: signer)
        let offline = try LicenseVerifier(base64: signer.verifier.publicKeyBase64)
        #expect(try LicenseKey.verify(key, with: offline) == payload)
    }

    @Test func base32RoundTripsAllLengths() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = CrockfordBase32.encode(bytes)
            let values = text.utf8.map { CrockfordBase32.value(of: $0)! }
            #expect(CrockfordBase32.decode(values: values) == bytes)
        }
    }
}

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("  Alice@Example.COM ", "alice@example.com"),
        ("alice+minis@example.com", "alice@example.com"),
        ("a.l.i.c.e@example.com", "a.l.i.c.e@example.com"),
        ("A.Lice+x@GMail.com", "alice@gmail.com"),
        ("a.lice@googlemail.com", "alice@gmail.com"),
        ("jürgen@bücher.de", "jürgen@bücher.de"),
    ])
    func normalizes(raw: String, expected: String) throws {
        #expect(try EmailAddress(raw).normalized == expected)
    }

    @Test func keepsTheAddressAsTyped() throws {
        #expect(try EmailAddress(" Alice+x@Example.com ").address == "Alice+x@Example.com")
    }

    @Test(arguments: ["", "alice", "a@b", "a@@b.com", "a b@c.com", "<a@b.com>", "a@b.com\r\nBcc: x@y.com", "@b.com", "a@.com"])
    func rejects(raw: String) {
        #expect(throws: EmailAddressError.self) { try EmailAddress(raw) }
    }
}

@Suite struct SettingsTests {
    @Test func defaultsAreTheEmbeddedSetup() throws {
        let s = try Settings.load(environment: [:], dataDirectory: "/tmp/x")
        #expect(s.database == .sqlite(path: "/tmp/x/vitrine.sqlite"))
        #expect(s.autoMigrate)
        #expect(s.publicURL == "http://127.0.0.1:8080")
    }

    @Test func postgresURLSwitchesDatabaseAndMigrationsOff() throws {
        let s = try Settings.load(environment: ["DATABASE_URL": "postgres://u:p@db:5432/v"])
        #expect(s.database == .postgres(url: "postgres://u:p@db:5432/v"))
        #expect(!s.autoMigrate)
    }

    @Test(arguments: [
        ("DATABASE_URL", "mysql://x"), ("VITRINE_MAX_BODY_BYTES", "lots"), ("VITRINE_AUTO_MIGRATE", "maybe"),
        ("VITRINE_LICENSE_SIGNING_KEY", "c2hvcnQ="), ("VITRINE_PUBLIC_URL", "ftp://x"), ("VITRINE_MAILER", "pigeon"),
    ])
    func badValuesNameTheVariable(name: String, value: String) {
        do {
            _ = try Settings.load(environment: [name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.variable == name)
            #expect(!error.description.contains("c2hvcnQ="))
        }
    }
}
